"""Build (or reuse) a five-year personal work-log (工作日报) database for benchmarks/worklog.py.

    uv run python benchmarks/worklog_generate.py [PATH] [--seed S] [--force]

PATH defaults to benchmarks/out/cscterm-worklog.db (git-ignored; env
CSCTERM_BENCH_WORKLOG_DB). The database is opened the way the app opens it
(``Database`` + ``ensure_schema``, then the starter library and the starter
checklist templates, as ``open_workspace`` loads them, and the default
metrics, as ``worklog.ensure_metrics`` defines them in Chinese); its first
user ("bench-lead") leads 售前一组. People: 50 agents in four teams (售前一组
13, 售前二组 12, 售后一组 13, 售后二组 12) and a lead per team; every team
works 早班 08–16 and 中班 16–24 (set with ``shifts.set_shifts``). Five years
of days follow (2021-11-24 … 2026-11-23), up to the fixed moment ``NOW``
(2026-11-23 15:30 Beijing time, a Monday, as transfer_generate.py uses),
written the way ``cscterm.services.worklog`` and the other services would
have left them:

* agents work five days of seven (two rest days that move each month), half
  of a team on 早班 and half on 中班, swapping every week; leads work the
  weekdays' 早班; a week or two of leave a year, sick days, the Spring
  Festival rota;
* on each working day: the five metrics (接待量 40–160 with growth over the
  years, weekends, 618 / 双十一 / 双十二 peaks and a quiet Spring Festival;
  平均接待时长 3–8 min that shortens with experience; 平均解决时长; 满意度
  85–99 %; 回访 0–10) kept most days, as floats in base units (seconds,
  percent 0–100) with the time they were last set; the day's ``daily_log``
  (its reflection in three short Chinese parts, submitted at the end of
  most shifts, versions as save_reflection / submit_day count them);
  0–6 notes; 1–4 day plan items, mostly done, some dropped, the rest
  carried to the next working day (a "carried" row and a copy keeping
  first_day) — open on the last day until the page is opened again; 2–4
  monthly key plans each month; 0–3 reminders, done or handed over, a few
  left open; script usage (~8–25 copies of starter scripts per shift,
  with the per-user usage stats; the library's Chinese scripts);
* each team's 早班 and 中班 handover (written by an agent on the shift,
  acknowledged by one of the next shift, so each agent writes or
  acknowledges one every few days); pre-sale agents send 0–4 transfers a
  working day to an after-sale team, claimed and resolved by its agents on
  duty (timeline events with actor_id: created, sent, claimed, returned,
  resent, resolved); a few of today's are still open.

Rows go in with ``executemany`` on one connection in one transaction,
foreign keys are checked, then ``ANALYZE``. The same seed gives the same
database. A database built with the same parameters, schema revision and
work-log indexes, and with the row counts it was built with, is reused.
"""

from __future__ import annotations

import bisect
import json
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common  # noqa: E402
from _build import (ZONE, bench_lead, bulk, check_keys, count_rows, full_name, generator_main,  # noqa: E402
                    insert_sql, meta_value, reusable, schema_fingerprint, seal, stored_marker)
from _build import stamp as _stamp  # noqa: E402
from _common import LOGIN, OUT, language, say  # noqa: E402
from _vocab import CITIES, PRODUCTS, SURNAMES  # noqa: E402
from transfer_generate import EVENT_COLUMNS, NOW, TEMPLATE_MIX, _Values  # noqa: E402

GENERATOR_VERSION = 2
SEED = 20261123
DEFAULT_DB = OUT / "cscterm-worklog.db"
YEARS = 5
LAST_DAY = NOW.astimezone(ZONE).date()
FIRST_DAY = LAST_DAY.replace(year=LAST_DAY.year - YEARS) + timedelta(days=1)
DAYS = (LAST_DAY - FIRST_DAY).days + 1

TEAMS = (("售前一组", 13, "presale"), ("售前二组", 12, "presale"), ("售后一组", 13, "after"),
         ("售后二组", 12, "after"))
SHIFTS = (("早班", 8, 16), ("中班", 16, 24))
# The tables whose indexes the fingerprint covers: a change to them rebuilds.
TABLES = ("metric_value", "daily_log", "log_note", "plan_item", "reminder", "script_usage", "handover",
          "transfer_event")
COUNTED = ("user", "metric_value", "daily_log", "log_note", "plan_item", "reminder", "script_usage",
           "script_usage_stat", "handover", "transfer", "transfer_event")
SPRING = (date(2022, 2, 1), date(2023, 1, 22), date(2024, 2, 10), date(2025, 1, 29), date(2026, 2, 17))

# ── words ───────────────────────────────────────────────────────────────────

