"""Never lose a day: the real Litestream binary copies the database off the card, to a folder
and to a real SFTP server (Debian's sshd on loopback); the card dies mid-stream; `doorbook
restore --from` rebuilds the setting, and what the kiosk confirmed is there."""

from __future__ import annotations

import csv
import getpass
import io
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from doorbook import audit, clock, replication, settings
from doorbook.db import get_db, open_db
from tests.conftest import DEMO_ZONE
from tests.served import BIN, Client, DemoServer, free_port, log_in_as_manager

RACHEL = "482913"  # mother of Amelia and Oscar
KATARZYNA = "245781"  # mother of Zofia


# ---- Real processes: sshd, doorbook replicate, doorbook serve ----


@pytest.fixture
def sshd(tmp_path):
    """Debian's openssh-server on a free loopback port, a throw-away host key and client key."""
    folder = tmp_path / "sshd"
    folder.mkdir()
    for name in ("host", "client"):
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(folder / name)], check=True
        )
    shutil.copy(folder / "client.pub", folder / "authorized_keys")
    port = free_port()
    config = folder / "sshd_config"
    config.write_text(
        f"Port {port}\nListenAddress 127.0.0.1\nHostKey {folder / 'host'}\n"
        f"AuthorizedKeysFile {folder / 'authorized_keys'}\nPasswordAuthentication no\n"
        "KbdInteractiveAuthentication no\nPubkeyAuthentication yes\n"
        "PermitRootLogin prohibit-password\nUsePAM no\nStrictModes no\n"
        f"Subsystem sftp internal-sftp\nPidFile {folder / 'sshd.pid'}\n"
    )
    Path("/run/sshd").mkdir(exist_ok=True)
    process = subprocess.Popen(["/usr/sbin/sshd", "-D", "-f", str(config), "-e"])
    try:
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(0.05)
        replica = tmp_path / "office" / "acorns"
        replica.mkdir(parents=True)
        yield {
            "url": f"sftp://{getpass.getuser()}@127.0.0.1:{port}{replica}",
            "env": {
                replication.ENV_SSH_KEY: str(folder / "client"),
                replication.ENV_HOST_KEY: (folder / "host.pub").read_text().strip(),
            },
            "replica": replica,
        }
    finally:
        process.terminate()
        process.wait(timeout=10)


class Replicator:
    """`doorbook replicate` (what doorbook-replication.service runs), in its own process
    group so that "the card died" can SIGKILL it and its Litestream together."""

    def __init__(self, data: Path, env: dict):
        self.data = data
        self.process = subprocess.Popen(
            [BIN / "doorbook", "--data", str(data), "replicate"],
            env={**os.environ, **env},
            start_new_session=True,
        )

    def wait_for_copy(self, after: datetime | None = None, seconds: float = 60) -> dict:
        """Until the replica holds a change made at or after ``after``."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            status = replication.read_status(self.data) or {}
            reached = status.get("reached_at")
            if reached and (after is None or datetime.fromisoformat(reached) >= after):
                return status
            assert self.process.poll() is None, "doorbook replicate stopped"
            time.sleep(0.2)
        raise AssertionError(f"the copy did not arrive: {status}")

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.kill()


def sign(port: int, pin: str, action: str) -> tuple[float, float, list[str]]:
    """One parent at the kiosk: PIN, then sign every child in or out. Returns when it was
    sent, when the kiosk confirmed it, and the children's names confirmed."""
    sent = time.time()
    with Client(port) as kiosk:
        page = kiosk.request("POST", "/parent/identify", {"credential": pin})
        nonce = re.search(r'name="nonce" value="([^"]+)"', page).group(1)
        children = re.findall(r'name="child" value="(\d+)"', page)
        done = kiosk.request("POST", f"/parent/sign-{action}", {"nonce": nonce, "child": children})
    results = done.split('class="results"', 1)[1].split("</ul>", 1)[0]  # any language
    names = re.findall(r"<li>\s*([^<]+?)\s+[–-]", results) or re.findall(
        rf"<li>\s*(.+?) signed {action} at", results
    )
    assert len(names) == len(children), done
    return sent, time.time(), names


