"""Autosaving editors: what is typed goes to a draft every second.

An editor mixes this in before ``Screen``, names its ``DRAFT_KIND``, and
provides ``draft_ref``, ``state()`` (what is on screen, comparable) and
``draft_payload()``; it sets ``_saved_state`` when it loads or saves and
calls ``self.set_interval(1.0, self.autosave)``. A dropped connection then
loses at most a second of typing; text equal to what was saved removes the
draft.

A save removes the draft with ``drop_draft(session)``: draft writes queued
before it are then skipped, so a write that was on its way when the save
ran can never bring the draft back.

Editors of a record that is saved and may then be sent on (a handover note
submitted, a transfer sent) also provide ``store`` and ``commit`` (the
service calls, run in a worker), ``adopt`` (take a saved record) and
``persisted`` (after a save; what was saved is then the screen's saved
state); ``persist(commit, close)`` and
``action_close`` then work the same way in each.
"""

from __future__ import annotations

import threading
from typing import Any, ClassVar

from textual import work

from cscterm.errors import DomainError
from cscterm.i18n import t


class DraftAutosave:
    DRAFT_KIND: ClassVar[str]
    _saved_state: tuple[object, ...] | None = None
    _drafted_state: tuple[object, ...] | None = None

    app: Any
    notify: Any

    # Bumped by every save; a queued write of an older epoch is skipped.
    _draft_epoch: int = 0

    @property
    def _draft_lock(self) -> threading.Lock:
        return self.__dict__.setdefault("_draft_lock_", threading.Lock())  # type: ignore[no-any-return]

    @property
    def draft_ref(self) -> str:
        raise NotImplementedError

    def state(self) -> tuple[object, ...]:
        raise NotImplementedError

    def draft_payload(self) -> dict[str, object]:
        raise NotImplementedError

    def autosave(self) -> None:
        state = self.state()
        if state == self._drafted_state:
            return
        self._drafted_state = state
        self.write_draft(None if state == self._saved_state else self.draft_payload())

    def write_draft(self, payload: dict[str, object] | None) -> None:
        """Save ``payload`` as the draft, or remove the draft when None."""
        self._write_draft(payload, self._draft_epoch)

    @work(thread=True, group="draft")
    def _write_draft(self, payload: dict[str, object] | None, epoch: int) -> None:
        from cscterm.services import drafts

        ws = self.app.ws
        try:
            with self._draft_lock:
                if epoch != self._draft_epoch:
                    return  # a save ran since this was typed
                with ws.session() as session:
                    if payload is None:
                        drafts.discard(session, ws.actor, self.DRAFT_KIND, self.draft_ref)
                    else:
                        drafts.save(session, ws.actor, self.DRAFT_KIND, self.draft_ref,
                                    payload)
        except Exception as exc:  # noqa: BLE001 - a draft failure must not stop typing
            self.app.call_from_thread(self.notify, str(exc), severity="warning", markup=False)

    def drop_draft(self, session: Any) -> None:
        """Remove the draft as part of a save (from the save's worker thread),
        and skip every draft write queued before it."""
        from cscterm.services import drafts

        with self._draft_lock:
            self._draft_epoch += 1
            drafts.discard(session, self.app.ws.actor, self.DRAFT_KIND, self.draft_ref)

    # ── saving a record, then maybe sending it on ─────────────────────────

    def store(self, session: Any, actor: Any, payload: dict[str, object]) -> Any:
        """Save what was typed (worker thread); the saved record."""
        raise NotImplementedError

    def commit(self, session: Any, actor: Any, record: Any) -> Any:
        """Send the saved record on (worker thread); the record sent."""
        raise NotImplementedError

    def adopt(self, record: Any) -> None:
        """Edit ``record`` from now on (it was saved)."""
        raise NotImplementedError

    def persisted(self, record: Any, committed: bool, close: bool) -> None:
        """After a save (and the send, when ``committed``)."""
        raise NotImplementedError

    def action_close(self) -> None:
        if self.state() == self._saved_state:
            self.dismiss(None)  # type: ignore[attr-defined]
            return
        self.persist(commit=False, close=True)

    @work(thread=True, exclusive=True, group="save")
    def persist(self, commit: bool, close: bool) -> None:
        """Save what is on screen, send it on when ``commit``, and leave
        when ``close``; the draft goes once all of that succeeded."""
        from cscterm.services import drafts

        ws = self.app.ws
        # What is saved, and the screen as it was then: keys typed while the
        # save runs are not taken as saved.
        payload, state = self.app.call_from_thread(lambda: (self.draft_payload(), self.state()))
        saved = None
        try:
            with ws.session() as session:
                record = saved = self.store(session, ws.actor, payload)
            if commit:
                with ws.session() as session:
                    record = self.commit(session, ws.actor, record)
            with ws.session() as session:
                self.drop_draft(session)
        except DomainError as exc:
            keep = close and not commit
            if keep:
                # Nothing is lost: the autosaved draft keeps what was typed,
                # and leaving keeps the keys typed since the last autosave too.
                try:
                    with ws.session() as session:
                        drafts.save(session, ws.actor, self.DRAFT_KIND, self.draft_ref, payload)
                except DomainError:
                    pass  # the autosaved draft stands
            self.app.call_from_thread(self.save_failed, exc, saved, keep)
            return
        self.app.call_from_thread(self._stored, record, state, commit, close)

    def _stored(self, record: Any, state: tuple[object, ...], committed: bool,
                close: bool) -> None:
        self._saved_state = self._drafted_state = state
        self.persisted(record, committed, close)

    def save_failed(self, exc: DomainError, saved: Any, closing: bool) -> None:
        """A save or send was refused: ``saved`` is the record when the save
        went through and the send did not; ``closing`` leaves the editor,
        what was typed kept as a draft."""
        if saved is not None:  # edit the saved version from now on
            self.adopt(saved)
        self.notify(str(exc), severity="error", markup=False, timeout=10)
        if closing:
            self.notify(t("ho.kept_as_draft"), markup=False)
            self.dismiss(None)  # type: ignore[attr-defined]
