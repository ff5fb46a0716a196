"""The cscterm App: one mode per pillar, opened on the user's workspace.

The first frame is painted before the database layer is even imported
(importing SQLModel alone takes longer than a bare Textual start-up); the
workspace opens in a thread worker and the screens fill in when it is ready.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.message import Message

from cscterm.config import Config, write_settings
from cscterm.i18n import get_language, set_language, t
from cscterm.tui import strings as _strings  # noqa: F401  (registers UI strings)
from cscterm.tui.commands import LibraryCommands, WorkbenchCommands
from cscterm.tui.localise import localise_bindings
from cscterm.tui.screens.library import LibraryScreen

if TYPE_CHECKING:
    from cscterm.services.lint import Linter
    from cscterm.services.workspace import Workspace


class WorkspaceReady(Message):
    """The database is open and the acting user known."""


class WorkspaceFailed(Message):
    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error


class CscApp(App[None]):
    TITLE = "cscterm"
    CSS_PATH = "styles/app.tcss"
    ENABLE_COMMAND_PALETTE = True
    COMMANDS = App.COMMANDS | {LibraryCommands, WorkbenchCommands}
    HORIZONTAL_BREAKPOINTS: ClassVar = [(0, "-narrow"), (110, "-wide")]
    MODES: ClassVar = {"library": LibraryScreen}
    DEFAULT_MODE = "library"
    BINDINGS: ClassVar[list[BindingType]] = [
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
        for screen in self.screen_stack:
            ready = getattr(screen, "workspace_ready", None)
            if ready is not None:
                ready()

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
        if self.ws is not None:
            self.ws.close()


def run(config: Config) -> None:
    CscApp(config).run()
