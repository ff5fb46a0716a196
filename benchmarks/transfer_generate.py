"""Build (or reuse) a two-year pre-sale → after-sale transfer database for benchmarks/transfer.py.

    uv run python benchmarks/transfer_generate.py [PATH] [--seed S] [--force]

PATH defaults to benchmarks/out/cscterm-transfer.db (git-ignored; env
CSCTERM_BENCH_TRANSFER_DB). The database is opened the way the app opens it
(``Database`` + ``ensure_schema``, then the starter library and the starter
checklist templates, as ``open_workspace`` loads them); its first user
("bench-lead") is a lead of the after-sale team 售后. People: ten pre-sale
teams (售前一组 … 售前十组) of 14 agents and a lead each, and 售后 with 40
agents and three leads. Two years of transfers follow (200,000, sent
2024-11-24 … 2026-11-23), written the way the service would have left them:

* the daily volume grows from ~180 to ~380 over the two years, with the
  sales peaks (618, 双十一, 双十二) and a quiet Spring Festival; pre-sale
  sends mostly in the day and evening, a little at night;
* templates in a realistic mix (退货退款 35 %, 物流问题 25 %, 质量投诉 15 %,
  安装维修 10 %, 发票问题 10 %, VIP / 投诉风险客户 5 %); 退货退款 got a second version
  a year ago (accept within 20 minutes), and later transfers use it; every
  checklist is filled as its template requires (required items always,
  optional ones often), with the values ``check_values`` would store
  (order numbers, masked-in-lists phone numbers, UTC instants, choices);
  a quarter are made from a scenario of the starter library;
* after-sale works 08:00–24:00 (two shifts of 20); a transfer is claimed
  within its accept level most of the time (night sends wait for the
  morning, so short levels are missed then), sometimes returned to the
  sender (some senders far more than others) and resent after a pause, the
  second return escalating it; ~2 % are reassigned by a lead, ~3 % are sent
  to one person; resolution mostly within the resolve level;
* at the fixed moment ``NOW`` (2026-11-23 15:30 Beijing time, a Monday)
  after-sale is behind after 双十一: about 2,800 transfers are open (sent,
  claimed, returned), most from the last days, two thirds past a level,
  some escalated; 150 drafts are being filled and about six hundred drafts
  were discarded over the years.

Every transfer has its timeline (created, sent, claimed, returned, escalated,
resent, reassigned, resolved, discarded) with the details the service writes:
4.3 events on average, from 1 (a draft) to 12 (returned three times); event
ids follow time, as they would. Rows go in with ``executemany`` on one
connection in one transaction, foreign keys are checked, then ``ANALYZE``.
It takes 60–90 s. The same seed gives the same transfers. A database built
with the same parameters, schema revision and transfer indexes, and with the
row counts it was built with, is reused.
"""

from __future__ import annotations

import json
import math
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common  # noqa: E402
from _build import (ZONE, bench_lead, bulk, check_keys, count_rows, full_name, generator_main,  # noqa: E402
                    insert_sql, reusable, schema_fingerprint, seal, stored_marker)
from _build import stamp as _stamp  # noqa: E402
from _common import LOGIN, OUT, say  # noqa: E402
from _vocab import CITIES, PRODUCTS  # noqa: E402

GENERATOR_VERSION = 1
SEED = 20261123
TOTAL = 200_000
DEFAULT_DB = OUT / "cscterm-transfer.db"
NOW = datetime(2026, 11, 23, 15, 30, tzinfo=ZONE).astimezone(UTC)
DAYS = 730
LAST_DAY = NOW.astimezone(ZONE).date()
FIRST_DAY = LAST_DAY - timedelta(days=DAYS - 1)
V2_DAY = LAST_DAY - timedelta(days=365)  # 退货退款 v2 from this day on

AFTER_SALE = "售后"
PRESALE_TEAMS = tuple(f"售前{n}组" for n in "一二三四五六七八九十")
PRESALE_AGENTS = 14
AFTER_AGENTS = 40
AFTER_LEADS = 3  # bench-lead and two more

TEMPLATE_MIX = (("refund", 35), ("logistics", 25), ("quality", 15), ("install_repair", 10),
                ("invoice", 10), ("vip_risk", 5))
# After-sale hours (local): 早班 08–16 (agents 0–19), 晚班 16–24 (agents 20–39).
DAY_START, DAY_END = 8, 24
# When pre-sale sends (local hour weights).
HOUR_WEIGHTS = (1, 0.6, 0.3, 0.2, 0.2, 0.3, 0.6, 1.5, 3, 6, 8, 8, 6, 5, 7, 8, 8, 7, 6, 6, 8, 9, 8, 4)

