"""Work-log trends (工作日报趋势) and the lead's view of the team's days.

:class:`TrendScreen` charts one metric of the acting user's at a time
against its target, for the last 7 or 30 shift dates: the values as bars
(week) or a line (month), the target as a horizontal line, days with
nothing kept left as gaps. The chart is drawn by plotext (through
textual-plotext), imported only when the screen is built.

:class:`TeamLogScreen` shows the submitted days of the lead's team side by
side — person × metrics, coloured by whether each reaches its target — and,
for the highlighted person, their reflection as written. Notes never show:
the service does not return them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.color import Color
from textual.containers import Container, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Label, Static
from textual.worker import get_current_worker

from cscterm.errors import DomainError
from cscterm.i18n import register, t
from cscterm.text import one_line, printable
from cscterm.tui.localise import localise_bindings

if TYPE_CHECKING:
    from cscterm.services.worklog import Metric, PersonAverage, TeamDay, Trend

EN = {
    "wlt.title": "My trends · {metric} ({n}/{count}) · {range}",
    "wlt.title_loading": "My trends",
    "wlt.range.week": "last 7 days ({first} – {last})",
    "wlt.range.month": "last 30 days ({first} – {last})",
    "wlt.loading": "Loading…",
    "wlt.failed": "Could not load the trends: {error}",
    "wlt.no_metrics": "No metric is defined yet.",
    "wlt.summary": "Average {average} · target {target} met on {met} of {kept} days kept ({days} days)",
    "wlt.summary_no_target": "Average {average} · {kept} of {days} days kept · no target set",
    "wlt.summary_empty": "Nothing kept in these {days} days.",
    "wlt.target_up": "≥ {value}",
    "wlt.target_down": "≤ {value}",
    "wlt.legend.values": "values",
    "wlt.legend.target": "target",
    "wlt.legend.gaps": "(gaps: days with nothing kept)",
    "wlt.team.title": "Team log · {team} · {range}",
    "wlt.team.day": "{day}",
    "wlt.team.today": "{day} (today)",
    "wlt.team.week": "averages of the last 7 days ({first} – {last})",
    "wlt.team.status_day": "{count} submitted day(s) · [ ] previous / next day · g: 7-day averages",
    "wlt.team.status_week": "{count} person(s) with submitted days · g: back to one day",
    "wlt.team.empty": "Nobody in the team has submitted this day yet.",
    "wlt.team.empty_week": "Nobody in the team submitted a day in this range.",
    "wlt.team.leads_only": "The team's daily logs are for leads.",
    "wlt.team.failed": "Could not load the team's logs: {error}",
    "wlt.col.person": "Person",
    "wlt.col.days": "Days",
    "wlt.reflection.title": "{name} · {day}",
    "wlt.reflection.business": "Business",
    "wlt.reflection.teamwork": "Team",
    "wlt.reflection.learnings": "Learnings",
    "wlt.reflection.blank": "(not written)",
    "wlt.reflection.none": "Highlight a person to read their reflection.",
    "key.wlt_week": "Week",
    "key.wlt_month": "Month",
    "key.wlt_next": "Next metric",
    "key.wlt_prev": "Previous metric",
    "key.wlt_day_prev": "Previous day",
    "key.wlt_day_next": "Next day",
    "key.wlt_range": "Day / 7 days",
    "key.wlt_reload": "Refresh",
    "key.wlt_back": "Back",
}

ZH = {
    "wlt.title": "我的趋势 · {metric}（{n}/{count}）· {range}",
    "wlt.title_loading": "我的趋势",
    "wlt.range.week": "近7天（{first} – {last}）",
    "wlt.range.month": "近30天（{first} – {last}）",
    "wlt.loading": "正在加载…",
    "wlt.failed": "无法加载趋势：{error}",
    "wlt.no_metrics": "还没有定义任何指标。",
    "wlt.summary": "平均 {average} · 目标 {target}，已记录 {kept} 天中达标 {met} 天（共 {days} 天）",
    "wlt.summary_no_target": "平均 {average} · {days} 天中记录了 {kept} 天 · 未设目标",
    "wlt.summary_empty": "这 {days} 天里没有记录。",
    "wlt.target_up": "≥ {value}",
    "wlt.target_down": "≤ {value}",
    "wlt.legend.values": "数值",
    "wlt.legend.target": "目标",
    "wlt.legend.gaps": "（空缺：当天没有记录）",
    "wlt.team.title": "团队日报 · {team} · {range}",
    "wlt.team.day": "{day}",
    "wlt.team.today": "{day}（今天）",
    "wlt.team.week": "近7天平均（{first} – {last}）",
    "wlt.team.status_day": "已提交 {count} 份 · [ ] 前一天 / 后一天 · g 看近7天平均",
    "wlt.team.status_week": "{count} 人在这段时间提交过日报 · g 回到单日",
    "wlt.team.empty": "这一天团队里还没有人提交日报。",
    "wlt.team.empty_week": "这段时间团队里没有人提交日报。",
    "wlt.team.leads_only": "团队日报只有组长可以查看。",
    "wlt.team.failed": "无法加载团队日报：{error}",
    "wlt.col.person": "成员",
    "wlt.col.days": "天数",
    "wlt.reflection.title": "{name} · {day}",
    "wlt.reflection.business": "业务日常",
    "wlt.reflection.teamwork": "团队日常",
    "wlt.reflection.learnings": "工作心得",
    "wlt.reflection.blank": "（未填写）",
    "wlt.reflection.none": "选中一位成员即可查看其工作总结。",
    "key.wlt_week": "周",
    "key.wlt_month": "月",
    "key.wlt_next": "下一指标",
    "key.wlt_prev": "上一指标",
    "key.wlt_day_prev": "前一天",
    "key.wlt_day_next": "后一天",
    "key.wlt_range": "单日 / 7天",
    "key.wlt_reload": "刷新",
    "key.wlt_back": "返回",
}

register(EN, ZH)

SPANS = {"week": 7, "month": 30}  # shift dates shown, today included
WIDE = 110  # from this many columns on, metric headers are not cut
HEADER_CAP = 11  # the widest metric header under WIDE columns


def _muted(text: str) -> Content:
    return Content(text).stylize("$text-muted")


def _theme_rgb(screen: Screen[Any], name: str,
               fallback: tuple[int, int, int]) -> tuple[int, int, int]:
    value = screen.app.theme_variables.get(name)
    try:
        return Color.parse(value).rgb if value else fallback
    except Exception:  # noqa: BLE001 - a theme value we cannot read
        return fallback


def _theme_style(screen: Screen[Any], name: str) -> Style:
    value = screen.app.theme_variables.get(name)
    fallback = {"success": "green", "warning": "yellow", "error": "red"}.get(name, "default")
    try:
        return Style(color=value or fallback)
    except Exception:  # noqa: BLE001 - a theme value rich cannot read
        return Style(color=fallback)


def _target_text(metric: Metric) -> str:
    from cscterm.services.worklog import format_value

    if metric.target is None:
        return ""
    return t(f"wlt.target_{metric.direction}", value=format_value(metric, metric.target))


def _ticks(low: float, high: float, metric: Metric) -> tuple[list[float], list[str]]:
    """Three evenly spread y ticks and the target, labelled as the metric's
    values are shown (durations as 3m20s, percentages with %)."""
    from cscterm.services.worklog import format_value

    step = (high - low) / 2
    ticks = [low + step * n for n in range(3)]
    goal = metric.target
    if goal is not None:
        ticks = [v for v in ticks if abs(v - goal) > (high - low) * 0.12] + [goal]
    ticks.sort()
    labels = [format_value(metric, round(v) if metric.unit in ("count", "duration") else
                           round(v, 1)) for v in ticks]
    return ticks, labels


def draw_trend(plt: Any, trend: Trend, span: str, line: tuple[int, int, int],
               target: tuple[int, int, int]) -> None:
    """Draw ``trend`` on a plotext figure: bars for a week, a line for a
    month (one line per run of kept days, so days without a value are
    gaps), the target as a horizontal line beneath them, MM-DD under the x
    axis (every day of a week, every 7th day back from today of a month)."""
    plt.clear_data()
    plt.clear_figure()
    n = len(trend.days)
    xs = list(range(n))
    kept = [(x, v) for x, v in zip(xs, trend.values, strict=True) if v is not None]
    values = [v for _, v in kept]
    goal = trend.metric.target
    bounds = values + ([goal] if goal is not None else [])
    if span == "week":  # bars stand on zero
        low, high = 0.0, max(bounds, default=1.0)
        high += high * 0.1 or 1.0
    else:
        low, high = min(bounds, default=0.0), max(bounds, default=1.0)
        pad = (high - low) * 0.15 or max(abs(high) * 0.1, 1.0)
        low, high = max(low - pad, 0.0), high + pad
    if goal is not None:  # first, so the values are drawn over it
        plt.hline(goal, color=target)
    if span == "week":
        if kept:
            plt.bar([x for x, _ in kept], values, color=line, width=0.4, marker="sd")
    else:
        run: list[tuple[int, float]] = []
        for x, v in [*zip(xs, trend.values, strict=True), (n, None)]:
            if v is not None:
                run.append((x, v))
                continue
            if len(run) == 1:
                plt.scatter([run[0][0]], [run[0][1]], color=line, marker="dot")
            elif run:
                plt.plot([p[0] for p in run], [p[1] for p in run], color=line, marker="braille")
            run = []
    plt.xlim(-0.5, n - 0.5)
    plt.ylim(low, high)
    plt.yticks(*_ticks(low, high, trend.metric))
    step = 1 if n <= 7 else 7
    marks = list(range(n - 1, -1, -step))[::-1]
    plt.xticks(marks, [trend.days[x].strftime("%m-%d") for x in marks])
    plt.grid(False, False)


class TrendScreen(Screen[None]):
    """Week and month charts of each metric of the acting user's (趋势)."""

    CSS_PATH = "../styles/worklog_trends.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("w", "span('week')", "key.wlt_week"),
        Binding("m", "span('month')", "key.wlt_month"),
        Binding("tab,right", "metric(1)", "key.wlt_next", priority=True),
        Binding("shift+tab,left", "metric(-1)", "key.wlt_prev", priority=True, show=False),
        Binding("ctrl+r,R", "reload", "key.wlt_reload", show=False),
        Binding("escape", "back", "key.wlt_back"),
    ]

    def __init__(self, now: datetime | None = None) -> None:
        super().__init__()
        localise_bindings(self)
        self.fixed_now = now
        self.span = "month"
        self.index = 0  # the metric shown
        self.trends: list[Trend] = []
        self.loaded_span = ""
        self.loading = False
        self.error = ""

    def compose(self) -> ComposeResult:
        yield Label(id="wlt-title", markup=False)
        # The chart widget is mounted here once its library has been imported
        # by the loading worker: the screen shows at once, the import (a tenth
        # of a second) is paid off the UI thread and only by who opens it.
        yield Container(id="wlt-chart-box")
        yield Static(id="wlt-summary", markup=False)
        yield Static(id="wlt-legend", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self.render_view())
        self.render_view()
        if self.app.ws is not None:  # type: ignore[attr-defined]
            self.load()
        else:  # the workspace is still opening: workspace_ready() loads
            self.loading = True

    def workspace_ready(self) -> None:
        self.load()

    def language_changed(self) -> None:
        localise_bindings(self)
        self.render_view()

    # ── loading ────────────────────────────────────────────────────────────

    def _now(self) -> datetime:
        return self.fixed_now or datetime.now(UTC)

    def load(self) -> None:
        self.loading = True
        self.render_view()
        self.fetch(self._now(), self.span)

    @work(thread=True, exclusive=True, group="worklog-trends")
    def fetch(self, now: datetime, span: str) -> None:
        from cscterm.services import worklog

        worker = get_current_worker()
        ws = self.app.ws  # type: ignore[attr-defined]
        try:
            import textual_plotext  # noqa: F401 - loaded here, off the UI thread

            with ws.session() as session:
                last = worklog.shift_day(session, ws.actor, now)
                first = last - timedelta(days=SPANS[span] - 1)
                found = worklog.trends(session, ws.actor, first=first, last=last)
        except DomainError as exc:
            error = str(exc)
        except Exception as exc:  # noqa: BLE001 - shown as a line, never a traceback
            error = t("wlt.failed", error=f"{type(exc).__name__}: {one_line(str(exc), 200)}")
        else:
            if not worker.is_cancelled:
                self.app.call_from_thread(self._loaded, found, span)
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self._failed, error)

    async def _loaded(self, found: list[Trend], span: str) -> None:
        if not self.query("#wlt-chart"):
            from textual_plotext import PlotextPlot

            await self.query_one("#wlt-chart-box").mount(PlotextPlot(id="wlt-chart"))
        self.loading = False
        self.error = ""
        self.trends = found
        self.loaded_span = span
        self.index = min(self.index, max(len(found) - 1, 0))
        self.render_view()

    def _failed(self, error: str) -> None:
        self.loading = False
        self.error = error
        self.render_view()
        self.notify(error, severity="error", timeout=10, markup=False)

    # ── painting ───────────────────────────────────────────────────────────

    @property
    def current(self) -> Trend | None:
        return self.trends[self.index] if 0 <= self.index < len(self.trends) else None

    def render_view(self) -> None:
        from cscterm.services.worklog import format_value, summarise

        title = self.query_one("#wlt-title", Label)
        summary = self.query_one("#wlt-summary", Static)
        legend = self.query_one("#wlt-legend", Static)
        trend = self.current
        charts = self.query("#wlt-chart")
        if trend is None or not charts:
            title.update(Content(t("wlt.title_loading")).stylize("bold"))
            if self.error:
                summary.update(Content(self.error).stylize("$error"))
            else:
                summary.update(_muted(t("wlt.loading" if self.loading or not self.loaded_span
                                        else "wlt.no_metrics")))
            legend.update("")
            for chart in charts:
                chart.display = False
            return
        chart = charts.first()
        chart.display = True
        first, last = trend.days[0], trend.days[-1]
        span_label = t(f"wlt.range.{self.loaded_span}", first=first.strftime("%m-%d"),
                       last=last.strftime("%m-%d"))
        title.update(Content(t("wlt.title", metric=trend.metric.label, n=self.index + 1,
                               count=len(self.trends), range=span_label)).stylize("bold"))
        draw_trend(chart.plt, trend, self.loaded_span,  # type: ignore[attr-defined]
                   _theme_rgb(self, "primary", (0, 120, 215)),
                   _theme_rgb(self, "warning", (255, 166, 43)))
        chart.refresh()
        facts = summarise(trend)
        if facts.average is None:
            summary.update(_muted(t("wlt.summary_empty", days=facts.days)))
        elif trend.metric.target is None:
            summary.update(Content(t("wlt.summary_no_target",
                                     average=format_value(trend.metric, facts.average),
                                     kept=facts.kept, days=facts.days)))
        else:
            share = facts.met / facts.kept
            colour = "$success" if share >= 0.8 else "$warning" if share >= 0.5 else "$error"
            summary.update(Content(t("wlt.summary", average=format_value(trend.metric,
                                                                         facts.average),
                                     target=_target_text(trend.metric), met=facts.met,
                                     kept=facts.kept, days=facts.days)).stylize(colour))
        glyph = "▌" if self.loaded_span == "week" else "⠤"
        legend.update(Content.assemble(Content(glyph).stylize("bold $primary"), " ",
                                       _muted(t("wlt.legend.values")), "   ",
                                       Content("─").stylize("bold $warning"), " ",
                                       _muted(t("wlt.legend.target")), "   ",
                                       _muted(t("wlt.legend.gaps"))))

    # ── actions ────────────────────────────────────────────────────────────

    def action_span(self, span: str) -> None:
        if span != self.span or (not self.loading and span != self.loaded_span):
            self.span = span
            self.load()

    def action_metric(self, step: int) -> None:
        if self.trends:
            self.index = (self.index + step) % len(self.trends)
            self.render_view()

    def action_reload(self) -> None:
        self.load()

    def action_back(self) -> None:
        self.app.pop_screen()


