"""The ``cscterm`` command.

Only ``cscterm`` with no subcommand starts the TUI, and only then is Textual
imported; the other commands stay quick and never touch the terminal beyond
printing.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import click

from cscterm import __version__
from cscterm.config import Config, resolve
from cscterm.errors import DomainError
from cscterm.i18n import register, set_language, t
from cscterm.text import printable


class _Context:
    def __init__(self, config: Config) -> None:
        self.config = config

    def workspace(self) -> Any:
        from cscterm.services.workspace import open_workspace

        return open_workspace(self.config)


# json.dumps escapes C0 controls but passes DEL and C1 (U+0080-U+009F) through
# raw, and a terminal may act on them (U+009B is CSI): escape those too.
_JSON_UNSAFE = re.compile("[\x7f-\x9f]")


def _json_line(data: dict[str, Any]) -> str:
    """One JSON object, lossless, with no control character left raw."""
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(data, ensure_ascii=False))


def _cell(value: str) -> str:
    """Text for one line of output: controls, TAB and LF all shown as pictures,
    so a field can neither reach the terminal nor break the line's columns."""
    return printable(value).replace("\t", "\u2409").replace("\n", "\u2424")


def _fail(message: str, code: int = 2) -> None:
    click.echo(printable(message), err=True)
    sys.exit(code)


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", "db", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Database file (env CSCTERM_DB; default: the user data folder).")
@click.option("--lang", type=click.Choice(["zh_CN", "en"]), default=None,
              help="UI language (env CSCTERM_LANG; default: from the locale).")
@click.option("--user", "user", default=None, metavar="LOGIN",
              help="Act as this login (env CSCTERM_USER; default: the OS login).")
@click.version_option(__version__, "-V", "--version", prog_name="cscterm")
@click.pass_context
def cli(ctx: click.Context, db: Path | None, lang: str | None, user: str | None) -> None:
    """cscterm — the customer-service workbench.

    Run without a command to open the workbench.
    """
    config = resolve(db=db, lang=lang, user=user)
    set_language(config.lang)
    ctx.obj = _Context(config)
    if ctx.invoked_subcommand is None:
        from cscterm.tui.app import run

        run(config)


@cli.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.pass_obj
def import_(obj: _Context, files: tuple[Path, ...]) -> None:
    """Load scenario packs or forbidden-term lists (YAML).

    Every file is checked first; if any has a problem, each is reported as
    FILE:LINE: field: problem and nothing is written.
    """
    from cscterm.services import io

    ws = obj.workspace()
    try:
        with ws.session() as session:
            summary = io.import_files(session, ws.actor, list(files), [str(f) for f in files])
    except io.ImportFailed as exc:
        for problem in exc.problems:
            click.echo(_cell(str(problem)), err=True)
        _fail(t("cli.import_failed", count=len(exc.problems)), 1)
    except DomainError as exc:
        _fail(str(exc), 1)
    finally:
        ws.close()
    click.echo(t("cli.import_done", **vars(summary)))


@cli.command()
@click.argument("query")
@click.option("--json", "as_json", is_flag=True, help="Print hits as JSON lines.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 500),
              help="How many hits to print.")
@click.pass_obj
def search(obj: _Context, query: str, as_json: bool, limit: int) -> None:
    """Print ranked scripts matching QUERY (text, pinyin initials or /shortcut)."""
    from cscterm.i18n import style_label
    from cscterm.services import scripts

    ws = obj.workspace()
    try:
        with ws.session() as session:
            hits = scripts.search(session, ws.actor, query, limit=limit)
    finally:
        ws.close()
    if not hits:
        click.echo(t("cli.no_hits"), err=True)
        sys.exit(1)
    if as_json:
        for hit in hits:
            click.echo(_json_line({
                "id": hit.id, "shortcut": hit.shortcut, "title": hit.title,
                "scenario": hit.scenario_title, "category": hit.category,
                "style": hit.default_style, "styles": list(hit.styles),
                "first_line": hit.first_line, "personal": hit.personal,
            }))
        return
    for hit in hits:
        click.echo(
            f"/{_cell(hit.shortcut)}\t{_cell(hit.category)} › {_cell(hit.title)}\t"
            f"{style_label(hit.default_style)}\t{_cell(hit.first_line)}"
        )