DISTRICTS = ("朝阳区", "浦东新区", "天河区", "南山区", "西湖区", "武侯区", "江汉区", "雁塔区", "金水区",
             "岳麓区", "沙依巴克区", "城关区", "南岗区", "五华区", "青秀区", "和平区", "思明区", "市南区")
SPECS = ("黑色 ×1", "白色 M 码 ×1", "500ml 藏青色 ×2", "标准版 ×1", "XL ×1", "礼盒装 ×1", "2 斤装 ×3",
         "升级款 ×1", "粉色 ×2", "大号 ×1")
CUSTOMER_SAYS = (
    "我{k}天前就申请了，到现在还没人理我", "东西用了{k}次就坏了，你们这是什么质量", "快递显示签收了但我根本没收到",
    "拆开就是坏的，外包装也是破的", "颜色发错了，我要的是黑色", "少发了一件，赠品也没有", "说好的{k}天发货，现在都{k2}天了",
    "我不要了，直接给我退款", "能不能快点处理，我明天要出差", "师傅约好了没来，电话也打不通", "发票抬头开错了，公司报销不了",
    "物流{k}天没动了，是不是丢了", "再不处理我就去12315投诉", "你们客服一直踢皮球", "这个和详情页写的完全不一样",
    "到货已经化了，根本没法吃", "退货寄回去{k}天了，钱还没退", "我是老会员了，你们就这么对我",
)
TRIED = ("已查物流，停在{city}转运中心", "已提交拦截", "已让客户拍照留证", "已核对订单截图", "无", "已联系仓库核实",
         "已给客户发了退货地址", "已申请优惠券安抚")
PROMISED = ("已承诺 2 小时内回电告知进度", "已承诺今天内给处理方案", "无", "已承诺优先处理", "已承诺补发，等售后确认",
            "已承诺退款到原支付账户", "已承诺安排师傅上门")
CONTACT = ("工作日 19:00 以后", "随时可以", "午休别打", "上午 10 点前", "周末都行", "只接微信语音")
TRACES = ("{city}转运中心 已发出", "{city}分拨中心 已到达", "派送中，快递员电话已打不通", "已签收，签收人：门卫",
          "{city}网点 暂停派送", "揽收成功")
HISTORY = ("第{k}次来电，前几次都说会处理", "上周已经投诉过一次", "在微博上发了帖子", "说已经拨打过 12315",
           "要求主管回电", "VIP 会员，近一年消费 {amount} 元")
DEMANDS = ("全额退款并赔偿", "今天给答复", "换新并补偿运费", "要求道歉", "补偿 {amount} 元", "找领导处理")
COMPANIES = ("上海某某科技有限公司", "杭州某某贸易有限公司", "北京某某文化传媒有限公司", "深圳某某电子有限公司",
             "个人")
RETURN_NOTES = {
    "missing_info": ("{label}没填，请补上再发", "缺少{label}，客户那边问一下", "{label}是空的"),
    "wrong_info": ("{label}不对，系统里查不到", "{label}和订单对不上，请核对", "{label}少了一位"),
    "not_after_sale": ("这个还没发货，属于售前，请先处理", "这是物流催件，不用转售后"),
    "customer_unreachable": ("客户电话打了三次都没接", "留的号码是空号，请确认"),
    "other": ("请补充客户原话", "重复转单，已有一单在处理"),
}
RETURN_REASONS = (("missing_info", 45), ("wrong_info", 25), ("not_after_sale", 10),
                  ("customer_unreachable", 12), ("other", 8))
