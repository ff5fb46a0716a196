"""services/checklists.py: checklist templates (转售后清单模板) — parsing,
the bad-input corpus in ``tests/data/transfer/``, imports that are all or
nothing, and versions: an edit is a new version and a transfer keeps the one
it was made from."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from cscterm.errors import Conflict, NotAllowed, NotFound
from cscterm.services import checklists
from cscterm.services import transfer as tr
from cscterm.services.checklists import DEFAULT_ORDER, DEFAULT_PHONE
from cscterm.services.io import ImportFailed

from .helpers import DATA, Fault

STARTER = checklists.starter_files()
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
TABLES = ("checklist_template", "checklist_template_version", "meta")

GOOD = """\
format: cscterm-checklist/1
key: callback
name: 回访
category: 回访
scenarios: [售后/回访]
queue: 回访组
sla:
  accept: 1h
  resolve: 1d2h
subject: "{order}"
items:
  - key: order
    label: 订单号
    kind: order
    required: true
  - key: phone
    label: 联系电话
    kind: phone
  - key: name
    label: 联系人
    kind: text
    personal: true
  - key: when
    label: 回电时间
    kind: datetime
    hint: 例：15:30
  - key: mood
    label: 客户情绪
    kind: choice
    choices: [平静, 着急]
  - key: done
    label: 已回电
    kind: check
