"""Command palette providers: find and copy a script by name, and the
workbench's own commands."""

from __future__ import annotations

import asyncio
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from cscterm.i18n import style_label, t
from cscterm.text import one_line


class LibraryCommands(Provider):
    """Type part of a script's title, pinyin initials or /shortcut to copy it."""

    async def search(self, query: str) -> Hits:
        app = self.app
        ws = getattr(app, "ws", None)
        if ws is None or not query.strip():
            return

        def find() -> list[object]:
            from cscterm.services import scripts

            with ws.session() as session:
                return scripts.search(session, ws.actor, query, limit=12)  # type: ignore[return-value]

        hits = await asyncio.to_thread(find)
        for rank, hit in enumerate(hits):
            label = t("cmd.copy_script", shortcut=one_line(hit.shortcut), title=one_line(hit.title))  # type: ignore[attr-defined]
            yield Hit(
                1.0 - rank / 100,
                Content(label),
                partial(_copy, app, hit.id),  # type: ignore[attr-defined]
                text=label,
                help=t("cmd.copy_help", category=one_line(hit.category),  # type: ignore[attr-defined]
                       style=style_label(hit.default_style)),  # type: ignore[attr-defined]
            )


def _copy(app: object, script_id: int) -> None:
    from cscterm.tui.screens.library import LibraryScreen

    screen = app.screen  # type: ignore[attr-defined]
    if not isinstance(screen, LibraryScreen):
        app.switch_mode("library")  # type: ignore[attr-defined]
        screen = app.screen  # type: ignore[attr-defined]
    if isinstance(screen, LibraryScreen):
        screen.copy_script(script_id)


class WorkbenchCommands(Provider):
    def _commands(self) -> list[tuple[str, str]]:
        return [
            (t("cmd.new_script"), "new"),
            (t("cmd.terms"), "terms"),
            (t("cmd.library"), "app.switch_mode('library')"),
            (t("cmd.handover"), "app.switch_mode('handover')"),
            (t("cmd.handover_write"), "handover.write"),
            (t("cmd.handover_search"), "handover.search"),
            (t("cmd.handover_queue"), "handover.queue"),
            (t("cmd.transfer"), "app.switch_mode('transfer')"),
            (t("cmd.transfer_new"), "transfer.new"),
            *([(t("cmd.transfer_lead"), "transfer.lead")] if self._lead() else []),
            (t("cmd.log"), "app.switch_mode('log')"),
            (t("cmd.log_note"), "log.note"),
            (t("cmd.log_reminder"), "log.reminder"),
            (t("cmd.clear"), "app.new_conversation"),
            (t("cmd.lang"), "app.switch_language"),
            (t("cmd.help"), "app.help"),
        ]

    def _lead(self) -> bool:
        ws = getattr(self.app, "ws", None)
        return ws is not None and ws.actor.is_lead

    async def _run(self, action: str) -> None:
        from cscterm.tui.screens.library import LibraryScreen

        if action.startswith("app."):
            await self.app.run_action(action.removeprefix("app."))
            return
        for mode in ("handover", "transfer", "log"):
            if action.startswith(f"{mode}."):
                await self.app.run_action(f"switch_mode('{mode}')")
                await self.app.screen.run_action(action.removeprefix(f"{mode}."))
                return
        screen = self.app.screen
        if isinstance(screen, LibraryScreen):
            await screen.run_action(action)

    async def discover(self) -> Hits:
        for label, action in self._commands():
            yield DiscoveryHit(Content(label), partial(self._run, action), text=label)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for label, action in self._commands():
            score = matcher.match(label)
            if score > 0:
                yield Hit(score, matcher.highlight(label), partial(self._run, action), text=label)