@cli.command()
@click.argument("source", type=click.Path(allow_dash=True, dir_okay=False, path_type=Path))
@click.pass_obj
def lint(obj: _Context, source: Path) -> None:
    """Check a text file (or - for standard input) for forbidden terms.

    Exits 1 when any term is found, 0 when the text is clean.
    """
    from cscterm.services import lint as lint_service

    name = "-" if str(source) == "-" else str(source)
    try:
        raw = sys.stdin.buffer.read() if name == "-" else source.read_bytes()
    except OSError as exc:
        _fail(f"{name}: {exc.strerror or exc}")
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        _fail(f"{name}:{line}: {t('imp.utf8', offset=exc.start)}")
    ws = obj.workspace()
    try:
        with ws.session() as session:
            hits = lint_service.lint_text(session, content)
    finally:
        ws.close()
    for hit in hits:
        click.echo(_cell(
            f"{name}:{hit.line}:{hit.column}: {hit.term} — {hit.reason} → {hit.alternative}"
        ))
    if hits:
        click.echo(t("cli.lint_hits", count=len(hits)), err=True)
        sys.exit(1)


@cli.group()
def user() -> None:
    """Users and roles (leads only for changes)."""


@user.command("list")
@click.pass_obj
def user_list(obj: _Context) -> None:
    """List users with their roles."""
    from cscterm.services import users

    ws = obj.workspace()
    try:
        with ws.session() as session:
            for person in users.list_users(session):
                click.echo("\t".join(map(_cell, (person.login, person.role, person.team, person.name))))
    finally:
        ws.close()


@user.command("role")
@click.argument("login")
@click.argument("role", type=click.Choice(["lead", "agent"]))
@click.pass_obj
def user_role(obj: _Context, login: str, role: str) -> None:
    """Make LOGIN a lead or an agent."""
    from cscterm.services import users

    ws = obj.workspace()
    try:
        with ws.session() as session:
            changed = users.set_role(session, ws.actor, login, role)
    except DomainError as exc:
        _fail(str(exc), 1)
    finally:
        ws.close()
    click.echo(f"{_cell(changed.login)}\t{_cell(changed.role)}")


@user.command("team")
@click.argument("login")
@click.argument("team")
@click.pass_obj
def user_team(obj: _Context, login: str, team: str) -> None:
    """Put LOGIN in TEAM (leads only)."""
    from cscterm.services import users

    ws = obj.workspace()
    try:
        with ws.session() as session:
            changed = users.set_team(session, ws.actor, login, team)
    except DomainError as exc:
        _fail(str(exc), 1)
    finally:
        ws.close()
    click.echo(f"{_cell(changed.login)}\t{_cell(changed.team)}")


# ── handover ────────────────────────────────────────────────────────────────

_DATE = click.DateTime(formats=["%Y-%m-%d"])
_SHIFT_SPEC = re.compile(r"^(?P<name>[^=]+)=(?P<start>[^-–]+)[-–](?P<end>.+)$")


@cli.group()
def handover() -> None:
    """Shift handover notes: shifts and reports."""


@handover.command("export")
@click.option("--from", "first", type=_DATE, required=True, help="First shift date (YYYY-MM-DD).")
@click.option("--to", "last", type=_DATE, required=True, help="Last shift date (YYYY-MM-DD).")
@click.option("--format", "fmt", type=click.Choice(["md", "json"]), default="md", show_default=True)
@click.option("--team", default=None, help="One team (leads; default: every team for a lead, "
              "your own for an agent).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file instead of standard output.")