OUTCOMES = {
    "refund": (("refunded", 80), ("solved", 8), ("compensated", 6), ("explained", 6)),
    "logistics": (("solved", 45), ("explained", 25), ("compensated", 15), ("refunded", 10), ("no_action", 5)),
    "quality": (("replaced", 40), ("refunded", 30), ("repaired", 10), ("compensated", 15), ("explained", 5)),
    "install_repair": (("repaired", 70), ("solved", 20), ("explained", 10)),
    "invoice": (("solved", 90), ("explained", 10)),
    "vip_risk": (("compensated", 45), ("solved", 25), ("refunded", 20), ("explained", 10)),
}
RESOLUTIONS = {
    "refunded": ("已退款 {amount} 元到原支付账户，短信已通知客户", "退货已签收，已全额退款", "已仅退款，客户确认"),
    "solved": ("已处理完毕，客户确认", "已联系客户，问题已解决", "已补发，运单号已发给客户"),
    "compensated": ("已补偿 {amount} 元优惠券，客户接受", "已赔付运费 {amount} 元", "已补偿并道歉，客户撤销投诉"),
    "explained": ("已向客户解释原因，客户表示理解", "已说明处理规则，客户同意等待"),
    "replaced": ("已安排换新，新件已发出", "换货单已生成，上门取件已预约"),
    "repaired": ("师傅已上门维修完毕", "已寄修，维修完成已寄回"),
    "no_action": ("客户已自行收到，无需处理", "重复单，已合并处理"),
}


def _marker(seed: int, transfers: int, events: int) -> str:
    # The fingerprint covers the transfer tables' indexes: a change to them rebuilds.
    return (f"v{GENERATOR_VERSION}:schema={schema_fingerprint(('transfer', 'transfer_event'))}:days={DAYS}"
            f":seed={seed}:transfers={transfers}:events={events}")


def db_path(value: str | None) -> Path:
    return _common.db_path(value, "CSCTERM_BENCH_TRANSFER_DB", DEFAULT_DB)


def is_current(path: Path, seed: int = SEED) -> bool:
    """True if ``path`` holds a finished database built with these parameters
    and still has the row counts it was built with."""
    found = stored_marker(path, "bench_transfer", ("transfer", "transfer_event"))
    return found is not None and found[0] == _marker(seed, found[1]["transfer"], found[1]["transfer_event"])


# ── people, templates, scenarios ────────────────────────────────────────────


class _People:
    def __init__(self) -> None:
        self.presale: list[list[int]] = []  # per team: agents
        self.presale_leads: list[int] = []
        self.after: list[int] = []  # agents; 0–19 early shift, 20–39 late shift
        self.after_leads: list[int] = []
        self.login: dict[int, str] = {}
        self.name: dict[int, str] = {}
        self.team: dict[int, str] = {}
        self.by_login: dict[str, int] = {}


def _people(db) -> _People:  # type: ignore[no-untyped-def]
    """bench-lead first (a lead of 售后), then everybody else."""
    from sqlalchemy import text

    from cscterm.services.users import identify

    rng = random.Random(SEED)
    people = _People()
    updates = []
    with db.session() as session:
        lead = bench_lead(session)

        def add(login: str, team: str, role: str) -> int:
            actor = lead if login == LOGIN else identify(session, login, full_name(rng))
            updates.append({"id": actor.id, "team": team, "role": role})
            people.login[actor.id], people.name[actor.id], people.team[actor.id] = \
                actor.login, actor.display_name, team
            people.by_login[actor.login] = actor.id
            return actor.id

        for n in range(AFTER_LEADS):
            people.after_leads.append(add(LOGIN if n == 0 else f"aftersale-lead{n}", AFTER_SALE, "lead"))
        for n in range(AFTER_AGENTS):
            people.after.append(add(f"aftersale{n:02d}", AFTER_SALE, "agent"))
        for t, team in enumerate(PRESALE_TEAMS):
            people.presale_leads.append(add(f"presale{t:02d}-lead", team, "lead"))
            people.presale.append([add(f"presale{t:02d}-{n:02d}", team, "agent")
                                   for n in range(PRESALE_AGENTS)])
        session.execute(text("UPDATE user SET team = :team, role = :role, created_at = :at WHERE id = :id"),
                        [dict(u, at=_stamp(datetime.combine(FIRST_DAY, datetime.min.time(), ZONE)
                                           - timedelta(days=30))) for u in updates])
    return people


def _templates(db, lead_id: int) -> dict[str, list[tuple[date, object]]]:  # type: ignore[no-untyped-def]
    """The starter templates (as open_workspace loads them), 退货退款 with a
    second version; per key, (first day, TemplateDef) newest last."""
    from sqlalchemy import text

    from cscterm.services import checklists, io
    from cscterm.services.users import identify

    with db.session() as session:
        io.load_starter(session)
        checklists.load_starter(session)
        lead = identify(session, LOGIN)
        source, row_version = checklists.template_source(session, "refund")
        assert "accept: 30m" in source
        checklists.save_source(session, lead, source.replace("accept: 30m", "accept: 20m"), key="refund",
                               version=row_version)
        v2 = checklists.get_template(session, "refund")
        first = _stamp(datetime.combine(FIRST_DAY, datetime.min.time(), ZONE) - timedelta(days=14))
        session.execute(text("UPDATE checklist_template_version SET created_at = :at"), {"at": first})
        session.execute(text("UPDATE checklist_template_version SET created_at = :at, created_by = :by "
                             "WHERE id = :id"),
                        {"at": _stamp(datetime.combine(V2_DAY, datetime.min.time(), ZONE) - timedelta(hours=2)),
                         "by": lead_id, "id": v2.version_id})
        out: dict[str, list[tuple[date, object]]] = {}
        for key, _ in TEMPLATE_MIX:
            out[key] = [(FIRST_DAY, checklists.get_template(session, key, 1))]
        out["refund"].append((V2_DAY, v2))
    return out


