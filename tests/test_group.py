"""A group of settings: the group's office follows each site's replica read-only. End to end
with two real `doorbook serve` sites, their real Litestream, and `doorbook group serve`."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import time
from pathlib import Path
from urllib.parse import quote

import pytest

from doorbook import group, replication
from group import create_group_app
from tests.served import BIN, Client, DemoServer, free_port

# Every test here works on copies that Litestream made (the office template is built once).
pytestmark = pytest.mark.served
RACHEL = "482913"


@pytest.fixture
def office(tmp_path, demo_office_template) -> Path:
    """A copy of `doorbook group demo` (the replicas' paths stay the template's)."""
    folder = tmp_path / "office"
    shutil.copytree(demo_office_template, folder)
    return folder


@pytest.fixture
def office_app(office):
    return create_group_app(office, {"TESTING": True, "WTF_CSRF_ENABLED": False})


def log_in(client, username: str, password: str):
    return client.post("/login", data={"username": username, "password": password})


# ---- The dashboard, need to know, reports ----


def test_the_office_sees_counts_and_alert_kinds_and_no_names(office_app):
    client = office_app.test_client()
    assert client.get("/").status_code == 302  # logins first
    assert log_in(client, "office", "group-demo-office").status_code == 302
    page = client.get("/").get_data(as_text=True)
    for name in ("Acorns Day Nursery", "Bluebell Pre-school", "Chestnut Children"):
        assert name in page
    assert "✓ Current" in page and "1 UNSUPERVISED" in page
    assert "1 × unsupervised visit" in page
    for child in ("Amelia", "Oscar", "Zofia", "Jo Fictional"):
        assert child not in page
    assert "Names (audited)" not in page
    refused = client.get("/sites/acorns/names")
    assert refused.status_code == 403 and "safeguarding role" in refused.get_data(as_text=True)


def test_names_only_for_safeguarding_and_every_view_is_audited(office_app, office):
    client = office_app.test_client()
    log_in(client, "safeguarding", "group-demo-safeguarding")
    page = client.get("/sites/acorns/names").get_data(as_text=True)
    assert "Jo Fictional" in page and "Lambeth Early Help" in page
    assert "Millie Hart" in page or "Amelia Hart" in page
    db = group.open_group(office)
    rows = db.execute("SELECT username, site FROM audit WHERE action = 'viewed_names'").fetchall()
    assert rows == [("safeguarding", "acorns")]
    assert client.get("/sites/nowhere/names").status_code == 404


@pytest.mark.parametrize(
    ("username", "password"),
    [
        ("", ""),
        ("office", "x" * 10_000),
        ("offi\u202ece", "group-demo-office"),
        ("<script>", "'; DROP TABLE accounts; --"),
        ("🦆", "🦆"),
    ],
)
def test_a_wrong_login_says_so_in_the_page(office_app, username, password):
    answer = log_in(office_app.test_client(), username, password)
    assert answer.status_code == 401
    assert "do not match" in answer.get_data(as_text=True)


def test_wrong_passwords_pause_that_account_only(office_app):
    client = office_app.test_client()
    for _ in range(group.WRONG_LOGINS_ALLOWED):
        assert log_in(client, "office", "wrong password").status_code == 401
    paused = log_in(client, "office", "group-demo-office")
    assert paused.status_code == 429
    assert "Too many wrong passwords" in paused.get_data(as_text=True)
    assert log_in(client, "safeguarding", "group-demo-safeguarding").status_code == 302


def test_reports_across_sites_and_their_csv(office_app):
    client = office_app.test_client()
    log_in(client, "office", "group-demo-office")
    page = client.get("/reports").get_data(as_text=True)
    for title in ("Attendance", "Visits per agency", "Unsupervised minutes per site", "Alerts"):
        assert title in page
    assert "Lambeth Early Help" in page
    csv = client.get("/reports/agencies.csv")
    assert csv.mimetype == "text/csv"
    body = csv.get_data(as_text=True)
    assert body.startswith("\ufeffSite,Organisation") and "Lambeth Early Help" in body


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=yesterday", "YYYY-MM-DD"),
        ("from=2026-11-23&to=2026-01-01", "must not be before"),
        ("from=2000-01-01&to=2026-01-01", "at most three years"),
        ("from=%00%3Cscript%3E", "YYYY-MM-DD"),
    ],
)
def test_report_dates_that_cannot_work_get_a_message(office_app, query, message):
    client = office_app.test_client()
    log_in(client, "office", "group-demo-office")
    answer = client.get(f"/reports?{query}")
    assert answer.status_code == 400 and message in answer.get_data(as_text=True)


def test_add_site_refuses_what_cannot_work(tmp_path):
    db = group.open_group(tmp_path / "o")
    for slug, name, url, message in [
        ("Bad Slug", "X", "/srv/x", "short name"),
        ("ok", "", "/srv/x", "Please"),
        ("ok", "X", "ftp://x", "must be a folder"),
        ("ok", "\u202eX", "/srv/x", "."),
    ]:
        with pytest.raises(group.GroupProblem, match=message):
            group.add_site(db, slug, name, url)


def test_a_copy_cannot_be_written(office):
    copy = group.open_copy(group.copy_path(office, "acorns"))
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        copy.execute("DELETE FROM children")


# ---- End to end: two sites, their replicas, the office ----


class Site:
    def __init__(self, folder: Path, template: Path):
        self.data = folder / "data"
        shutil.copytree(template, self.data)
        self.replica = folder / "replica"
        self.env = {
            replication.ENV_URL: str(self.replica),
            "RUNTIME_DIRECTORY": str(folder / "run"),
            "DOORBOOK_HEARTBEAT_SECONDS": "1",
        }
        self.server = DemoServer(data=self.data, env=self.env)
        self.replicator = subprocess.Popen(
            [BIN / "doorbook", "--data", str(self.data), "replicate"],
            env={**os.environ, **self.env},
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def stop_replication(self) -> None:
        if self.replicator.poll() is None:
            os.killpg(self.replicator.pid, signal.SIGKILL)
            self.replicator.wait(timeout=10)

    def close(self) -> None:
        self.stop_replication()
        self.server.__exit__()


def manifest(folder: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p): (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*") if p.is_file()
    }


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def wait_until(check, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"not within {seconds} s: {what}")


def test_two_sites_replicate_to_the_office_which_flags_the_one_that_stops(tmp_path, demo_template):
    a, b = Site(tmp_path / "a", demo_template), Site(tmp_path / "b", demo_template)
    office_dir = tmp_path / "office"
    port = free_port()
    office = None
    try:
        a.server.wait_ready()
        b.server.wait_ready()
        for site in (a, b):
            wait_until(lambda s=site: list(s.replica.rglob("*.ltx")), 30, "first copy")
        for slug, site in (("alder", a), ("birch", b)):
            add = subprocess.run(
                [
                    BIN / "doorbook",
                    "group",
                    "add-site",
                    "--group",
                    str(office_dir),
                    slug,
                    str(site.replica),
                    "--name",
                    f"{slug.title()} Nursery",
                ],
                capture_output=True,
                text=True,
            )
            assert add.returncode == 0, add.stderr
        subprocess.run(
            [
                BIN / "doorbook",
                "group",
                "create-user",
                "--group",
                str(office_dir),
                "--username",
                "office",
                "--name",
                "Group Office",
                "--password",
                "group-office-pw",
            ],
            check=True,
            capture_output=True,
        )
        office = subprocess.Popen(
            [
                BIN / "doorbook",
                "group",
                "serve",
                "--group",
                str(office_dir),
                "--port",
                str(port),
                "--refresh-seconds",
                "1",
                "--stale-minutes",
                "0.25",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(lambda: _answers(port), 30, "the group office to start")
        with Client(port, "/login") as viewer:
            viewer.request(
                "POST",
                "/login",
                {
                    "username": "office",
                    "password": "group-office-pw",
                    "csrf_token": viewer.headers["X-CSRFToken"],
                },
                expect=(302,),
            )

            def row(slug: str) -> str:
                page = viewer.request("GET", "/parts/sites")
                found = re.search(rf'<tr id="site-{slug}".*?</tr>', page, re.S)
                return found.group(0) if found else ""

            def children_in(slug: str) -> int | None:
                cells = re.findall(r"<td>(\d+)</td>", row(slug))
                return int(cells[0]) if cells else None

            wait_until(
                lambda: "✓ Current" in row("alder") and "✓ Current" in row("birch"),
                30,
                "both sites current",
            )
            before = children_in("alder")

            # A sign-in at Alder reaches the office within 15 s.
            with Client(a.server.port) as kiosk:
                page = kiosk.request("POST", "/parent/identify", {"credential": RACHEL})
                nonce = re.search(r'name="nonce" value="([^"]+)"', page).group(1)
                children = re.findall(r'name="child" value="(\d+)"', page)
                kiosk.request("POST", "/parent/sign-in", {"nonce": nonce, "child": children})
            signed = time.monotonic()
            wait_until(lambda: children_in("alder") == before + 2, 15, "the sign-in")
            assert time.monotonic() - signed <= 15

            # An unsupervised agency visit at Birch reaches the office within 15 s.
            with Client(b.server.port) as kiosk:
                kiosk.request("GET", "/professional")
                page = kiosk.request("GET", "/professional/details")
                nonce = re.search(r'name="nonce" value="([^"]+)"', page).group(1)
                kiosk.request(
                    "POST",
                    "/professional/details",
                    {
                        "nonce": nonce,
                        "name": "Sam Example",
                        "organisation": "Early Help",
                        "role": "Social worker",
                        "phone": "",
                        "child": "Noah Adeyemi",
                    },
                )
            wait_until(lambda: "1 UNSUPERVISED" in row("birch"), 15, "the unsupervised visit")

            # Birch's replication stops: it is flagged stale; Alder stays current.
            b.stop_replication()
            wait_until(lambda: "STALE" in row("birch"), 60, "Birch flagged stale")
            assert "✓ Current" in row("alder")

            # The office never writes to a site's replica (nor has a site's database path).
            a.stop_replication()
            before_files = manifest(a.replica) | manifest(b.replica)
            time.sleep(3)  # several refreshes
            assert manifest(a.replica) | manifest(b.replica) == before_files
            config = (office_dir / "group.db").read_bytes()
            assert str(a.data).encode() not in config and str(b.data).encode() not in config
    finally:
        if office is not None:
            office.terminate()
            office.wait(timeout=10)
        a.close()
        b.close()


# ---- The analyst: the copies in Datasette, read-only ----


def test_the_copies_open_read_only_in_datasette_with_crossdb(office):
    copies = sorted((office / group.SITES).glob("*.db"))
    before = {p: p.read_bytes() for p in copies}
    port = free_port()
    command = [BIN / "datasette", "serve", "--crossdb", "-h", "127.0.0.1", "-p", str(port)]
    for path in copies:
        command += ["-i", str(path)]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until(lambda: _answers(port), 30, "Datasette to start")

        def get(path: str):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                return response.status, json.loads(response.read() or b"null")
            finally:
                conn.close()

        across = (
            "select 'acorns' as site, count(*) as n from acorns.attendance "
            "union all select 'chestnut', count(*) from chestnut.attendance"
        )
        status, rows = get("/_memory.json?_shape=array&sql=" + quote(across))
        assert status == 200 and {r["site"] for r in rows} == {"acorns", "chestnut"}
        hostile = "/acorns.json?sql=" + quote("delete from children")  # noqa: S608
        status, answer = get(hostile)
        assert status == 400 and "must be a SELECT" in answer["error"]
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert {p: p.read_bytes() for p in copies} == before
