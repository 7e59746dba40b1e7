"""The kiosk's journeys as its pages make them: the same requests, in the same order, with the
same headers, as Chromium sends them (tests/test_browser_journey_requests.py records Chromium
and compares). Used by the latency, Pi-budget and fault scripts.

A drop-off or a collection at the kiosk is:

    home     GET /                 the whole page (after the last person, kiosk.js reloads it)
    files    the page's own CSS and JS, fetched or revalidated as a browser's cache says
    pad      GET /parent           htmx: the PIN pad
    identify POST /parent/identify htmx: the PIN, answered with the family's children
    parts    what a screen has htmx load by itself (hx-trigger="load"), e.g. the
             attendance-policy prompt on the family's screen
    sign in  POST /parent/sign-in  htmx: (or sign out) the ticked children
    reset    POST /reset           kiosk.js, 8 s after "done": forget the person, then home
"""

from __future__ import annotations

import html
import http.client
import re
import time
from collections.abc import Callable
from urllib.parse import urlencode

# One adult per family, so that concurrent kiosks never act for the same child.
FAMILIES = [
    ("Rachel Hart", "482913"),  # Amelia and Oscar
    ("Funmi Adeyemi", "318274"),
    ("Katarzyna Nowak", "245781"),  # in Polish
    ("Imran Khan", "427159"),  # in Urdu
    ("Siobhan Murphy", "763018"),
    ("Ricardo Fernandes", "350864"),  # in Portuguese
    ("Jess Thompson", "278503"),
    ("Laura Clarke", "846201"),
    ("Sunita Patel", "520873"),
]
STEPS = ("home", "files", "pad", "identify", "parts", "sign in", "sign out", "reset")


class Answer:
    def __init__(self, status: int, headers: dict[str, str], body: str):
        self.status = status
        self.headers = headers
        self.body = body


class Kiosk:
    """One kiosk browser: a keep-alive connection, its cookies, a cache for the page's files
    (fresh files are not asked for again; stale ones are revalidated, as Chromium does)."""

    def __init__(self, port: int, timeout: float = 10):
        self.port = port
        self.timeout = timeout
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        self.cookies: dict[str, str] = {}
        self.csrf = ""
        self.cache: dict[str, tuple[float, str | None, str | None]] = {}
        self.sent: list[tuple[str, str]] = []  # (method, path) of every request, in order

    def close(self) -> None:
        self.conn.close()

    def send(self, method: str, path: str, form: dict | None = None, **headers: str) -> Answer:
        headers = {k.replace("_", "-"): v for k, v in headers.items()}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.sent.append((method, path))
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        except (ConnectionError, http.client.HTTPException):
            # The server closed an idle keep-alive connection: a browser opens another.
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, text)

    def htmx(self, method: str, path: str, form: dict | None = None) -> Answer:
        return self.send(
            method,
            path,
            form,
            HX_Request="true",
            HX_Current_URL=f"http://127.0.0.1:{self.port}/",
            HX_Target="screen",
            X_CSRFToken=self.csrf,
        )

    # ---- the steps ----

    def home(self) -> Answer:
        page = self.send("GET", "/")
        token = re.search(r'"X-CSRFToken": &#34;([^&]+)&#34;', page.body)
        if token:
            self.csrf = token.group(1)
        self.files = re.findall(r'(?:href|src)="(/static/[^"]+)"', page.body)
        return page

    def page_files(self) -> int:
        """Fetch or revalidate the page's files as a browser's cache would; how many were asked."""
        asked = 0
        for path in self.files:
            fresh_until, etag, modified = self.cache.get(path, (0.0, None, None))
            if fresh_until > time.monotonic():
                continue
            conditional = {}
            if etag:
                conditional["If_None_Match"] = etag
            if modified:
                conditional["If_Modified_Since"] = modified
            answer = self.send("GET", path, **conditional)
            asked += 1
            if answer.status == 200:
                etag, modified = answer.headers.get("etag"), answer.headers.get("last-modified")
            # Flask sends "no-cache" (revalidate every time) unless the file has a max-age.
            max_age = re.search(r"max-age=(\d+)", answer.headers.get("cache-control", ""))
            fresh = int(max_age.group(1)) if max_age else 0
            self.cache[path] = (time.monotonic() + fresh, etag, modified)
        return asked

    def load_parts(self, screen: Answer) -> int:
        """What htmx fetches by itself once a screen is in: elements with hx-trigger="load"
        (e.g. the attendance-policy prompt on a family's screen). How many were fetched."""
        fetched = 0
        for tag in re.findall(r"<[^>]*hx-trigger=\"load\"[^>]*>", screen.body):
            url = re.search(r'hx-get="([^"]+)"', tag)
            if url:
                self.htmx("GET", html.unescape(url.group(1)))
                fetched += 1
        return fetched

    def pad(self) -> Answer:
        return self.htmx("GET", "/parent")

    def identify(self, pin: str) -> Answer:
        return self.htmx("POST", "/parent/identify", {"credential": pin})

    def act(self, screen: Answer, action: str) -> Answer:
        """Sign in (or out) every child on the screen's sign-in (or sign-out) form."""
        form = screen.body.split('hx-post="/parent/' + action + '"', 1)
        if len(form) < 2:
            raise RuntimeError(f"no {action} form on the screen: {screen.body[:200]}")
        part = form[1].split("</form>", 1)[0]
        fields = {
            "nonce": re.search(r'name="nonce" value="([^"]+)"', part).group(1),
            "child": re.findall(r'name="child" value="(\d+)"', part),
        }
        if action == "sign-in":
            fields["message"] = ""
        return self.htmx("POST", f"/parent/{action}", fields)

    def reset(self) -> Answer:
        return self.send("POST", "/reset", X_CSRFToken=self.csrf)


Timer = Callable[[str, Callable[[], object]], object]


def untimed(_step: str, fn: Callable[[], object]) -> object:
    return fn()


def journey(kiosk: Kiosk, pin: str, action: str, timer: Timer = untimed) -> Answer:
    """One drop-off ("sign-in") or collection ("sign-out") at the kiosk, request by request.
    Returns the confirmation screen; raises if the kiosk did not confirm."""
    home = timer("home", kiosk.home)
    timer("files", kiosk.page_files)
    timer("parts", lambda: kiosk.load_parts(home))
    pad = timer("pad", kiosk.pad)
    timer("parts", lambda: kiosk.load_parts(pad))
    children = timer("identify", lambda: kiosk.identify(pin))
    if children.status != 200:
        raise RuntimeError(f"identify: {children.status}")
    timer("parts", lambda: kiosk.load_parts(children))
    done = timer(action.replace("-", " "), lambda: kiosk.act(children, action))
    if done.status != 200 or "done-title" not in done.body:
        raise RuntimeError(f"{action}: {done.status} {done.body[:300]}")
    timer("parts", lambda: kiosk.load_parts(done))
    timer("reset", kiosk.reset)
    return done