def _scenarios(db, templates: dict) -> dict[str, list[int]]:  # type: ignore[no-untyped-def]
    """Scenario ids of the starter library whose category a template lists."""
    from sqlalchemy import text

    with db.session() as session:
        rows = session.execute(text("SELECT id, category FROM scenario ORDER BY id")).all()
    out: dict[str, list[int]] = {}
    for key, versions in templates.items():
        prefixes = versions[-1][1].scenarios
        out[key] = [i for i, category in rows if any(category.startswith(p) for p in prefixes)]
    return out


# ── values ──────────────────────────────────────────────────────────────────


class _Values:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def fill(self, pattern: str) -> str:
        rng = self.rng
        if "{" not in pattern:
            return pattern
        return pattern.format(k=rng.randint(2, 6), k2=rng.randint(7, 12), city=rng.choice(CITIES),
                              amount=rng.choice((5, 10, 20, 30, 50, 100, 200, 3000, 12000)))

    def order(self, day: date) -> str:
        return f"{day:%Y%m%d}{self.rng.randrange(10**8):08d}"

    def phone(self) -> str:
        rng = self.rng
        if rng.random() < 0.05:
            return f"0{rng.choice(('10', '21', '571', '755'))}-{rng.randrange(10**7, 10**8)}"
        return f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"

    def when(self, after: datetime) -> str:
        """A promised instant as check_item stores it (UTC, ISO)."""
        rng = self.rng
        local = (after + timedelta(hours=rng.choice((1, 2, 3, 4, 20, 24, 44)))).astimezone(ZONE)
        local = local.replace(minute=rng.choice((0, 30)), second=0, microsecond=0)
        return local.astimezone(UTC).isoformat()

    def text(self, key: str, day: date) -> str:
        rng = self.rng
        if key == "product":
            return f"{rng.choice(PRODUCTS)} {rng.choice(SPECS)}"
        if key == "problem":
            return self.fill(rng.choice(CUSTOMER_SAYS))
        if key == "tried":
            return self.fill(rng.choice(TRIED))
        if key == "promised":
            return rng.choice(PROMISED)
        if key == "contact_time":
            return rng.choice(CONTACT)
        if key == "last_trace":
            return f"{day.month}-{day.day} {rng.randint(6, 22):02d}:{rng.randint(0, 59):02d} " \
                + self.fill(rng.choice(TRACES))
        if key == "customer_name":
            return full_name(rng)
        if key == "address":
            return f"{rng.choice(CITIES)}{rng.choice(DISTRICTS)}{rng.choice(('人民路', '建设路', '解放路', '中山路'))}" \
                f"{rng.randint(1, 999)}号{rng.randint(1, 30)}栋{rng.randint(101, 2808)}"
        if key == "title":
            return rng.choice(COMPANIES)
        if key == "email":
            return f"{rng.choice(('finance', 'caiwu', 'hr', 'admin'))}{rng.randint(1, 99)}@example.com"
        if key == "history":
            return self.fill(rng.choice(HISTORY))
        if key == "demand":
            return self.fill(rng.choice(DEMANDS))
        return self.fill(rng.choice(CUSTOMER_SAYS))

    def values(self, template, sent: datetime) -> dict[str, object]:  # type: ignore[no-untyped-def]
        """Every item, as check_values stores it: required ones filled,
        optional ones often; "" / False when left empty."""
        rng = self.rng
        day = (sent - timedelta(days=rng.randint(0, 9))).astimezone(ZONE).date()
        out: dict[str, object] = {}
        for item in template.items:
            filled = item.required or rng.random() < 0.6
            if item.kind == "check":
                out[item.key] = filled
            elif not filled:
                out[item.key] = ""
            elif item.kind == "choice":
                out[item.key] = rng.choice(item.choices)
            elif item.kind == "order":
                if item.key == "order":
                    out[item.key] = self.order(day)
                elif item.key == "tracking":
                    out[item.key] = rng.choice(("SF", "JD", "YT", "ZTO", "")) + f"{rng.randrange(10**12):012d}"
                else:  # tax id
                    out[item.key] = f"91{rng.randrange(10**6):06d}MA{rng.randrange(10**7):07d}X"
            elif item.kind == "phone":
                out[item.key] = self.phone()
            elif item.kind == "datetime":
                out[item.key] = self.when(sent)
            else:
                out[item.key] = self.text(item.key, day)
        return out


