"""Build (or reuse) a three-year shift-handover database for benchmarks/handover.py.

    uv run python benchmarks/handover_generate.py [PATH] [--seed S] [--force]

PATH defaults to benchmarks/out/cscterm-handover.db (git-ignored; env
CSCTERM_BENCH_HANDOVER_DB). The database is opened the way the app opens it
(``Database`` + ``ensure_schema``); its first user ("bench-lead") is the lead
of the first of 20 teams, and every team has one lead and two agents working
three shifts a day (夜班 00–08, 早班 08–16, 中班 16–24, Beijing time). Three
years of handovers follow, one note per team per shift (~65,700 notes) with
~4.5 items each (~296,000), written the way the service would have left them:

* old notes are acknowledged by the next shift, a few minutes either side of
  its start; ~17% more than 15 minutes late (~4% over an hour), ~0.4% never;
  ~2% are addressed to a person rather than the next shift;
* items are mostly done during the next shift (with a closing note and a
  "done" comment) or rolled into the team's next note (copied with
  ``origin_id``, the old one ``handed_on`` with ``carried_to_id``), so chains
  of rolled copies exist, a few rolled three times or more; a small tail was
  left open and never carried (overdue in the lead queue);
* the current moment (``NOW``, 2026-11-20 10:30 Beijing time, the early shift
  running) has unacknowledged night-shift notes for seven teams (two of them
  addressed to a person), two teams that also missed the one before, open
  items from the night, and drafts of the early-shift note in eight teams.

Text is Chinese (the English team's notes in English) built from handover
vocabulary below plus the products of ``_vocab.py``. Rows go in with
``executemany`` on one connection (foreign keys are checked once at the end
with ``PRAGMA foreign_key_check``); every submitted note is indexed in
``handover_gram`` with ``cscterm.db.search.index_handovers``, in batches,
with the text ``services.handover`` indexes. The same seed gives the same
database. A database built with the same parameters and row counts is reused.
"""

from __future__ import annotations

import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common  # noqa: E402
from _build import (ZONE, bench_lead, bulk, check_keys, count_rows, full_name, generator_main,  # noqa: E402
                    insert_sql, reusable, seal, stored_marker)
from _build import stamp as _stamp  # noqa: E402
from _common import OUT, say  # noqa: E402
from _vocab import CITIES, EN_PRODUCTS, PRODUCTS, SURNAMES  # noqa: E402

GENERATOR_VERSION = 1
SEED = 20261120
DEFAULT_DB = OUT / "cscterm-handover.db"
NOW = datetime(2026, 11, 20, 10, 30, tzinfo=ZONE).astimezone(UTC)
DAYS = 3 * 365 + 1
FIRST_DAY = NOW.astimezone(ZONE).date() - timedelta(days=DAYS - 1)
SHIFTS = (("夜班", 0, 8 * 60), ("早班", 8 * 60, 16 * 60), ("中班", 16 * 60, 24 * 60))
K_NOW = (DAYS - 1) * 3 + 1  # index of the running slot (today's 早班)
BATCH_SLOTS = 90  # a month of shifts per transaction

TEAMS = (
    "售前一组", "售前二组", "售前三组", "售后一组", "售后二组", "售后三组", "售后四组", "物流专线",
    "退款专线", "投诉处理组", "大客户组", "会员服务组", "直播专线", "生鲜专线", "家电专线",
    "母婴专线", "美妆专线", "数码专线", "海外购组", "英文组",
)
ENGLISH_TEAM = 19
# The night note to today's early shift is still waiting in these teams
# (None: addressed to the shift; "a": to the team's first agent; "lead").
UNACKED_NOW = {0: None, 3: None, 5: "a", 8: None, 11: "lead", 14: None, 17: None}
UNACKED_PREV = {0, 8}  # and yesterday's late-shift note too
DRAFT_TEAMS = {1, 2, 4, 6, 9, 12, 15, 18}  # the early shift has started its note

