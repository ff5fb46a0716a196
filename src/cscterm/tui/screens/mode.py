"""What the workbench's modes share: the top bar, the life of a mode's
screen that follows the database (handover, transfers, work log), and the
inbox layout of a list beside the highlighted entry's detail.

A :class:`ModeScreen` joins the app's live views while mounted, names its
mode and the acting user in the top bar, and reads its data when the
database opens, when it is shown again and on ``ctrl+r``. Textual calls the
event handlers of every class in a screen's MRO, so a subclass adds its own
``on_mount`` (or ``on_unmount``) for what else it needs, without calling
``super()``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Label, OptionList, Static

from cscterm.i18n import t
from cscterm.text import one_line


class TopBar(Horizontal):
    """The mode on the left; the acting user (name · team · role) on the right."""

    def compose(self) -> ComposeResult:
        yield Label(id="top-title", markup=False)
        yield Label(id="top-user", markup=False)

    def show(self, mode: str, ws: Any, before_user: str = "") -> None:
        """``mode``'s title, and who is acting once the database is open
        (``before_user`` goes in front of them)."""
        user = ""
        if ws is not None:
            actor = ws.actor
            user = f"{one_line(actor.name)} · {one_line(actor.team)} · {t('role.' + actor.role)}"
        if before_user:
            user = f"{before_user}   {user}"
        self.query_one("#top-title", Label).update(f" cscterm · {t('mode.' + mode)}")
        self.query_one("#top-user", Label).update(f"{user} " if user else "")


class ModeScreen(Screen[None]):
    MODE: ClassVar[str]  # "handover", "transfer", "log": the top bar's title

    @property
    def ws(self) -> Any:
        return self.app.ws  # type: ignore[attr-defined]

    def on_mount(self) -> None:
        self.app.live_views.add(self)  # type: ignore[attr-defined]
        self.update_topbar()
        if self.ws is not None:
            self.workspace_ready()

    def on_unmount(self) -> None:
        self.app.live_views.discard(self)  # type: ignore[attr-defined]

    def workspace_ready(self) -> None:
        self.update_topbar()
        self.reload()

    def on_screen_resume(self) -> None:
        if self.ws is not None:
            self.reload()

    def update_topbar(self) -> None:
        self.query_one(TopBar).show(self.MODE, self.ws)

    def action_reload(self) -> None:
        self.reload()

    def reload(self) -> None:
        """Read the screen's data again (in a worker)."""
        raise NotImplementedError


class InboxList(OptionList):
    """An inbox's list. Its rows are cut to its width, which follows the
    terminal's (and the wide layout), so it says when that changes."""

    class Resized(Message):
        pass

    def on_resize(self) -> None:
        self.post_message(self.Resized())


class InboxScreen(ModeScreen):
    """A mode's inbox: the list of what waits (``entries``, one per row, as
    ``(kind, value)``) beside the highlighted entry's detail. Widget ids
    start with ``PREFIX``: ``-list``, ``-status``, ``-detail``, ``-text``."""

    PREFIX: ClassVar[str]
    entries: list[tuple[str, Any]]

    def compose(self) -> ComposeResult:
        prefix = self.PREFIX
        yield TopBar(id="topbar")
        with Horizontal(id=f"{prefix}-main"):
            with Vertical(id=f"{prefix}-left"):
                yield Static(t("loading"), id=f"{prefix}-status", markup=False)
                yield InboxList(id=f"{prefix}-list", markup=False)
            with VerticalScroll(id=f"{prefix}-detail", can_focus=True):
                yield Static(id=f"{prefix}-text", markup=False)
        yield Footer()

    def language_changed(self) -> None:
        self.update_topbar()
        self.render_list()
        self.show_current()

    def highlighted_entry(self) -> tuple[str, Any] | None:
        index = self.query_one(f"#{self.PREFIX}-list", OptionList).highlighted
        if index is None or index >= len(self.entries):
            return None
        return self.entries[index]

    @on(InboxList.Resized)
    def _refit(self) -> None:
        self.render_list()

    def action_move(self, delta: int) -> None:
        listing = self.query_one(f"#{self.PREFIX}-list", OptionList)
        if delta > 0:
            listing.action_cursor_down()
        else:
            listing.action_cursor_up()

    def render_list(self) -> None:
        """Fill the list from ``entries``' source, cut to its width."""
        raise NotImplementedError

    def show_current(self) -> None:
        """Show the highlighted entry's detail."""
        raise NotImplementedError
