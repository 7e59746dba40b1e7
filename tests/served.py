"""`doorbook serve` as a subprocess on a free loopback port, for tests of what the deployed
server decides (threads, streams, connections, proxy headers, cookies, limits: through
waitress, never Flask's test client), and the fault scripts' fast versions. The one place
tests find a served Doorbook:

* ``DemoServer`` and ``Client`` are the benches' own (bench/common.py), so tests and benches
  agree: a demo setting served, a kiosk-like keep-alive client;
* ``Served`` serves a data folder a test prepared, with its own arguments, host and
  environment; ``Browser`` keeps its cookies and CSRF token and can come from another
  loopback address or through ``Caddy`` (deploy/Caddyfile's site block)."""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path
from urllib.parse import urlencode

BENCH = Path(__file__).resolve().parent.parent / "bench"
for folder in (BENCH, BENCH / "faults"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

# The fault scripts (bench/faults/), whose fast versions tests/test_faults.py runs.
import disk_full  # noqa: E402
import flood  # noqa: E402
import kill_during_sign_ins  # noqa: E402
import restart_mid_procedure  # noqa: E402
from common import BIN, Client, DemoServer, free_port, log_in_as_manager, manager_cookie  # noqa: E402
from journeys import FAMILIES, Kiosk, journey  # noqa: E402

__all__ = [
    "BIN",
    "FAMILIES",
    "Answer",
    "Browser",
    "Caddy",
    "Client",
    "DemoServer",
    "Kiosk",
    "Served",
    "disk_full",
    "flood",
    "free_port",
    "journey",
    "log_in_as_manager",
    "manager_cookie",
    "kill_during_sign_ins",
    "restart_mid_procedure",
]


@dataclass
class Answer:
    status: int
    headers: Message
    text: str

    def cookies(self) -> list[str]:
        return self.headers.get_all("Set-Cookie") or []

    def cookie(self, name: str) -> str | None:
        return next((c for c in self.cookies() if c.startswith(f"{name}=")), None)


class Served:
    """`doorbook --data DATA serve --port P [ARGS]`, started and always stopped."""

    def __init__(self, data: Path, *args: str, env: dict | None = None, host="127.0.0.1"):
        self.data, self.host, self.port = data, host, free_port(host)
        self.log = data.parent / f"serve-{self.port}.log"
        environment = {k: v for k, v in os.environ.items() if not k.startswith("DOORBOOK_")} | (
            env or {}
        )
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [BIN / "doorbook", "--data", str(data), "serve", "--host", host]
                + ["--port", str(self.port), *args],
                env=environment,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def __enter__(self) -> Served:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"doorbook serve exited: {self.log.read_text()}")
            try:
                self.request("GET", "/healthz")
                return self
            except OSError:
                time.sleep(0.1)
        self.__exit__()
        raise RuntimeError("doorbook serve did not answer within 30 s")

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def request(
        self,
        method: str,
        path: str,
        *,
        headers: dict | None = None,
        form: dict | None = None,
        source: str | None = None,
    ) -> Answer:
        """One request on a connection of its own, from ``source`` (a loopback address)."""
        conn = http.client.HTTPConnection(
            self.host, self.port, timeout=30, source_address=(source, 0) if source else None
        )
        try:
            body = None
            headers = dict(headers or {})
            if form is not None:
                body = urlencode(form, doseq=True)
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            return Answer(response.status, response.msg, response.read().decode())
        finally:
            conn.close()


@dataclass
class Browser:
    """A client's cookies and the page's CSRF token, as a browser would keep them."""

    served: Served
    headers: dict = field(default_factory=dict)  # e.g. X-Forwarded-For (from Caddy)
    source: str | None = None
    cookies: dict = field(default_factory=dict)
    csrf: str = ""

    def request(
        self, method: str, path: str, form: dict | None = None, headers: dict | None = None
    ) -> Answer:
        sent = {**self.headers, **(headers or {})}
        if method == "POST" and sent.get("X-Forwarded-Proto") == "https":
            # What a browser sends under Referrer-Policy: same-origin (CSRF checks it).
            sent.setdefault("Referer", f"https://127.0.0.1:{self.served.port}/")
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if form is not None and self.csrf:
            form = {"csrf_token": self.csrf, **form}
        answer = self.served.request(method, path, headers=sent, form=form, source=self.source)
        for cookie in answer.cookies():
            name, _, rest = cookie.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        token = re.search(
            r'name="csrf_token" value="([^"]+)"|"X-CSRFToken": &#34;([^&]+)&#34;', answer.text
        )
        if token:
            self.csrf = token.group(1) or token.group(2)
        return answer

    def get(self, path: str, headers: dict | None = None) -> Answer:
        return self.request("GET", path, headers=headers)

    def post(self, path: str, form: dict | None = None, headers: dict | None = None) -> Answer:
        return self.request("POST", path, form or {}, headers=headers)


class Caddy:
    """Debian's caddy in front of a Served app, with deploy/Caddyfile's site block (the one
    install.sh puts on the Pi), listening on ``bind`` only, with its own local CA in
    ``folder``. Started and always stopped."""

    def __init__(self, served: Served, folder: Path, *, bind: str = "127.0.0.1", name: str):
        self.bind, self.port, self.name = bind, free_port(bind), name
        self.folder = folder
        self.storage = folder / "caddy"
        self.root = self.storage / "pki" / "authorities" / "local" / "root.crt"
        project = Path(__file__).resolve().parent.parent
        site = (project / "deploy" / "Caddyfile").read_text()
        site = re.sub(r"(?s)^.*?\{\s*local_certs\s*\}\s*", "", site)  # our own global block
        site = site.replace("{$DOORBOOK_HOSTNAME:doorbook.local}", f"https://{name}:{self.port}")
        assert "127.0.0.1:8000" in site
        site = site.replace("127.0.0.1:8000", f"127.0.0.1:{served.port}")
        self.caddyfile = folder / "Caddyfile"
        self.caddyfile.write_text(
            "{\n\tadmin off\n\tlocal_certs\n\tskip_install_trust\n"
            f"\tdefault_bind {bind}\n\thttp_port {free_port(bind)}\n"
            f"\thttps_port {self.port}\n\tauto_https disable_redirects\n"
            f"\tstorage file_system {self.storage}\n}}\n\n{site}"
        )
        self.log = folder / "caddy.log"

    @property
    def url(self) -> str:
        return f"https://{self.name}:{self.port}"

    def __enter__(self) -> Caddy:
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                ["caddy", "run", "--config", str(self.caddyfile), "--adapter", "caddyfile"],
                stdout=log,
                stderr=subprocess.STDOUT,
                env={
                    "PATH": os.environ["PATH"],
                    "HOME": str(self.folder),
                    "XDG_DATA_HOME": str(self.storage),
                    "XDG_CONFIG_HOME": str(self.storage),
                },
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("Caddy exited: " + self.log.read_text())
            try:
                socket.create_connection((self.bind, self.port), timeout=1).close()
                if self.root.exists():
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        self.__exit__()
        raise RuntimeError("Caddy did not start: " + self.log.read_text())

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
