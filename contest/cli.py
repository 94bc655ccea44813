"""Command-line interface: ``flask --app wsgi <command>``.

Messages are in the configured default language (Simplified Chinese) unless the shell's
locale (``LC_ALL`` / ``LC_MESSAGES`` / ``LANG``) asks for English.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from pathlib import Path
from typing import Any, NoReturn

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_babel import force_locale, gettext

from contest import demo
from contest.accounts.models import Role
from contest.core import audit, backup
from contest.core.extensions import db
from contest.core.labels import LABELS
from contest.core.refusals import describe, describe_problem
from contest.core.transaction import unit_of_work
from contest.domain.package import PackageError
from contest.domain.refusal import Problem, Refused
from contest.events import services as events
from contest.events.models import Unit
from contest.exams import services as exams
from contest.packages import exporting, importing
from contest.registration import roster
from contest.results import exports
from contest.results import services as results
from contest.stages import services as stages


def register(app: Flask) -> None:
    """Attach the commands to ``app``."""
    for command in (
        seed_demo,
        import_package,
        export_results,
        export_package,
        exam_papers,
        exam_report,
        roster_template,
        import_roster,
        run_scheduler,
        show_stages,
        audit_verify,
        backup_database,
        restore_database,
    ):
        app.cli.add_command(command)


def cli_locale() -> str:
    """The language for console messages: English if the shell asks for it, else the default."""
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable, "")
        if value.startswith("en"):
            return "en"
        if value.startswith("zh"):
            break
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def localised(command: Callable[..., Any]) -> Callable[..., Any]:
    """Run a command inside an app context, speaking the console's language."""

    @wraps(command)
    @with_appcontext
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        with force_locale(cli_locale()):
            return command(*args, **kwargs)

    return wrapped


@click.command("seed-demo")
@localised
def seed_demo() -> None:
    """Load the demo event into an empty database, then print the demo logins."""
    if demo.has_events():
        click.echo(gettext("The database already has events; the demo was not loaded."))
        if events.event_by_slug(demo.DEMO_SLUG) is None:
            return
    else:
        with unit_of_work():
            event = demo.seed()
        click.echo(
            gettext("Demo event loaded: %(name)s (%(slug)s)", name=event.name, slug=event.slug)
        )
        click.echo(
            gettext(
                "Last year's games, finished and published: %(name)s (/e/%(slug)s/)",
                name=demo.PAST_NAME,
                slug=demo.PAST_SLUG,
            )
        )
    click.echo("")
    click.echo(gettext("Demo logins (password: %(password)s)", password=demo.DEMO_PASSWORD))
    for login in demo.demo_logins():
        click.echo(f"  {login.username:<12} {LABELS[Role][login.role]}")
    sitter = demo.exam_sitter()
    if sitter is not None:
        click.echo(
            gettext(
                "Theory exam of %(trade)s: /exam/%(slug)s/ — admission number %(code)s, "
                "last 4 of the ID number %(last4)s",
                trade=sitter.trade.name,
                slug=demo.DEMO_SLUG,
                code=sitter.code,
                last4=(sitter.id_number or "")[-4:],
            )
        )


@click.command("import-package")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@localised
def import_package(file: Path) -> None:
    """Create or replace the event a contest-package/1 FILE describes (all or nothing)."""
    try:
        with file.open("rb") as source:
            package = importing.read_file(source)
    except (OSError, Refused) as error:
        _fail(error)
    for warning in package.warnings:
        click.echo(
            gettext("warning: %(text)s", text=describe_problem(PackageError, warning)), err=True
        )
    try:
        with unit_of_work():
            summary = importing.import_package(package)
    except Refused as error:
        _fail(error)
    message = (
        gettext(
            "Replaced event %(slug)s: %(trades)d trades, %(units)d units, %(teams)d teams, "
            "%(entrants)d entrants, %(judges)d judges, %(scores)d scores.",
            slug=summary.event.slug,
            **summary.counts,
        )
        if summary.replaced
        else gettext(
            "Created event %(slug)s: %(trades)d trades, %(units)d units, %(teams)d teams, "
            "%(entrants)d entrants, %(judges)d judges, %(scores)d scores.",
            slug=summary.event.slug,
            **summary.counts,
        )
    )
    click.echo(message)


