"""End to end as on the Pi: Debian's Caddy in front of `doorbook serve`, with the Caddyfile
that deploy/install.sh installs, and a client in a network namespace of its own (a veth pair
made for this test and always removed), so it has a real, non-loopback address, as a phone
on the setting's Wi-Fi would."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest

from tests.admin_helpers import MANAGER
from tests.served import Caddy, Served

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which("caddy") or not shutil.which("ip"),
    reason="needs root, Debian's caddy and iproute2",
)
NAME = "doorbook.test"
REFUSED = "This screen is for the entrance kiosk"


def run(*command: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(command, check=check, capture_output=True, text=True, timeout=60)


@pytest.fixture
def network():
    """A namespace with one end of a veth pair; this machine has the other. Names and a /30
    of 10.250.0.0/16 come from the pid, so parallel runs do not meet."""
    pid = os.getpid()
    namespace, host_end, client_end = f"dbk{pid}", f"dbh{pid}", f"dbc{pid}"
    block = (pid % 16384) * 4
    host_ip = f"10.250.{block // 256}.{block % 256 + 1}"
    client_ip = f"10.250.{block // 256}.{block % 256 + 2}"
    try:
        run("ip", "netns", "add", namespace)
        run("ip", "link", "add", host_end, "type", "veth", "peer", "name", client_end)
        run("ip", "link", "set", client_end, "netns", namespace)
        run("ip", "addr", "add", f"{host_ip}/30", "dev", host_end)
        run("ip", "link", "set", host_end, "up")
        inside = ("ip", "netns", "exec", namespace)
        run(*inside, "ip", "addr", "add", f"{client_ip}/30", "dev", client_end)
        run(*inside, "ip", "link", "set", client_end, "up")
        run(*inside, "ip", "link", "set", "lo", "up")
        yield {"namespace": namespace, "host": host_ip, "client": client_ip}
    finally:
        run("ip", "link", "del", host_end, check=False)  # takes its peer with it
        run("ip", "netns", "del", namespace, check=False)


@pytest.fixture
def caddy_in_front(tmp_path, demo_template, network):
    """doorbook serve as doorbook.service runs it, and Caddy with deploy/Caddyfile's site,
    listening on this machine's end of the veth pair only."""
    data = tmp_path / "demo"
    shutil.copytree(demo_template, data)
    with (
        Served(data, env={"DOORBOOK_BEHIND_PROXY": "1"}) as served,
        Caddy(served, tmp_path, bind=network["host"], name=NAME) as caddy,
    ):
        yield {**network, "port": caddy.port, "root": caddy.root, "tmp": tmp_path, "data": data}


class Phone:
    """curl inside the namespace: a client on the setting's network, trusting Caddy's CA."""

    def __init__(self, where: dict):
        self.where = where
        self.jar = where["tmp"] / "cookies.txt"
        self.base = f"https://{NAME}:{where['port']}"

    def secure_cookies(self) -> set[str]:
        """Names of the cookies curl keeps for HTTPS only (Netscape jar: 4th field TRUE)."""
        rows = [line.split("\t") for line in self.jar.read_text().splitlines()]
        return {row[5] for row in rows if len(row) == 7 and row[3] == "TRUE"}

    def request(
        self, path: str, form: dict | None = None, send: tuple[str, ...] = ()
    ) -> tuple[int, str, str]:
        headers = self.where["tmp"] / "headers.txt"
        command = [
            "ip", "netns", "exec", self.where["namespace"],
            "curl", "--silent", "--show-error", "--max-time", "20",
            "--cacert", str(self.where["root"]),
            "--resolve", f"{NAME}:{self.where['port']}:{self.where['host']}",
            "--cookie", str(self.jar), "--cookie-jar", str(self.jar),
            "--dump-header", str(headers), "--output", "-",
            "--write-out", "\n%{http_code}",
        ]  # fmt: skip
        for header in send:
            command += ["--header", header]
        if form is not None:
            command += ["--header", f"Referer: {self.base}{path}"]
            for key, value in form.items():
                command += ["--data-urlencode", f"{key}={value}"]
        result = run(*command, f"{self.base}{path}")
        body, _, status = result.stdout.rpartition("\n")
        return int(status), body, headers.read_text()


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


@pytest.mark.served
def test_through_caddy_a_phone_on_the_network_is_not_a_kiosk_and_the_panel_is_https(
    caddy_in_front,
):
    phone = Phone(caddy_in_front)
    for path in ("/", "/parent", "/signing-out", "/collecting"):
        status, body, _ = phone.request(path)
        assert status == 403 and REFUSED in body, path

    # Claiming to be the Pi itself does not help: Caddy says who really connected, last.
    lies = ("X-Forwarded-For: 127.0.0.1", "Forwarded: for=127.0.0.1", "X-Real-IP: 127.0.0.1")
    status, body, _ = phone.request("/", send=lies)
    assert status == 403 and REFUSED in body

    status, login_page, headers = phone.request("/admin/login")
    assert status == 200 and 'name="password"' in login_page
    assert phone.secure_cookies() >= {"session"}  # it holds the CSRF token
    token = csrf_of(login_page)

    # A POST to a kiosk route with a good CSRF token is still refused for who it is.
    status, body, _ = phone.request("/help", {"csrf_token": token})
    assert status == 403 and REFUSED in body

    status, _, headers = phone.request(
        "/admin/login",
        {"csrf_token": token, "username": MANAGER[0], "password": MANAGER[1]},
    )
    assert status == 302, headers
    assert re.search(r"(?im)^set-cookie: doorbook_admin=.*; Secure", headers)
    status, dashboard, _ = phone.request("/admin/dashboard")
    assert status == 200 and "Alerts" in dashboard
