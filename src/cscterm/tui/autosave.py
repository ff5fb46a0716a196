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
"""

from __future__ import annotations

import threading
from typing import Any, ClassVar

from textual import work


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