"""

FAULTS = [
    Fault("transfer/not_yaml.yaml", 12, "yaml", "mapping values are not allowed here"),
    Fault("transfer/wrong_format.yaml", 2, "format",
          "unknown format “cscterm-checklist/9”; expected cscterm-checklist/1"),
    Fault("transfer/missing_sla.yaml", 2, "sla", "required field is missing or empty"),
    Fault("transfer/bad_duration.yaml", 7, "sla.accept", "“half an hour” is not a duration"),
    Fault("transfer/sla_too_long.yaml", 8, "sla.resolve", "“31d” is not a duration"),
    Fault("transfer/resolve_shorter_than_accept.yaml", 8, "sla.resolve",
          "time to resolve (1h) is shorter than time to accept (2h)"),
    Fault("transfer/unknown_kind.yaml", 12, "items[0].kind",
          "“money” is not one of: check, text, choice, order, phone, datetime"),
    Fault("transfer/duplicate_item_key.yaml", 13, "items[1].key",
          "“order” is already used on line 10"),
    Fault("transfer/bad_item_key.yaml", 10, "items[0].key",
          "“Order-No” is not a valid item key"),
    Fault("transfer/bad_pattern.yaml", 13, "items[0].pattern",
          "not a valid regular expression: unterminated character set"),
    Fault("transfer/pattern_without_example.yaml", 13, "items[0].example",
          "a pattern needs an example"),
    Fault("transfer/example_not_matching_pattern.yaml", 14, "items[0].example",
          "the example “SF1234567890” does not match the pattern"),
    Fault("transfer/pattern_on_text_item.yaml", 13, "items[0].pattern",
          "only order and phone items take a pattern"),
    Fault("transfer/choice_with_one_option.yaml", 13, "items[0].choices",
          "a choice item needs at least two choices"),
    Fault("transfer/choices_on_text_item.yaml", 13, "items[0].choices",
          "only choice items take choices"),
    Fault("transfer/subject_unknown_field.yaml", 9, "subject",
          "{customer} is not an item key; use one of: order"),
    Fault("transfer/unknown_field.yaml", 13, "items[0].mandatory",
          "unknown field; expected one of: choices, example,"),
    Fault("transfer/duplicate_key.yaml", 13, "items[0].label", "appears twice in the same mapping"),
    Fault("transfer/wrong_type_required.yaml", 13, "items[0].required",
          "expected true/false, got text"),
    Fault("transfer/items_not_list.yaml", 10, "items", "expected a list, got a mapping"),
    Fault("transfer/invalid_utf8.yaml", 11, "file", "not valid UTF-8"),
    Fault("transfer/too_many_items.yaml", 10, "items", "41 items; a checklist holds at most 40"),
]
HOSTILE = DATA / "transfer" / "hostile_text.yaml"


def counts(path: Path) -> dict[str, int]:
    con = sqlite3.connect(path)
    try:
        return {t: con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}
    finally:
        con.close()


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def do(workspace):  # type: ignore[no-untyped-def]
    def call(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
        with workspace.session() as session:
            return fn(session, *args, **kwargs)

    return call


# ── the starter templates ──────────────────────────────────────────────────


@pytest.mark.parametrize("name", [name for _, name in STARTER])
def test_each_starter_template_parses_without_problems(name: str) -> None:
    path = dict((n, p) for p, n in STARTER)[name]
    template, problems = checklists.parse(path, name)
    assert [str(p) for p in problems] == []
    assert template is not None and name.endswith(f"/{template.key}.yaml")
    assert template.queue == "售后" and template.accept <= template.resolve
    assert template.items[0].kind == "check" and template.items[0].required
    assert any(i.kind == "phone" and i.personal for i in template.items)


def test_a_new_database_has_every_starter_template_at_version_1(do) -> None:
    infos = do(checklists.list_templates)
    assert sorted(i.key for i in infos) == ["install_repair", "invoice", "logistics", "quality",
                                            "refund", "vip_risk"]
    assert {i.number for i in infos} == {1}
    refund = next(i for i in infos if i.key == "refund")
    assert (refund.name, refund.item_count, refund.accept, refund.resolve) == (
        "退货退款", 13, timedelta(minutes=30), timedelta(hours=24))


def test_the_starter_templates_load_once(do, workspace) -> None:
    before = counts(workspace.db.path)
    assert do(checklists.load_starter) == checklists.ImportSummary()
    assert counts(workspace.db.path) == before


# ── parsing ────────────────────────────────────────────────────────────────


def test_a_template_reads_every_field_with_its_defaults() -> None:
    template, problems = checklists.parse("callback.yaml", source=GOOD)
    assert problems == [] and template is not None
    assert (template.key, template.name, template.category, template.queue, template.subject) == (
        "callback", "回访", "回访", "回访组", "{order}")
    assert (template.accept, template.resolve) == (timedelta(hours=1), timedelta(hours=26))
    assert template.scenarios == ("售后/回访",)
    order, phone, name, when, mood, done = template.items
    assert (order.pattern, order.example, order.required) == (DEFAULT_ORDER, "2026112312345678",
                                                              True)
    assert (phone.pattern, phone.example, phone.personal) == (DEFAULT_PHONE, "13812345678", True)
    assert (name.personal, name.required, name.pattern) == (True, False, "")
    assert (when.kind, when.hint) == ("datetime", "例：15:30")
    assert mood.choices == ("平静", "着急") and done.kind == "check"


@pytest.mark.parametrize(("text", "minutes"), [
    ("30m", 30), ("30min", 30), ("2h", 120), ("1d", 1440), ("1h30m", 90), ("1d 2h", 1560),
    (" 2H ", 120), (45, 45),
])
def test_a_duration_is_read_in_days_hours_and_minutes(text, minutes) -> None:
    assert checklists.parse_duration(text) == timedelta(minutes=minutes)


@pytest.mark.parametrize("text", ["", "0m", "soon", "2 hours", "-1h", "1.5h", True, 0, -5])
def test_a_duration_that_is_not_one_is_none(text) -> None:
    assert checklists.parse_duration(text) is None


@pytest.mark.parametrize(("minutes", "text"), [(30, "30m"), (90, "1h30m"), (1440, "1d"),
                                               (1530, "1d1h30m"), (0, "0m")])
def test_format_duration_writes_what_parse_duration_reads(minutes, text) -> None:
    assert checklists.format_duration(timedelta(minutes=minutes)) == text


@pytest.mark.parametrize("fault", FAULTS, ids=str)
def test_each_bad_file_gives_a_problem_on_its_line_naming_the_field(fault: Fault) -> None:
    template, problems = checklists.parse(fault.path, fault.file)
    assert template is None
    assert [(p.line, p.field) for p in problems] == [(fault.line, fault.field)], problems
    (problem,) = problems
    assert fault.says in problem.message
    assert str(problem).startswith(f"{fault.file}:{fault.line}: {fault.field}: ")


def test_the_hostile_template_is_accepted_and_kept_literally() -> None:
    template, problems = checklists.parse(HOSTILE, "hostile_text.yaml")
    assert problems == [] and template is not None
    assert template.name == "[bold red]x[/] 敌意文本"
    assert template.category == "[link=http://e.invalid]点我[/link]"
    order, product, mood, raw = template.items
    assert order.label == "[bold red]x[/] 订单号" and order.hint == "\x1b[31m红色\x1b[0m 提示"
    assert product.label == "\x1b]52;c;aGk=\x07 商品"
    assert product.hint == "BEL\x07 BEL \x07[/] [@click=app.quit]quit[/]"
    assert mood.label == "[reverse]情绪[/reverse]"
    assert mood.choices == ("[blink]平静[/blink]", "\x1b[5m愤怒")
    assert raw.hint == "RAW \x1b[31m literal ESC before the bracket"


def test_the_hostile_template_is_stored_and_used_literally(do, lead, agent) -> None:
    do(checklists.import_files, lead, [HOSTILE])
    stored = do(checklists.get_template, "corpus-hostile")
    parsed, _ = checklists.parse(HOSTILE)
    assert stored.items == parsed.items and stored.name == parsed.name
    source, _version = do(checklists.template_source, "corpus-hostile")
    assert source == HOSTILE.read_text(encoding="utf-8")
    view = do(tr.create, agent, "corpus-hostile", now=NOW)
    assert view.template.items[1].label == "\x1b]52;c;aGk=\x07 商品"


def test_a_problem_in_several_places_lists_each() -> None:
    text = GOOD.replace("kind: phone", "kind: fax").replace("accept: 1h", "accept: soon")
    template, problems = checklists.parse("x.yaml", source=text)
    assert template is None
    assert [(p.line, p.field) for p in problems] == [(8, "sla.accept"), (18, "items[1].kind")]


# ── importing ──────────────────────────────────────────────────────────────


def test_an_import_stores_a_new_template(do, lead, tmp_path) -> None:
    summary = do(checklists.import_files, lead, [write(tmp_path, "callback.yaml", GOOD)])
    assert summary.created == ["callback"]
    assert do(checklists.get_template, "callback").number == 1
    assert do(checklists.template_source, "callback")[0] == GOOD


def test_importing_the_same_file_again_changes_nothing(do, workspace, lead, tmp_path) -> None:
    path = write(tmp_path, "callback.yaml", GOOD)
    do(checklists.import_files, lead, [path])
    before = counts(workspace.db.path)
    assert do(checklists.import_files, lead, [path]).unchanged == ["callback"]
    assert counts(workspace.db.path) == before


def test_an_import_with_a_changed_template_adds_a_version(do, lead, tmp_path) -> None:
    do(checklists.import_files, lead, [write(tmp_path, "a.yaml", GOOD)])
    changed = write(tmp_path, "b.yaml", GOOD.replace("label: 联系人", "label: 联系人姓名"))
    assert do(checklists.import_files, lead, [changed]).updated == ["callback"]
    template = do(checklists.get_template, "callback")
    assert (template.number, template.items[2].label) == (2, "联系人姓名")
    assert do(checklists.get_template, "callback", 1).items[2].label == "联系人"


def test_an_import_with_any_bad_file_is_rejected_whole(do, workspace, lead, tmp_path) -> None:
    good = write(tmp_path, "callback.yaml", GOOD)
    refund = do(checklists.template_source, "refund")[0]
    changed = write(tmp_path, "refund.yaml", refund.replace("name: 退货退款", "name: 退款"))
    bad = DATA / "transfer" / "bad_duration.yaml"
    before = counts(workspace.db.path)
    with pytest.raises(ImportFailed) as caught:
        do(checklists.import_files, lead, [good, changed, bad],
           ["callback.yaml", "refund.yaml", "bad_duration.yaml"])
    assert [str(p) for p in caught.value.problems] == [
        "bad_duration.yaml:7: sla.accept: “half an hour” is not a duration; write 30m, 2h, 1d "
        "or 1h30m (at most 30d)"]
    assert str(caught.value).startswith("bad_duration.yaml:7: sla.accept: ")
    assert counts(workspace.db.path) == before
    with pytest.raises(NotFound):
        do(checklists.get_template, "callback")
    assert do(checklists.get_template, "refund").name == "退货退款"


def test_every_problem_of_every_file_is_reported(do, workspace, lead) -> None:
    files = [f.path for f in FAULTS]
    before = counts(workspace.db.path)
    with pytest.raises(ImportFailed) as caught:
        do(checklists.import_files, lead, files, [f.file for f in FAULTS])
    assert [(p.file, p.line, p.field) for p in caught.value.problems] == [
        (f.file, f.line, f.field) for f in FAULTS]
    assert counts(workspace.db.path) == before


def test_two_files_with_the_same_key_are_refused(do, workspace, lead, tmp_path) -> None:
    first = write(tmp_path, "one.yaml", GOOD)
    second = write(tmp_path, "two.yaml", GOOD.replace("name: 回访", "name: 回访二"))
    before = counts(workspace.db.path)
    with pytest.raises(ImportFailed) as caught:
        do(checklists.import_files, lead, [first, second], ["one.yaml", "two.yaml"])
    (problem,) = caught.value.problems
    assert str(problem) == "two.yaml:1: key: template key “callback” is also used by one.yaml"
    assert counts(workspace.db.path) == before


def test_a_missing_file_is_a_problem_not_a_crash(do, lead, tmp_path) -> None:
    with pytest.raises(ImportFailed) as caught:
        do(checklists.import_files, lead, [tmp_path / "gone.yaml"], ["gone.yaml"])
    (problem,) = caught.value.problems
    assert (problem.file, problem.field) == ("gone.yaml", "file")


def test_an_agent_cannot_import_templates(do, workspace, agent, tmp_path) -> None:
    before = counts(workspace.db.path)
    with pytest.raises(NotAllowed) as caught:
        do(checklists.import_files, agent, [write(tmp_path, "callback.yaml", GOOD)])
    assert "Only a lead" in str(caught.value)
    assert counts(workspace.db.path) == before


# ── editing and versions ───────────────────────────────────────────────────


def test_an_edit_stores_a_new_version_and_an_existing_transfer_keeps_its_own(do, lead,
                                                                             agent) -> None:
    old = do(tr.create, agent, "refund", now=NOW)
    source, version = do(checklists.template_source, "refund")
    edited = source.replace("label: 客户原话", "label: 客户的原话").replace(
        "  - key: contact_time\n", "  - key: callback_ok\n    label: 同意回电\n    kind: check\n"
        "  - key: contact_time\n")
    new = do(checklists.save_source, lead, edited, key="refund", version=version)
    assert new.number == 2 and new.item("callback_ok") is not None
    again = do(tr.get_transfer, agent, old.id, now=NOW)
    assert again.template.number == 1
    assert [i.item for i in again.items] == list(old.template.items)
    assert "客户原话" in [i.item.label for i in again.items]
    assert "callback_ok" not in [i.item.key for i in again.items]
    fresh = do(tr.create, agent, "refund", now=NOW)
    assert fresh.template.number == 2 and fresh.template.item("problem").label == "客户的原话"
    assert do(checklists.template_source, "refund") == (edited, version + 1)


def test_saving_an_unchanged_template_adds_no_version(do, lead) -> None:
    source, version = do(checklists.template_source, "refund")
    assert do(checklists.save_source, lead, source, key="refund", version=version).number == 1


def test_a_stale_edit_is_refused_naming_who_changed_it(do, lead) -> None:
    source, version = do(checklists.template_source, "refund")
    do(checklists.save_source, lead, source.replace("name: 退货退款", "name: 退款"), key="refund",
       version=version)
    with pytest.raises(Conflict) as caught:
        do(checklists.save_source, lead, source.replace("name: 退货退款", "name: 退货"),
           key="refund", version=version)
    assert "This template was changed by lead1" in str(caught.value)
    assert do(checklists.get_template, "refund").name == "退款"


def test_an_agent_cannot_edit_a_template(do, agent) -> None:
    source, version = do(checklists.template_source, "refund")
    with pytest.raises(NotAllowed):
        do(checklists.save_source, agent, source.replace("退货退款", "x"), key="refund",
           version=version)
    assert do(checklists.get_template, "refund").number == 1


def test_an_edit_may_not_change_the_key(do, lead) -> None:
    source, version = do(checklists.template_source, "refund")
    with pytest.raises(ImportFailed) as caught:
        do(checklists.save_source, lead, source.replace("key: refund", "key: refund2"),
           key="refund", version=version)
    (problem,) = caught.value.problems
    assert str(problem) == ("refund.yaml:1: key: the key must stay “refund” "
                            "(copy the template to make a new one)")
    with pytest.raises(NotFound):
        do(checklists.get_template, "refund2")


def test_a_new_template_may_not_take_an_existing_key(do, lead) -> None:
    source, _ = do(checklists.template_source, "refund")
    with pytest.raises(ImportFailed) as caught:
        do(checklists.save_source, lead, source)
    assert "a template with key “refund” exists already" in str(caught.value)


def test_a_new_template_is_saved_at_version_1(do, lead) -> None:
    template = do(checklists.save_source, lead, GOOD)
    assert (template.key, template.number) == ("callback", 1)
    assert "回访" in [i.name for i in do(checklists.list_templates)]


def test_an_edit_with_problems_is_refused_with_file_line_and_field(do, lead) -> None:
    source, version = do(checklists.template_source, "refund")
    with pytest.raises(ImportFailed) as caught:
        do(checklists.save_source, lead, source.replace("accept: 30m", "accept: 3 0m"),
           key="refund", version=version)
    (problem,) = caught.value.problems
    assert (problem.file, problem.field) == ("refund.yaml", "sla.accept")
    assert do(checklists.get_template, "refund").number == 1


def test_an_edit_that_is_too_large_is_refused(do, lead) -> None:
    from cscterm.errors import Invalid

    with pytest.raises(Invalid):
        do(checklists.save_source, lead, GOOD + "#" * checklists.MAX_SOURCE)


def test_an_unknown_template_or_version_is_not_found(do) -> None:
    with pytest.raises(NotFound) as caught:
        do(checklists.get_template, "nope")
    assert "nope" in str(caught.value)
    with pytest.raises(NotFound):
        do(checklists.get_template, "refund", 9)
    with pytest.raises(NotFound):
        do(checklists.template_source, "nope")


# ── writing YAML ───────────────────────────────────────────────────────────


@pytest.mark.parametrize("name", [name for _, name in STARTER] + ["hostile", "good"])
def test_to_yaml_reads_back_as_the_same_template(name: str) -> None:
    if name == "hostile":
        template, _ = checklists.parse(HOSTILE)
    elif name == "good":
        template, _ = checklists.parse("good.yaml", source=GOOD)
    else:
        template, _ = checklists.parse(dict((n, p) for p, n in STARTER)[name], name)
    assert template is not None
    text = checklists.to_yaml(template)
    again, problems = checklists.parse("again.yaml", source=text)
    assert problems == []
    assert again is not None and again.to_definition() == template.to_definition()


def test_a_template_stored_without_its_text_is_written_out_as_yaml(workspace, do) -> None:
    from sqlmodel import select

    from cscterm.db.models import ChecklistTemplateVersion

    with workspace.session() as session:
        version = session.exec(select(ChecklistTemplateVersion).where(
            ChecklistTemplateVersion.number == 1)).first()
        version.source = ""
        session.add(version)
        key = next(i.key for i in checklists.list_templates(session)
                   if i.name == version.name)
    source, _ = do(checklists.template_source, key)
    parsed, problems = checklists.parse("x.yaml", source=source)
    assert problems == [] and parsed.to_definition() == do(checklists.get_template,
                                                           key).to_definition()


# ── which template for a scenario ──────────────────────────────────────────


def test_a_scenario_with_no_matching_template_gets_none(do) -> None:
    assert do(checklists.for_scenario, "售前/商品咨询") is None


def test_a_longer_prefix_wins_over_a_shorter_one(do, lead) -> None:
    do(checklists.save_source, lead, GOOD.replace("scenarios: [售后/回访]", "scenarios: [售后]"))
    assert do(checklists.for_scenario, "售后/退款/部分退款") == "refund"
    assert do(checklists.for_scenario, "售后/回访/满意度") == "callback"



# ── versions by id ─────────────────────────────────────────────────────────


def test_a_version_is_read_from_its_own_database_when_another_has_the_same_id(
        do, lead, starter_template, tmp_path) -> None:
    import shutil

    from cscterm import config
    from cscterm.services.workspace import open_workspace

    here = do(checklists.save_source, lead, GOOD)
    assert do(checklists.by_version_id, here.version_id).key == "callback"
    shutil.copy(starter_template, tmp_path / "other.db")
    other = open_workspace(config.resolve(db=tmp_path / "other.db", lang="en", user="lead1",
                                          env={}))
    try:
        with other.session() as session:
            source, version = checklists.template_source(session, "refund")
            there = checklists.save_source(session, other.actor,
                                           source.replace("name: 退货退款", "name: 退款"),
                                           key="refund", version=version)
        assert there.version_id == here.version_id
        with other.session() as session:
            assert checklists.by_version_id(session, there.version_id).key == "refund"
    finally:
        other.close()
    assert do(checklists.by_version_id, here.version_id).key == "callback"


# ── the documented format ──────────────────────────────────────────────────


def test_the_documented_example_is_a_valid_template() -> None:
    import re

    doc = (Path(__file__).resolve().parents[2] / "docs" / "checklist-format.md").read_text(
        encoding="utf-8")
    example = re.search(r"```yaml\n(.*?)```", doc, re.S)
    assert example is not None
    template, problems = checklists.parse("example.yaml", source=example[1])
    assert [str(p) for p in problems] == []
    assert template is not None and len(template.items) == 7