def doorbook(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [BIN / "doorbook", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=300,
    )


def arrivals(database: Path) -> list[tuple[str, datetime, datetime | None]]:
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        rows = conn.execute(
            "SELECT c.first_name || ' ' || c.last_name, a.arrived_at, a.departed_at "
            "FROM attendance a JOIN children c ON c.id = a.child_id"
        ).fetchall()
    finally:
        conn.close()
    return [(n, clock.parse(a), clock.parse(d) if d else None) for n, a, d in rows]


def the_card_dies_mid_stream(tmp_path: Path, demo_template: Path, url: str, env: dict) -> None:
    pi = tmp_path / "pi"
    shutil.copytree(demo_template, pi)
    # The nightly backup's USB stick keeps the keys that PINs need (never sent with the copy).
    assert doorbook("--data", str(pi), "backup", str(tmp_path / "usb")).returncode == 0
    env = {replication.ENV_URL: url, "RUNTIME_DIRECTORY": str(tmp_path / "run"), **env}
    replicator = Replicator(pi, env)
    server = DemoServer(data=pi, env=env)
    confirmed = []
    try:
        server.wait_ready()
        replicator.wait_for_copy()
        stream_ends = time.monotonic() + 12
        while time.monotonic() < stream_ends:
            for action in ("in", "out"):
                confirmed.append((action, *sign(server.port, RACHEL, action)))
                time.sleep(0.3)
        # The SD card dies: the server and Litestream stop dead, the data folder is gone.
        server.kill()
        replicator.kill()
        failure = time.time()
    finally:
        server.__exit__()
        replicator.kill()
    shutil.rmtree(pi)

    fresh = tmp_path / "new-pi"
    restored = doorbook(
        "--data", str(fresh), "restore", "--from", url, "--keys", str(tmp_path / "usb"), env=env
    )
    assert restored.returncode == 0, restored.stderr
    assert "integrity checked" in restored.stdout
    database = fresh / "doorbook.db"
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()

    rows = arrivals(database)
    before = [c for c in confirmed if c[2] < failure - 5]
    assert len(before) >= 6, "the stream was too short to prove anything"
    for action, sent, at, names in before:
        low = datetime.fromtimestamp(sent - 1, UTC)
        high = datetime.fromtimestamp(at + 1, UTC)
        times = [arrived if action == "in" else departed for _name, arrived, departed in rows]
        there = sum(1 for t in times if t and low <= t <= high)
        assert there >= len(names), (action, names, at, failure)

    # The rebuilt setting serves: a parent's PIN works, and the manager can log in.
    with DemoServer(data=fresh) as again:
        with Client(again.port) as kiosk:
            page = kiosk.request("POST", "/parent/identify", {"credential": RACHEL})
            assert "Hello, Rachel" in page
        with log_in_as_manager(again.port) as panel:
            assert "Off-site copy" in panel.request("GET", "/admin/dashboard")


@pytest.mark.served
def test_the_card_dies_and_a_folder_copy_brings_back_every_confirmed_sign_in(
    tmp_path, demo_template
):
    copy = tmp_path / "nas" / "acorns"
    the_card_dies_mid_stream(tmp_path, demo_template, str(copy), {})
    assert list((copy / "ltx").rglob("*.ltx"))


@pytest.mark.served
def test_the_card_dies_and_an_sftp_copy_brings_back_every_confirmed_sign_in(
    tmp_path, demo_template, sshd
):
    the_card_dies_mid_stream(tmp_path, demo_template, sshd["url"], sshd["env"])
    assert list((sshd["replica"] / "ltx").rglob("*.ltx"))


@pytest.mark.served
def test_a_point_in_time_restore_brings_back_the_register_as_it_was(tmp_path, demo_template):
    pi = tmp_path / "pi"
    shutil.copytree(demo_template, pi)
    copy = tmp_path / "usb-copy"
    env = {replication.ENV_URL: f"file://{copy}", "RUNTIME_DIRECTORY": str(tmp_path / "run")}
    replicator = Replicator(pi, env)
    try:
        with DemoServer(data=pi, env=env) as server:
            replicator.wait_for_copy()
            sign(server.port, RACHEL, "in")
            replicator.wait_for_copy(after=datetime.now(UTC) - timedelta(seconds=1))
            time.sleep(2)
            chosen = datetime.now(UTC)
            time.sleep(2)
            sign(server.port, KATARZYNA, "in")
            replicator.wait_for_copy(after=datetime.now(UTC) - timedelta(seconds=1))
    finally:
        replicator.stop()
    at = clock.local(chosen, "Europe/London").strftime("%Y-%m-%d %H:%M:%S")
    then = tmp_path / "then"
    restored = doorbook("--data", str(then), "restore", "--from", str(copy), "--at", at)
    assert restored.returncode == 0, restored.stderr
    day = clock.today("Europe/London").isoformat()

    def arrived(folder: Path) -> set[str]:
        """Who the day's register shows as arrived (the export, as the manager reads it)."""
        export = doorbook("--data", str(folder), "export", "register", "--date", day).stdout
        rows = list(csv.reader(io.StringIO(export.lstrip("\ufeff"))))
        header = rows[0]
        name, arrival = header.index("Child"), header.index("Arrived")
        return {row[name].split()[0] for row in rows[1:] if row[arrival]}

    assert arrived(then) == {"Amelia", "Oscar"}
    latest = tmp_path / "latest"
    assert doorbook("--data", str(latest), "restore", "--from", str(copy)).returncode == 0
    assert arrived(latest) == {"Amelia", "Oscar", "Zofia"}


@pytest.mark.served
def test_restore_refuses_a_folder_that_has_a_database_and_says_why(tmp_path, demo_template):
    shutil.copytree(demo_template, tmp_path / "pi")
    result = doorbook("--data", str(tmp_path / "pi"), "restore", "--from", str(tmp_path / "x"))
    assert result.returncode == 1
    assert "already has a database" in result.stderr


@pytest.mark.served
@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/nowhere/at/all", "no copy found there"),
        ("ftp://example.org/x", "must be a folder"),
        ("s3://", "needs a bucket"),
    ],
)
def test_restore_from_nothing_says_so_and_leaves_no_database(tmp_path, url, message):
    result = doorbook("--data", str(tmp_path / "new"), "restore", "--from", url)
    assert result.returncode == 1
    assert message in result.stderr
    assert not (tmp_path / "new" / "doorbook.db").exists()