def _fail(error: Exception) -> NoReturn:
    """Say why the file was not imported (every problem of it), and stop."""
    if not isinstance(error, Refused):  # the file could not be opened
        error = PackageError([Problem("", "invalid_json", {"error": str(error)})])
    click.echo(describe(error), err=True)
    for problem in error.problems:
        click.echo(f"  {describe_problem(error, problem)}", err=True)
    sys.exit(1)


def _event_or_exit(slug: str):
    event = events.event_by_slug(slug)
    if event is None:
        click.echo(gettext("No event with the slug “%(slug)s”.", slug=slug), err=True)
        sys.exit(1)
    return event


@click.command("export-results")
@click.argument("slug")
@click.option("--format", "fmt", type=click.Choice(["json", "xlsx", "csv"]), default="json")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path))
@localised
def export_results(slug: str, fmt: str, output: Path | None) -> None:
    """Write the event's results as contest-results/1 JSON, an Excel workbook or CSV."""
    if fmt == "xlsx" and output is None:
        click.echo(gettext("An Excel workbook needs an output file: -o FILE.xlsx"), err=True)
        sys.exit(2)
    with unit_of_work():  # results computed on the way are kept
        event = _event_or_exit(slug)
        if fmt == "json":
            data = json.dumps(results.results_for(event), ensure_ascii=False, indent=1) + "\n"
            book = data.encode("utf-8")
        else:
            book = exports.results_workbook(event) if fmt == "xlsx" else exports.results_csv(event)
    _write(book, output)


@click.command("export-package")
@click.argument("slug")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path))
@localised
def export_package(slug: str, output: Path | None) -> None:
    """Write the event back as a contest-package/1 document."""
    event = _event_or_exit(slug)
    document = exporting.export_package(event)
    _write((json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8"), output)


def _exam_or_exit(slug: str, code: str) -> exams.ExamRun:
    """The exam of the event's trade, or a message and exit 1."""
    event = _event_or_exit(slug)
    trade = events.trade_by_code(event, code)
    if trade is None:
        click.echo(
            gettext("No trade with the code “%(code)s” in %(slug)s.", code=code, slug=slug),
            err=True,
        )
        sys.exit(1)
    run = exams.exam_runs([trade.id]).get(trade.id)
    if run is None:
        click.echo(gettext("Trade %(code)s has no theory exam.", code=code), err=True)
        sys.exit(1)
    return run


def _echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=1))


@click.command("exam-papers")
@click.argument("slug")
@click.argument("trade")
@localised
def exam_papers(slug: str, trade: str) -> None:
    """Print the sealed papers of the TRADE's exam as JSON: each paper's item codes."""
    _echo_json(exams.papers_listing(_exam_or_exit(slug, trade)))


@click.command("exam-report")
@click.argument("slug")
@click.argument("trade")
@localised
def exam_report(slug: str, trade: str) -> None:
    """Print the item analysis of the TRADE's exam as JSON (difficulty p, discrimination D)."""
    run = _exam_or_exit(slug, trade)
    _echo_json(exams.report(run, results.exam_attempts(run)))


def _write(data: bytes, output: Path | None) -> None:
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        output.write_bytes(data)


@click.command("roster-template")
@click.argument("slug")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@localised
def roster_template(slug: str, output: Path) -> None:
    """Write the event's Excel roster template (报名表)."""
    _write(roster.template(_event_or_exit(slug)), output)


@click.command("import-roster")
@click.argument("slug")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--unit", "unit_code", required=True, help="The code of the registering unit.")
@localised
def import_roster(slug: str, file: Path, unit_code: str) -> None:
    """Register a unit's entrants from an Excel roster: every row, or none."""
    event = _event_or_exit(slug)
    unit = db.session.execute(
        sa.select(Unit).where(Unit.event_id == event.id, Unit.code == unit_code)
    ).scalar_one_or_none()
    if unit is None:
        click.echo(gettext("No unit with the code “%(code)s”.", code=unit_code), err=True)
        sys.exit(1)
    try:
        with unit_of_work(), file.open("rb") as source:
            created = roster.import_roster(None, unit, source, check_stage=False)
    except Refused as error:  # not a readable workbook, or not a valid roster
        _fail(error)
    except OSError as error:
        click.echo(str(error), err=True)
        sys.exit(1)
    click.echo(
        gettext(
            "Imported %(n)d entrants for %(unit)s into %(event)s.",
            n=len(created),
            unit=unit.name,
            event=event.slug,
        )
    )