CARRIERS = ("顺丰", "中通", "圆通", "韵达", "申通", "京东物流", "邮政EMS", "极兔")
WAREHOUSES = ("嘉兴仓", "东莞仓", "天津仓", "成都仓", "武汉仓", "沈阳仓")
SYSTEMS = ("工单系统", "退款后台", "千牛", "呼叫中心", "知识库", "CRM", "订单中心")

FLOW = ("整体平稳", "高峰在{h}点前后", "{h}点后咨询明显变多", "大促预热咨询多", "退款类占了大半",
        "物流催件占比高", "晚上比较清闲", "电话比在线多")
SUMMARY_OPENERS = ("{shift}进线{n}通，{flow}。", "本班共接待{n}位客户，{flow}。", "{shift}咨询量{n}，{flow}。",
                   "进线{n}，{flow}，满意度{sat}%。")
EVENTS = ("{p}{prob}的集中来了几单。", "{wh}发货延迟，已报物流组。", "{sys}卡顿约{m}分钟，已恢复。",
          "有{k}位客户要求升级投诉，已按流程处理。", "退款审核积压{k}单，财务说下一班处理。",
          "{carrier}{city}网点暂停揽收，相关订单已备注。", "直播间秒杀后退款咨询多。",
          "{p}缺货，已统一回复预计补货时间。", "新人{name}跟班，表现不错。", "无特殊情况。",
          "{p}差评{k}条，已联系客户沟通。", "有客户在微博上发帖，已报公关。")
INCIDENTS = ("{sys}故障{m}分钟，期间无法查询订单，已报IT。", "{carrier}大面积延误，客户集中投诉。",
             "支付渠道异常导致重复扣款，已统计{k}单待退。",
             "价格设置错误导致{p}低价下单{k}单，等运营决定是否发货。",
             "{wh}爆仓，今天的单要晚一到两天发。")
WATCH = ("{city}暴雨，{carrier}派送延迟，客户问起统一口径：预计晚{k}天送达。",
         "优惠券今晚24点失效，客户问到提醒尽快用。", "客户{surname}{title}情绪激动，再来电请转组长。",
         "退款入口改到了订单详情页底部，客户找不到时引导一下。", "{sys}{h}点维护，期间退款暂停提交。",
         "{p}这批质量投诉多，统一走换货流程。", "平台新规：超时未回复会扣分，消息务必{m}分钟内回。",
         "{wh}盘点，明天上午不发货。", "{p}价保活动到本周日，差价申请别漏。",
         "有客户冒充快递员套取订单信息，核实身份再说地址。")
PROBLEMS = ("物流{k}天没更新", "签收后发现外包装破损", "少发了赠品", "退款{k}天还没到账", "要求开增值税专票",
            "投诉快递员态度差", "下单后要改收货地址", "被重复扣款", "收到的货有质量问题要换货",
            "价保差价还没退", "预售一直没发货", "发错了颜色", "七天无理由退货被拒要求复核",
            "会员积分没到账", "显示已签收但本人没收到", "安装师傅没按约上门", "商品和详情页描述不符",
            "到货已经变质", "优惠券下单时没抵扣", "发票抬头开错要重开", "退货寄回后仓库迟迟不签收",
            "拒收后退款一直没退", "要求赔付运费险", "说之前承诺的补偿没兑现")
MOODS = ("情绪比较激动", "已经来电{k}次", "说再不处理就投诉到平台", "态度还好，等我们回复", "要求今天给答复",
         "提到要打12315", "是老客户，语气平和", "在直播间也留言了", "要求主管回电")
DETAILS = ("已联系{wh}核实", "已提交{carrier}理赔", "财务在审核", "等{carrier}回复", "已补发，运单号还没出",
           "已让客户拍照留证", "质检结果明天出", "主管已同意补偿{amount}元券", "系统里查不到退货物流",
           "工单已升级到二线")
