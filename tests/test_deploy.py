"""On the Raspberry Pi: the installer, the units, backups, and which devices are kiosks."""

import os
import shutil
import stat
import subprocess
import threading
from pathlib import Path

import pytest

from doorbook import backup, clock, create_app, exports, kiosks
from doorbook.audit import SYSTEM
from doorbook.db import get_db
from tests.conftest import DEMO_ZONE, PROJECT, TEST_CONFIG
from tests.kiosk_helpers import HX, child_ids, identify, nonce_of, text_of

DEPLOY = PROJECT / "deploy"
UNITS = [
    "doorbook.service",
    "doorbook-backup.service",
    "doorbook-backup.timer",
    "doorbook-replication.service",
]


def tool(name):
    found = shutil.which(name)
    assert found, f"{name} is missing: .ci/run installs it (apt-get install {name})"
    return found


def install(root: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", str(DEPLOY / "install.sh"), "--root", str(root), "--kiosk-user", "pi", *extra],
        capture_output=True,
        text=True,
        check=True,
    )


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.served
def test_every_script_passes_shellcheck():
    scripts = [
        *DEPLOY.glob("*.sh"),
        PROJECT / ".ci" / "run",
        PROJECT / "tests/booted/test-deploy.sh",
    ]
    result = subprocess.run(
        [tool("shellcheck"), *map(str, scripts)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout


@pytest.mark.served
def test_install_writes_the_files_with_their_permissions_and_runs_twice(tmp_path):
    root = tmp_path / "root"
    install(root)
    install(root)  # a second run upgrades in place
    for unit in UNITS:
        assert mode(root / "etc/systemd/system" / unit) == 0o644
    assert mode(root / "etc/doorbook/doorbook.env") == 0o640
    assert mode(root / "var/lib/doorbook") == 0o700
    assert (root / "etc/caddy/Caddyfile").read_text().count("reverse_proxy 127.0.0.1:8000") == 1
    assert "SystemMaxUse=50M" in (root / "etc/systemd/journald.conf.d/doorbook.conf").read_text()
    autostart = (root / "home/pi/.config/labwc/autostart").read_text().splitlines()
    assert autostart == ["/opt/doorbook/app/deploy/kiosk-browser.sh &"]
    assert os.access(root / "opt/doorbook/app/deploy/kiosk-browser.sh", os.X_OK)
    assert (root / "opt/doorbook/app/doorbook/__init__.py").exists()
    assert not (root / "opt/doorbook/app/.git").exists()
    service = (root / "etc/systemd/system/doorbook.service").read_text()
    for line in (
        "User=doorbook",
        "SupplementaryGroups=gpio",
        "Restart=always",
        "NoNewPrivileges=yes",
        "ProtectSystem=strict",
        "ProtectHome=yes",
        "PrivateTmp=yes",
        "RuntimeDirectory=doorbook",
        "Environment=LG_WD=/run/doorbook",
        "Environment=GPIOZERO_PIN_FACTORY=lgpio",
        "DeviceAllow=char-gpiochip rw",
        "--host 127.0.0.1",
        "ExecStart=/opt/doorbook/venv/bin/doorbook serve",
    ):
        assert line in service, line


HARDENING = (
    "User=",
    "Group=",
    "NoNewPrivileges=",
    "ProtectSystem=",
    "ProtectHome=",
    "PrivateTmp=",
    "ProtectKernelTunables=",
    "ProtectKernelModules=",
    "ProtectControlGroups=",
    "RestrictSUIDSGID=",
    "LockPersonality=",
    "UMask=",
    "Restart=",
    "CapabilityBoundingSet=",
    "ProtectClock=",
    "ProtectHostname=",
    "ProtectKernelLogs=",
    "ProtectProc=",
    "PrivateMounts=",
    "RemoveIPC=",
    "RestrictNamespaces=",
    "RestrictRealtime=",
    "SystemCallArchitectures=",
    "SystemCallErrorNumber=",
    "SystemCallFilter=",
)


@pytest.mark.served
def test_the_replication_unit_has_the_same_user_and_hardening_as_the_server(tmp_path):
    root = tmp_path / "root"
    install(root)
    units = root / "etc/systemd/system"

    def hardening(unit: str) -> set[str]:
        lines = (units / unit).read_text().splitlines()
        return {line for line in lines if line.startswith(HARDENING)}

    assert hardening("doorbook-replication.service") == hardening("doorbook.service")
    replication_unit = (units / "doorbook-replication.service").read_text()
    assert "ExecStart=/opt/doorbook/venv/bin/doorbook replicate" in replication_unit
    assert "RuntimeDirectory=doorbook-replication" in replication_unit  # not the server's
    assert "DOORBOOK_REPLICA_URL=" in (root / "etc/doorbook/doorbook.env").read_text()


@pytest.mark.served
def test_a_second_run_keeps_the_settings_the_manager_changed(tmp_path):
    root = tmp_path / "root"
    install(root)
    env = root / "etc/doorbook/doorbook.env"
    env.write_text(env.read_text().replace("DOORBOOK_GPIO_LED=", "DOORBOOK_GPIO_LED=17"))
    install(root)
    assert "DOORBOOK_GPIO_LED=17" in env.read_text()


@pytest.mark.served
def test_a_dry_run_changes_nothing(tmp_path):
    root = tmp_path / "root"
    result = install(root, "--dry-run")
    assert "would write: /etc/systemd/system/doorbook.service" in result.stdout
    assert "would run: systemctl enable doorbook.service doorbook-backup.timer" in result.stdout
    assert not root.exists() or not any(root.rglob("*"))


def refused(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in ("SUDO_USER",)}
    result = subprocess.run(
        ["bash", str(DEPLOY / "install.sh"), "--dry-run", *args],
        capture_output=True,
        text=True,
        env={**environment, **env},
    )
    assert result.returncode == 1 and result.stdout == "", result.stdout
    return result


@pytest.mark.served
def test_without_a_kiosk_user_it_says_to_give_one_and_does_nothing():
    result = refused()
    assert "Give it with --kiosk-user USER" in result.stderr


@pytest.mark.served
def test_a_kiosk_user_that_does_not_exist_is_named_before_anything_is_done():
    result = refused("--kiosk-user", "pi-who-is-not-here")
    assert "there is no user 'pi-who-is-not-here'" in result.stderr
    assert "--kiosk-user USER" in result.stderr


@pytest.mark.served
def test_root_is_not_a_kiosk_user():
    assert "--kiosk-user" in refused(SUDO_USER="root").stderr


@pytest.mark.served
def test_an_unreadable_password_file_is_named():
    # "nobody" exists on every Debian system; the password file is read before anything else.
    result = refused("--kiosk-user", "nobody", "--manager-password-file", "/nonexistent/pw")
    assert "cannot read the password file /nonexistent/pw" in result.stderr


@pytest.mark.served
def test_the_dry_run_says_what_it_skips(tmp_path):
    result = install(tmp_path / "root", "--dry-run")
    assert "would run: runuser -u doorbook" in result.stdout
    if not shutil.which("raspi-config"):
        assert "skipped: screen blanking off: there is no raspi-config" in result.stdout


@pytest.mark.served
def test_a_second_run_says_nothing_changed(tmp_path):
    root = tmp_path / "root"
    install(root)
    again = install(root).stdout
    assert "wrote:" not in again and "copied:" not in again
    assert "unchanged: /opt/doorbook/app (the same files as last time)" in again
    assert "unchanged: /etc/systemd/system/doorbook.service" in again
    assert "kept: /etc/doorbook/doorbook.env" in again


@pytest.mark.served
def test_systemd_accepts_every_unit(tmp_path):
    root = tmp_path / "root"
    install(root)
    stub = root / "opt/doorbook/venv/bin/doorbook"  # the venv is made on the Pi itself
    stub.parent.mkdir(parents=True)
    stub.write_text("#!/bin/sh\n")
    stub.chmod(0o755)
    (root / "usr/lib").mkdir(parents=True)
    (root / "usr/lib/systemd").symlink_to("/usr/lib/systemd")
    result = subprocess.run(
        [
            tool("systemd-analyze"),
            "verify",
            f"--root={root}",
            *(f"/etc/systemd/system/{unit}" for unit in UNITS),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "SYSTEMD_LOG_LEVEL": "err"},
    )
    assert result.returncode == 0, result.stderr


# ---- Backups ----


def counts(path: Path) -> dict[str, int]:
    import sqlite3

    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return {
            t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # noqa: S608
            for t in ("children", "contacts", "attendance", "audit_log", "credentials")
        }
    finally:
        conn.close()


def test_backup_then_restore_round_trips(demo_app, demo_client, demo_db, tmp_path):
    data = Path(demo_app.config["DATA_DIR"])
    page = text_of(identify(demo_client, "482913"))
    demo_client.post(
        "/parent/sign-in", data={"nonce": nonce_of(page), "child": child_ids(page)}, headers=HX
    )
    before = counts(data / "doorbook.db")
    made = backup.backup(data, tmp_path / "usb")
    assert backup.integrity(made) == ["ok"] and counts(made) == before
    assert mode(made) == 0o600 and (tmp_path / "usb" / "credential_key").exists()
    with demo_app.app_context():
        get_db().execute("BEGIN IMMEDIATE")
        get_db().execute("DELETE FROM attendance")
        get_db().execute("COMMIT")
    assert counts(data / "doorbook.db")["attendance"] == 0
    aside = backup.restore(data, made)
    assert counts(data / "doorbook.db") == before
    assert aside.exists() and counts(aside)["attendance"] == 0
    again = create_app({"DATA_DIR": str(data), **TEST_CONFIG}).test_client()
    assert "Hello, Rachel" in text_of(identify(again, "482913"))  # PINs still work


def test_a_backup_taken_while_the_kiosk_is_writing_is_consistent(demo_app, tmp_path):
    data = Path(demo_app.config["DATA_DIR"])
    stop = threading.Event()
    written = []

    def kiosk():
        client = demo_app.test_client()
        while not stop.is_set():
            client.post("/help", headers=HX)
            with demo_app.app_context():
                from doorbook import alerts

                alerts.raise_alert(get_db(), "help_requested", "busy kiosk")
            written.append(1)

    thread = threading.Thread(target=kiosk)
    thread.start()
    try:
        made = [backup.backup(data, tmp_path / "usb", keep=3) for _ in range(5)]
    finally:
        stop.set()
        thread.join()
    assert len(written) > 5
    survivors = sorted((tmp_path / "usb").glob("doorbook-*.db"))
    assert survivors == made[-3:], "the newest three are kept"
    for path in survivors:
        assert backup.integrity(path) == ["ok"]


def test_restore_refuses_a_file_that_is_not_a_sound_database(demo_app, tmp_path):
    data = Path(demo_app.config["DATA_DIR"])
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"SQLite format 3\x00" + b"\x00" * 4000)
    before = counts(data / "doorbook.db")
    with pytest.raises(backup.BackupProblem, match="not a sound database"):
        backup.restore(data, bad)
    assert counts(data / "doorbook.db") == before


def test_the_cli_backs_up_and_restores(run_cli, tmp_path):
    data = tmp_path / "demo"
    run_cli("demo", data=data)
    result = run_cli("backup", str(tmp_path / "usb"), data=data)
    assert result.exit_code == 0 and "integrity checked" in result.output
    (made,) = (tmp_path / "usb").glob("doorbook-*.db")
    restored = run_cli("restore", str(made), "--yes", data=data)
    assert restored.exit_code == 0 and "The replaced database is kept as" in restored.output
    missing = run_cli("backup", str(tmp_path / "usb2"), data=tmp_path / "nothing")
    assert missing.exit_code == 1 and "there is no database" in missing.output


# ---- Only a kiosk is a kiosk ----

OFFICE = {"REMOTE_ADDR": "192.0.2.20"}
VIA_CADDY = {"environ_base": OFFICE, "base_url": "https://doorbook.local"}  # HTTPS


def test_a_device_that_is_not_enrolled_is_refused_then_enrolled_then_revoked(demo_app, demo_db):
    tablet = demo_app.test_client()
    assert tablet.get("/", **VIA_CADDY).status_code == 403
    enrolment = kiosks.start_enrolment(demo_db, "back door", SYSTEM)
    wrong = tablet.post("/enrol", data={"code": "AAAA-AAAA"}, **VIA_CADDY)
    assert wrong.status_code == 400 and "not right, or has expired" in text_of(wrong)
    done = tablet.post("/enrol", data={"code": enrolment.code.lower()}, **VIA_CADDY)
    assert done.status_code == 302
    assert "HttpOnly" in done.headers["Set-Cookie"] and "Secure" in done.headers["Set-Cookie"]
    home = tablet.get("/", **VIA_CADDY)
    assert home.status_code == 200 and "Parent or carer" in text_of(home)
    tablet.post("/help", headers=HX, **VIA_CADDY)
    assert next(demo_db.query("SELECT kiosk FROM alerts"))["kiosk"] == "back door"
    assert tablet.post("/enrol", data={"code": enrolment.code}).status_code == 400  # once
    in_clear = demo_app.test_client().get("/enrol", environ_base={"REMOTE_ADDR": "192.0.2.21"})
    assert in_clear.status_code == 400 and "over HTTPS" in text_of(in_clear)
    kiosks.revoke(demo_db, enrolment.device_id, SYSTEM)
    assert tablet.get("/", **VIA_CADDY).status_code == 403


def test_an_enrolment_code_expires_after_15_minutes(demo_app, demo_db):
    from datetime import timedelta

    enrolment = kiosks.start_enrolment(demo_db, "back door", SYSTEM)
    with clock.freeze(clock.now() + timedelta(minutes=16)):
        late = demo_app.test_client().post("/enrol", data={"code": enrolment.code}, **VIA_CADDY)
    assert late.status_code == 400


def test_the_manager_enrols_and_revokes_kiosks_in_the_panel(demo_client, demo_db):
    from tests.admin_helpers import log_in

    log_in(demo_client)
    page = text_of(demo_client.post("/admin/kiosks", data={"name": "back door"}))
    assert "The enrolment code" in page and "waiting for its code" in page
    device = next(demo_db["kiosk_devices"].rows)["id"]
    demo_client.post(f"/admin/kiosks/{device}/revoke")
    assert demo_db["kiosk_devices"].get(device)["revoked_at"]


# ---- The end-of-day files ----


def test_the_server_writes_the_end_of_day_files_once_at_closing_time(demo_db, tmp_path):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from doorbook import settings

    settings.set_many(demo_db, {"end_of_day_folder": str(tmp_path / "usb")})
    london = ZoneInfo("Europe/London")
    today = clock.today(DEMO_ZONE)
    before = datetime.combine(today, datetime.min.time(), tzinfo=london).replace(hour=17)
    assert exports.end_of_day_export(demo_db, before) == []
    after = before.replace(hour=18, minute=5)
    written = exports.end_of_day_export(demo_db, after)
    assert sorted(Path(p).name for p in written) == [
        f"register-{today}.csv",
        f"visitor-log-{today}.csv",
    ]
    assert exports.end_of_day_export(demo_db, after.replace(minute=30)) == []