@pytest.mark.served
def test_a_time_that_is_not_a_time_is_refused(tmp_path):
    result = doorbook("--data", str(tmp_path / "n"), "restore", "--from", "/x", "--at", "noon")
    assert result.returncode == 1 and "is not a time" in result.stderr


def test_parse_at_reads_local_times_in_the_settings_zone():
    summer = replication.parse_at("2026-07-01 14:05", "Europe/London")
    assert summer == datetime(2026, 7, 1, 13, 5, tzinfo=UTC)
    assert replication.parse_at("2026-12-01T14:05:00Z", DEMO_ZONE) == datetime(
        2026, 12, 1, 14, 5, tzinfo=UTC
    )


# ---- The destination a setting types ----


@pytest.mark.parametrize(
    ("typed", "kind", "url"),
    [
        ("/media/usb/doorbook", "file", "file:///media/usb/doorbook"),
        ("file:///mnt/nas/acorns", "file", "file:///mnt/nas/acorns"),
        ("sftp://acorns@office.example:2222/copies/acorns", "sftp", None),
        ("s3://group-copies/acorns", "s3", "s3://group-copies/acorns"),
    ],
)
def test_destinations_a_setting_may_choose(typed, kind, url):
    dest = replication.parse_destination(typed)
    assert dest.kind == kind and dest.url == (url or typed)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("relative/folder", "must be a folder"),
        ("/" + "a" * 600, "too long"),
        ("/media/usb/door book", "spaces or hidden characters"),
        ("/media/usb/\u202edoorbook", "spaces or hidden characters"),
        ("/media/\x00usb", "spaces or hidden characters"),
        ("sftp://acorns:hunter2@office/copies", "Do not put a password"),
        ("sftp://office/copies", "needs a user and a host"),
        ("sftp://acorns@office:port/copies", "port must be a number"),
        ("sftp://acorns@office", "needs a folder"),
        ("<script>alert(1)</script>", "must be a folder"),
        ("javascript:alert(1)", "must be a folder"),
        ("🦆://duck", "must be a folder"),
    ],
)
def test_destinations_that_cannot_work_get_a_clear_message(typed, message):
    assert message in replication.destination_problem(typed)


def test_the_settings_refuse_a_bad_destination_and_keep_the_old_one(db):
    manager = audit.Actor("system", name="test")
    settings.change(db, manager, {"replica_url": "/media/usb/doorbook"})
    with pytest.raises(settings.SettingProblem, match="must be a folder"):
        settings.change(db, manager, {"replica_url": "ftp://nope"})
    with pytest.raises(settings.SettingProblem, match="whole number from 1 to 1440"):
        settings.change(db, manager, {"replica_max_lag_minutes": "ten"})
    assert settings.get(db, "replica_url") == "/media/usb/doorbook"


def test_doorbook_settings_set_refuses_a_bad_destination(run_cli):
    result = run_cli("settings", "set", "replica_url", "sftp://acorns:secret@office/copies")
    assert result.exit_code == 1 and "Do not put a password" in result.output
    assert run_cli("settings", "set", "replica_url", "/media/usb/doorbook").exit_code == 0


