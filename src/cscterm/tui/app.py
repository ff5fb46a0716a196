"""The cscterm App: one mode per pillar, opened on the user's workspace.

The first frame is painted before the database layer is even imported
(importing SQLModel alone takes longer than a bare Textual start-up); the
workspace opens in a thread worker and the screens fill in when it is ready.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar
from weakref import WeakSet

from textual import work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen

from cscterm.config import Config, write_settings
from cscterm.i18n import get_language, set_language, t
from cscterm.text import local_time, one_line
from cscterm.tui import strings as _strings  # noqa: F401  (registers UI strings)
from cscterm.tui.commands import LibraryCommands, WorkbenchCommands
from cscterm.tui.localise import localise_bindings
from cscterm.tui.screens.library import LibraryScreen

if TYPE_CHECKING:
    from cscterm.services.lint import Linter
    from cscterm.services.workspace import Workspace


WATCH_INTERVAL = 1.0  # seconds between looks at the database's change counter
REMINDER_INTERVAL = 15.0  # seconds between looks for the user's reminders falling due
WATCH_START_LIMIT = 3.0  # seconds after the database opens: start watching even without results


class WorkspaceReady(Message):
    """The database is open and the acting user known."""


class WorkspaceFailed(Message):
    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error


def _handover_screen() -> Screen[None]:
    """The handover mode's screen, imported when first visited."""
    from cscterm.tui.screens.handover import HandoverScreen

    return HandoverScreen()


def _transfer_screen() -> Screen[None]:
    """The transfer mode's screen, imported when first visited."""
    from cscterm.tui.screens.transfer import TransferScreen

    return TransferScreen()


def _log_screen() -> Screen[None]:
    """The work log mode's screen, imported when first visited."""
    from cscterm.tui.screens.worklog import WorkLogScreen

    return WorkLogScreen()


class RemindersDue(Message):
    """The user's reminders whose time has come (each fires once)."""

    def __init__(self, reminders: list[tuple[int, str, str]]) -> None:
        super().__init__()
        self.reminders = reminders  # (id, due HH:MM, text)


class HandoversChanged(Message):
    """The watcher saw the database change; ``arrived`` are notes newly
    waiting for this user's acknowledgement."""

    def __init__(self, arrived: list[tuple[int, str]], due: list[tuple[int, str, str]]) -> None:
        super().__init__()
        self.arrived = arrived
        self.due = due


class TransfersChanged(Message):
    """The watcher saw the database change. ``waiting`` / ``returned`` /
    ``escalated`` say that transfers newly wait in this user's queue, came
    back to them, or (leads) were escalated, since the last look."""

    def __init__(self, key: tuple[int, ...], waiting: bool = False, returned: bool = False,
                 escalated: bool = False) -> None:
        super().__init__()
        self.key = key
        self.waiting = waiting
        self.returned = returned
        self.escalated = escalated


def _arrivals(before: tuple[int, ...] | None, after: tuple[int, ...]) -> TransfersChanged:
    """Compare two :func:`cscterm.services.transfer.watch_key` values:
    (waiting count, newest waiting id, returned count, escalated count)."""
    if before is None or len(before) != len(after):
        return TransfersChanged(after)
    waiting = after[0] > before[0] or after[1] > before[1]
    returned = after[2] > before[2]
    escalated = len(after) > 3 and after[3] > before[3]
    return TransfersChanged(after, waiting, returned, escalated)