class TeamLogScreen(Screen[None]):
    """The lead's view of the team's submitted days (团队日报)."""

    CSS_PATH = "../styles/worklog_trends.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left_square_bracket", "day(-1)", "key.wlt_day_prev"),
        Binding("right_square_bracket", "day(1)", "key.wlt_day_next"),
        Binding("g", "range", "key.wlt_range"),
        Binding("ctrl+r,R", "reload", "key.wlt_reload", show=False),
        Binding("escape", "back", "key.wlt_back"),
    ]

    def __init__(self, now: datetime | None = None) -> None:
        super().__init__()
        localise_bindings(self)
        self.fixed_now = now
        self.today: date | None = None  # the lead's shift date, found on the first load
        self.day: date | None = None
        self.week = False  # averages of the 7 days up to ``day``
        self.metrics: list[Metric] = []
        self.days: list[TeamDay] = []
        self.people: list[PersonAverage] = []
        self.team = ""
        self.loaded = False
        self.loading = False
        self.error = ""

    def compose(self) -> ComposeResult:
        yield Label(id="wlt-team-title", markup=False)
        yield Static(id="wlt-team-status", markup=False)
        yield DataTable(id="wlt-team-table", cursor_type="row", zebra_stripes=True)
        with VerticalScroll(id="wlt-reflection"):
            yield Static(id="wlt-reflection-text", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self.render_view())
        self.query_one(DataTable).focus()
        if self.app.ws is not None:  # type: ignore[attr-defined]
            self.start()
        else:
            self.loading = True
            self.render_header()

    def workspace_ready(self) -> None:
        self.start()

    def start(self) -> None:
        """Leads only: anyone else is told so and the screen closes."""
        if not self.app.ws.actor.is_lead:  # type: ignore[attr-defined]
            self.notify(t("wlt.team.leads_only"), severity="error", timeout=8, markup=False)
            self.app.pop_screen()
            return
        self.load()

    def language_changed(self) -> None:
        localise_bindings(self)
        self.render_view()

    def on_resize(self) -> None:
        if self.loaded:
            self.render_view()

    # ── loading ────────────────────────────────────────────────────────────

    def _now(self) -> datetime:
        return self.fixed_now or datetime.now(UTC)

    def load(self) -> None:
        self.loading = True
        self.render_header()
        self.fetch(self._now(), self.day, self.week)

    @work(thread=True, exclusive=True, group="worklog-team")
    def fetch(self, now: datetime, day: date | None, week: bool) -> None:
        from cscterm.services import worklog

        worker = get_current_worker()
        ws = self.app.ws  # type: ignore[attr-defined]
        try:
            with ws.session() as session:
                today = worklog.shift_day(session, ws.actor, now)
                day = day or today
                first = day - timedelta(days=6) if week else day
                found = worklog.team_days(session, ws.actor, first=first, last=day)
                shown = worklog.metrics(session)
                team = ws.actor.team
        except DomainError as exc:
            error = str(exc)
        except Exception as exc:  # noqa: BLE001 - shown as a line, never a traceback
            error = t("wlt.team.failed", error=f"{type(exc).__name__}: {one_line(str(exc), 200)}")
        else:
            if not worker.is_cancelled:
                self.app.call_from_thread(self._loaded, today, day, found, shown, team)
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self._failed, error)

    def _loaded(self, today: date, day: date, found: list[TeamDay], shown: list[Metric],
                team: str) -> None:
        from cscterm.services.worklog import averages_by_person

        self.loading = False
        self.error = ""
        self.today, self.day, self.days, self.metrics, self.team = today, day, found, shown, team
        self.people = averages_by_person(found) if self.week else []
        self.loaded = True
        self.render_view()

    def _failed(self, error: str) -> None:
        self.loading = False
        self.error = error
        self.render_header()
        self.notify(error, severity="error", timeout=10, markup=False)

    # ── painting ───────────────────────────────────────────────────────────

    def range_label(self) -> str:
        if self.day is None:
            return "…"
        if self.week:
            first = self.day - timedelta(days=6)
            return t("wlt.team.week", first=first.isoformat(), last=self.day.isoformat())
        key = "wlt.team.today" if self.day == self.today else "wlt.team.day"
        return t(key, day=self.day.isoformat())

    def render_header(self) -> None:
        self.query_one("#wlt-team-title", Label).update(Content(
            t("wlt.team.title", team=self.team or "…", range=self.range_label())).stylize("bold"))
        status = self.query_one("#wlt-team-status", Static)
        if self.error:
            status.update(Content(self.error).stylize("$error"))
        elif self.loading and not self.loaded:
            status.update(_muted(t("wlt.loading")))
        elif self.week:
            status.update(_muted(t("wlt.team.status_week", count=len(self.people)))
                          if self.people else Content(t("wlt.team.empty_week")).stylize("$warning"))
        else:
            status.update(_muted(t("wlt.team.status_day", count=len(self.days)))
                          if self.days else Content(t("wlt.team.empty")).stylize("$warning"))

    @property
    def rows(self) -> list[Any]:
        return list(self.people) if self.week else list(self.days)

    def _value_cell(self, metric: Metric, value: float | None, width: int) -> Text:
        from cscterm.services.worklog import format_value, meets

        verdict = meets(metric, value)
        style = (_theme_style(self, "success") if verdict
                 else _theme_style(self, "error") + Style(bold=True) if verdict is False
                 else Style(dim=True))
        cell = Text(format_value(metric, value), style=style, end="", no_wrap=True)
        cell.align("right", width)
        return cell

    def render_view(self) -> None:
        from cscterm.services.worklog import format_value

        self.render_header()
        table = self.query_one("#wlt-team-table", DataTable)
        previous = self.current.login if self.current is not None else None
        wide = self.size.width >= WIDE
        rows = self.rows
        names = [Text(one_line(r.name), end="", no_wrap=True) for r in rows]
        for name in names:
            name.truncate(24 if wide else 12, overflow="ellipsis")
        person_w = max([cell_len(t("wlt.col.person")), *(n.cell_len for n in names)])
        table.clear(columns=True)
        table.add_column(Text(t("wlt.col.person")), key="person", width=person_w)
        if self.week:
            table.add_column(Text(t("wlt.col.days")).copy(), key="days",
                             width=cell_len(t("wlt.col.days")))
        widths = []
        for metric in self.metrics:
            shown = [format_value(metric, r.values.get(metric.key)) for r in rows]
            label = Text(one_line(metric.label), end="", no_wrap=True)
            cap = max([HEADER_CAP, *(cell_len(s) for s in shown)])
            if not wide and label.cell_len > cap:
                label.truncate(cap, overflow="ellipsis")
            width = max([label.cell_len, *(cell_len(s) for s in shown)])
            label.align("right", width)
            widths.append(width)
            table.add_column(label, key=metric.key, width=width)
        for row, name in zip(rows, names, strict=True):
            cells: list[Text] = [name]
            if self.week:
                days = Text(str(row.days), end="")
                days.align("right", cell_len(t("wlt.col.days")))
                cells.append(days)
            cells += [self._value_cell(m, row.values.get(m.key), w)
                      for m, w in zip(self.metrics, widths, strict=True)]
            table.add_row(*cells, key=row.login)
        if rows:
            logins = [r.login for r in rows]
            table.move_cursor(row=logins.index(previous) if previous in logins else 0)
        self.render_reflection()
        self.refresh_bindings()

    @property
    def current(self) -> Any | None:
        table = self.query_one("#wlt-team-table", DataTable)
        rows = self.rows
        if rows and 0 <= table.cursor_row < len(rows):
            return rows[table.cursor_row]
        return None

    def render_reflection(self) -> None:
        shown = self.query_one("#wlt-reflection-text", Static)
        row = self.current
        if row is None:
            shown.update(_muted(t("wlt.reflection.none")) if self.loaded else "")
            return
        team_day: TeamDay = row.latest if self.week else row
        parts = [Content(t("wlt.reflection.title", name=one_line(team_day.name),
                           day=team_day.day.isoformat())).stylize("bold $text-primary")]
        reflection = team_day.reflection
        for key, text in (("business", reflection.business), ("teamwork", reflection.teamwork),
                          ("learnings", reflection.learnings)):
            parts.append(Content(t(f"wlt.reflection.{key}")).stylize("bold"))
            body = text.strip()
            # User text, shown as written: a Content built from a str is never markup.
            parts.append(Content(printable(body)) if body else _muted(t("wlt.reflection.blank")))
        shown.update(Content("\n").join(parts))

    @on(DataTable.RowHighlighted, "#wlt-team-table")
    def _highlighted(self) -> None:
        self.render_reflection()

    # ── actions ────────────────────────────────────────────────────────────

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "day" and parameters == (1,):
            return None if self.day is None or self.today is None or self.day >= self.today \
                else True
        return True

    def action_day(self, step: int) -> None:
        if self.day is None:
            return
        day = self.day + timedelta(days=step)
        if self.today is not None and day > self.today:
            return
        self.day = day
        self.load()

    def action_range(self) -> None:
        self.week = not self.week
        self.load()

    def action_reload(self) -> None:
        self.load()

    def action_back(self) -> None:
        self.app.pop_screen()


__all__ = ["TeamLogScreen", "TrendScreen", "draw_trend"]
