"""Build (or reuse) a realistic 100,000-script cscterm database for the benchmarks.

    uv run python benchmarks/generate.py [PATH] [--scripts N] [--seed S] [--force]

PATH defaults to benchmarks/out/cscterm-100k.db (git-ignored; env
CSCTERM_BENCH_DB). The database is opened the way the app opens it
(``Database`` + ``ensure_schema``), gets the real starter library and its first
user ("bench-lead", the lead), then ~20,000 synthetic scenarios × ~5 scripts,
each script with 2–4 styles, ~90% Chinese and ~10% English, written with core
``executemany`` inserts and indexed with ``cscterm.db.search.index_many`` in
batches, exactly as an import would index them. About 4% of scripts are
personal (owned by one of 20 agents or the lead) and 1% retired. The lead gets
usage stats for 300 scripts. Deterministic for a given seed.

A database that already exists with the same parameters and row count is reused.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _build import stored_marker  # noqa: E402
from _common import DISPLAY_NAME, LOGIN, db_path, remove_db, say  # noqa: E402
from _vocab import (  # noqa: E402
    CLOSERS, CONTEXTS, DOMAINS_EN, DOMAINS_ZH, EN_CLOSERS, EN_OPENERS, EN_PRODUCTS, ENGLISH_SHARE,
    OPENERS, PRODUCTS, STYLES,
)

GENERATOR_VERSION = 1
TOTAL_SCRIPTS = 100_000
SEED = 20261123
BATCH_SCENARIOS = 2_000
AGENTS = 20
PERSONAL_SHARE = 0.04
RETIRED_SHARE = 0.01
USAGE_SCRIPTS = 300
BASE_TIME = datetime(2024, 1, 1, 8, 0, 0)  # UTC; the library grows over ~2.5 years


def _stamp(moment: datetime) -> str:
    """As SQLAlchemy stores a DateTime in SQLite (naive UTC text)."""
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def _marker(total: int, seed: int) -> str:
    return f"v{GENERATOR_VERSION}:scripts={total}:seed={seed}"


def is_current(path: Path, total: int = TOTAL_SCRIPTS, seed: int = SEED) -> bool:
    """True if ``path`` holds a finished database built with these parameters."""
    found = stored_marker(path, "bench_generated", ("script",))
    return found is not None and found[0] == _marker(total, seed) and found[1]["script"] == total


class _Keys:
    """search_keys of title parts, computed once per distinct part (pypinyin
    costs ~0.5 ms a title; titles are built from a few hundred parts)."""

    def __init__(self) -> None:
        from cscterm.services.scripts import search_keys

        self._search_keys = search_keys
        self._cache: dict[str, tuple[str, str]] = {}

    def of(self, *parts: str) -> tuple[str, str]:
        pinyin, initials = [], []
        for part in parts:
            keys = self._cache.get(part)
            if keys is None:
                keys = self._cache[part] = self._search_keys(part)
            pinyin.append(keys[0])
            initials.append(keys[1])
        return "".join(pinyin)[:600], "".join(initials)[:120]


class _Builder:
    def __init__(self, rng: random.Random, keys: _Keys, taken_shortcuts: set[str]) -> None:
        self.rng = rng
        self.keys = keys
        self.taken = taken_shortcuts
        self.counters: dict[str, int] = {}
        self.leaf_codes: dict[str, str] = {}

    def shortcut(self, domain: dict, leaf: str) -> str:
        """Pinyin-ish prefix (domain + leaf initials) plus a running number: wlkd17."""
        code = self.leaf_codes.get(leaf)
        if code is None:
            code = self.leaf_codes[leaf] = domain["code"] + self.keys.of(leaf)[1][:2]
        while True:
            n = self.counters[code] = self.counters.get(code, 0) + 1
            shortcut = f"{code}{n}"
            if shortcut not in self.taken:
                self.taken.add(shortcut)
                return shortcut

    def body_zh(self, domain: dict, style: str, product: str) -> str:
        rng = self.rng
        opener, closer = rng.choice(OPENERS[style]), rng.choice(CLOSERS[style])
        sentences = rng.sample(domain["sentences"], k=min(len(domain["sentences"]), rng.randint(1, 3)))
        core = []
        for sentence in sentences:
            if rng.random() < 0.3:
                sentence = sentence.replace("{{product_name|商品}}", product)
                sentence = sentence.replace("商品", product, 1)
            core.append(sentence)
            if len(opener) + sum(map(len, core)) + len(closer) >= 60 and rng.random() < 0.6:
                break
        body = opener + "".join(core) + closer
        while len(body) > 200 and len(core) > 1:
            core.pop()
            body = opener + "".join(core) + closer
        if len(body) < 40:
            body += rng.choice(domain["sentences"])
        return body[:200]

    def body_en(self, domain: dict, product: str) -> str:
        rng = self.rng
        core = rng.sample(domain["sentences"], k=rng.randint(1, 2))
        body = rng.choice(EN_OPENERS) + " ".join(core) + " " + rng.choice(EN_CLOSERS)
        if rng.random() < 0.3:
            body = body.replace("order {{order_no}}", f"your {product} order {{{{order_no}}}}")
        return body[:400]


def generate(path: Path, *, total: int = TOTAL_SCRIPTS, seed: int = SEED, force: bool = False) -> Path:
    """The database at ``path``, built now unless a current one is there."""
    path = Path(path)
    if not force and is_current(path, total, seed):
        say(f"generate: reusing {path} ({total:,} scripts)")
        return path
    remove_db(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()

    from sqlalchemy import text

    from cscterm.db import search as fts
    from cscterm.db.engine import Database
    from cscterm.services import io
    from cscterm.services.users import identify

    db = Database(path)
    db.ensure_schema()
    with db.session() as session:
        io.load_starter(session)
        lead = identify(session, LOGIN, DISPLAY_NAME)
        agents = [identify(session, f"agent{n:02d}", f"坐席{n:02d}").id for n in range(1, AGENTS + 1)]
    assert lead.role == "lead", "the benchmark user must be the database's first user"

    with db.session() as session:
        conn = session.connection()
        starter = conn.exec_driver_sql("SELECT COUNT(*) FROM script").scalar_one()
        taken = {r[0] for r in conn.exec_driver_sql("SELECT shortcut FROM script")}
        next_scenario = conn.exec_driver_sql("SELECT COALESCE(MAX(id), 0) + 1 FROM scenario").scalar_one()
        next_script = conn.exec_driver_sql("SELECT COALESCE(MAX(id), 0) + 1 FROM script").scalar_one()
        next_variant = conn.exec_driver_sql("SELECT COALESCE(MAX(id), 0) + 1 FROM script_variant").scalar_one()
    to_make = total - starter
    if to_make <= 0:
        raise SystemExit(f"the starter library alone has {starter} scripts (asked for {total})")

    rng = random.Random(seed)
    keys = _Keys()
    builder = _Builder(rng, keys, taken)
    owners = [lead.id] + agents
    span = (datetime(2026, 6, 30) - BASE_TIME).total_seconds()

    made = 0
    scenario_n = 0
    insert_scenario = text(
        "INSERT INTO scenario (id, key, language, category, title, level, tags, situation, reasons, "
        "concerns, phrases, guidance, never, active, version, created_at, updated_at, updated_by) "
        "VALUES (:id, :key, :language, :category, :title, :level, :tags, :situation, :reasons, "
        ":concerns, :phrases, :guidance, :never, 1, 1, :created_at, :created_at, :by)"
    )
    insert_script = text(
        "INSERT INTO script (id, scenario_id, owner_id, title, shortcut, default_style, pinyin, "
        "initials, active, version, created_at, updated_at, updated_by) VALUES (:id, :scenario_id, "
        ":owner_id, :title, :shortcut, :default_style, :pinyin, :initials, :active, 1, :created_at, "
        ":created_at, :by)"
    )
    insert_variant = text(
        "INSERT INTO script_variant (id, script_id, style, position, body) "
        "VALUES (:id, :script_id, :style, :position, :body)"
    )
    dumps = lambda value: json.dumps(value, ensure_ascii=False)  # noqa: E731

    while made < to_make:
        scenarios, scripts, variants, index_rows = [], [], [], []
        for _ in range(BATCH_SCENARIOS):
            if made >= to_make:
                break
            english = rng.random() < ENGLISH_SHARE
            domain = rng.choice(DOMAINS_EN if english else DOMAINS_ZH)
            leaf = rng.choice(domain["leaves"])
            situation = rng.choice(domain["situations"])
            created = BASE_TIME + timedelta(seconds=span * scenario_n / (total / 5) + rng.random() * 3600)
            if english:
                product = rng.choice(EN_PRODUCTS)
                scen_title = f"Customer {situation}" if rng.random() < 0.5 else f"{product.capitalize()}: customer {situation}"
                situation_text = f"The customer {situation}; usually because they " + rng.choice(domain["reasons"]) + "."
                guidance = " ".join(rng.sample(domain["sentences"], k=min(2, len(domain["sentences"]))))
                language = "en"
            else:
                product = rng.choice(PRODUCTS)
                pattern = rng.random()
                if pattern < 0.4:
                    scen_title = rng.choice(CONTEXTS) + situation
                elif pattern < 0.8:
                    scen_title = product + situation
                else:
                    scen_title = "客户" + situation
                situation_text = f"客户{situation}，多半是因为{rng.choice(domain['reasons'])}。"
                guidance = "先确认订单和诉求，再按下面的话术回复。" + rng.choice(domain["sentences"])
                language = "zh_CN"
            category = f"{domain['prefix']}/{leaf}"
            phrases = rng.sample(domain["phrases"], k=min(len(domain["phrases"]), rng.randint(3, 5)))
            tags = rng.sample(domain["tags"], k=min(len(domain["tags"]), rng.randint(3, 6)))
            if leaf not in tags:
                tags.append(leaf)
            scenario_id = next_scenario
            next_scenario += 1
            scenario_n += 1
            scenarios.append({
                "id": scenario_id, "key": f"bench-{scenario_id:06d}", "language": language,
                "category": category, "title": scen_title[:120],
                "level": rng.choice(("all", "all", "all", "new", "senior")), "tags": dumps(tags),
                "situation": situation_text,
                "reasons": dumps(rng.sample(domain["reasons"], k=min(len(domain["reasons"]), 2))),
                "concerns": dumps(rng.sample(domain["concerns"], k=min(len(domain["concerns"]), 2))),
                "phrases": dumps(phrases), "guidance": guidance,
                "never": dumps(rng.sample(domain["never"], k=min(len(domain["never"]), rng.randint(1, 2)))),
                "created_at": _stamp(created), "by": lead.id,
            })
            moves = rng.sample(domain["moves"], k=min(len(domain["moves"]), rng.randint(3, 7)))
            for move in moves:
                if made >= to_make:
                    break
                if english:
                    title = f"{situation.capitalize()}: {move}"
                    pinyin, initials = keys.of(title)
                else:
                    roll = rng.random()
                    if roll < 0.2:
                        parts = (move,)
                    elif roll < 0.45:
                        parts = (product, situation, "，", move)
                    else:
                        parts = (situation, "，", move)
                    title = "".join(parts)
                    pinyin, initials = keys.of(*parts)
                roll = rng.random()
                owner = rng.choice(owners) if roll < PERSONAL_SHARE else None
                active = not (PERSONAL_SHARE <= roll < PERSONAL_SHARE + RETIRED_SHARE)
                k = rng.randint(2, 4)
                if english:
                    styles = ["standard"] + rng.sample(("caring", "casual"), k=min(k - 1, 2))
                else:
                    picked = set(rng.sample(STYLES, k=k))
                    styles = [s for s in STYLES if s in picked]
                bodies = [builder.body_en(domain, product) if english else builder.body_zh(domain, s, product)
                          for s in styles]
                script_id = next_script
                next_script += 1
                scripts.append({
                    "id": script_id, "scenario_id": scenario_id, "owner_id": owner, "title": title[:120],
                    "shortcut": builder.shortcut(domain, leaf),
                    "default_style": styles[0] if rng.random() < 0.7 else rng.choice(styles),
                    "pinyin": pinyin, "initials": initials, "active": active,
                    "created_at": _stamp(created + timedelta(minutes=rng.randint(0, 600))), "by": lead.id,
                })
                for position, (style, body) in enumerate(zip(styles, bodies)):
                    variants.append({"id": next_variant, "script_id": script_id, "style": style,
                                     "position": position, "body": body})
                    next_variant += 1
                if active:
                    index_rows.append({
                        "id": script_id, "owner_id": owner,
                        "title": fts.search_title(title, scen_title, category),
                        "phrases": phrases, "bodies": bodies, "tags": tags,
                        "keys": fts.keys_text(scripts[-1]["shortcut"], initials, pinyin),
                    })
                made += 1
        with db.session() as session:
            session.execute(text("PRAGMA synchronous=OFF"))
            session.execute(insert_scenario, scenarios)
            session.execute(insert_script, scripts)
            session.execute(insert_variant, variants)
            fts.index_many(session, index_rows)
        say(f"generate: {starter + made:,}/{total:,} scripts  {time.perf_counter() - started:5.1f} s")

    with db.session() as session:
        _usage(session, rng, lead.id)
        session.execute(text("INSERT INTO meta (key, value) VALUES ('bench_generated', :v)"),
                        {"v": _marker(total, seed)})
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.dispose()
    size = path.stat().st_size / 2**20
    say(f"generate: wrote {path} ({total:,} scripts, {size:.0f} MiB) in {time.perf_counter() - started:.1f} s")
    return path


def _usage(session, rng: random.Random, user_id: int) -> None:  # type: ignore[no-untyped-def]
    """The lead's copy history: a few hundred scripts, heavy-tailed use counts."""
    from sqlalchemy import text

    ids = [r[0] for r in session.execute(text(
        "SELECT id FROM script WHERE active AND (owner_id IS NULL OR owner_id = :me)"), {"me": user_id})]
    chosen = rng.sample(ids, k=min(USAGE_SCRIPTS, len(ids)))
    now = datetime(2026, 6, 30, 12)
    stats, uses_log = [], []
    for script_id in chosen:
        uses = min(200, int(rng.paretovariate(1.2)))
        last = now - timedelta(seconds=rng.random() * 90 * 86400)
        stats.append({"user_id": user_id, "script_id": script_id, "uses": uses, "last_used": _stamp(last)})
        for n in range(min(uses, 20)):
            uses_log.append({"script_id": script_id, "user_id": user_id, "style": "standard",
                             "used_at": _stamp(last - timedelta(hours=n * 7))})
    session.execute(text("INSERT INTO script_usage_stat (user_id, script_id, uses, last_used) "
                         "VALUES (:user_id, :script_id, :uses, :last_used)"), stats)
    session.execute(text("INSERT INTO script_usage (script_id, user_id, style, used_at) "
                         "VALUES (:script_id, :user_id, :style, :used_at)"), uses_log)


def main(argv: list[str] | None = None) -> Path:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", nargs="?", help="database file (default benchmarks/out/cscterm-100k.db)")
    parser.add_argument("--scripts", type=int, default=TOTAL_SCRIPTS, help="scripts in total (default 100000)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--force", action="store_true", help="rebuild even if a current database exists")
    args = parser.parse_args(argv)
    return generate(db_path(args.path), total=args.scripts, seed=args.seed, force=args.force)


if __name__ == "__main__":
    main()