class CscApp(App[None]):
    TITLE = "cscterm"
    CSS_PATH = "styles/app.tcss"
    ENABLE_COMMAND_PALETTE = True
    COMMANDS = App.COMMANDS | {LibraryCommands, WorkbenchCommands}
    HORIZONTAL_BREAKPOINTS: ClassVar = [(0, "-narrow"), (110, "-wide")]
    MODES: ClassVar = {"library": LibraryScreen, "handover": _handover_screen,
                       "transfer": _transfer_screen, "log": _log_screen}
    DEFAULT_MODE = "library"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f5", "switch_mode('library')", "key.mode_library", show=False),
        Binding("f6", "switch_mode('handover')", "key.mode_handover", show=False),
        Binding("f7", "switch_mode('transfer')", "key.mode_transfer", show=False),
        Binding("f8", "switch_mode('log')", "key.mode_log", show=False),
        Binding("question_mark", "help", "key.help"),
        Binding("ctrl+n", "new_conversation", "key.clear"),
        Binding("f2", "switch_language", "key.lang", show=False),
        Binding("ctrl+q", "quit", "key.quit", priority=True),
    ]

    def __init__(self, config: Config, *, open_workspace: bool = True) -> None:
        super().__init__()
        self.config = config
        self.ws: Workspace | None = None
        self.linter: Linter | None = None  # the forbidden-term list, loaded with the library
        # Placeholder values for the conversation in progress (until ctrl+n).
        self.conversation: dict[str, str] = {}
        self._open_on_mount = open_workspace
        # Screens that follow the database live (the handover and transfer inboxes).
        self.live_views: WeakSet[Screen[None]] = WeakSet()
        self._stop_watching = threading.Event()
        self._watching = False
        self.watch_looks = 0  # how often the watcher has looked (tests wait on it)
        self.watch_interval = WATCH_INTERVAL
        localise_bindings(self)

    def on_mount(self) -> None:
        if self._open_on_mount:
            # Paint first, then open: the first frame never waits for the ORM.
            self.call_after_refresh(self.open_workspace)

    @work(thread=True, exclusive=True, group="workspace")
    def open_workspace(self) -> None:
        try:
            from cscterm.services.workspace import open_workspace

            ws = open_workspace(self.config)
        except Exception as exc:  # noqa: BLE001 - shown to the user, not a traceback
            self.post_message(WorkspaceFailed(f"{type(exc).__name__}: {exc}"))
            return
        self.ws = ws
        self.post_message(WorkspaceReady())

    def on_workspace_ready(self, _message: WorkspaceReady) -> None:
        # Every mode's screens, not only the current one's: a mode left
        # before the database opened must still fill in when shown again.
        screens = [screen for stack in self._screen_stacks.values() for screen in stack]
        for screen in screens:
            ready = getattr(screen, "workspace_ready", None)
            if ready is not None:
                ready()
        # The library's first results come first: the watcher's first look
        # (three more parts of the schema, a handful of queries) waits until
        # they are shown, or a few seconds when they never are.
        self.set_timer(WATCH_START_LIMIT, self.start_watching)

    def start_watching(self) -> None:
        """Start following the database live (once; later calls do nothing)."""
        if self._watching or self.ws is None:
            return
        self._watching = True
        self.watch_database()

    # ── live: new handovers and due items ─────────────────────────────────

    @work(thread=True, exclusive=True, group="watch")
    def watch_database(self) -> None:
        """Poll the database's change counter (a few microseconds) every
        second; when another connection committed, look for newly waiting
        handovers and for transfers newly waiting in the user's queue or
        returned to them. Every half minute, look for the user's items
        falling due; every quarter minute, fire the user's reminders."""
        from cscterm.services import handover, transfer

        ws = self.ws
        assert ws is not None
        known: set[int] | None = None
        transfers_known: tuple[int, ...] | None = None
        told_due: set[int] = set()
        last_version: int | None = None
        next_due_check = 0.0
        next_reminder_check = 0.0
        with ws.db.watcher() as changed:
            while not self._stop_watching.is_set():
                try:
                    arrived: list[tuple[int, str]] = []
                    due: list[tuple[int, str, str]] = []
                    version = changed()
                    fresh = version != last_version
                    if fresh:
                        last_version = version
                        with ws.session() as session:
                            ids = handover.waiting_ids(session, ws.actor)
                            new = ids - known if known is not None else set()
                            rows = handover.rows_of(session, ws.actor, new)
                        arrived = [(r.id, f"{r.shift_date[5:]} {r.shift_name} · {r.author}")
                                   for r in rows]
                        known = ids
                        with ws.session() as session:
                            key = transfer.watch_key(session, ws.actor)
                        self.post_message(_arrivals(transfers_known, key))
                        transfers_known = key
                    if time.monotonic() >= next_due_check:
                        next_due_check = time.monotonic() + 30
                        with ws.session() as session:
                            items = handover.due_items(session, ws.actor)
                        for item in items:
                            if item.id not in told_due:
                                told_due.add(item.id)
                                due.append((item.id, item.reference,
                                            local_time(item.due_at, "%H:%M") if item.due_at else ""))
                    if fresh or due:
                        self.post_message(HandoversChanged(arrived, due))
                    if time.monotonic() >= next_reminder_check:
                        next_reminder_check = time.monotonic() + REMINDER_INTERVAL
                        self.check_reminders()
                except Exception:  # noqa: BLE001 - a busy or vanished database: try again
                    pass
                else:
                    self.watch_looks += 1
                self._stop_watching.wait(self.watch_interval)

    def on_handovers_changed(self, message: HandoversChanged) -> None:
        for _note_id, title in message.arrived:
            self.notify(t("ho.arrived", title=one_line(title)), title=t("mode.handover"),
                        timeout=15, markup=False)
        for _item_id, reference, when in message.due:
            self.notify(t("ho.due_now", ref=one_line(reference), when=when),
                        title=t("mode.handover"), severity="warning", timeout=30, markup=False)
        if message.arrived or message.due:
            self.bell()
        for view in list(self.live_views):
            changed = getattr(view, "handovers_changed", None)
            if changed is not None:
                changed()

    def on_transfers_changed(self, message: TransfersChanged) -> None:
        waiting, _newest, returned, escalated = (*message.key, 0, 0, 0, 0)[:4]
        news = [(key, count) for key, count, happened in (
            ("tr.arrived", waiting, message.waiting),
            ("tr.came_back", returned, message.returned),
            ("tr.escalated_arrived", escalated, message.escalated)) if happened]
        for key, count in news:
            self.notify(t(key, count=count), title=t("mode.transfer"), timeout=15, markup=False,
                        severity="information" if key == "tr.arrived" else "warning")
        if news:
            self.bell()
        for view in list(self.live_views):
            changed = getattr(view, "transfers_changed", None)
            if changed is not None:
                changed()

    def check_reminders(self, now: datetime | None = None) -> list[tuple[int, str, str]]:
        """Fire the user's reminders due by ``now`` (default: the current
        time): each is marked fired and announced once. Safe from any thread."""
        from cscterm.services import worklog

        ws = self.ws
        if ws is None:
            return []
        with ws.session() as session:
            fired = worklog.due_reminders(session, ws.actor, now=now)
        found = [(r.id, local_time(r.due_at, "%H:%M"), r.text) for r in fired]
        if found:
            self.post_message(RemindersDue(found))
        return found

    def on_reminders_due(self, message: RemindersDue) -> None:
        for _reminder_id, when, text in message.reminders:
            self.notify(t("wl.reminder_due", when=when, text=one_line(text, 80)),
                        title=t("mode.log"), severity="warning", timeout=60, markup=False)
        if message.reminders:
            self.bell()
        for view in list(self.live_views):
            changed = getattr(view, "reminders_changed", None)
            if changed is not None:
                changed()

    def on_workspace_failed(self, message: WorkspaceFailed) -> None:
        self.notify(
            t("open_failed", path=str(self.config.db_path), error=message.error),
            severity="error",
            timeout=30,
            markup=False,
        )

    # ── actions ────────────────────────────────────────────────────────────

    def action_help(self) -> None:
        from cscterm.tui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss()
            return
        self.push_screen(HelpScreen(self.screen))

    def action_new_conversation(self) -> None:
        self.conversation.clear()
        self.notify(t("conv.cleared"), markup=False)
        for screen in self.screen_stack:
            refresh = getattr(screen, "conversation_changed", None)
            if refresh is not None:
                refresh()

    def action_switch_language(self) -> None:
        set_language("en" if get_language() == "zh_CN" else "zh_CN")
        write_settings(self.config.settings_path, lang=get_language())
        localise_bindings(self)
        for screen in self.screen_stack:
            localise_bindings(screen)
            refresh = getattr(screen, "language_changed", None)
            if refresh is not None:
                refresh()
        self.refresh_bindings()
        self.notify(t("lang.switched"), markup=False)

    def on_unmount(self) -> None:
        self._stop_watching.set()
        if self.ws is not None:
            self.ws.close()


def run(config: Config) -> None:
    CscApp(config).run()