@click.pass_obj
def handover_export(obj: _Context, first: Any, last: Any, fmt: str, team: str | None,
                    output: Path | None) -> None:
    """Submitted handovers of shifts starting FROM..TO as Markdown or JSON."""
    from cscterm.services import handover as ho

    ws = obj.workspace()
    try:
        with ws.session() as session:
            notes = ho.export(session, ws.actor, first=first.date(), last=last.date(), team=team)
            if fmt == "json":
                text = json.dumps(ho.to_json(notes), ensure_ascii=False, indent=2)
                text = _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
            else:
                text = printable(ho.to_markdown(notes))
    except DomainError as exc:
        _fail(str(exc), 1)
    finally:
        ws.close()
    if output is None:
        click.echo(text)
        return
    try:
        output.write_text(text + "\n", encoding="utf-8")
    except OSError as exc:
        _fail(t("cli.write_failed", path=str(output), error=exc.strerror or str(exc)), 1)
    click.echo(t("cli.exported", count=len(notes), path=str(output)), err=True)


@handover.command("shifts")
@click.option("--team", default=None, help="The team (default: your own).")
@click.option("--set", "specs", multiple=True, metavar="NAME=HH:MM-HH:MM",
              help="Replace the team's shifts (leads; repeat for each shift).")
@click.pass_obj
def handover_shifts(obj: _Context, team: str | None, specs: tuple[str, ...]) -> None:
    """Show a team's shifts, or set them (e.g. --set 早班=08:00-16:00)."""
    from cscterm.services import shifts

    parsed = []
    for spec in specs:
        match = _SHIFT_SPEC.match(spec.strip())
        if match is None:
            _fail(t("cli.bad_shift", spec=spec), 2)
        else:
            parsed.append((match["name"].strip(), match["start"].strip(), match["end"].strip()))
    ws = obj.workspace()
    try:
        with ws.session() as session:
            team = team or ws.actor.team
            defs = (shifts.set_shifts(session, ws.actor, team, parsed) if parsed
                    else shifts.team_shifts(session, team))
    except DomainError as exc:
        _fail(str(exc), 1)
    finally:
        ws.close()
    for shift in defs:
        click.echo(f"{_cell(shift.name)}\t{shift.hours}")