# ── lifecycles ──────────────────────────────────────────────────────────────

TRANSFER_COLUMNS = ("id", "template_version_id", "template_key", "scenario_id", "status", "sender_id",
                    "sender_team", "queue", "to_user_id", "claimed_by", "subject", "values", "bounces",
                    "escalated_at", "return_reason", "return_note", "return_items", "outcome", "resolution",
                    "sent_at", "claimed_at", "returned_at", "resolved_at", "paused_s", "accept_due_at",
                    "resolve_due_at", "accept_breached", "resolve_breached", "version", "created_at",
                    "updated_at", "updated_by")
EVENT_COLUMNS = ("transfer_id", "at", "actor_id", "kind", "reason", "note", "detail")


def _on_duty(moment: datetime) -> datetime:
    """The moment, or the next morning's start if after-sale is off."""
    local = moment.astimezone(ZONE)
    if DAY_START <= local.hour < DAY_END:
        return moment
    start = datetime.combine(local.date(), datetime.min.time(), ZONE) + timedelta(hours=DAY_START)
    return start.astimezone(UTC)


def _p_open(age_days: float) -> float:
    """After 双十一 after-sale is behind: how likely a transfer this old is still open."""
    for limit, p in ((1, 0.9), (2, 0.8), (4, 0.65), (7, 0.45), (14, 0.15), (30, 0.03)):
        if age_days < limit:
            return p
    return 0.0


