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


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class DemoServer:
    """`doorbook demo` into a fresh folder, then `doorbook serve` (waitress) on loopback.

    The fault scripts also stop it (``kill``: SIGKILL, as a power cut would) and start it
    again on the same data folder (``start``)."""

    def __init__(
        self,
        env: dict | None = None,
        data: Path | None = None,
        threads: int | None = None,
        log: bool = False,
        preexec=None,
    ):
        self.data = data or Path(tempfile.mkdtemp(prefix="doorbook-bench-"))
        if not (self.data / "doorbook.db").exists():
            subprocess.run(
                [BIN / "doorbook", "--data", str(self.data), "demo"],
                check=True,
                stdout=subprocess.DEVNULL,
            )
        self.env = {**os.environ, **(env or {})}
        self.threads = threads
        self.log = self.data / "server.log" if log else None
        self.preexec = preexec  # e.g. to put the server in a cgroup before it starts
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.start()

    def start(self) -> None:
        command = [BIN / "doorbook", "--data", str(self.data), "serve", "--port", str(self.port)]
        if self.threads:
            command += ["--threads", str(self.threads)]
        output = open(self.log, "ab") if self.log else subprocess.DEVNULL  # noqa: SIM115
        self.process = subprocess.Popen(
            command,
            env=self.env,
            stdout=output,
            stderr=output,
            preexec_fn=self.preexec,
        )
        if self.log:
            output.close()

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log and self.log.exists() else ""

    def healthz(self) -> int:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        try:
            conn.request("GET", "/healthz")
            return conn.getresponse().status
        except OSError:
            return 0
        finally:
            conn.close()

    def wait_ready(self, seconds: float = 15) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server stopped with code {self.process.returncode}")
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=1)
            try:
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200 and self._owns_port():
                    return
            except OSError:
                time.sleep(0.05)
            finally:
                conn.close()
        raise RuntimeError("the server did not start")

    def _owns_port(self) -> bool:
        """True when the process listening on our port is ours: between choosing a free port
        and binding it, another program (another test run) may have taken it."""
        wanted = f"0100007F:{self.port:04X}"
        inodes = set()
        for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
            fields = line.split()
            if fields[1] == wanted and fields[3] == "0A":  # 0A: listening
                inodes.add(f"socket:[{fields[9]}]")
        pids = [self.process.pid]
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        if children.exists():  # a wrapper (e.g. a cgroup launcher) runs the server
            pids += [int(c) for c in children.read_text().split()]
        for pid in pids:
            try:
                for fd in Path(f"/proc/{pid}/fd").iterdir():
                    if os.readlink(fd) in inodes:
                        return True
            except OSError:
                continue
        if self.process.poll() is not None:
            raise RuntimeError(f"the server stopped with code {self.process.returncode}")
        return False

    def kill(self) -> None:
        """SIGKILL: the process gets no chance to finish anything, as in a power cut."""
        self.process.kill()
        self.process.wait(timeout=10)

    def __enter__(self) -> DemoServer:
        try:
            self.wait_ready()
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def rss_mib(self) -> float:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmRSS")

    def cpu_seconds(self) -> float:
        """User + system CPU time the server process has used so far."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Client:
    """One browser: a keep-alive connection, its cookies, the page's CSRF token."""

    def __init__(self, port: int, first_page: str = "/", timeout: float = 10):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        self.cookies: dict[str, str] = {}
        self.headers: dict[str, str] = {}
        page = self.request("GET", first_page)
        token = re.search(
            r'name="csrf_token" value="([^"]+)"|"X-CSRFToken": &#34;([^&]+)&#34;', page
        )
        self.headers = {"X-CSRFToken": token.group(1) or token.group(2), "HX-Request": "true"}

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

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
        self.last_status = response.status
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        if response.status not in expect:
            raise RuntimeError(f"{method} {path}: {response.status}")
        return text


def log_in_as_manager(port: int) -> Client:
    """The demo's manager logs in to the panel over HTTP; the client keeps the cookies."""
    panel = Client(port, "/admin/login")
    panel.request(
        "POST",
        "/admin/login",
        {
            "username": "priya",
            "password": "acorns-demo-manager",
            "csrf_token": panel.headers["X-CSRFToken"],
        },
        expect=(302,),
    )
    return panel


def manager_cookie(port: int) -> str:
    """The Cookie header of a fresh manager's panel session (e.g. for an event stream)."""
    with log_in_as_manager(port) as panel:
        return f"doorbook_admin={panel.cookies['doorbook_admin']}"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]
