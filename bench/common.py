"""What the benchmarks share: a demo server started as a user would, and a kiosk-like client."""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class DemoServer:
    """`doorbook demo` into a fresh folder, then `doorbook serve` (waitress) on loopback."""

    def __init__(self, env: dict | None = None):
        self.data = Path(tempfile.mkdtemp(prefix="doorbook-bench-"))
        subprocess.run(
            [BIN / "doorbook", "--data", str(self.data), "demo"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        self.port = free_port()
        self.process = subprocess.Popen(
            [BIN / "doorbook", "--data", str(self.data), "serve", "--port", str(self.port)],
            env={**os.environ, **(env or {})},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def __enter__(self) -> DemoServer:
        for _ in range(100):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=1)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("the server did not start")

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmRSS")


class Client:
    """One browser: a keep-alive connection, its cookies, the page's CSRF token."""

    def __init__(self, port: int, first_page: str = "/"):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        self.cookies: dict[str, str] = {}
        self.headers: dict[str, str] = {}
        page = self.request("GET", first_page)
        token = re.search(
            r'name="csrf_token" value="([^"]+)"|"X-CSRFToken": &#34;([^&]+)&#34;', page
        )
        self.headers = {"X-CSRFToken": token.group(1) or token.group(2), "HX-Request": "true"}

    def request(
        self, method: str, path: str, form: dict | None = None, expect: tuple[int, ...] = (200,)
    ) -> str:
        headers = dict(self.headers)
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        text = response.read().decode()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        if response.status not in expect:
            raise RuntimeError(f"{method} {path}: {response.status}")
        return text


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]
