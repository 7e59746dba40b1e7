"""The `doorbook` command: a Flask CLI group (init, demo, import, serve, check, routes...)."""

from __future__ import annotations

import ipaddress
import os
import sqlite3
import sys
from datetime import date
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from doorbook import SERVER_THREADS, create_app, data_dir_from_environment, demo, importer, settings
from doorbook import db as database
from doorbook.accounts import ROLES, AccountProblem, create_account, has_manager_login, unlock
from doorbook.audit import SYSTEM
from doorbook.migrations import latest_version, schema_version


def _set_data_dir(_ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value:
        os.environ["DOORBOOK_DATA"] = str(Path(value).resolve())


def _app_factory():
    return create_app()


cli = FlaskGroup(
    name="doorbook",
    create_app=_app_factory,
    load_dotenv=False,
    set_debug_flag=False,
    help=(
        "Doorbook: the entrance sign-in kiosk for nurseries.\n\n"
        "The data folder is --data PATH, or $DOORBOOK_DATA, or ./instance."
    ),
    params=[
        click.Option(
            ["--data"],
            metavar="PATH",
            help="The data folder (database, secrets). Default: $DOORBOOK_DATA or ./instance.",
            callback=_set_data_dir,
            expose_value=False,
            is_eager=True,
        )
    ],
)


def can_ask() -> bool:
    """Whether someone is at a terminal to type a password (not CI, not an installer pipe)."""
    return sys.stdin.isatty()


def _fail(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


@cli.command("init")
@click.option("--name", default="Manager", show_default=True, help="The manager's full name.")
@click.option("--username", default="manager", show_default=True, help="Their admin login.")
@click.option(
    "--password",
    envvar="DOORBOOK_MANAGER_PASSWORD",
    help="Their password (or $DOORBOOK_MANAGER_PASSWORD); asked for when not given.",
)
@with_appcontext
def init_command(name: str, username: str, password: str | None) -> None:
    """Create the data folder, the database, the secret key and the first manager."""
    db = database.get_db()
    data_dir = current_app.config["DATA_DIR"]
    if has_manager_login(db):
        click.echo(f"Doorbook is already set up in {data_dir} (a manager can log in).")
        return
    if password is None:
        if not can_ask():
            _fail("give the first manager's password with --password or DOORBOOK_MANAGER_PASSWORD")
        password = click.prompt(
            f"Password for {username}", hide_input=True, confirmation_prompt=True
        )
    try:
        create_account(
            db, name=name, username=username, password=password, role="manager", actor=SYSTEM
        )
    except AccountProblem as problem:
        _fail(str(problem))
    click.echo(f"Set up Doorbook in {data_dir}; {username} can now log in at /admin.")


@cli.command("create-user")
@click.option(
    "--name",
    required=True,
    help="Their full name (an imported staff member keeps their record and gets a login).",
)
@click.option("--username", required=True)
@click.option("--role", type=click.Choice(ROLES), default="practitioner", show_default=True)
@click.option(
    "--password",
    envvar="DOORBOOK_USER_PASSWORD",
    help="Their password (or $DOORBOOK_USER_PASSWORD); asked for when not given.",
)
@with_appcontext
def create_user_command(name: str, username: str, role: str, password: str | None) -> None:
    """Give a member of staff an admin panel login."""
    if password is None:
        if not can_ask():
            _fail("give the password with --password or DOORBOOK_USER_PASSWORD")
        password = click.prompt(
            f"Password for {username}", hide_input=True, confirmation_prompt=True
        )
    try:
        create_account(
            database.get_db(),
            name=name,
            username=username,
            password=password,
            role=role,
            actor=SYSTEM,
        )
    except AccountProblem as problem:
        _fail(str(problem))
    click.echo(f"{name} can now log in as {username.casefold()} ({role}).")


@cli.command("unlock")
@click.argument("username")
@with_appcontext
def unlock_command(username: str) -> None:
    """Let an account locked by wrong passwords log in again at once."""
    unlock(database.get_db(), username, SYSTEM)
    click.echo(f"{username} may log in again.")


@cli.command("demo", with_appcontext=False)
@click.option(
    "--replace", is_flag=True, help="Start again: delete this data folder's database first."
)
def demo_command(replace: bool) -> None:
    """Create a data folder holding the fictional demo setting (dated today)."""
    data_dir = data_dir_from_environment()
    db_file = data_dir / database.DB_FILENAME
    if db_file.exists():
        if not replace:
            _fail(f"{data_dir} already has a database; use --replace to start the demo again")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_file}{suffix}").unlink(missing_ok=True)
    app = create_app()
    with app.app_context():
        counts = demo.load(database.get_db())
    click.echo(f"Loaded the demo setting into {data_dir}: " + _describe(counts))


@cli.command("import")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def import_command(folder: Path) -> None:
    """Import a setting's CSV files (staff, children, contacts, ...) from FOLDER."""
    try:
        counts = importer.import_folder(database.get_db(), folder)
    except importer.ImportProblems as problems:
        for problem in problems.problems:
            click.echo(problem, err=True)
        click.echo(f"Nothing was imported: {len(problems.problems)} problem(s).", err=True)
        sys.exit(1)
    click.echo("Imported " + _describe(counts))


def _describe(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {what.replace('_', ' ')}" for what, n in counts.items())


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--threads", default=SERVER_THREADS, show_default=True, type=click.IntRange(4, 256))
@click.option(
    "--trusted-proxy",
    metavar="ADDRESS",
    help="Believe X-Forwarded-For/-Proto only from this address (default: 127.0.0.1 when "
    "DOORBOOK_BEHIND_PROXY=1, or $DOORBOOK_TRUSTED_PROXY; otherwise from no one).",
)
@with_appcontext
def serve_command(host: str, port: int, threads: int, trusted_proxy: str | None) -> None:
    """Serve the kiosk and the admin panel with waitress (one process)."""
    import waitress

    from doorbook import proxy

    try:
        proxy_options = proxy.waitress_options(
            trusted_proxy or proxy.trusted_proxy_from_environment()
        )
    except proxy.ProxyProblem as problem:
        raise click.BadParameter(str(problem), param_hint="--trusted-proxy") from None

    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if not loopback:
        click.echo(
            f"Warning: listening on {host}; put HTTPS (Caddy, see README) in front of it.",
            err=True,
        )
    shown = f"[{host}]" if ":" in host else host
    click.echo(
        f"Doorbook: kiosk at http://{shown}:{port}/  admin panel at http://{shown}:{port}/admin"
    )
    from doorbook import scheduler, serving

    app = current_app._get_current_object()
    app.config["SERVER_THREADS"] = threads  # the event streams' cap follows the threads
    serving.limit_malloc_arenas()
    background = scheduler.start(app)
    try:
        waitress.serve(
            app, host=host, port=port, **serving.waitress_options(threads), **proxy_options
        )
    finally:
        background.stop()
        wiring = app.extensions.get("signal_wiring")
        if wiring is not None:
            wiring.close()


def _day(_ctx, _param, value: str | None):
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date in the form YYYY-MM-DD") from None


@cli.group("export")
def export_group() -> None:
    """Export the visitor log or the attendance register (CSV or printable HTML)."""


def _write_export(data: bytes, output: Path | None) -> None:
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        output.write_bytes(data)
        click.echo(f"Wrote {output}", err=True)


def _export_options(command):
    command = click.option(
        "-o",
        "--output",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Write to this file (default: standard output).",
    )(command)
    command = click.option(
        "--format", "fmt", type=click.Choice(["csv", "html"]), default="csv", show_default=True
    )(command)
    command = click.option("--to", "last", callback=_day, help="Last day, YYYY-MM-DD.")(command)
    return click.option(
        "--date", "first", required=True, callback=_day, help="The day (first day), YYYY-MM-DD."
    )(command)


@export_group.command("visitors")
@_export_options
@with_appcontext
def export_visitors(first: date, last: date | None, fmt: str, output: Path | None) -> None:
    """Every visit from --date to --to: times, supervision, checks."""
    from doorbook import exports

    db = database.get_db()
    visits = exports.visitor_log(db, first, last or first)
    rows = exports.visitor_log_rows(db, visits)
    data = (
        exports.to_csv(exports.VISITOR_LOG_HEADER, rows)
        if fmt == "csv"
        else _html_report("Visitor log", first, last, exports.VISITOR_LOG_HEADER, rows)
    )
    audit_export(db, "visitor log", first, last, any(v.row["child_id"] for v in visits))
    _write_export(data, output)


@export_group.command("register")
@_export_options
@with_appcontext
def export_register(first: date, last: date | None, fmt: str, output: Path | None) -> None:
    """The attendance register from --date to --to, with corrections."""
    from doorbook import exports

    db = database.get_db()
    rows = exports.register_table(db, first, last or first)
    data = (
        exports.to_csv(exports.REGISTER_HEADER, rows)
        if fmt == "csv"
        else _html_report("Attendance register", first, last, exports.REGISTER_HEADER, rows)
    )
    audit_export(db, "register", first, last, bool(rows))
    _write_export(data, output)


@export_group.command("end-of-day")
@click.option(
    "--to",
    "folder",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The folder to write to (e.g. a USB stick).",
)
@click.option("--date", "day", callback=_day, help="The day (default: today).")
@with_appcontext
def export_end_of_day(folder: Path, day: date | None) -> None:
    """Write the day's visitor log and register as CSV files into a folder."""
    from doorbook import clock, exports

    db = database.get_db()
    day = day or clock.today(settings.timezone(db))
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in exports.end_of_day_files(db, day).items():
        temporary = folder / f".{name}.partial"
        temporary.write_bytes(data)
        temporary.replace(folder / name)
        click.echo(f"Wrote {folder / name}")
    audit_export(db, "end-of-day files", day, day, True)


def audit_export(db, what: str, first: date, last: date | None, has_children: bool) -> None:
    from doorbook import audit

    audit.record(
        db,
        audit.Actor("system", name="doorbook export"),
        "exported",
        what=what,
        first=first.isoformat(),
        last=(last or first).isoformat(),
        children=has_children,
    )


def _html_report(title: str, first: date, last: date | None, header, rows) -> bytes:
    """A printable report saved to a file: it must stand alone (opened from a USB stick
    there is no /static to link to, and no server or CSP), so it carries its own copy of
    static/report.css, the one stylesheet of the reports the panel serves."""
    from flask import render_template
    from markupsafe import Markup

    style = (Path(current_app.static_folder) / "report.css").read_text(encoding="utf-8")
    return render_template(
        "print/report.html",
        title=title,
        first=first,
        last=last or first,
        header=header,
        rows=rows,
        style=Markup(style),  # noqa: S704  (our own stylesheet, not anyone's input)
        setting_name=settings.get(database.get_db(), "setting_name"),
    ).encode("utf-8")


@cli.command("purge")
@click.option("--dry-run", is_flag=True, help="Say what would go, change nothing.")
@with_appcontext
def purge_command(dry_run: bool) -> None:
    """Remove or anonymise records past their retention periods (see the settings)."""
    from doorbook import audit, retention

    db = database.get_db()
    if dry_run:
        click.echo("Would remove: " + retention.plan_purge(db).describe())
        return
    plan = retention.purge(db, audit.Actor("system", name="doorbook purge"))
    click.echo("Removed: " + plan.describe())


@cli.group("settings")
def settings_group() -> None:
    """See and change the setting's settings (the same as the panel's Settings page)."""


@settings_group.command("list")
@with_appcontext
def settings_list() -> None:
    """Every setting: KEY = VALUE, and what it is."""
    values = settings.all_settings(database.get_db())
    for setting in settings.SETTINGS:
        value = values[setting.key]
        default = "" if value != setting.default else "  (default)"
        click.echo(f"{setting.key} = {value}{default}")
        click.echo(f"    {setting.label}. {setting.help}".rstrip())


@settings_group.command("get")
@click.argument("key")
@with_appcontext
def settings_get(key: str) -> None:
    """Print one setting's value."""
    try:
        settings.declared(key)
    except settings.SettingProblem as problem:
        _fail(str(problem))
    click.echo(settings.get(database.get_db(), key))


@settings_group.command("set")
@click.argument("key")
@click.argument("value")
@with_appcontext
def settings_set(key: str, value: str) -> None:
    """Change one setting, checked as the panel checks it, and audited old -> new."""
    from doorbook import audit

    db = database.get_db()
    try:
        settings.declared(key)
        changed = settings.change(db, audit.Actor("system", name="doorbook settings"), {key: value})
    except settings.SettingProblem as problem:
        _fail(str(problem))
    if changed:
        _key, old, new = changed[0]
        click.echo(f"{key}: {old or '(empty)'} -> {new or '(empty)'}")
    else:
        click.echo(f"{key} is already {settings.get(db, key) or '(empty)'}; nothing changed.")


@cli.command("backup", with_appcontext=False)
@click.argument("destination", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--keep",
    default=14,
    show_default=True,
    type=click.IntRange(1, 10_000),
    help="How many backups to keep in DESTINATION.",
)
def backup_command(destination: Path, keep: int) -> None:
    """Copy the database safely into DESTINATION (e.g. a USB stick), keeping the newest."""
    from doorbook import backup

    try:
        made = backup.backup(data_dir_from_environment(), destination, keep)
    except (backup.BackupProblem, OSError) as problem:
        _fail(f"the backup was not made: {problem}")
    click.echo(f"Backed up to {made} (integrity checked).")


@cli.command("restore", with_appcontext=False)
@click.argument("backup_file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--from",
    "replica_url",
    metavar="URL",
    help="Restore from a Litestream replica: a folder, sftp://user@host/path or s3://bucket/path.",
)
@click.option(
    "--at",
    "at_text",
    metavar="TIME",
    help='With --from: as it was at this time ("2026-11-23 14:05", local time), not the latest.',
)
@click.option(
    "--timezone",
    "zone",
    default=settings.DEFAULTS["timezone"],
    show_default=True,
    help="The time zone of --at when it has none (the replica's own setting is not known "
    "until it is restored: give the setting's zone if it is not the default).",
)
@click.option(
    "--keys",
    "keys_from",
    type=click.Path(file_okay=False, path_type=Path),
    help="With --from: a folder holding credential_key and secret_key (e.g. the backup USB stick).",
)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_command(
    backup_file: Path | None,
    replica_url: str | None,
    at_text: str | None,
    zone: str,
    keys_from: Path | None,
    yes: bool,
) -> None:
    """Replace the database with a checked backup, or rebuild it from the off-site replica
    (--from URL [--at TIME]) into an empty data folder. Stop the server first."""
    from doorbook import backup

    data_dir = data_dir_from_environment()
    if replica_url is not None:
        if backup_file is not None:
            _fail("give either a backup file or --from URL, not both")
        _restore_from_replica(data_dir, replica_url, at_text, zone, keys_from)
        return
    if backup_file is None:
        _fail("give a backup file, or --from URL to restore from the off-site replica")
    if at_text or keys_from:
        _fail("--at and --keys go with --from URL")
    if not yes and not click.confirm(
        f"Replace the database in {data_dir} with {backup_file}? Stop the server first.",
        default=False,
    ):
        _fail("nothing was changed")
    try:
        aside = backup.restore(data_dir, backup_file)
    except (backup.BackupProblem, OSError) as problem:
        _fail(f"nothing was restored: {problem}")
    click.echo(f"Restored {backup_file}. The replaced database is kept as {aside}.")


def _restore_from_replica(
    data_dir: Path, url: str, at_text: str | None, zone: str, keys_from: Path | None
) -> None:
    from zoneinfo import ZoneInfoNotFoundError

    from doorbook import replication

    try:
        at = replication.parse_at(at_text, zone) if at_text else None
        if keys_from is not None and not (keys_from / "credential_key").is_file():
            raise replication.ReplicationProblem(f"there is no credential_key in {keys_from}")
        counts = replication.restore_from(url, data_dir, at, keys_from)
    except (replication.ReplicationProblem, ZoneInfoNotFoundError, OSError) as problem:
        _fail(f"nothing was restored: {problem}")
    when = f"as it was at {at:%Y-%m-%d %H:%M:%S} UTC" if at else "the latest copy"
    click.echo(f"Restored {when} into {data_dir / database.DB_FILENAME} (integrity checked).")
    click.echo("Records: " + _describe(counts))
    if keys_from is None:
        click.echo(
            "Warning: no --keys folder: without the old credential_key every kiosk PIN and "
            "invitation must be issued again (README: the SD card died).",
            err=True,
        )


@cli.command("replicate", with_appcontext=False)
@click.option(
    "--runtime-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="RUNTIME_DIRECTORY",
    help="Where Litestream's generated config goes (systemd's RuntimeDirectory).",
)
def replicate_command(runtime_dir: Path | None) -> None:
    """Stream the database to the off-site copy with Litestream (doorbook-replication.service).
    Does nothing until a destination is set (replica_url or DOORBOOK_REPLICA_URL)."""
    import tempfile

    from doorbook import replication

    data_dir = data_dir_from_environment()
    runtime = runtime_dir or Path(tempfile.mkdtemp(prefix="doorbook-replicate-"))
    sys.exit(replication.Supervisor(data_dir, runtime).run())


@cli.command("check", with_appcontext=False)
def check_command() -> None:
    """Check the database: integrity, foreign keys, schema version, and counts."""
    db_file = data_dir_from_environment() / database.DB_FILENAME
    if not db_file.exists():
        _fail(f"there is no database at {db_file}; run `doorbook init` or `doorbook demo` first")
    try:
        db = database.open_db(db_file)
        click.echo(f"Database: {db_file}")
        _check(db)
    except sqlite3.DatabaseError as error:
        _fail(
            f"the database file is damaged ({error}); restore the last backup, "
            "see README: Restoring from a backup"
        )


def _check(db) -> None:
    problems = []
    integrity = [row[0] for row in db.execute("PRAGMA integrity_check").fetchall()]
    if integrity != ["ok"]:
        problems.append("integrity check: " + "; ".join(integrity[:10]))
    broken = db.execute("PRAGMA foreign_key_check").fetchall()
    if broken:
        problems.append(f"{len(broken)} row(s) refer to records that do not exist")
    version, latest = schema_version(db), latest_version()
    if version != latest:
        problems.append(f"schema version {version}, expected {latest}")
    click.echo(f"Integrity: {'ok' if integrity == ['ok'] else 'FAILED'}")
    click.echo(f"Foreign keys: {'ok' if not broken else 'FAILED'}")
    click.echo(f"Schema version: {version} of {latest}")
    for table in (
        "staff",
        "children",
        "contacts",
        "child_contacts",
        "not_permitted",
        "one_off_collections",
        "expected_visits",
        "attendance",
        "visits",
        "alerts",
        "audit_log",
    ):
        click.echo(f"  {table}: {db[table].count}")
    if problems:
        for problem in problems:
            click.echo(f"Problem: {problem}", err=True)
        sys.exit(1)
    click.echo("All checks passed.")


def _add_group_commands() -> None:
    # The group's office is its own package (group/); the console script carries its commands.
    from group.cli import group_command

    cli.add_command(group_command)


_add_group_commands()