NOTES = (
    "客户{name}要求{when}前回电，订单{order}", "{name}反映{product}收到有破损，已让拍照留证",
    "订单{order}物流停在{city}转运中心{k}天，已提交催件", "{name}说退款还没到账，已查是原路退回中，预计{k}天",
    "{name}第{k}次来电问发货时间，情绪比较急", "回访{name}：问题已解决，满意", "回访{name}未接，{when}再打",
    "{product}缺货，客户同意等补货，已登记", "客户问{product}能不能开专票，已转财务确认",
    "{name}要求改地址到{city}，已联系仓库拦截", "差评客户{name}已联系，同意追评", "{name}投诉快递员态度，已反馈物流组",
    "系统卡顿约{k}分钟，已报IT", "客户问{product}的保修，已发售后政策", "{name}想换颜色，已发换货流程",
    "今天咨询{product}的特别多，活动页写得不清楚", "{name}说发票抬头错了，已重开", "给{name}申请了{amount}元优惠券补偿",
    "组长说{when}前把差评回访做完", "转单给售后：{name}，订单{order}", "{name}的赠品漏发，已补发",
    "客户{name}要求主管回电，已报组长", "查{order}签收记录：门卫代签", "{name}咨询以旧换新，已发链接",
)
WHEN = ("今天下班", "明天上午", "周五", "下午三点", "晚上七点以后", "明天中午")
REMINDERS = ("二次致电 {name}（订单{order}）", "回电{name}确认退款到账", "跟进{order}的物流", "提醒{name}寄回旧件",
             "确认{name}的补发是否签收", "回访差评客户{name}", "下班前交 {product} 缺货登记", "{name}约的回电时间到了",
             "查一下{order}的拦截结果", "给{name}发换货地址")
DAY_PLANS = ("回访昨天的差评客户", "处理完积压的退款单", "学习新版{product}的售后政策", "整理常用话术 3 条",
             "跟进{name}的补发", "完成质检抽查的申诉", "把未结单清到 5 单以内", "复盘上周的投诉单", "熟悉{product}新品卖点",
             "接待量争取到 {k}0", "帮新人看一下转单规范", "二次致电 3 位未接客户", "核对今日退款明细", "更新个人话术库")
MONTH_PLANS = ("满意度保持在 95% 以上", "平均接待时长降到 3 分钟以内", "差评回访率 100%", "学完{product}售后培训并考试",
               "每周复盘 1 个投诉案例", "整理{product}常见问题话术", "带教一名新同事", "转单退回率低于 5%",
               "参加{month}月质检分享", "大促期间零超时")
BUSINESS = ("今天接待{contacts}个，{topic}比较多。", "上午比较忙，{topic}集中，下午好一些。",
            "处理了{k}个退款和{k2}个换货，{topic}占了不少时间。", "有{k}个客户情绪比较激动，都安抚下来了。",
            "今天{topic}多，有{k}单需要明天继续跟进。", "整体平稳，重点跟进了{name}的投诉。",
            "大促余温还在，{topic}问得多。", "新品{product}上线，咨询量明显上来了。")
TOPICS = ("物流催件", "退款进度", "质量问题", "发票", "改地址", "缺货", "活动规则", "尺码咨询", "安装预约", "售后政策")
TEAMWORK = ("和{colleague}交接了{k}个未结单。", "组里今天人手紧，帮{colleague}接了几个。", "晨会讲了新的退款规则。",
            "和售后同事对了一下转单要求，少退回了。", "组长抽查了我的会话，说开场白可以再简洁。", "",
            "帮新人{colleague}看了两个转单。", "下午开了{topic}的小复盘。", "")
LEARNINGS = ("遇到情绪激动的客户先共情再给方案，效果好很多。", "{topic}的问题先查清楚再回复，避免反复。",
             "用“{product}”的新话术，客户接受度更高。", "承诺回电一定要设提醒。", "",
             "转单前把订单号和客户原话填全，售后不会退回。", "少用“不可能”这种词。", "", "先确认客户诉求再解释规则。")

# ── parameters, fingerprint ─────────────────────────────────────────────────


def _marker(seed: int, counts: dict[str, int]) -> str:
    shown = ",".join(f"{t}={counts[t]}" for t in COUNTED)
    return f"v{GENERATOR_VERSION}:schema={schema_fingerprint(TABLES)}:days={DAYS}:seed={seed}:{shown}"


def db_path(value: str | None) -> Path:
    return _common.db_path(value, "CSCTERM_BENCH_WORKLOG_DB", DEFAULT_DB)


def marker_of(path: Path) -> str | None:
    """The generator's marker in ``path`` (None if it is not a finished database)."""
    return meta_value(path, "bench_worklog")


def is_current(path: Path, seed: int = SEED) -> bool:
    """True if ``path`` holds a finished database built with these parameters
    and still has the row counts it was built with."""
    found = stored_marker(path, "bench_worklog", COUNTED)
    return found is not None and found[0] == _marker(seed, found[1])


# ── people, schedules ───────────────────────────────────────────────────────


class Person:
    def __init__(self, uid: int, login: str, name: str, team: str, side: str, lead: bool, n: int) -> None:
        self.id, self.login, self.name, self.team, self.side, self.lead, self.n = uid, login, name, team, side, lead, n
        self.work: dict[date, int] = {}  # working day → shift index (0 早班, 1 中班)
        self.days: list[date] = []  # working days in order


