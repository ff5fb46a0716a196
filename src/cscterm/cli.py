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
from cscterm.i18n import set_language, t
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
    from cscterm.services import handover as ho

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
            shifts = (ho.set_shifts(session, ws.actor, team, parsed) if parsed
                      else ho.team_shifts(session, team))
    except DomainError as exc:
        _fail(str(exc), 1)
    finally:
        ws.close()
    for shift in shifts:
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


def main() -> None:
    try:
        cli.main(prog_name="cscterm", standalone_mode=True)
    except DomainError as exc:
        _fail(str(exc), 1)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - never a traceback for a person
        _fail(t("cli.unexpected", error=f"{type(exc).__name__}: {exc}"), 70)
