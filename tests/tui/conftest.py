"""Fixtures for the TUI tests: a template database, the app factory, and the
``run_before`` factory that drives a snapshot to a settled state.

The starter library takes seconds to build, so it is built once per session
into a template file (opened by ``wang``, who thereby becomes its lead) and
copied for each test. The app opens the workspace in a thread worker after the
first paint; :func:`tests.tui.helpers.settle` waits for it and for everything
it starts.
"""

from __future__ import annotations

import asyncio
import inspect
import os
import shutil
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import pytest

from cscterm.config import resolve
from cscterm.i18n import set_language
from cscterm.services.workspace import open_workspace

from .helpers import (
    LEAD,
    SMALL,
    Paste,
    Type,
    paste_text,
    settle,
    still_cursor,
    type_text,
)

if TYPE_CHECKING:
    from textual.pilot import Pilot

    from cscterm.tui.app import CscApp


# No asyncio plugin in the dev dependencies: Pilot tests are ``async def`` and
# run here, each in its own event loop, with a time limit so a flow that waits
# for a screen that never comes fails instead of hanging the suite.
PILOT_TIMEOUT = 60


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    names = pyfuncitem._fixtureinfo.argnames  # noqa: SLF001
    kwargs = {name: pyfuncitem.funcargs[name] for name in names}
    asyncio.run(asyncio.wait_for(pyfuncitem.obj(**kwargs), PILOT_TIMEOUT))
    return True


@pytest.fixture(autouse=True)
def _fixed_clock_zone() -> Iterator[None]:
    """Times (conflict messages) read the same on every machine."""
    saved = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if saved is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = saved
    time.tzset()


@pytest.fixture(scope="session")
def tui_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The starter library with ``wang`` as its lead, built once per session."""
    path = tmp_path_factory.mktemp("tui-template") / "c.db"
    ws = open_workspace(resolve(db=path, lang="zh_CN", user=LEAD, env={}))
    assert ws.created and ws.actor.is_lead
    ws.close()  # the last connection closing folds the WAL into the file
    for suffix in ("-wal", "-shm"):
        assert not Path(f"{path}{suffix}").exists(), f"{path}{suffix} left behind"
    return path


class MakeApp(Protocol):
    def __call__(self, lang: str = "zh_CN", user: str = LEAD,
                 size: tuple[int, int] = SMALL) -> CscApp: ...


@pytest.fixture
def settings_path(tmp_path: Path) -> Path:
    return tmp_path / "settings.json"


@pytest.fixture
def make_app(db_path: Path, tui_template: Path, settings_path: Path) -> MakeApp:
    """``make_app(lang, user, size)``: a CscApp on this test's copy of the
    template (copied on the first call, so a second login shares the file).

    The app records every notification in ``app.test_notes`` as
    ``(severity, message)`` and remembers ``size`` in ``app.test_size`` for
    :func:`started`.
    """

    def make(lang: str = "zh_CN", user: str = LEAD, size: tuple[int, int] = SMALL) -> CscApp:
        from cscterm.tui.app import CscApp

        if not db_path.exists():
            shutil.copy(tui_template, db_path)
        cfg = resolve(db=db_path, lang=lang, user=user,
                      env={"CSCTERM_CONFIG": str(settings_path)})
        set_language(cfg.lang)
        app = CscApp(cfg)
        app.test_size = size  # type: ignore[attr-defined]
        app.test_notes = []  # type: ignore[attr-defined]
        notify = app.notify

        def recording(message: str, **kwargs: Any) -> None:
            app.test_notes.append((kwargs.get("severity", "information"), str(message)))  # type: ignore[attr-defined]
            notify(message, **kwargs)

        app.notify = recording  # type: ignore[method-assign]
        return app

    return make


# ── snapshots ───────────────────────────────────────────────────────────────


Step = str | Type | Paste | Callable[["Pilot[None]"], Awaitable[None] | None]


def _before(*steps: Step) -> Callable[[Pilot[None]], Awaitable[None]]:
    async def run(pilot: Pilot[None]) -> None:
        app = pilot.app
        await settle(app, pilot)  # type: ignore[arg-type]
        for step in steps:
            if isinstance(step, Type):
                await type_text(pilot, step.text)
            elif isinstance(step, Paste):
                await paste_text(pilot, step.text)
            elif isinstance(step, str):
                await pilot.press(step)
            else:
                result = step(pilot)
                if result is not None:
                    await result
            await settle(app, pilot)  # type: ignore[arg-type]
        # Toasts come and go with time; the snapshot shows the state, not them.
        app.clear_notifications()
        still_cursor(app)  # type: ignore[arg-type]
        await pilot.pause()

    return run


@pytest.fixture
def run_before() -> Callable[..., Callable[[Pilot[None]], Awaitable[None]]]:
    """``run_before("slash", Type("退款"), "escape")``: settle, then each step
    (a key, text to type or paste, or a callable taking the pilot), settling
    after each;
    finally clear the toasts and stop the cursors blinking."""
    return _before