ACTIONS = ("{hh}:{mm}前回电客户告知处理进度", "跟进{wh}补发结果，出单号后发给客户",
           "催财务审核退款，到账后短信通知客户", "等{carrier}理赔结果，超过{k}天升级组长",
           "和客户确认新地址后改单", "申请{amount}元补偿券，审批后告知客户", "核实质检报告，回复客户能否换货",
           "联系安装师傅重新约时间", "查退货签收情况，签收后马上退款", "重开发票后发到客户邮箱",
           "回访客户确认问题已解决", "把录音和聊天记录整理给投诉组")
RESULTS = ("客户接受补偿", "退款已到账", "补发单号已发给客户", "客户同意换货", "问题已解决", "客户撤销了投诉",
           "地址已改好", "发票已重开", "客户说收到了")
CLOSINGS = ("已回电客户，{res}。", "{res}，客户表示满意。", "已处理：{res}。", "{res}，工单已关闭。")
SYNTHESES = ("收到，{k}个待办我来跟，{ref}优先。", "明白，重点盯{ref}。", "已接班，{k}项在跟。",
             "收到，注意{watch}。", "收到，{ref}我先打电话。")
NOTES = ("客户{h}点又来电催了，已安抚。", "仓库回复明天处理。", "快递说今天派送。", "客户电话没接，已短信留言。")

EN_FLOW = ("steady all shift", "a peak around {h}:00", "mostly refund questions", "busy after {h}:00")
EN_EVENTS = ("{carrier} pickups in {city} paused; orders noted.", "Several customers asked about {p} stock.",
             "{sys} was slow for {m} minutes, now fine.", "{k} escalations handled by the book.",
             "Nothing unusual.")
EN_PROBLEMS = ("parcel stuck for {k} days", "refund not received after {k} days", "wrong colour delivered",
               "item arrived damaged", "wants to change the delivery address", "charged twice",
               "missing free gift", "return refused at the warehouse")
EN_ACTIONS = ("Call back before {hh}:{mm} with an update", "Chase the warehouse for the replacement",
              "Check the refund with finance and email the customer", "Confirm the new address and amend the order",
              "Wait for the carrier's claim result; escalate after {k} days")
EN_RESULTS = ("customer accepted a voucher", "refund arrived", "replacement tracking sent", "issue solved")


def _marker(seed: int, notes: int, items: int) -> str:
    return f"v{GENERATOR_VERSION}:teams={len(TEAMS)}:days={DAYS}:seed={seed}:notes={notes}:items={items}"


def db_path(value: str | None) -> Path:
    return _common.db_path(value, "CSCTERM_BENCH_HANDOVER_DB", DEFAULT_DB)


def is_current(path: Path, seed: int = SEED) -> bool:
    """True if ``path`` holds a finished database built with these parameters
    and still has the row counts it was built with."""
    found = stored_marker(path, "bench_handover", ("handover", "handover_item"))
    return found is not None and found[0] == _marker(seed, found[1]["handover"], found[1]["handover_item"])


# ── slots ───────────────────────────────────────────────────────────────────


