"""Keystroke → results painted, in the real TUI on the 100k library (target p95 ≤ 50 ms).

    uv run python benchmarks/keystroke.py [DB] [--queries 30] [--size 80x24]

Drives ``cscterm.tui.app.CscApp`` headless with Textual's ``App.run_test()``
Pilot, the way an agent works: ``/`` (focus the search box, selecting what is
there), then the query typed one character at a time, then ``escape``. Each
character is timed from just before the key is sent to the moment the results
list has been rendered for the query typed so far:

* the library screen exposes ``results_query`` / ``results_version`` (set when
  results are put into the list);
* the benchmark wraps the results list's ``render_lines`` (the compositor calls
  it to paint the list) to timestamp the first render after those changed.

Headless, Textual computes the same compositor update it would send to a
terminal and only skips the write. Besides the end-to-end figure it reports
how much of it is the search service (``scripts.search`` timed in the worker)
and how much is the UI (key handling, worker hand-off, list rebuild, render).
The next key is sent only when the previous one has painted, so every
keystroke is measured (a faster typist would have intermediate queries
coalesced by the screen, which only helps).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import LOGIN, OUT, db_path, percentile, say, table, warn  # noqa: E402

TARGET_P95_MS = 50.0
SEED = 11
TIMEOUT = 30.0  # seconds for any single wait
BROWSE = "\0browse"  # key of the precomputed browse page
_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")


def draw_queries(path: Path, count: int, seed: int) -> list[tuple[str, str]]:
    """(kind, query) pairs typed by an agent: Chinese words, pinyin initials, /shortcuts."""
    import sqlite3

    rng = random.Random(seed)
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        max_id = conn.execute("SELECT MAX(id) FROM script").fetchone()[0]
        out: list[tuple[str, str]] = []
        while len(out) < count:
            row = conn.execute(
                "SELECT s.title, s.initials, s.shortcut, c.phrases, c.language FROM script s "
                "JOIN scenario c ON c.id = s.scenario_id WHERE s.id = ? AND s.active AND s.owner_id IS NULL",
                (rng.randint(1, max_id),)).fetchone()
            if row is None or row[4] != "zh_CN":
                continue
            title, initials, shortcut, phrases, _ = row
            kind = ("text", "text", "initials", "shortcut")[len(out) % 4]
            if kind == "text":
                runs = [r for r in _CJK_RUN.findall(rng.choice((title, phrases))) if len(r) >= 2]
                if not runs:
                    continue
                run = rng.choice(runs)
                size = rng.randint(2, min(5, len(run)))
                start = rng.randint(0, len(run) - size)
                out.append((kind, run[start:start + size]))
            elif kind == "initials" and len(initials) >= 3:
                out.append((kind, initials[: rng.randint(3, min(5, len(initials)))]))
            elif kind == "shortcut":
                out.append((kind, "/" + shortcut))
        return out
    finally:
        conn.close()


def precompute(path: Path, queries: list[tuple[str, str]]) -> dict[str, list]:
    """The screen's search results for every prefix typed (for the UI-floor pass)."""
    from cscterm.db.engine import Database
    from cscterm.services import scripts
    from cscterm.services.users import identify
    from cscterm.tui.screens.library import PAGE

    db = Database(path)
    answers: dict[str, list] = {}
    with db.session() as session:
        actor = identify(session, LOGIN)
        for _, query in queries:
            for end in range(1, len(query) + 1):
                prefix = query[:end]
                if prefix not in answers and prefix.strip().lstrip("/"):
                    answers[prefix] = scripts.search(session, actor, prefix, limit=PAGE + 1)
        answers[BROWSE] = scripts.browse(session, actor, limit=PAGE + 1, language="zh_CN")
    db.dispose()
    return answers


def floor_app(answers: dict[str, list]):  # type: ignore[no-untyped-def]
    """The toolkit's floor: an Input and an OptionList, the query answered from
    memory in a thread worker and the 50 rows put in the list — the same hand-off
    as the library screen, none of its widgets."""
    from textual import work
    from textual.app import App
    from textual.binding import Binding
    from textual.content import Content
    from textual.widgets import Footer, Input, OptionList
    from textual.widgets.option_list import Option

    class FloorApp(App[None]):
        BINDINGS = [Binding("slash", "focus_search"), Binding("escape", "leave"),
                    Binding("ctrl+q", "quit", priority=True)]

        def __init__(self) -> None:
            super().__init__()
            self.results_version = 0
            self.results_query = ""

        def compose(self):  # type: ignore[no-untyped-def]
            yield Input(id="search")
            yield OptionList(id="results")
            yield Footer()

        def on_mount(self) -> None:
            self.query_one(OptionList).focus()
            self._results("", [])

        def action_focus_search(self) -> None:
            box = self.query_one(Input)
            box.focus()
            box.select_all()

        def action_leave(self) -> None:
            self.query_one(OptionList).focus()

        def on_input_changed(self, event: Input.Changed) -> None:
            self.search(event.value)

        @work(thread=True, exclusive=True)
        def search(self, query: str) -> None:
            self.call_from_thread(self._results, query, list(answers.get(query, ())))

        def _results(self, query: str, hits: list) -> None:
            results = self.query_one(OptionList)
            results.clear_options()
            results.add_options(Option(Content(f"{h.category} › {h.title}  /{h.shortcut}")) for h in hits)
            self.results_query = query
            self.results_version += 1

    app = FloorApp()
    return app