def _people(db, rng: random.Random) -> list[Person]:  # type: ignore[no-untyped-def]
    """bench-lead first (the lead of 售前一组), then the other leads and the agents."""
    from sqlalchemy import text

    from cscterm.services.shifts import set_shifts
    from cscterm.services.users import identify

    people: list[Person] = []
    updates = []
    created = _stamp(datetime.combine(FIRST_DAY, datetime.min.time(), ZONE) - timedelta(days=30))
    with db.session() as session:
        lead = bench_lead(session)
        for t, (team, agents, side) in enumerate(TEAMS):
            login = LOGIN if t == 0 else f"wl-lead{t}"
            actor = lead if t == 0 else identify(session, login, full_name(rng))
            updates.append({"id": actor.id, "team": team, "role": "lead", "at": created})
            people.append(Person(actor.id, actor.login, actor.display_name, team, side, True, 0))
            for n in range(agents):
                agent = identify(session, f"wl{t}-{n:02d}", full_name(rng))
                updates.append({"id": agent.id, "team": team, "role": "agent", "at": created})
                people.append(Person(agent.id, agent.login, agent.display_name, team, side, False, n))
        session.execute(text("UPDATE user SET team = :team, role = :role, created_at = :at WHERE id = :id"),
                        updates)
    with db.session() as session:  # the leads set their teams' shifts
        for team, _, _ in TEAMS:
            leader = identify(session, next(p.login for p in people if p.team == team and p.lead))
            set_shifts(session, leader, team, [(name, f"{a:02d}:00", f"{b:02d}:00") for name, a, b in SHIFTS])
        session.execute(text("UPDATE shift SET updated_at = :at"), {"at": created})
    return people


def _schedule(people: list[Person], rng: random.Random) -> None:
    """Who works which day and shift: five days of seven, leave, sick days."""
    for p in people:
        off: set[date] = set()
        for year in range(FIRST_DAY.year, LAST_DAY.year + 1):  # one or two blocks of leave a year
            for _ in range(rng.choice((1, 2, 2))):
                start = date(year, 1, 1) + timedelta(days=rng.randrange(365))
                off |= {start + timedelta(days=k) for k in range(rng.randint(3, 7))}
            for _ in range(rng.randint(1, 5)):  # sick days
                off.add(date(year, 1, 1) + timedelta(days=rng.randrange(365)))
        spring_home = rng.random() < 0.5  # half the team goes home for the Spring Festival
        for n in range(DAYS):
            day = FIRST_DAY + timedelta(days=n)
            if day in off and day != LAST_DAY:
                continue
            if any(0 <= (day - s).days < 5 for s in SPRING) and spring_home:
                continue
            if p.lead:
                if day.weekday() >= 5:
                    continue
                shift = 0
            else:
                month = (day.year - FIRST_DAY.year) * 12 + day.month
                rest = {(p.n + month) % 7, (p.n + month + 1) % 7}
                if day.weekday() in rest:
                    continue
                week = (day - FIRST_DAY).days // 7
                shift = (p.n + week) % 2
            p.work[day] = shift
            p.days.append(day)


def _shift_bounds(day: date, shift: int) -> tuple[datetime, datetime]:
    _, a, b = SHIFTS[shift]
    midnight = datetime.combine(day, datetime.min.time(), ZONE)
    return (midnight + timedelta(hours=a)).astimezone(UTC), (midnight + timedelta(hours=b)).astimezone(UTC)


def _busy(day: date) -> float:
    md = (day.month, day.day)
    if (6, 16) <= md <= (6, 20):
        return 1.6
    if (11, 10) <= md <= (11, 14):
        return 2.0
    if (11, 15) <= md <= (11, 20) or (12, 11) <= md <= (12, 13):
        return 1.4
    if any(0 <= (day - s).days < 7 for s in SPRING):
        return 0.6
    return 1.15 if day.weekday() >= 5 else 1.0


# ── the generator ───────────────────────────────────────────────────────────

USAGE_COLUMNS = ("script_id", "user_id", "style", "used_at")
LOG_COLUMNS = ("user_id", "team", "day", "business", "teamwork", "learnings", "submitted_at", "version",
               "updated_at", "updated_by")
VALUE_COLUMNS = ("user_id", "day", "metric_id", "value", "updated_at")
NOTE_COLUMNS = ("user_id", "day", "at", "body")
PLAN_COLUMNS = ("id", "user_id", "kind", "period", "text", "status", "first_day", "month_plan_id", "position",
                "closed_at", "created_at")
REMINDER_COLUMNS = ("user_id", "day", "due_at", "text", "status", "fired_at", "snoozed", "closed_at",
                    "created_at")
HANDOVER_COLUMNS = ("team", "author_id", "status", "shift_name", "shift_date", "shift_start", "shift_end",
                    "overall", "summary", "watchouts", "to_shift_name", "to_shift_date", "to_shift_start",
                    "submitted_at", "acked_by", "acked_at", "ack_delay_s", "synthesis", "version", "created_at",
                    "updated_at", "updated_by")