@handover.command("grace")
@click.argument("minutes", type=click.IntRange(0, 24 * 60), required=False)
@click.pass_obj
def handover_grace(obj: _Context, minutes: int | None) -> None:
    """Show or set (leads) how many MINUTES after the next shift starts a
    handover may wait for its acknowledgement before it counts as late."""
    from cscterm.services import handover as ho

    ws = obj.workspace()
    try:
        with ws.session() as session:
            grace = (ho.ack_grace(session) if minutes is None
                     else ho.set_ack_grace(session, ws.actor, minutes))
    except DomainError as exc:
        _fail(str(exc), 1)
    finally:
        ws.close()
    click.echo(int(grace.total_seconds() // 60))


# ── transfers ───────────────────────────────────────────────────────────────


@cli.group()
def transfer() -> None:
    """Pre-sale → after-sale transfers: checklist templates and reports."""


@transfer.command("export")
@click.option("--from", "first", type=_DATE, required=True, help="First day sent (YYYY-MM-DD).")
@click.option("--to", "last", type=_DATE, required=True, help="Last day sent (YYYY-MM-DD).")
@click.option("--queue", default=None, help="Only transfers sent to this after-sale team.")
@click.option("--include-personal-data", "personal", is_flag=True,
              help="Show names, phone numbers and addresses in full (default: masked).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file (UTF-8 with a BOM, for spreadsheets) instead of "
              "standard output.")
@click.pass_obj
def transfer_export(obj: _Context, first: Any, last: Any, queue: str | None, personal: bool,
                    output: Path | None) -> None:
    """Transfers sent FROM..TO as CSV, one row each, checklist items as
    columns (leads only)."""
    import csv
    import io as text_io

    from cscterm.services import transfer as tr

    ws = obj.workspace()
    try:
        with ws.session() as session:
            text = tr.export_csv(session, ws.actor, first=first.date(), last=last.date(),
                                 include_personal_data=personal, queue=queue)
    except DomainError as exc:
        _fail(str(exc), 1)
    finally:
        ws.close()
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        with output.open("w", encoding="utf-8-sig", newline="") as handle:
            handle.write(text)
    except OSError as exc:
        _fail(t("cli.write_failed", path=str(output), error=exc.strerror or str(exc)), 1)
    count = sum(1 for _ in csv.reader(text_io.StringIO(text))) - 1
    click.echo(t("cli.tr_exported", count=count, path=str(output)), err=True)


@transfer.group("templates", invoke_without_command=True)
@click.pass_context
def transfer_templates(ctx: click.Context) -> None:
    """Checklist templates. Without a command, list them: key, name,
    version, items, queue, time to accept / to resolve."""
    if ctx.invoked_subcommand is not None:
        return
    from cscterm.services import checklists

    ws = ctx.obj.workspace()
    try:
        with ws.session() as session:
            infos = checklists.list_templates(session)
    finally:
        ws.close()
    for info in infos:
        click.echo("\t".join([
            _cell(info.key), _cell(info.name), f"v{info.number}",
            t("cli.tpl_items", count=info.item_count), _cell(info.queue),
            f"{checklists.format_duration(info.accept)}/{checklists.format_duration(info.resolve)}",
        ]))


@transfer_templates.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.pass_obj
def transfer_templates_import(obj: _Context, files: tuple[Path, ...]) -> None:
    """Load checklist templates (YAML; leads only).

    Every file is checked first; if any has a problem, each is reported as
    FILE:LINE: field: problem and nothing is written. A changed template is
    stored as a new version; transfers keep the version they were made from.
    """
    from cscterm.services import checklists
    from cscterm.services.io import ImportFailed

    ws = obj.workspace()
    try:
        with ws.session() as session:
            summary = checklists.import_files(session, ws.actor, list(files),
                                              [str(f) for f in files])
    except ImportFailed as exc:
        for problem in exc.problems:
            click.echo(_cell(str(problem)), err=True)
        _fail(t("cli.import_failed", count=len(exc.problems)), 1)
    except DomainError as exc:
        _fail(str(exc), 1)
    finally:
        ws.close()
    click.echo(t("cli.tpl_imported", created=len(summary.created), updated=len(summary.updated),
                 unchanged=len(summary.unchanged)))


@transfer_templates.command("show")
@click.argument("key")
@click.pass_obj
def transfer_templates_show(obj: _Context, key: str) -> None:
    """Print the YAML of template KEY's current version."""
    from cscterm.services import checklists

    ws = obj.workspace()
    try:
        with ws.session() as session:
            source, _version = checklists.template_source(session, key)
    except DomainError as exc:
        _fail(str(exc), 1)
    finally:
        ws.close()
    click.echo(printable(source), nl=not source.endswith("\n"))


# ── daily work log (工作日报) ──────────────────────────────────────────────────

register({
    "cli.log_usage": "Use one of --metric, --remind and --plan at a time.",
    "cli.log_no_text": "Write the text after the command, e.g. cscterm log \"客户王女士要求周五前回电\".",
    "cli.log_exported": "{count} day(s) written to {path}.",
    "cli.log_reminders": "Reminders",
    "cli.log_done_of": "{done} of {planned} done",
    "cli.log_submitted": "submitted {when}",
}, {
    "cli.log_usage": "--metric、--remind、--plan 每次只能用一个。",
    "cli.log_no_text": "请在命令后写内容，例如 cscterm log \"客户王女士要求周五前回电\"。",
    "cli.log_exported": "已把 {count} 天的日报写入 {path}。",
    "cli.log_reminders": "提醒",
    "cli.log_done_of": "完成 {done}/{planned}",
    "cli.log_submitted": "已提交 {when}",
})

_ENTRY = "\x00entry"  # the hidden command behind ``cscterm log TEXT…``
_VALUED = {"--metric", "-m", "--remind", "-r"}
_FLAGS = {"--plan", "-p", "--month", "-h", "--help"}
_OPTION_LIKE = re.compile(r"^--?[A-Za-z]")


def _entry_args(args: list[str]) -> list[str]:
    """``log`` arguments for the quick entry: options first, then ``--`` and
    the words, so ``-1`` or ``-5`` after ``--metric contacts`` stay a value."""
    options: list[str] = []
    words: list[str] = []
    n = 0
    while n < len(args):
        arg = args[n]
        if arg == "--":
            words += args[n + 1:]
            break
        if arg in _VALUED:
            options += args[n:n + 2]
            n += 2
            continue
        if arg in _FLAGS or (_OPTION_LIKE.match(arg) and not arg.startswith("-" * 3)):
            options.append(arg)  # an unknown one is reported by click
        else:
            words.append(arg)
        n += 1
    return [_ENTRY, *options, "--", *words] if words else [_ENTRY, *options]


class _EntryContext(click.Context):
    @property
    def command_path(self) -> str:  # "cscterm log", not the hidden command's name
        return self.parent.command_path if self.parent else super().command_path


class _LogGroup(click.Group):
    """A group whose first argument, when it is not one of its commands, is
    the start of a note (or of a --metric / --remind / --plan entry)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and not (args[0] in ("-h", "--help") or self._visible(args[0])):
            args = _entry_args(args)
        return super().parse_args(ctx, args)

    def _visible(self, name: str) -> bool:
        command = self.commands.get(name)
        return command is not None and not command.hidden


def _day_option(_ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
    if value is None:
        return None
    from cscterm.services.worklog import parse_day

    try:
        return parse_day(value, max(param.opts, key=len))
    except DomainError as exc:
        raise click.UsageError(str(exc)) from None


@cli.group("log", cls=_LogGroup, no_args_is_help=True)
def log() -> None:
    """The daily work log (工作日报).

    \b
    cscterm log 客户王女士要求周五前回电        a note, stamped with the time
    cscterm log --metric contacts +1          a count up (or -1 down)
    cscterm log --metric satisfaction 96.5    a value (3m20s for durations)
    cscterm log --remind 15:30 回电 王女士      a reminder (15:30, +30m, 11-24 09:00)
    cscterm log --plan 回访 3 位差评客户         a plan item for today (--month: this month)
    cscterm log today                         today's page

    Text that starts like a command is a note after --: cscterm log -- today …
    """


@log.command(_ENTRY, hidden=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-m", "--metric", default=None, metavar="KEY", help="Set or bump this metric.")
@click.option("-r", "--remind", default=None, metavar="WHEN", help="Remind at 15:30, +30m, …")
@click.option("-p", "--plan", is_flag=True, help="Add a plan item for today.")
@click.option("--month", is_flag=True, help="Add a key plan for this month.")
@click.argument("words", nargs=-1)
@click.pass_obj
def log_entry(obj: _Context, metric: str | None, remind: str | None, plan: bool, month: bool,
              words: tuple[str, ...]) -> None:
    from cscterm.services import worklog
    from cscterm.text import local_time

    if sum((metric is not None, remind is not None, plan or month)) > 1:
        _fail(t("cli.log_usage"), 2)
    text = " ".join(words)
    if metric is None and not text.strip():
        _fail(t("cli.log_no_text"), 2)
    ws = obj.workspace()
    try:
        with ws.session() as session:
            if metric is not None:
                day = worklog.shift_day(session, ws.actor)
                delta = worklog.parse_delta(text)
                if delta is None:
                    worklog.set_value(session, ws.actor, metric, text, day=day)
                else:
                    worklog.bump(session, ws.actor, metric, delta, day=day)
                shown = worklog.metric_today(session, ws.actor, metric, day)
                target = f" / {shown.target_shown}" if shown.target_shown else ""
                line = f"{_cell(shown.metric.label)}\t{shown.shown}{target}"
            elif remind is not None:
                reminder = worklog.add_reminder(session, ws.actor, remind, text)
                line = f"{local_time(reminder.due_at, '%m-%d %H:%M')}\t{_cell(reminder.text)}"
            elif plan or month:
                item = worklog.add_plan(session, ws.actor, text, kind="month" if month else "day")
                line = f"#{item.id}\t{item.period}\t{_cell(item.text)}"
            else:
                note = worklog.add_note(session, ws.actor, text)
                line = f"{local_time(note.at, '%H:%M')}\t{_cell(note.body)}"
    except DomainError as exc:
        _fail(str(exc), 1)
    finally:
        ws.close()
    click.echo(line)


log_entry.context_class = _EntryContext

def _width(text: str) -> int:
    """Terminal columns: wide (CJK) characters take two."""
    from unicodedata import east_asian_width

    return sum(2 if east_asian_width(c) in "WF" else 1 for c in text)


_PLAN_BOX = {"done": "x", "dropped": "-", "carried": ">"}


@log.command("today")
@click.option("--day", "day", default=None, callback=_day_option, metavar="YYYY-MM-DD",
              help="Another day's page (default: today's shift date).")
@click.pass_obj
def log_today(obj: _Context, day: Any) -> None:
    """Print today's page: metrics against targets, plans with their age,
    open reminders, notes, and what the workbench counted."""
    from cscterm.services import worklog
    from cscterm.text import local_time

    ws = obj.workspace()
    try:
        with ws.session() as session:
            page = worklog.day_page(session, ws.actor, day)
    except DomainError as exc:
        _fail(str(exc), 1)
    finally:
        ws.close()
    out = [_cell(t("log.md.title", name=ws.actor.name, day=page.day.isoformat()))]
    if page.reflection.submitted_at:
        out[0] += f"  ({t('cli.log_submitted', when=local_time(page.reflection.submitted_at))})"
    out.append(t("log.md.metrics"))
    width = max((_width(_cell(m.metric.label)) for m in page.metrics), default=0)
    for m in page.metrics:
        target = f" / {m.target_shown}" if m.target_shown else ""
        mark = {True: " ✓", False: " ✗", None: ""}[m.meets]
        label = _cell(m.metric.label)
        out.append(f"  {label}{' ' * (width - _width(label))}  {m.shown}{target}{mark}")
    for title, items, tally in ((t("log.md.plans"), page.plans, page.day_tally),
                                (t("field.log.plan") + " · " + page.day.isoformat()[:7],
                                 page.month_plans, page.month_tally)):
        if not items:
            continue
        out.append(f"{title}  ({t('cli.log_done_of', done=tally.done, planned=tally.planned)})")
        for p in items:
            age = f"  ({t('log.age', days=p.age_days)})" if p.age_days else ""
            out.append(f"  [{_PLAN_BOX.get(p.status, ' ')}] #{p.id} {_cell(p.text)}{age}")
    if page.reminders:
        out.append(t("cli.log_reminders"))
        out += [f"  {local_time(r.due_at, '%m-%d %H:%M')}  {_cell(r.text)}" for r in page.reminders]
    if page.notes:
        out.append(t("log.md.notes"))
        out += [f"  {local_time(n.at, '%H:%M')}  {_cell(n.body)}" for n in page.notes]
    a = page.activity
    out += [t("log.md.activity"), f"  {t('log.activity.scripts', count=a.scripts_copied)}",
            "  " + t("log.activity.handovers", written=a.handovers_written,
                     acked=a.handovers_acknowledged),
            "  " + t("log.activity.transfers", sent=a.transfers_sent, claimed=a.transfers_claimed,
                     resolved=a.transfers_resolved)]
    click.echo("\n".join(out))


@log.command("export")
@click.option("--from", "first", required=True, callback=_day_option, metavar="YYYY-MM-DD",
              help="First day.")
@click.option("--to", "last", required=True, callback=_day_option, metavar="YYYY-MM-DD",
              help="Last day.")
@click.option("--format", "fmt", type=click.Choice(["md", "csv"]), default="md", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file instead of standard output.")
@click.pass_obj
def log_export(obj: _Context, first: Any, last: Any, fmt: str, output: Path | None) -> None:
    """Your own pages FROM..TO as a Markdown 日报 or CSV (one row a day)."""
    from cscterm.services import worklog

    ws = obj.workspace()
    try:
        with ws.session() as session:
            pages = worklog.export_days(session, ws.actor, first=first, last=last)
            text = (worklog.to_csv(pages) if fmt == "csv"
                    else printable(worklog.to_markdown(pages, ws.actor)))
    except DomainError as exc:
        _fail(str(exc), 1)
    finally:
        ws.close()
    if output is None:
        click.echo(text, nl=not text.endswith("\n"))
        return
    try:
        with output.open("w", encoding="utf-8-sig" if fmt == "csv" else "utf-8",
                         newline="") as handle:
            handle.write(text)
    except OSError as exc:
        _fail(t("cli.write_failed", path=str(output), error=exc.strerror or str(exc)), 1)
    click.echo(t("cli.log_exported", count=len(pages), path=str(output)), err=True)


@log.group("metrics", invoke_without_command=True)
@click.pass_context
def log_metrics(ctx: click.Context) -> None:
    """The metrics kept each day. Without a command, list them: key, label,
    unit, direction, target."""
    if ctx.invoked_subcommand is not None:
        return
    from cscterm.services import worklog

    ws = ctx.obj.workspace()
    try:
        with ws.session() as session:
            rows = worklog.metrics(session)
    finally:
        ws.close()
    for m in rows:
        target = worklog.format_value(m, m.target) if m.target is not None else "—"
        click.echo("\t".join([_cell(m.key), _cell(m.label), m.unit, m.direction, target]))


@log_metrics.command("set")
@click.argument("key")
@click.option("--label", default=None, help="What people see (default: unchanged).")
@click.option("--unit", type=click.Choice(["count", "duration", "percent", "number"]),
              default=None, help="How a value is read (default: unchanged, count when new).")
@click.option("--direction", type=click.Choice(["up", "down"]), default=None,
              help="up: more is better; down: less is better.")
@click.option("--target", default=None, help="The daily target, written like a value "
              "(empty: none).")
@click.pass_obj
def log_metrics_set(obj: _Context, key: str, label: str | None, unit: str | None,
                    direction: str | None, target: str | None) -> None:
    """Add metric KEY or change it (leads only)."""
    from cscterm.services import worklog

    ws = obj.workspace()
    try:
        with ws.session() as session:
            old = next((m for m in worklog.metrics(session) if m.key == key.strip()), None)
            metric = worklog.define_metric(
                session, ws.actor, key,
                label=label if label is not None else (old.label if old else ""),
                unit=unit or (old.unit if old else "count"),
                direction=direction or (old.direction if old else "up"),
                target=target if target is not None else (old.target if old else None))
    except DomainError as exc:
        _fail(str(exc), 1)
    finally:
        ws.close()
    shown = worklog.format_value(metric, metric.target) if metric.target is not None else "—"
    click.echo("\t".join([_cell(metric.key), _cell(metric.label), metric.unit,
                          metric.direction, shown]))


@log_metrics.command("retire")
@click.argument("key")
@click.pass_obj
def log_metrics_retire(obj: _Context, key: str) -> None:
    """Stop asking for metric KEY (leads only); kept values stay."""
    from cscterm.services import worklog

    ws = obj.workspace()
    try:
        with ws.session() as session:
            worklog.retire_metric(session, ws.actor, key)
    except DomainError as exc:
        _fail(str(exc), 1)
    finally:
        ws.close()


def main() -> None:
    try:
        cli.main(prog_name="cscterm", standalone_mode=True)
    except DomainError as exc:
        _fail(str(exc), 1)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - never a traceback for a person
        _fail(t("cli.unexpected", error=f"{type(exc).__name__}: {exc}"), 70)