class _Generator:
    def __init__(self, rng: random.Random, people: _People, templates: dict, scenarios: dict) -> None:
        self.rng = rng
        self.people = people
        self.templates = templates
        self.scenarios = scenarios
        self.values = _Values(rng)
        self.next_id = 1
        self.transfers: list[tuple] = []
        self.pending: list[tuple] = []  # events not yet written: (at, transfer_id, seq, row)
        self.counts = {"transfers": 0, "events": 0, "open": 0, "escalated": 0, "drafts": 0}
        self.states: dict[str, int] = {}
        senders = [a for team in people.presale for a in team]
        self.senders = senders
        # Some send much more than others; some are far more often returned.
        self.send_weight = [rng.lognormvariate(0, 0.5) for _ in senders]
        self.sloppy = {a: min(3.0, rng.lognormvariate(0, 0.6)) for a in senders}
        self.keys = [k for k, _ in TEMPLATE_MIX]
        self.key_weights = [w for _, w in TEMPLATE_MIX]
        self.seq = 0
        from cscterm.services.transfer import subject_of

        self.subject_of = subject_of

    def _template(self, key: str, day: date):  # type: ignore[no-untyped-def]
        versions = self.templates[key]
        return next(t for first, t in reversed(versions) if day >= first)

    def _claimer(self, at: datetime) -> int:
        hour = at.astimezone(ZONE).hour
        shift = self.people.after[:20] if hour < 16 else self.people.after[20:]
        return self.rng.choice(shift)

    def _lognormal_minutes(self, median: float, sigma: float) -> timedelta:
        return timedelta(minutes=median * math.exp(self.rng.gauss(0, sigma)))

    def transfer(self, sent: datetime, *, busy: float) -> None:
        rng, people = self.rng, self.people
        key = rng.choices(self.keys, self.key_weights)[0]
        sent_day = sent.astimezone(ZONE).date()
        template = self._template(key, sent_day)
        sender = rng.choices(self.senders, self.send_weight)[0]
        tid = self.next_id
        self.next_id += 1
        values = self.values.values(template, sent)
        scenario = rng.choice(self.scenarios[key]) if self.scenarios[key] and rng.random() < 0.25 else None
        created = sent - timedelta(seconds=rng.uniform(60, 900))
        to_user = rng.choice(people.after) if rng.random() < 0.03 else None
        age = (NOW - sent).total_seconds() / 86400
        halt = None
        if rng.random() < _p_open(age):
            roll = rng.random()
            unclaimed = 0.4 if age < 0.5 else (0.15 if age < 2 else 0.03)
            halt = "sent" if roll < unclaimed else ("returned" if roll < unclaimed + 0.18 else "claimed")

        events: list[tuple[datetime, int | None, str, str, str, dict]] = []
        events.append((created, sender, "created", "", "", {"template": key, "template_version": template.number}))
        events.append((sent, sender, "sent", "", "", {"to": people.login[to_user] if to_user else AFTER_SALE}))
        accept = template.accept.total_seconds() / 60
        resolve = template.resolve.total_seconds() / 60
        claim_at = _on_duty(sent)
        if claim_at != sent:
            claim_at += self._lognormal_minutes(20, 0.8)
        else:
            claim_at += self._lognormal_minutes(0.35 * accept * busy, 0.9)
        claim_at = max(claim_at, sent + timedelta(seconds=30))
        claimer = to_user or self._claimer(claim_at)
        if halt == "sent":
            if rng.random() < 0.05:  # a lead put it on one person's desk
                lead = rng.choice(people.after_leads)
                target = rng.choice(people.after)
                events.append((sent + (NOW - sent) * rng.uniform(0.2, 0.8), lead, "reassigned", "", "",
                               {"to": people.login[target],
                                "before": people.name[to_user] if to_user else AFTER_SALE}))
            self._finish(tid, key, template, scenario, sender, to_user, values, events)
            return
        events.append((claim_at, claimer, "claimed", "", "", {}))
        at = claim_at
        if rng.random() < 0.02:  # a lead hands it to someone else
            lead = rng.choice(people.after_leads)
            other = rng.choice([a for a in people.after if a != claimer])
            at += self._lognormal_minutes(40, 0.8)
            events.append((at, lead, "reassigned", "", "", {"to": people.login[other],
                                                            "before": people.name[claimer]}))
            claimer = other
        p_return = min(0.6, 0.10 * self.sloppy[sender])
        bounces = 0
        forced = halt == "returned"
        while bounces < 3 and (rng.random() < (p_return if bounces == 0 else 0.2) or (forced and bounces == 0)):
            at += self._lognormal_minutes(40, 0.9)
            reason = rng.choices([r for r, _ in RETURN_REASONS], [w for _, w in RETURN_REASONS])[0]
            items: list[str] = []
            label = "客户原话"
            if reason in ("missing_info", "wrong_info"):
                chosen = rng.sample([i for i in template.items if i.kind != "check"], k=rng.choice((1, 1, 2)))
                items = [i.key for i in chosen]
                label = chosen[0].label
            note = rng.choice(RETURN_NOTES[reason]).replace("{label}", label)
            bounces += 1
            events.append((at, claimer, "returned", reason, note, {"items": items, "bounce": bounces}))
            if bounces == 2:
                events.append((at, None, "escalated", "", "", {"bounces": bounces}))
            if halt == "returned" and (bounces >= 1 and rng.random() < 0.8):
                break
            paused = self._lognormal_minutes(150, 1.1)
            at += paused
            events.append((at, sender, "resent", "", "", {"paused_s": int(paused.total_seconds()), "fixed": items}))
        if halt in ("returned", "claimed"):  # still with after-sale, or back with the sender
            self._finish(tid, key, template, scenario, sender, to_user, values, events)
            return
        outcome = rng.choices([o for o, _ in OUTCOMES[key]], [w for _, w in OUTCOMES[key]])[0]
        at += self._lognormal_minutes(0.25 * resolve * busy, 0.9)
        events.append((at, claimer, "resolved", outcome, self.values.fill(rng.choice(RESOLUTIONS[outcome])), {}))
        self._finish(tid, key, template, scenario, sender, to_user, values, events)

    def draft(self, created: datetime, *, discarded: bool) -> None:
        rng = self.rng
        key = rng.choices(self.keys, self.key_weights)[0]
        template = self._template(key, created.astimezone(ZONE).date())
        sender = rng.choices(self.senders, self.send_weight)[0]
        tid = self.next_id
        self.next_id += 1
        values = self.values.values(template, created)
        for item in template.items:  # half typed
            if rng.random() < 0.4:
                values[item.key] = False if item.kind == "check" else ""
        events = [(created, sender, "created", "", "", {"template": key, "template_version": template.number})]
        if discarded:
            events.append((created + self._lognormal_minutes(8, 1.0), sender, "discarded", "", "", {}))
        self._finish(tid, key, template, None, sender, None, values, events)

    def _finish(self, tid: int, key: str, template, scenario: int | None, sender: int,  # type: ignore[no-untyped-def]
                to_user: int | None, values: dict, events: list) -> None:
        """Cut the timeline at NOW and derive the row from what happened."""
        events = [e for e in events if e[0] <= NOW]
        status, claimed_by = "draft", None
        sent_at = claimed_at = returned_at = resolved_at = escalated_at = None
        paused = bounces = 0
        return_reason, return_note, return_items = "", "", []
        outcome = resolution = ""
        accept_breached = resolve_breached = False
        accept_due = resolve_due = None
        version = 1 + self.rng.randint(0, 3)  # drafts saved a few times
        updated_at, updated_by = events[0][0], events[0][1]
        for at, actor, kind, reason, note, detail in events:
            if kind == "sent":
                status, sent_at = "sent", at
                accept_due, resolve_due = at + template.accept, at + template.resolve
            elif kind == "claimed":
                status, claimed_by, claimed_at = "claimed", actor, at
                accept_breached = at > accept_due
            elif kind == "reassigned":
                if status == "claimed":
                    claimed_by = self.people.by_login[detail["to"]]
                else:
                    to_user = self.people.by_login[detail["to"]]
            elif kind == "returned":
                status, returned_at, bounces = "returned", at, detail["bounce"]
                return_reason, return_note, return_items = reason, note, detail["items"]
            elif kind == "escalated":
                escalated_at = at
            elif kind == "resent":
                paused += detail["paused_s"]
                returned_at = None
                resolve_due = sent_at + template.resolve + timedelta(seconds=paused)
                status = "claimed"
                return_reason, return_note, return_items = "", "", []
            elif kind == "resolved":
                status, resolved_at, outcome, resolution = "resolved", at, reason, note
                resolve_breached = at > resolve_due
            elif kind == "discarded":
                status = "discarded"
            if kind not in ("created", "escalated"):
                version += 1
            if kind != "escalated":
                updated_at, updated_by = at, actor
        self.states[status] = self.states.get(status, 0) + 1
        self.counts["open"] += status in ("sent", "claimed", "returned")
        self.counts["escalated"] += escalated_at is not None
        self.counts["drafts"] += status == "draft"
        self.transfers.append((
            tid, template.version_id, key, scenario, status, sender, self.people.team[sender], AFTER_SALE,
            to_user, claimed_by, self.subject_of(template, values), json.dumps(values), bounces,
            _stamp(escalated_at) if escalated_at else None, return_reason, return_note, json.dumps(return_items),
            outcome, resolution, _stamp(sent_at) if sent_at else None, _stamp(claimed_at) if claimed_at else None,
            _stamp(returned_at) if returned_at else None, _stamp(resolved_at) if resolved_at else None, paused,
            _stamp(accept_due) if accept_due else None, _stamp(resolve_due) if resolve_due else None,
            int(accept_breached), int(resolve_breached), version, _stamp(events[0][0]), _stamp(updated_at),
            updated_by,
        ))
        self.counts["transfers"] += 1
        for at, actor, kind, reason, note, detail in events:
            self.seq += 1
            self.pending.append((at, self.seq, (tid, _stamp(at), actor, kind, reason, note, json.dumps(detail))))
        self.counts["events"] += len(events)

    def take(self, before: datetime | None) -> tuple[list[tuple], list[tuple]]:
        """The transfers so far, and the events before ``before`` in time order."""
        transfers, self.transfers = self.transfers, []
        if before is None:
            ready, self.pending = self.pending, []
        else:
            ready = [e for e in self.pending if e[0] < before]
            self.pending = [e for e in self.pending if e[0] >= before]
        ready.sort(key=lambda e: (e[0], e[1]))
        return transfers, [e[2] for e in ready]