async def drive(path: Path, queries: list[tuple[str, str]], size: tuple[int, int],
                answers: dict[str, list] | None = None, floor: bool = False) -> dict:
    """Type ``queries``; with ``answers``, search is answered from memory (UI only);
    with ``floor``, into the toolkit-floor app instead of cscterm."""
    from cscterm.config import resolve
    from cscterm.i18n import set_language
    from cscterm.services import scripts as scripts_service
    from cscterm.tui.app import CscApp

    config = resolve(db=str(path), lang="zh_CN", user=LOGIN,
                     env={"CSCTERM_CONFIG": str(OUT / "settings.json")})
    set_language(config.lang)

    # Time the search service (and browse, which the screen runs when the
    # query is empty once "/" is stripped) as the screen's worker calls them.
    service: list[tuple[float, str | None, float]] = []  # (end time, query or None for browse, ms)
    real_search, real_browse = scripts_service.search, scripts_service.browse

    def timed_search(session, viewer, query, **kwargs):  # type: ignore[no-untyped-def]
        t0 = time.perf_counter()
        try:
            if answers is not None and query in answers:
                return list(answers[query])
            return real_search(session, viewer, query, **kwargs)
        finally:
            end = time.perf_counter()
            service.append((end, query, (end - t0) * 1000))

    def timed_browse(session, viewer, **kwargs):  # type: ignore[no-untyped-def]
        t0 = time.perf_counter()
        try:
            if answers is not None and BROWSE in answers and not kwargs.get("category") \
                    and kwargs.get("after") is None:
                return list(answers[BROWSE])
            return real_browse(session, viewer, **kwargs)
        finally:
            end = time.perf_counter()
            service.append((end, None, (end - t0) * 1000))

    scripts_service.search, scripts_service.browse = timed_search, timed_browse
    app = floor_app(answers or {}) if floor else CscApp(config)
    samples: list[dict] = []
    started = time.perf_counter()
    try:
        async with app.run_test(size=size) as pilot:
            screen = app if floor else app.screen
            if not hasattr(screen, "results_version"):
                raise SystemExit("keystroke: the library screen has no results_version; see README")
            from textual.widgets import OptionList

            results_list = screen.query_one("#results", OptionList)
            renders: list[tuple[float, int, str]] = []
            rendered = asyncio.Event()
            real_render_lines = results_list.render_lines

            def render_lines(crop):  # type: ignore[no-untyped-def]
                lines = real_render_lines(crop)
                renders.append((time.perf_counter(), screen.results_version, screen.results_query))
                rendered.set()
                return lines

            results_list.render_lines = render_lines  # type: ignore[method-assign]

            async def until(predicate, what: str) -> None:  # type: ignore[no-untyped-def]
                """Wait for ``predicate``, waking on each render of the list (no busy polling)."""
                deadline = time.perf_counter() + TIMEOUT
                while not predicate():
                    left = deadline - time.perf_counter()
                    if left <= 0:
                        raise TimeoutError(f"keystroke: waited {TIMEOUT:.0f} s for {what}")
                    rendered.clear()
                    try:
                        await asyncio.wait_for(rendered.wait(), timeout=min(left, 0.05))
                    except TimeoutError:
                        pass

            await until(lambda: screen.results_version >= 1 and renders
                        and renders[-1][1] >= 1, "the library to load")
            ready = time.perf_counter() - started
            search_box = screen.query_one("#search")
            for kind, query in queries:
                await pilot.press("slash")
                await until(lambda: search_box.has_focus, "the search box")
                typed = ""
                for n, ch in enumerate(query):
                    typed += ch
                    version = screen.results_version
                    mark = len(renders)
                    t0 = time.perf_counter()
                    await pilot.press(ch)
                    t_key = time.perf_counter()
                    want = typed
                    if want.strip() == "/":
                        continue  # a lone "/" starts a shortcut: the list is kept, nothing to paint

                    def painted() -> float | None:
                        for t, v, q in renders[mark:]:
                            if v > version and q == want:
                                return t
                        return None

                    await until(lambda: painted() is not None, f"results for {want!r}")
                    t_paint = painted()
                    browsing = not want.strip().lstrip("/")
                    svc = [ms for end, q, ms in service
                           if end >= t0 and (q is None if browsing else q == want)]
                    samples.append({
                        "kind": kind, "query": want, "n": n, "ms": (t_paint - t0) * 1000,
                        "key_ms": (t_key - t0) * 1000, "service_ms": svc[-1] if svc else float("nan"),
                        "browse": browsing,
                    })
                await pilot.press("escape")
            await pilot.press("ctrl+q")
    finally:
        scripts_service.search, scripts_service.browse = real_search, real_browse
    return {"samples": samples, "ready_s": ready}