def test_the_environment_overrides_the_setting(db, monkeypatch):
    settings.set_many(db, {"replica_url": "/media/usb/doorbook"})
    monkeypatch.setenv(replication.ENV_URL, "sftp://acorns@office/copies")
    assert replication.destination(db).kind == "sftp"


# ---- Health: /healthz, the alert ----


def write_status(data: Path, **status) -> None:
    replication.write_status(data, {"destination": "/media/usb/doorbook", **status})


def test_with_no_destination_nothing_is_reported_behind(app, client):
    assert client.get("/healthz").get_json()["replication"]["configured"] is False


def test_healthz_says_when_the_last_change_reached_the_copy(app, client, db):
    settings.set_many(db, {"replica_url": "/media/usb/doorbook"})
    now = datetime.now(UTC)
    write_status(
        Path(app.config["DATA_DIR"]), checked_at=now.isoformat(), reached_at=now.isoformat()
    )
    copy = client.get("/healthz").get_json()["replication"]
    assert copy["configured"] and not copy["behind"]
    assert copy["last_reached"] == now.isoformat()


def test_a_copy_behind_for_longer_than_the_setting_raises_one_alert_then_resolves(app, db):
    data = Path(app.config["DATA_DIR"])
    settings.set_many(db, {"replica_url": "/media/usb/doorbook", "replica_max_lag_minutes": "10"})
    now = datetime.now(UTC)
    write_status(
        data,
        checked_at=now.isoformat(),
        reached_at=(now - timedelta(minutes=30)).isoformat(),
        behind_since=(now - timedelta(minutes=11)).isoformat(),
    )
    with app.app_context():
        assert replication.check_alert(get_db(), data).behind
        replication.check_alert(get_db(), data)  # once per episode
        rows = get_db().execute("SELECT message FROM alerts WHERE kind = 'replica_behind'")
        messages = [r[0] for r in rows]
        assert len(messages) == 1 and "behind since" in messages[0]
        write_status(data, checked_at=now.isoformat(), reached_at=now.isoformat())
        assert not replication.check_alert(get_db(), data).behind
        open_ = get_db().execute(
            "SELECT count(*) FROM alerts WHERE kind = 'replica_behind' AND resolved_at IS NULL"
        )
        assert open_.fetchone()[0] == 0


def test_a_silent_replication_service_counts_as_behind(app, db):
    data = Path(app.config["DATA_DIR"])
    settings.set_many(db, {"replica_url": "/media/usb/doorbook"})
    old = datetime.now(UTC) - timedelta(minutes=20)
    write_status(data, checked_at=old.isoformat(), reached_at=old.isoformat())
    with app.app_context():
        with get_db().conn:
            get_db().execute("INSERT INTO settings (key, value) VALUES ('x_touch', '1')")
        state = replication.health(get_db(), data)
    assert state.behind and "has not reported since" in state.problem


# ---- Who checkpoints (the WAL-reset bug) ----


def test_no_doorbook_connection_checkpoints_by_itself(tmp_path):
    db = open_db(tmp_path / "doorbook.db")
    assert db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0


def test_the_server_checkpoints_only_when_litestream_does_not(tmp_path):
    database = tmp_path / "doorbook.db"
    db = open_db(database)
    db.execute("CREATE TABLE t (x)")
    with db.conn:
        db.conn.executemany("INSERT INTO t VALUES (randomblob(4000))", [()] * 1500)
    with replication.checkpoint_lock(tmp_path):  # as doorbook replicate holds it
        assert replication.server_checkpoint(database) == "litestream"
    size = database.stat().st_size
    assert replication.server_checkpoint(database) == "done"
    assert database.stat().st_size > size  # the WAL's pages reached the database file


@pytest.mark.served
def test_litestream_is_the_pinned_version():
    out = subprocess.run(
        [replication.litestream_binary(), "version"], capture_output=True, text=True
    )
    assert out.stdout.strip() == replication.LITESTREAM_VERSION


@pytest.mark.served
def test_the_generated_config_is_what_litestream_reads(tmp_path):
    config = replication.write_config(
        tmp_path / "litestream.yml",
        replication.litestream_config(
            tmp_path / "doorbook.db", replication.parse_destination(str(tmp_path / "copy"))
        ),
    )
    assert oct(config.stat().st_mode & 0o777) == "0o600"
    assert json.loads(config.read_text())["dbs"][0]["min-checkpoint-page-count"] == 1000
    # Litestream parses it (an empty replica lists no files) without complaint.
    reached, txid = replication.replica_position(config, tmp_path / "doorbook.db")
    assert (reached, txid) == (None, 0)