def _day_weights() -> list[float]:
    """Relative volume per day: growth, weekends, sales peaks, Spring Festival."""
    weights = []
    for n in range(DAYS):
        day = FIRST_DAY + timedelta(days=n)
        w = 180 + 200 * n / (DAYS - 1)
        if day.weekday() >= 5:
            w *= 1.12
        md = (day.month, day.day)
        if (6, 18) <= md <= (6, 22):
            w *= 1.8
        elif (11, 11) <= md <= (11, 16):
            w *= 2.5 if md <= (11, 13) else 1.8
        elif (12, 12) <= md <= (12, 14):
            w *= 1.5
        if day in (date(2025, 1, 28), date(2025, 1, 29), date(2025, 1, 30), date(2026, 2, 16),
                   date(2026, 2, 17), date(2026, 2, 18)):
            w *= 0.45
        weights.append(w)
    return weights


def _per_day(total: int) -> list[int]:
    weights = _day_weights()
    scale = total / sum(weights)
    exact = [w * scale for w in weights]
    counts = [int(x) for x in exact]
    for n in sorted(range(DAYS), key=lambda i: exact[i] - counts[i], reverse=True)[: total - sum(counts)]:
        counts[n] += 1
    return counts


def generate(path: Path | None = None, *, seed: int = SEED, force: bool = False) -> Path:
    """The database at ``path``, built now unless a current one is there."""
    path = Path(path or db_path(None))
    if reusable(path, "transfer generate", not force and is_current(path, seed)):
        return path
    started = time.perf_counter()

    from cscterm.db.engine import Database

    db = Database(path)
    db.ensure_schema()
    people = _people(db)
    templates = _templates(db, people.after_leads[0])
    scenarios = _scenarios(db, templates)
    rng = random.Random(seed)
    gen = _Generator(rng, people, templates, scenarios)
    per_day = _per_day(TOTAL)
    insert_transfer = insert_sql("transfer", TRANSFER_COLUMNS)
    insert_event = insert_sql("transfer_event", EVENT_COLUMNS)
    hours = list(range(24))
    with bulk(db) as conn:
        for n in range(DAYS):
            day = FIRST_DAY + timedelta(days=n)
            midnight = datetime.combine(day, datetime.min.time(), ZONE).astimezone(UTC)
            md = (day.month, day.day)
            busy = 1.8 if (11, 11) <= md <= (11, 20) or (6, 18) <= md <= (6, 24) else 1.0
            moments = []
            for _ in range(per_day[n]):
                hour = rng.choices(hours, HOUR_WEIGHTS)[0]
                moment = midnight + timedelta(hours=hour, seconds=rng.uniform(0, 3600))
                if day == LAST_DAY and moment > NOW:  # today: only until now
                    moment = midnight + (NOW - midnight) * rng.random()
                moments.append(moment)
            moments.sort()
            for moment in moments:
                gen.transfer(moment, busy=busy)
                if rng.random() < 0.003:
                    gen.draft(moment + timedelta(minutes=rng.uniform(1, 120)), discarded=True)
            next_midnight = midnight + timedelta(days=1)
            if n >= DAYS - 3:  # drafts being filled now
                for _ in range(50):
                    created = midnight + (min(next_midnight, NOW) - midnight) * rng.random()
                    gen.draft(min(created, NOW - timedelta(minutes=1)), discarded=False)
            last = n == DAYS - 1
            # what later days add starts after their midnight (less a draft's minutes)
            transfers, events = gen.take(None if last else next_midnight - timedelta(hours=1))
            conn.exec_driver_sql(insert_transfer, transfers)
            conn.exec_driver_sql(insert_event, events)
            if n % 90 == 89 or last:
                say(f"transfer generate: day {n + 1:3d}/{DAYS}  {gen.counts['transfers']:,} transfers  "
                    f"{gen.counts['events']:,} events  {time.perf_counter() - started:5.1f} s")
        counts = count_rows(conn.connection.driver_connection, ("transfer", "transfer_event"))
        assert counts["transfer"] == gen.counts["transfers"] and counts["transfer_event"] == gen.counts["events"]
        check_keys(conn, "transfer generate")
        analyze_s = seal(conn, "bench_transfer", _marker(seed, counts["transfer"], counts["transfer_event"]),
                         analyze=True)
    db.dispose()
    size = path.stat().st_size / 2**20
    states = ", ".join(f"{k} {v:,}" for k, v in sorted(gen.states.items(), key=lambda kv: -kv[1]))
    say(f"transfer generate: wrote {path} ({counts['transfer']:,} transfers, {counts['transfer_event']:,} events, "
        f"{size:.0f} MiB) in {time.perf_counter() - started:.1f} s (ANALYZE {analyze_s:.1f} s)\n"
        f"transfer generate: {states}; {gen.counts['escalated']:,} escalated")
    return path


def main(argv: list[str] | None = None) -> Path:
    return generator_main(__doc__, argv, generate, db_path, SEED, DEFAULT_DB.name)


if __name__ == "__main__":
    main()