def report(real: dict, floor: dict | None, toolkit: dict | None = None) -> bool:
    rows = []
    ok = True

    def row(label: str, chosen: list[dict], target: bool) -> None:
        nonlocal ok
        ms = [s["ms"] for s in chosen]
        timed = [s for s in chosen if s["service_ms"] == s["service_ms"]]
        svc = [s["service_ms"] for s in timed]
        p95 = percentile(ms, 95)
        verdict = ""
        if target:
            ok = p95 <= TARGET_P95_MS
            verdict = "pass" if ok else "FAIL"
        rows.append((label, len(ms), percentile(ms, 50), p95, percentile(ms, 99), max(ms),
                     percentile(svc, 50), percentile(svc, 95),
                     percentile([s["ms"] - s["service_ms"] for s in timed], 95),
                     f"<= {TARGET_P95_MS:.0f}" if target else "", verdict))

    samples = real["samples"]
    for kind in ("text", "initials", "shortcut"):
        chosen = [s for s in samples if s["kind"] == kind]
        if chosen:
            row(kind, chosen, False)
    row("all", samples, True)
    if floor is not None:
        row("cscterm, search from memory", floor["samples"], False)
    if toolkit is not None:
        row("Textual floor (Input+OptionList)", toolkit["samples"], False)
    say(table(("keystrokes", "n", "p50 ms", "p95 ms", "p99 ms", "max ms", "search p50", "search p95",
               "rest p95", "target p95", "result"), rows))
    say("search = scripts.search (or scripts.browse for a lone '/') in the screen's worker; "
        "rest = key handling, worker hand-off, list rebuild and render")
    if toolkit is not None:
        base = percentile([s["ms"] for s in toolkit["samples"]], 95)
        say(f"cscterm p95 / Textual floor p95: {percentile([s['ms'] for s in samples], 95) / base:.2f}x "
            f"(search from memory: {percentile([s['ms'] for s in floor['samples']], 95) / base:.2f}x)"
            if floor is not None else "")
    worst = sorted(samples, key=lambda s: -s["ms"])[:5]

    def why(s: dict) -> str:
        if s["browse"]:
            return f"browse {s['service_ms']:.0f}: the query is empty once '/' is stripped"
        return f"search {s['service_ms']:.0f}"

    say("slowest: " + ", ".join(f"{s['query']!r} {s['ms']:.0f} ms ({why(s)})" for s in worst))
    return ok


def run(path: Path, *, count: int = 24, seed: int = SEED, size: tuple[int, int] = (80, 24),
        ui_floor: bool = True) -> bool:
    try:
        import cscterm.tui.app  # noqa: F401
    except ImportError as exc:
        warn(f"keystroke: skipped, the TUI is not importable yet ({exc})")
        return True
    queries = draw_queries(path, count, seed)
    keys = sum(len(q) for _, q in queries)
    say(f"keystroke: {path.name}, {len(queries)} queries ({keys} keystrokes) typed into the library "
        f"at {size[0]}x{size[1]}, headless Pilot")
    os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")
    real = asyncio.run(drive(path, queries, size))
    floor = toolkit = None
    if ui_floor:
        answers = precompute(path, queries)
        floor = asyncio.run(drive(path, queries, size, answers))
        toolkit = asyncio.run(drive(path, queries, size, answers, floor=True))
    say(f"(library ready {real['ready_s']:.2f} s after start, headless)")
    return report(real, floor, toolkit)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("db", nargs="?", help="database (default benchmarks/out/cscterm-100k.db)")
    parser.add_argument("--queries", type=int, default=24, help="queries to type (default 24)")
    parser.add_argument("--ui-floor", action=argparse.BooleanOptionalAction, default=True,
                        help="second pass with search answered from memory (default on)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--size", default="80x24", help="terminal size, COLSxROWS (default 80x24)")
    args = parser.parse_args(argv)
    cols, rows = (int(v) for v in args.size.lower().split("x"))
    path = db_path(args.db)
    if not path.exists():
        from generate import generate

        generate(path)
    return 0 if run(path, count=args.queries, seed=args.seed, size=(cols, rows), ui_floor=args.ui_floor) else 1


if __name__ == "__main__":
    sys.exit(main())