class _Slots:
    """Slot k is shift ``k % 3`` of day ``k // 3`` (times precomputed)."""

    def __init__(self) -> None:
        self.start: list[datetime] = []
        self.stamp: list[str] = []
        for k in range(K_NOW + 2):
            day = FIRST_DAY + timedelta(days=k // 3)
            minute = SHIFTS[k % 3][1]
            local = datetime(day.year, day.month, day.day, tzinfo=ZONE) + timedelta(minutes=minute)
            self.start.append(local.astimezone(UTC))
            self.stamp.append(_stamp(local))

    @staticmethod
    def name(k: int) -> str:
        return SHIFTS[k % 3][0]

    @staticmethod
    def day(k: int) -> str:
        return (FIRST_DAY + timedelta(days=k // 3)).isoformat()


# ── text ────────────────────────────────────────────────────────────────────


class _Text:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def _fill(self, pattern: str, english: bool = False) -> str:
        rng = self.rng
        if "{" not in pattern:
            return pattern
        return pattern.format(
            h=rng.randint(9, 23), m=rng.choice((5, 10, 15, 20, 30, 40)), k=rng.randint(2, 9),
            n=rng.randint(60, 480), sat=rng.randint(88, 99), hh=f"{rng.randint(9, 22):02d}",
            mm=rng.choice(("00", "30")), amount=rng.choice((5, 10, 20, 30, 50, 100)),
            p=rng.choice(EN_PRODUCTS if english else PRODUCTS), carrier=rng.choice(CARRIERS),
            city=rng.choice(CITIES), wh=rng.choice(WAREHOUSES), sys=rng.choice(SYSTEMS),
            name=full_name(rng), surname=rng.choice(SURNAMES),
            title=rng.choice(("先生", "女士")), prob=rng.choice(PROBLEMS).replace("{k}", "3"),
            shift="", flow="", res="", ref="", watch="",
        )

    def summary(self, shift: str, overall: str, english: bool) -> str:
        rng = self.rng
        if english:
            parts = [f"Inbound {rng.randint(40, 260)} contacts, " + self._fill(rng.choice(EN_FLOW), True) + "."]
            parts += [self._fill(e, True) for e in rng.sample(EN_EVENTS, k=rng.randint(1, 2))]
            return " ".join(parts)
        opener = rng.choice(SUMMARY_OPENERS).replace("{flow}", self._fill(rng.choice(FLOW)))
        parts = [self._fill(opener.replace("{shift}", shift))]
        if overall == "incident":
            parts.append(self._fill(rng.choice(INCIDENTS)))
        parts += [self._fill(e) for e in rng.sample(EVENTS, k=rng.randint(1, 3 if overall == "busy" else 2))]
        return "".join(parts)

    def watchouts(self, english: bool) -> str:
        rng = self.rng
        if rng.random() < 0.45:
            return ""
        if english:
            return "Heads-up: " + self._fill(rng.choice(EN_EVENTS), True)
        return "".join(self._fill(w) for w in rng.sample(WATCH, k=rng.randint(1, 2)))

    def reference(self, english: bool) -> str:
        rng = self.rng
        roll = rng.random()
        if english:
            return f"Order #A{rng.randint(10**8, 10**9 - 1)}" if roll < 0.8 else \
                f"Customer {rng.choice(('Ms', 'Mr'))} {rng.choice(('Smith', 'Lee', 'Chan', 'Wong', 'Brown', 'Khan'))}"
        if roll < 0.55:
            return f"订单{rng.randint(10**17, 10**18 - 1)}"
        if roll < 0.8:
            return f"客户{rng.choice(SURNAMES)}{rng.choice(('先生', '女士'))}（尾号{rng.randint(0, 9999):04d}）"
        if roll < 0.92:
            return f"工单#{rng.randint(100000, 999999)}"
        return f"售后单{rng.randint(10**11, 10**12 - 1)}"

    def situation(self, english: bool) -> str:
        rng = self.rng
        if english:
            return (f"Customer says their {rng.choice(EN_PRODUCTS)} " + self._fill(rng.choice(EN_PROBLEMS), True)
                    + f"; called {rng.randint(2, 5)} times.")
        text = "客户" + rng.choice(PRODUCTS) + self._fill(rng.choice(PROBLEMS)) + "，" + self._fill(rng.choice(MOODS))
        if rng.random() < 0.7:
            text += "，" + self._fill(rng.choice(DETAILS))
        return text + "。"

    def action(self, english: bool) -> str:
        if english:
            return self._fill(self.rng.choice(EN_ACTIONS), True) + "."
        return self._fill(self.rng.choice(ACTIONS)) + "。"

    def closing(self, english: bool) -> str:
        rng = self.rng
        if english:
            return "Done: " + rng.choice(EN_RESULTS) + "."
        return rng.choice(CLOSINGS).replace("{res}", rng.choice(RESULTS))

    def synthesis(self, english: bool, open_items: int, reference: str, watchouts: str) -> str:
        rng = self.rng
        if english:
            return f"Got it, following up on {open_items} items." if open_items else "Got it, nothing open."
        pattern = rng.choice(SYNTHESES)
        short = (watchouts.split("，")[0].split("。")[0] or "客户情绪")[:16]
        return pattern.replace("{k}", str(open_items)).replace("{ref}", reference[:14] or "待办") \
            .replace("{watch}", short)

    def note(self) -> str:
        return self._fill(self.rng.choice(NOTES))


# ── generation ──────────────────────────────────────────────────────────────

NOTE_COLUMNS = ("id", "team", "author_id", "status", "shift_name", "shift_date", "shift_start", "shift_end",
                "overall", "summary", "watchouts", "to_shift_name", "to_shift_date", "to_shift_start",
                "to_user_id", "submitted_at", "acked_by", "acked_at", "ack_delay_s", "synthesis", "version",
                "created_at", "updated_at", "updated_by")
ITEM_COLUMNS = ("id", "handover_id", "team", "position", "reference", "situation", "next_action", "due_at",
                "owner_id", "status", "rolled_count", "origin_id", "carried_to_id", "ack", "closing_note",
                "closed_at", "closed_by", "version", "updated_at", "updated_by")
COMMENT_COLUMNS = ("item_id", "author_id", "kind", "body", "created_at")
_TIME_COLUMNS = {"due_at", "closed_at", "updated_at"}


def _item_row(item: dict) -> tuple:
    return tuple(_stamp(item[c]) if c in _TIME_COLUMNS and item[c] is not None else item[c]
                 for c in ITEM_COLUMNS)


class _Generator:
    def __init__(self, rng: random.Random, members: list[list[int]]) -> None:
        self.rng = rng
        self.text = _Text(rng)
        self.slots = _Slots()
        self.members = members  # per team: [lead, agent a, agent b]
        self.pending: list[list[dict]] = [[] for _ in TEAMS]  # open items awaiting the next note
        self.next_note = 1
        self.next_item = 1
        self.notes: list[tuple] = []
        self.items: list[tuple] = []
        self.comments: list[tuple] = []
        self.index: list[tuple[int, str, str]] = []
        self.counts = {"notes": 0, "items": 0, "comments": 0, "drafts": 0}

    def author(self, t: int, k: int) -> int:
        return self.members[t][(k + t) % 3]

    def _emit(self, item: dict) -> None:
        self.items.append(_item_row(item))
        self.counts["items"] += 1

    def _comment(self, item_id: int, author: int, kind: str, body: str, at: datetime) -> None:
        self.comments.append((item_id, author, kind, body, _stamp(at)))
        self.counts["comments"] += 1

    def note(self, t: int, k: int) -> None:
        """The team's note for finished slot ``k`` and its items' fates."""
        rng, text = self.rng, self.text
        english = t == ENGLISH_TEAM and rng.random() < 0.9
        team = TEAMS[t]
        members = self.members[t]
        author = self.author(t, k)
        start, end = self.slots.start[k], self.slots.start[k + 1]
        latest = k == K_NOW - 1
        status, to_user = "acknowledged", None
        if latest and t in UNACKED_NOW:
            status = "submitted"
            who = UNACKED_NOW[t]
            if who is not None:
                to_user = members[1] if who == "a" else members[0]
                if to_user == author:
                    to_user = members[2]
        elif k == K_NOW - 2 and t in UNACKED_PREV:
            status = "submitted"
        elif rng.random() < 0.004:
            status = "submitted"  # never acknowledged
        elif rng.random() < 0.02:
            to_user = rng.choice([m for m in members if m != author])
        acker = to_user or self.author(t, k + 1)
        note_id = self.next_note
        self.next_note += 1

        overall = rng.choices(("normal", "busy", "incident"), weights=(75, 20, 5))[0]
        summary = text.summary(_Slots.name(k), overall, english)
        watchouts = text.watchouts(english)
        created = start + (end - start) * rng.uniform(0.3, 0.9)
        if rng.random() < 0.9:
            submitted = end - timedelta(seconds=rng.uniform(0, 1500))
        else:
            submitted = end + timedelta(seconds=rng.uniform(0, 1200))
        submitted = max(submitted, created + timedelta(minutes=5))
        acked_at = ack_delay = None
        if status == "acknowledged":
            roll = rng.random()
            if roll < 0.85:
                delay = rng.uniform(-8 * 60, 14 * 60)
            elif roll < 0.96:
                delay = rng.uniform(16 * 60, 3600)
            else:
                delay = rng.uniform(3600, 6 * 3600)
            acked_at = max(end + timedelta(seconds=delay), submitted + timedelta(minutes=1))
            if acked_at >= NOW:
                acked_at = end + timedelta(seconds=rng.uniform(0, 14 * 60))
            ack_delay = int((acked_at - end).total_seconds())

        # items: the team's open items rolled over first, then new ones
        items: list[dict] = []
        for old in self.pending[t]:
            copy = dict(old, id=self.next_item, handover_id=note_id, rolled_count=old["rolled_count"] + 1,
                        origin_id=old["id"], carried_to_id=None, ack="", status="open", version=1,
                        updated_at=submitted, updated_by=author)
            self.next_item += 1
            old.update(status="handed_on", carried_to_id=copy["id"], version=old["version"] + 1,
                       updated_at=submitted, updated_by=author)
            if rng.random() < 0.1:
                self._comment(old["id"], author, "handed_on", "交下一班继续跟进" if not english else
                              "Passing on to the next shift", submitted - timedelta(minutes=3))
            self._emit(old)
            items.append(copy)
        self.pending[t] = []
        new = {"normal": rng.randint(1, 5), "busy": rng.randint(2, 6), "incident": rng.randint(3, 8)}[overall]
        for _ in range(new):
            preset = rng.choice([m for m in members if m != author]) if rng.random() < 0.3 else None
            due = end + timedelta(minutes=rng.uniform(20, 450)) if rng.random() < 0.85 else \
                end + timedelta(hours=rng.uniform(8, 30))
            items.append({
                "id": self.next_item, "handover_id": note_id, "team": team, "position": 0,
                "reference": text.reference(english), "situation": text.situation(english),
                "next_action": text.action(english), "due_at": due, "owner_id": preset, "status": "open",
                "rolled_count": 0, "origin_id": None, "carried_to_id": None, "ack": "", "closing_note": "",
                "closed_at": None, "closed_by": None, "version": 1, "updated_at": submitted,
                "updated_by": author,
            })
            self.next_item += 1
        for position, item in enumerate(items):
            item["position"] = position

        synthesis = ""
        if status == "acknowledged":
            assert acked_at is not None
            synthesis = text.synthesis(english, len(items), items[0]["reference"] if items else "", watchouts)
            for item in items:
                if rng.random() < 0.03:
                    item["ack"] = "question"
                    self._comment(item["id"], acker, "question",
                                  "客户那边现在什么进度？" if not english else "What is the status now?", acked_at)
                else:
                    item["ack"] = "accepted"
                    if item["owner_id"] is None:
                        item["owner_id"] = acker
                item["version"] += 1
                item["updated_at"], item["updated_by"] = acked_at, acker

        # what the receiving shift did with each item
        shift_end = self.slots.start[k + 2]
        for item in items:
            worker = item["owner_id"] or acker
            if latest:  # the shift is running now: some done already, the rest open
                if rng.random() < 0.35:
                    self._close(item, end + (NOW - end) * rng.uniform(0.1, 0.95), worker, english)
                elif t in DRAFT_TEAMS:
                    self.pending[t].append(item)  # copied into the draft, not yet carried
                    continue
                self._emit(item)
                continue
            rolled = item["rolled_count"]
            stuck = 0.02 if rolled >= 3 else 0.0015
            carry = 0.0 if rolled >= 6 else (0.22 if rolled == 0 else 0.38)
            roll = rng.random()
            if roll < stuck:  # left open and never carried: the overdue tail
                self._emit(item)
            elif roll < stuck + carry:
                self.pending[t].append(item)
                if rng.random() < 0.04:
                    self._comment(item["id"], worker, "note", text.note(),
                                  end + (shift_end - end) * rng.uniform(0.1, 0.9))
            else:
                closed = min(end + (shift_end - end) * rng.uniform(0.05, 0.95), NOW - timedelta(minutes=1))
                self._close(item, closed, worker, english)
                self._emit(item)

        content = [_Slots.name(k), summary, watchouts, synthesis]
        for item in items:
            content += [item["reference"], item["situation"], item["next_action"]]
        self.index.append((note_id, team, "\n".join(p for p in content if p)))
        version = 1 + rng.randint(1, 3) + (1 if status == "acknowledged" else 0)
        self.notes.append((
            note_id, team, author, status, _Slots.name(k), _Slots.day(k), self.slots.stamp[k],
            self.slots.stamp[k + 1], overall, summary, watchouts, _Slots.name(k + 1), _Slots.day(k + 1),
            self.slots.stamp[k + 1], to_user, _stamp(submitted), acker if acked_at else None,
            _stamp(acked_at) if acked_at else None, ack_delay, synthesis, version, _stamp(created),
            _stamp(acked_at or submitted), acker if acked_at else author,
        ))
        self.counts["notes"] += 1

    def _close(self, item: dict, at: datetime, who: int, english: bool) -> None:
        closing = self.text.closing(english)
        item.update(status="done", closing_note=closing, closed_at=at, closed_by=who,
                    version=item["version"] + 1, updated_at=at, updated_by=who)
        self._comment(item["id"], who, "done", closing, at)

    def draft(self, t: int) -> None:
        """The running shift's note, started: rolled copies (status draft)
        of the night's open items, which stay open until it is submitted."""
        rng = self.rng
        k = K_NOW
        author = self.author(t, k)
        note_id = self.next_note
        self.next_note += 1
        now_stamp = _stamp(NOW - timedelta(minutes=rng.randint(5, 90)))
        summary = self.text.summary(_Slots.name(k), "normal", t == ENGLISH_TEAM) if rng.random() < 0.5 else ""
        position = 0
        for old in self.pending[t]:
            self._emit(old)  # the original stays open, not carried
            self.items.append(_item_row(dict(
                old, id=self.next_item, handover_id=note_id, position=position, status="draft",
                rolled_count=old["rolled_count"] + 1, origin_id=old["id"], carried_to_id=None, ack="",
                version=1, updated_at=NOW - timedelta(minutes=5), updated_by=author)))
            self.counts["items"] += 1
            self.next_item += 1
            position += 1
        self.pending[t] = []
        for _ in range(rng.randint(0, 2)):  # new items half typed
            self.items.append((self.next_item, note_id, TEAMS[t], position, self.text.reference(False),
                               self.text.situation(False), "", None, None, "draft", 0, None, None, "", "",
                               None, None, 1, now_stamp, author))
            self.counts["items"] += 1
            self.next_item += 1
            position += 1
        self.notes.append((
            note_id, TEAMS[t], author, "draft", _Slots.name(k), _Slots.day(k), self.slots.stamp[k],
            self.slots.stamp[k + 1], "normal", summary, "", _Slots.name(k + 1), _Slots.day(k + 1),
            self.slots.stamp[k + 1], None, None, None, None, None, "", rng.randint(1, 4), now_stamp,
            now_stamp, author,
        ))
        self.counts["notes"] += 1
        self.counts["drafts"] += 1

    def finish(self) -> None:
        """Open items of the latest notes in teams without a draft."""
        for t in range(len(TEAMS)):
            for item in self.pending[t]:
                self._emit(item)
            self.pending[t] = []

    def take(self) -> tuple[list[tuple], list[tuple], list[tuple], list[tuple[int, str, str]]]:
        batch = (self.notes, self.items, self.comments, self.index)
        self.notes, self.items, self.comments, self.index = [], [], [], []
        return batch


def _users(db) -> list[list[int]]:  # type: ignore[no-untyped-def]
    """One lead and two agents per team; the first user is bench-lead."""
    from sqlalchemy import text

    from cscterm.services.users import identify

    rng = random.Random(SEED)
    members: list[list[int]] = []
    updates = []
    with db.session() as session:
        lead = bench_lead(session)
        for t, team in enumerate(TEAMS):
            ids = []
            for role, login in (("lead", f"lead{t:02d}"), ("agent", f"agent{t:02d}a"),
                                ("agent", f"agent{t:02d}b")):
                if t == 0 and role == "lead":
                    actor = lead
                else:
                    actor = identify(session, login, full_name(rng))
                updates.append({"id": actor.id, "team": team, "role": role})
                ids.append(actor.id)
            members.append(ids)
        session.execute(text("UPDATE user SET team = :team, role = :role WHERE id = :id"), updates)
        session.execute(
            text("INSERT INTO shift (team, name, start_minute, end_minute, position, active, version, "
                 "updated_at, updated_by) VALUES (:team, :name, :start, :end, :position, 1, 1, :at, :by)"),
            [{"team": team, "name": name, "start": first, "end": last, "position": n,
              "at": _stamp(datetime.combine(FIRST_DAY, datetime.min.time(), ZONE) - timedelta(days=7)),
              "by": lead.id}
             for team in TEAMS for n, (name, first, last) in enumerate(SHIFTS)],
        )
    return members


def generate(path: Path | None = None, *, seed: int = SEED, force: bool = False) -> Path:
    """The database at ``path``, built now unless a current one is there."""
    path = Path(path or db_path(None))
    if reusable(path, "handover generate", not force and is_current(path, seed)):
        return path
    started = time.perf_counter()

    from cscterm.db import search as fts
    from cscterm.db.engine import Database

    db = Database(path)
    db.ensure_schema()
    members = _users(db)
    gen = _Generator(random.Random(seed), members)
    insert_note = insert_sql("handover", NOTE_COLUMNS)
    insert_item = insert_sql("handover_item", ITEM_COLUMNS)
    insert_comment = insert_sql("handover_comment", COMMENT_COLUMNS)
    index_seconds = 0.0
    # Rolled items point at copies made later: check the keys once, at the end.
    with bulk(db, defer_keys=True) as conn:
        for first in range(0, K_NOW, BATCH_SLOTS):
            for k in range(first, min(first + BATCH_SLOTS, K_NOW)):
                for t in range(len(TEAMS)):
                    gen.note(t, k)
            if first + BATCH_SLOTS >= K_NOW:
                for t in sorted(DRAFT_TEAMS):
                    gen.draft(t)
                gen.finish()
            notes, items, comments, index = gen.take()
            conn.exec_driver_sql(insert_note, notes)
            conn.exec_driver_sql(insert_item, items)
            conn.exec_driver_sql(insert_comment, comments)
            t0 = time.perf_counter()
            fts.index_handovers(conn, index)  # type: ignore[arg-type]
            index_seconds += time.perf_counter() - t0
            conn.commit()
            day = min(first + BATCH_SLOTS, K_NOW) // 3
            if day % 180 < BATCH_SLOTS // 3 or first + BATCH_SLOTS >= K_NOW:
                say(f"handover generate: day {day:4d}/{DAYS}  {gen.counts['notes']:,} notes  "
                    f"{gen.counts['items']:,} items  {time.perf_counter() - started:5.1f} s")
        check_keys(conn, "handover generate")
        counts = count_rows(conn.connection.driver_connection, ("handover", "handover_item", "handover_comment"))
        assert counts["handover"] == gen.counts["notes"] and counts["handover_item"] == gen.counts["items"]
        seal(conn, "bench_handover", _marker(seed, counts["handover"], counts["handover_item"]), analyze=False)
    db.dispose()
    size = path.stat().st_size / 2**20
    say(f"handover generate: wrote {path} ({counts['handover']:,} notes, {counts['handover_item']:,} items, "
        f"{counts['handover_comment']:,} comments, {size:.0f} MiB) in {time.perf_counter() - started:.1f} s "
        f"(of which indexing {index_seconds:.1f} s)")
    return path


def main(argv: list[str] | None = None) -> Path:
    return generator_main(__doc__, argv, generate, db_path, SEED, DEFAULT_DB.name)


if __name__ == "__main__":
    main()
