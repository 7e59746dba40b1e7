"""`doorbook group ...`: the group's office, from the command line."""

from __future__ import annotations

import os
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import click

from doorbook import group as core


def _folder(value: str | None) -> Path:
    return Path(value or os.environ.get("DOORBOOK_GROUP") or "group-instance").resolve()


group_option = click.option(
    "--group",
    "folder",
    metavar="PATH",
    help="The group office's folder (default: $DOORBOOK_GROUP or ./group-instance).",
)


def _fail(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


@click.group("group")
def group_command() -> None:
    """The group's office: read-only copies of every site, a dashboard and reports."""


@group_command.command("create-user")
@group_option
@click.option("--username", required=True)
@click.option("--name", required=True, help="Their full name.")
@click.option("--role", type=click.Choice(list(core.ROLES)), default="office", show_default=True)
@click.option("--password", envvar="DOORBOOK_GROUP_PASSWORD", help="Or $DOORBOOK_GROUP_PASSWORD.")
def create_user(folder, username, name, role, password) -> None:
    """Give someone at the group's office a login (office: counts; safeguarding: names)."""
    if password is None:
        if not sys.stdin.isatty():
            _fail("give the password with --password or DOORBOOK_GROUP_PASSWORD")
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    db = core.open_group(_folder(folder))
    try:
        core.create_account(db, username, name, role, password)
    except core.GroupProblem as problem:
        _fail(str(problem))
    click.echo(f"{name} can log in as {username.strip().casefold()} ({role}).")


@group_command.command("add-site")
@group_option
@click.argument("slug")
@click.argument("replica_url")
@click.option("--name", required=True, help="The site's name, as the office calls it.")
def add_site(folder, slug, replica_url, name) -> None:
    """Follow a site's off-site copy: SLUG (a short name) and its REPLICA_URL."""
    db = core.open_group(_folder(folder))
    try:
        core.add_site(db, slug, name, replica_url, by="doorbook group add-site")
    except core.GroupProblem as problem:
        _fail(str(problem))
    click.echo(f"Added {name} ({slug}); `doorbook group refresh` copies it.")


@group_command.command("refresh")
@group_option
def refresh(folder) -> None:
    """Bring every site's copy up to date once (sites whose replica moved on are restored)."""
    path = _folder(folder)
    db = core.open_group(path)
    started = time.monotonic()
    changed = core.refresh(path, db)
    for site in core.sites_now(db):
        state = "stale" if site.stale else "current"
        note = f" ({site.problem})" if site.problem else ""
        click.echo(
            f"{site.slug}: {'restored' if changed.get(site.slug) else 'unchanged'}, {state}{note}"
        )
    click.echo(f"Refreshed {len(changed)} site(s) in {time.monotonic() - started:.1f} s.")


@group_command.command("serve")
@group_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8100, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--refresh-seconds", default=10.0, show_default=True, type=click.FloatRange(0.5, 3600)
)
@click.option(
    "--stale-minutes",
    default=10.0,
    show_default=True,
    type=click.FloatRange(0.05, 1440),
    help="A site whose copy is older than this is flagged stale.",
)
def serve(folder, host, port, refresh_seconds, stale_minutes) -> None:
    """Serve the group dashboard (waitress) and keep every copy fresh in the background."""
    import waitress

    from group import create_group_app

    path = _folder(folder)
    app = create_group_app(path, {"STALE_AFTER": timedelta(minutes=stale_minutes)})
    stopping = threading.Event()

    def keep_fresh() -> None:
        while not stopping.is_set():
            db = core.open_group(path)
            try:
                core.refresh(path, db)
            except Exception as error:  # the next round may well succeed
                click.echo(f"refresh failed: {error}", err=True)
            finally:
                db.close()
            stopping.wait(refresh_seconds)

    worker = threading.Thread(target=keep_fresh, name="group-refresh", daemon=True)
    worker.start()
    click.echo(f"Group office at http://{host}:{port}/")
    try:
        waitress.serve(app, host=host, port=port, threads=8, ident="Doorbook group")
    finally:
        stopping.set()


@group_command.command("demo")
@group_option
def demo(folder) -> None:
    """Three fictional sites with a day of activity each, replicated, copied and ready."""
    from doorbook.group_demo import build

    path = _folder(folder)
    if (path / core.GROUP_DB).exists():
        _fail(f"{path} already has a group office; choose another --group folder")
    for line in build(path):
        click.echo(line)
    click.echo(
        f"Now: doorbook group serve --group {path}  (log in as office / group-demo-office, or "
        "safeguarding / group-demo-safeguarding)"
    )