TRANSFER_COLUMNS = ("id", "template_version_id", "template_key", "status", "sender_id", "sender_team", "queue",
                    "claimed_by", "subject", "values", "bounces", "return_reason", "return_note", "return_items",
                    "outcome", "resolution", "sent_at", "claimed_at", "returned_at", "resolved_at", "paused_s",
                    "accept_due_at", "resolve_due_at", "accept_breached", "resolve_breached", "version",
                    "created_at", "updated_at", "updated_by")
QUEUE_OF = {"refund": "售后一组", "logistics": "售后一组", "invoice": "售后一组", "quality": "售后二组",
            "install_repair": "售后二组", "vip_risk": "售后二组"}
OUTCOMES = (("refunded", 40), ("solved", 30), ("replaced", 10), ("compensated", 10), ("explained", 10))
RESOLUTION = {"refunded": "已退款到原支付账户，短信已通知客户", "solved": "已联系客户，问题已解决",
              "replaced": "已安排换新，新件已发出", "compensated": "已补偿优惠券，客户接受",
              "explained": "已向客户解释原因，客户表示理解"}


class _Gen:
    def __init__(self, rng: random.Random, people: list[Person], metric_ids: dict[str, int],
                 scripts: list[tuple[int, list[str]]], templates: dict) -> None:
        self.rng = rng
        self.people = people
        self.metric = metric_ids
        self.values = _Values(rng)
        self.templates = templates
        from cscterm.services.transfer import subject_of

        self.subject_of = subject_of
        self.rows: dict[str, list[tuple]] = {k: [] for k in (
            "usage", "log", "value", "note", "plan", "reminder", "handover", "transfer", "event")}
        self.stats: dict[tuple[int, int], list] = {}
        self.plan_id = 0
        self.transfer_id = 0
        self.pending: dict[int, list[tuple[str, str, int | None]]] = {}  # user → carried (text, first_day, month plan)
        self.month_plans: dict[int, tuple[str, list[int]]] = {}  # user → (month, plan ids)
        # each person: skill, speed, taste in scripts (weights over the starter scripts)
        self.skill = {p.id: rng.lognormvariate(0, 0.18) for p in people}
        self.speed = {p.id: rng.uniform(200, 330) for p in people}
        self.care = {p.id: rng.uniform(-3, 2) for p in people}
        self.chatty = {p.id: rng.uniform(0.3, 1.6) for p in people}
        self.scripts = scripts
        self.taste: dict[int, list[float]] = {}
        for p in people:
            order = list(range(len(scripts)))
            rng.shuffle(order)
            weights = [0.0] * len(scripts)
            for rank, i in enumerate(order):
                weights[i] = 1 / (rank + 1) ** 0.9
            cum = []
            total = 0.0
            for w in weights:
                total += w
                cum.append(total)
            self.taste[p.id] = cum
        self.by_team: dict[str, list[Person]] = {}
        for p in people:
            self.by_team.setdefault(p.team, []).append(p)
        self.keys = [k for k, _ in TEMPLATE_MIX]
        self.key_weights = [w for _, w in TEMPLATE_MIX]
        self.counts = {"open_transfers": 0, "open_reminders": 0, "carried": 0, "submitted": 0}

    # small helpers
    def fill(self, pattern: str, **extra: object) -> str:
        rng = self.rng
        if "{" not in pattern:
            return pattern
        return pattern.format(name=rng.choice(SURNAMES) + rng.choice(("女士", "先生", "女士", "先生", "小姐"))
                              if "name" not in extra else extra["name"],
                              when=rng.choice(WHEN), order=f"{rng.randrange(10**15, 10**16)}",
                              product=rng.choice(PRODUCTS), city=rng.choice(CITIES), k=rng.randint(2, 6),
                              k2=rng.randint(1, 4), amount=rng.choice((5, 10, 20, 30, 50)),
                              topic=rng.choice(TOPICS), contacts=extra.get("contacts", rng.randint(40, 120)),
                              colleague=extra.get("colleague", "同事"), month=extra.get("month", 11))

    def moment(self, start: datetime, end: datetime) -> datetime:
        return start + (end - start) * self.rng.random()

    # one person's day
    def day(self, p: Person, day: date, shift: int, today: bool) -> None:
        rng = self.rng
        start, end = _shift_bounds(day, shift)
        if today and start >= NOW:
            return  # the shift has not started: nothing yet, last day's plan items still open
        stop = min(end, NOW)
        iso = day.isoformat()
        busy = _busy(day)
        years = (day - FIRST_DAY).days / 365
        # plans: month plans on the first working day of a month, carried items, the day's own
        month = iso[:7]
        current = self.month_plans.get(p.id)
        if current is None or current[0] != month:
            ids = []
            opened = start + timedelta(minutes=rng.uniform(5, 40))
            settled = month < LAST_DAY.isoformat()[:7]  # how it ended is known when the month is over
            month_end = datetime.combine(date(day.year + day.month // 12, day.month % 12 + 1, 1),
                                         datetime.min.time(), ZONE).astimezone(UTC)
            for position in range(rng.randint(2, 4)):
                self.plan_id += 1
                ids.append(self.plan_id)
                roll = rng.random()
                status = "open" if not settled else "done" if roll < 0.6 else "dropped" if roll < 0.7 else "open"
                closed = self.moment(opened, month_end) if status != "open" else None
                self.rows["plan"].append((self.plan_id, p.id, "month", month,
                                          self.fill(rng.choice(MONTH_PLANS), month=day.month), status, iso, None,
                                          position, _stamp(closed) if closed else None, _stamp(opened)))
            self.month_plans[p.id] = (month, ids)
        opened = start + timedelta(minutes=rng.uniform(1, 20))
        items = []
        for text, first_day, parent in self.pending.pop(p.id, []):
            items.append((text, first_day, parent, opened))
        month_ids = self.month_plans[p.id][1]
        for _ in range(rng.choices((1, 2, 3, 4), (2, 4, 3, 1))[0]):
            parent = rng.choice(month_ids) if rng.random() < 0.5 else None
            items.append((self.fill(rng.choice(DAY_PLANS)), iso, parent,
                          opened + timedelta(minutes=rng.uniform(0, 15))))
        later = bisect.bisect_right(p.days, day)
        next_day = p.days[later] if later < len(p.days) else None
        carries = next_day is not None and _shift_bounds(next_day, p.work[next_day])[0] < NOW
        for position, (text, first_day, parent, created) in enumerate(items):
            self.plan_id += 1
            roll = rng.random()
            status, closed = "open", None
            if roll < 0.74:
                closed = self.moment(created, end)
                status = "done" if closed <= NOW else "open"
            elif roll < 0.80:
                closed = self.moment(created, end)
                status = "dropped" if closed <= NOW else "open"
            if status == "open" and not today and carries:
                status = "carried"
                closed = None
                self.pending.setdefault(p.id, []).append((text, first_day, parent))
                self.counts["carried"] += 1
            self.rows["plan"].append((self.plan_id, p.id, "day", iso, text, status, first_day, parent, position,
                                      _stamp(closed) if status in ("done", "dropped") else None, _stamp(created)))
        # work: script usage, notes, reminders
        rate = (8 + 17 * rng.random()) * (0.5 if p.lead else 1.0) * busy
        n_use = max(0, int(rate * (stop - start) / (end - start)))
        cum = self.taste[p.id]
        total = cum[-1]
        for _ in range(n_use):
            at = self.moment(start, stop)
            i = bisect.bisect_left(cum, rng.random() * total)
            script_id, styles = self.scripts[i]
            style = styles[0] if rng.random() < 0.7 else rng.choice(styles)
            self.rows["usage"].append((script_id, p.id, style, _stamp(at)))
            stat = self.stats.get((p.id, script_id))
            if stat is None:
                self.stats[(p.id, script_id)] = [1, at]
            else:
                stat[0] += 1
                stat[1] = max(stat[1], at)
        n_notes = min(6, int(rng.random() * 7 * self.chatty[p.id] * (stop - start) / (end - start)))
        for _ in range(n_notes):
            self.rows["note"].append((p.id, iso, _stamp(self.moment(start, stop)), self.fill(rng.choice(NOTES))))
        for _ in range(rng.choices((0, 1, 2, 3), (4, 4, 2, 1))[0]):
            created = self.moment(start, stop)
            due = created + timedelta(minutes=rng.choice((10, 15, 30, 30, 60, 90, 120, 180)))
            snoozed = 1 if rng.random() < 0.12 else 0
            if snoozed:
                due += timedelta(minutes=10)
            text = self.fill(rng.choice(REMINDERS))
            if due > NOW:  # today: still to come
                status, fired, closed = "open", None, None
                self.counts["open_reminders"] += 1
            elif (today and rng.random() < 0.5) or rng.random() < 0.003:  # fired today, or forgotten
                status, fired, closed = "open", due, None
                self.counts["open_reminders"] += 1
            elif due < end and rng.random() < 0.86:
                status, fired, closed = "done", due, min(due + timedelta(minutes=rng.uniform(1, 40)), end)
            else:  # passed on at the end of the shift
                status, fired, closed = "handed_over", (due if due < end else None), end - timedelta(
                    minutes=rng.uniform(2, 15))
            self.rows["reminder"].append((p.id, iso, _stamp(due), text, status, _stamp(fired) if fired else None,
                                          snoozed, _stamp(closed) if closed else None, _stamp(created)))
        # metrics
        share = (stop - start) / (end - start)
        base = (15 if p.lead else (62 if p.side == "presale" else 48) + 30 * years / YEARS)
        contacts = max(0, round(base * busy * self.skill[p.id] * rng.uniform(0.8, 1.2) * share))
        handle = max(150, round(self.speed[p.id] * (1 - 0.04 * years) * (1 + 0.15 * (busy - 1))
                                * rng.uniform(0.85, 1.15)))
        handle = min(handle, 480)
        resolve = round((1200 if p.side == "presale" else 2400) * rng.lognormvariate(0, 0.3))
        satisfaction = round(min(99.5, max(84.0, 95.5 + self.care[p.id] - 2.5 * (busy - 1)
                                           + rng.gauss(0, 1.4))), 1)
        callbacks = min(10, max(0, round(rng.gauss(3 if p.side == "presale" else 5, 2))))
        keep = {"contacts": (contacts, 0.97), "handle_time": (handle, 0.93), "resolve_time": (resolve, 0.85),
                "satisfaction": (satisfaction, 0.9), "callbacks": (callbacks, 0.8)}
        first_set = None
        for key, (value, p_keep) in keep.items():
            if today and key != "contacts" and rng.random() < 0.7:
                continue  # filled at the end of the shift
            if rng.random() >= p_keep:
                continue
            at = stop - timedelta(minutes=rng.uniform(0, 30)) if key == "contacts" else \
                end - timedelta(minutes=rng.uniform(3, 25))
            at = min(at, NOW)
            first_set = min(first_set or at, at)
            self.rows["value"].append((p.id, iso, self.metric[key], float(value), _stamp(at)))
        # the day's log: reflection, submitted
        if first_set is None and not today:
            first_set = end - timedelta(minutes=20)
        if first_set is not None:
            version, updated = 1, first_set
            business = teamwork = learnings = ""
            submitted = None
            mates = [q.name for q in self.by_team[p.team] if q.id != p.id]
            roll = rng.random()
            if not today and roll < 0.95:
                business = self.fill(rng.choice(BUSINESS), contacts=contacts)
                teamwork = self.fill(rng.choice(TEAMWORK), colleague=rng.choice(mates))
                learnings = self.fill(rng.choice(LEARNINGS))
                saves = rng.choice((1, 1, 1, 2, 2, 3))
                version += saves
                updated = end - timedelta(minutes=rng.uniform(2, 12))
                if roll < 0.92:  # submitted at the end of the shift, a few the next morning
                    submitted = updated + timedelta(minutes=rng.uniform(0.5, 8)) if rng.random() < 0.95 else \
                        end + timedelta(hours=rng.uniform(8, 11))
                    version += 2 if rng.random() < 0.03 else 1
                    updated = submitted
                    self.counts["submitted"] += 1
            elif today and rng.random() < 0.3:  # started the reflection
                business = self.fill(rng.choice(BUSINESS), contacts=contacts)
                version += 1
                updated = NOW - timedelta(minutes=rng.uniform(5, 200))
            self.rows["log"].append((p.id, p.team, iso, business, teamwork, learnings,
                                     _stamp(submitted) if submitted else None, version, _stamp(min(updated, NOW)),
                                     p.id))

    # handovers and transfers, per team and day
    def handovers(self, day: date) -> None:
        rng = self.rng
        for team, members in self.by_team.items():
            for shift, (name, _, _) in enumerate(SHIFTS):
                start, end = _shift_bounds(day, shift)
                if start >= NOW:
                    continue
                on = [p for p in members if not p.lead and p.work.get(day) == shift] or \
                    [p for p in members if p.work.get(day) == shift]
                if not on:
                    continue
                author = rng.choice(on)
                to_day = day if shift == 0 else day + timedelta(days=1)
                to_shift = 1 if shift == 0 else 0
                to_start, _ = _shift_bounds(to_day, to_shift)
                nxt = [p for p in self.by_team[team] if p.work.get(to_day) == to_shift and not p.lead]
                created = end - timedelta(minutes=rng.uniform(20, 60))
                summary = f"{name}接待{rng.randint(80, 400)}人次，" + rng.choice(
                    ("整体平稳", "下午排队较多", "物流咨询集中", "有两单投诉待跟进", "系统短暂卡顿"))
                watch = rng.choice(("", "注意{product}缺货咨询", "{name}可能再来电，语气要缓和", "退款审核慢，先安抚"))
                watch = self.fill(watch) if watch else ""
                if end > NOW:  # today's 早班: a draft being written
                    self.rows["handover"].append((team, author.id, "draft", name, day.isoformat(), _stamp(start),
                                                  _stamp(end), "normal", summary, watch, SHIFTS[to_shift][0],
                                                  to_day.isoformat(), _stamp(to_start), None, None, None, None, "",
                                                  2, _stamp(min(created, NOW)), _stamp(NOW - timedelta(minutes=3)),
                                                  author.id))
                    continue
                submitted = end - timedelta(minutes=rng.uniform(2, 15))
                acked_by = acked = delay = None
                status = "submitted"
                if nxt:
                    acked = to_start + timedelta(minutes=rng.lognormvariate(1.5, 0.8) - 3)
                    if acked < NOW:
                        acked_by, status = rng.choice(nxt).id, "acknowledged"
                        delay = int((acked - to_start).total_seconds())
                    else:
                        acked = None
                self.rows["handover"].append((team, author.id, status, name, day.isoformat(), _stamp(start),
                                              _stamp(end), rng.choice(("normal",) * 6 + ("busy", "incident")),
                                              summary, watch, SHIFTS[to_shift][0], to_day.isoformat(),
                                              _stamp(to_start), _stamp(submitted), acked_by,
                                              _stamp(acked) if acked else None, delay, "",
                                              3 if acked else 2, _stamp(created),
                                              _stamp(acked or submitted), acked_by or author.id))

    def transfers(self, day: date) -> None:
        rng = self.rng
        for p in self.people:
            if p.side != "presale" or p.lead or day not in p.work:
                continue
            start, end = _shift_bounds(day, p.work[day])
            for _ in range(rng.choices((0, 1, 2, 3, 4), (2, 4, 4, 2, 1))[0]):
                sent = self.moment(start, end)
                if sent > NOW - timedelta(minutes=5):
                    continue
                self._transfer(p, sent, day)

    def _on_duty(self, queue: str, at: datetime) -> Person:
        local = at.astimezone(ZONE)
        day = local.date()
        shift = 0 if local.hour < 16 else 1
        if local.hour < 8:
            shift = 0
        team = self.by_team[queue]
        on = [p for p in team if p.work.get(day) == shift and not p.lead] or \
            [p for p in team if day in p.work] or [p for p in team if p.lead]
        return self.rng.choice(on)

    def _transfer(self, sender: Person, sent: datetime, day: date) -> None:
        rng = self.rng
        key = rng.choices(self.keys, self.key_weights)[0]
        template = self.templates[key]
        queue = QUEUE_OF[key]
        self.transfer_id += 1
        tid = self.transfer_id
        values = self.values.values(template, sent)
        created = sent - timedelta(seconds=rng.uniform(60, 600))
        events = [(created, sender.id, "created", "", "", {"template": key, "template_version": template.number}),
                  (sent, sender.id, "sent", "", "", {"to": queue})]
        claim_at = sent + timedelta(minutes=rng.lognormvariate(2.3, 0.7))
        local = claim_at.astimezone(ZONE)
        if local.date() != sent.astimezone(ZONE).date():  # after-sale has gone home: the next morning
            claim_at = datetime.combine(local.date(), datetime.min.time(), ZONE).astimezone(UTC) + timedelta(
                hours=8, minutes=rng.uniform(1, 40))
        claimer = self._on_duty(queue, claim_at)
        status, claimed_by = "sent", None
        claimed_at = returned_at = resolved_at = None
        bounces = 0
        outcome = resolution = ""
        version = 2
        at = claim_at
        paused = 0
        if claim_at < NOW:
            events.append((claim_at, claimer.id, "claimed", "", "", {}))
            status, claimed_by, claimed_at, version = "claimed", claimer.id, claim_at, 3
            if rng.random() < 0.08:
                at = claim_at + timedelta(minutes=rng.lognormvariate(3, 0.6))
                if at < NOW:
                    events.append((at, claimer.id, "returned", "missing_info", "订单号没填，请补上再发",
                                   {"items": ["order"], "bounce": 1}))
                    bounces = 1
                    returned_at = at
                    status, version = "returned", version + 1
                    at += timedelta(minutes=rng.lognormvariate(3.5, 0.8))
                    if at < NOW:
                        paused = int((at - returned_at).total_seconds())
                        events.append((at, sender.id, "resent", "", "", {"paused_s": paused, "fixed": ["order"]}))
                        status, returned_at, version = "claimed", None, version + 1
            if status == "claimed":
                done = at + timedelta(minutes=rng.lognormvariate(4.2, 0.8))
                if done < NOW:
                    outcome = rng.choices([o for o, _ in OUTCOMES], [w for _, w in OUTCOMES])[0]
                    resolution = RESOLUTION[outcome]
                    events.append((done, claimer.id, "resolved", outcome, resolution, {}))
                    status, resolved_at, version = "resolved", done, version + 1
        if status != "resolved":
            self.counts["open_transfers"] += 1
        accept_due, resolve_due = sent + template.accept, sent + template.resolve + timedelta(seconds=paused)
        last = events[-1]
        self.rows["transfer"].append((
            tid, template.version_id, key, status, sender.id, sender.team, queue, claimed_by,
            self.subject_of(template, values), json.dumps(values), bounces,
            "missing_info" if status == "returned" else "", "订单号没填，请补上再发" if status == "returned" else "",
            json.dumps(["order"] if status == "returned" else []), outcome, resolution, _stamp(sent),
            _stamp(claimed_at) if claimed_at else None, _stamp(returned_at) if returned_at else None,
            _stamp(resolved_at) if resolved_at else None, paused, _stamp(accept_due), _stamp(resolve_due),
            int(claimed_at is not None and claimed_at > accept_due),
            int(resolved_at is not None and resolved_at > resolve_due), version, _stamp(created),
            _stamp(last[0]), last[1]))
        for at_, actor, kind, reason, note, detail in events:
            self.rows["event"].append((tid, _stamp(at_), actor, kind, reason, note, json.dumps(detail)))


def generate(path: Path | None = None, *, seed: int = SEED, force: bool = False) -> Path:
    """The database at ``path``, built now unless a current one is there."""
    path = Path(path or db_path(None))
    if reusable(path, "worklog generate", not force and is_current(path, seed)):
        return path
    started = time.perf_counter()

    from sqlalchemy import text

    from cscterm.db.engine import Database
    from cscterm.services import checklists, io, worklog

    with language("zh_CN"):  # the metrics' labels, as a Chinese centre's first start defines them
        db = Database(path)
        db.ensure_schema()
        rng = random.Random(seed)
        people = _people(db, rng)
        with db.session() as session:  # as open_workspace loads them on the first start
            io.load_starter(session)
            checklists.load_starter(session)
            worklog.ensure_metrics(session)
            metric_ids = {m.key: m.id for m in worklog.metrics(session)}
            templates = {key: checklists.get_template(session, key) for key, _ in TEMPLATE_MIX}
            scripts = [(sid, []) for (sid,) in session.connection().exec_driver_sql(  # the Chinese ones
                "SELECT script.id FROM script JOIN scenario ON scenario.id = script.scenario_id "
                "WHERE scenario.language = 'zh_CN' AND script.owner_id IS NULL ORDER BY script.id")]
            styles: dict[int, list[str]] = {}
            for sid, style in session.connection().exec_driver_sql(
                    "SELECT script_id, style FROM script_variant ORDER BY script_id, id"):
                styles.setdefault(sid, []).append(style)
            scripts = [(sid, sorted(styles.get(sid, ["standard"]), key=lambda s: s != "standard"))
                       for sid, _ in scripts]
            stamp = _stamp(datetime.combine(FIRST_DAY, datetime.min.time(), ZONE) - timedelta(days=20))
            session.execute(text("UPDATE metric_def SET updated_at = :at"), {"at": stamp})
            session.execute(text("UPDATE checklist_template_version SET created_at = :at"), {"at": stamp})
    _schedule(people, rng)
    gen = _Gen(rng, people, metric_ids, scripts, templates)
    plan = {
        "usage": insert_sql("script_usage", USAGE_COLUMNS), "log": insert_sql("daily_log", LOG_COLUMNS),
        "value": insert_sql("metric_value", VALUE_COLUMNS), "note": insert_sql("log_note", NOTE_COLUMNS),
        "plan": insert_sql("plan_item", PLAN_COLUMNS), "reminder": insert_sql("reminder", REMINDER_COLUMNS),
        "handover": insert_sql("handover", HANDOVER_COLUMNS), "transfer": insert_sql("transfer", TRANSFER_COLUMNS),
        "event": insert_sql("transfer_event", EVENT_COLUMNS),
    }
    with bulk(db) as conn:
        for n in range(DAYS):
            day = FIRST_DAY + timedelta(days=n)
            today = day == LAST_DAY
            for p in people:
                if day in p.work:
                    gen.day(p, day, p.work[day], today)
            gen.handovers(day)
            gen.transfers(day)
            if day.day == 1 or today:  # a month's rows at a time
                for key in ("usage", "log", "value", "note", "plan", "reminder", "handover", "transfer"):
                    conn.exec_driver_sql(plan[key], gen.rows[key])
                    gen.rows[key] = []
                events = sorted(gen.rows["event"], key=lambda e: e[1])  # event ids follow time
                conn.exec_driver_sql(plan["event"], events)
                gen.rows["event"] = []
            if n % 180 == 179 or today:
                say(f"worklog generate: day {n + 1:4d}/{DAYS}  {time.perf_counter() - started:5.1f} s")
        stats = [(uid, sid, uses, _stamp(last)) for (uid, sid), (uses, last) in sorted(gen.stats.items())]
        conn.exec_driver_sql(insert_sql("script_usage_stat", ("user_id", "script_id", "uses", "last_used")),
                             stats)
        check_keys(conn, "worklog generate")
        counts = count_rows(conn.connection.driver_connection, COUNTED)
        analyze_s = seal(conn, "bench_worklog", _marker(seed, counts), analyze=True)
    db.dispose()
    size = path.stat().st_size / 2**20
    say(f"worklog generate: wrote {path} ({size:.0f} MiB) in {time.perf_counter() - started:.1f} s "
        f"(ANALYZE {analyze_s:.1f} s)\nworklog generate: " + ", ".join(f"{t} {c:,}" for t, c in counts.items())
        + f"\nworklog generate: {gen.counts['submitted']:,} days submitted, {gen.counts['carried']:,} plan items "
        f"carried, {gen.counts['open_reminders']:,} reminders open, {gen.counts['open_transfers']:,} transfers open")
    return path


def main(argv: list[str] | None = None) -> Path:
    return generator_main(__doc__, argv, generate, db_path, SEED, DEFAULT_DB.name)


if __name__ == "__main__":
    main()