@click.command("scheduler")
@click.option("--once", is_flag=True, help="Apply every due transition, then exit.")
@click.option(
    "--at",
    "at",
    type=click.DateTime(formats=["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M%z"]),
    help="With --once: the moment to act for (ISO 8601 with offset), instead of now.",
)
@localised
def run_scheduler(once: bool, at: datetime | None) -> None:
    """Open and close stage windows on time (runs until stopped, or --once)."""
    from contest.stages import scheduler

    if not once:
        scheduler.run_forever(current_app._get_current_object())
        return
    with unit_of_work():
        applied = stages.apply_due(at or scheduler.now())
    for item in applied:
        click.echo(
            f"{item.event} {item.kind.value}{' ' + item.trade if item.trade else ''} → "
            f"{item.to.value}"
        )
    click.echo(gettext("%(n)d transition(s) applied.", n=len(applied)))


@click.command("stages")
@click.argument("slug")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of the windows.")
@localised
def show_stages(slug: str, as_json: bool) -> None:
    """Every window of the event: planned times, state, and who changed it when."""
    rows = stages.timeline(_event_or_exit(slug))
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    for row in rows:
        where = row["window"] + (f" [{row['trade']}]" if row["trade"] else "")
        click.echo(f"{where:<24} {row['opens']} → {row['closes'] or '—'}  {row['state']}")
        for step in row["transitions"]:
            reason = f"  ({step['reason']})" if step["reason"] else ""
            click.echo(f"    {step['at']}  → {step['to']}  {step['by']}{reason}")


@click.command("audit-verify")
@localised
def audit_verify() -> None:
    """Check the audit log's hash chain: any edited or removed entry is reported (exit 1)."""
    count, breaks, last = audit.verify_chain()
    for item in breaks:
        if item.kind == "changed":
            problem = gettext("Entry %(id)s was changed after it was recorded.", id=item.entry_id)
        else:
            problem = gettext(
                "The chain is broken before entry %(id)s: entries were removed or inserted.",
                id=item.entry_id,
            )
        click.echo(problem, err=True)
    if breaks:
        sys.exit(1)
    click.echo(gettext("The audit log is intact: %(n)d entries.", n=count))
    if last is not None:
        click.echo(gettext("Last entry %(id)s, hash %(hash)s", id=last.id, hash=last.hash))


def _backup_failed(error: Exception) -> None:
    if isinstance(error, backup.BackupError):
        click.echo(describe(error), err=True)
    else:  # pg_dump or pg_restore refused: say what they said
        click.echo(getattr(error, "stderr", b"").decode(errors="replace") or str(error), err=True)
    sys.exit(1)


def _counts() -> str:
    return ", ".join(f"{name} {count}" for name, count in backup.summary().items())


@click.command("backup")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write the backup (default: instance/backups/…).")  # fmt: skip
@localised
def backup_database(output: Path | None) -> None:
    """Write a consistent copy of the whole database (SQLite online backup, or pg_dump)."""
    if output is None:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        suffix = "dump" if db.engine.dialect.name == "postgresql" else "sqlite"
        output = Path(current_app.instance_path) / "backups" / f"contest-{stamp}.{suffix}"
    try:
        backup.backup(output)
    except (backup.BackupError, subprocess.CalledProcessError) as error:
        _backup_failed(error)
    click.echo(gettext("Backup written to %(file)s (%(counts)s).", file=output, counts=_counts()))


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Confirm that the whole database is replaced.")
@localised
def restore_database(file: Path, yes: bool) -> None:
    """Replace the whole database with a backup (stop the web workers and scheduler first)."""
    if not yes:
        click.echo(gettext("This replaces the whole database. Run again with --yes."), err=True)
        sys.exit(2)
    try:
        backup.restore(file)
    except (backup.BackupError, subprocess.CalledProcessError) as error:
        _backup_failed(error)
    click.echo(
        gettext("Database restored from %(file)s (%(counts)s).", file=file, counts=_counts())
    )
