"""The kiosk always answers: whatever the panels' event streams and idle or stuck clients do,
kiosk requests and /healthz are served. Against `doorbook serve` itself (waitress)."""

from __future__ import annotations

import http.client
import shutil
import socket

import pytest

from tests.served import Client, DemoServer, manager_cookie

PIN = "482913"  # Rachel Hart, the demo's mother of two


@pytest.fixture
def served(tmp_path, demo_template):
    data = tmp_path / "served"
    shutil.copytree(demo_template, data)
    with DemoServer(data=data) as server:
        yield server


class OpenStream:
    """One panel event stream, held open until ``close()``."""

    def __init__(self, conn: http.client.HTTPConnection, response: http.client.HTTPResponse):
        self.conn = conn
        # The server ends a stream's connection with it ("Connection: close"), so http.client
        # hands the socket over to the response: dropping the response would close the
        # stream, and the server would give its place back while the test counts it as open.
        self.response = response

    def close(self) -> None:
        self.response.close()
        self.conn.close()


def open_stream(port: int, cookie: str) -> tuple[OpenStream, int, str | None]:
    """Open one panel event stream; returns it (kept open), the status and Retry-After."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/admin/events", headers={"Cookie": cookie})
    response = conn.getresponse()
    if response.status == 200:
        assert response.readline() == b": connected\n"
    else:
        response.read()
    return OpenStream(conn, response), response.status, response.getheader("Retry-After")


def kiosk_answers_within_a_second(port: int) -> None:
    """A person at the kiosk: home, PIN, their children, and a health check, each in 1 s."""
    with Client(port, timeout=1) as kiosk:
        page = kiosk.request("POST", "/parent/identify", {"credential": PIN})
        assert "Hello, Rachel" in page
    health = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
    try:
        health.request("GET", "/healthz")
        assert health.getresponse().status == 200
    finally:
        health.close()


@pytest.mark.served
def test_more_event_streams_than_the_cap_leave_the_kiosk_answering(served):
    # Five panel sessions (office PCs, tablets), each trying five tabs: 25 streams, more
    # than the 24 threads waitress has, and more than the cap of 16.
    streams, statuses = [], []
    for _ in range(5):
        cookie = manager_cookie(served.port)
        for _ in range(5):
            conn, status, retry_after = open_stream(served.port, cookie)
            streams.append(conn)
            statuses.append((status, retry_after))
    try:
        assert statuses.count((200, None)) == 16
        assert statuses.count((503, "30")) == 9  # told to retry, not left hanging
        kiosk_answers_within_a_second(served.port)
    finally:
        for conn in streams:
            conn.close()


@pytest.mark.served
def test_one_session_gets_at_most_four_streams(served):
    import time

    cookie = manager_cookie(served.port)
    streams = [open_stream(served.port, cookie) for _ in range(4)]
    # Streams still open keep their places for longer than the server takes to notice one
    # that has gone (a slow machine's pause between tabs).
    time.sleep(1.5)
    streams.append(open_stream(served.port, cookie))
    try:
        assert [status for _, status, _ in streams] == [200, 200, 200, 200, 503]
        # Another session still gets its own.
        other, status, _ = open_stream(served.port, manager_cookie(served.port))
        assert status == 200
        other.close()
    finally:
        for conn, _, _ in streams:
            conn.close()


@pytest.mark.served
def test_clients_that_connect_and_send_nothing_do_not_stop_the_kiosk(served):
    # More silent connections than waitress's default limit of 100, plus half-sent requests.
    silent = []
    try:
        for n in range(250):
            sock = socket.create_connection(("127.0.0.1", served.port), timeout=5)
            if n % 2:
                sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            silent.append(sock)
        kiosk_answers_within_a_second(served.port)
    finally:
        for sock in silent:
            sock.close()


@pytest.mark.served
def test_a_panel_that_leaves_gives_its_streams_back_at_once(served):
    # Every admin page has its stream: moving from page to page must not use up the four.
    import time

    cookie = manager_cookie(served.port)
    for _ in range(3):
        pages = [open_stream(served.port, cookie) for _ in range(4)]
        assert [status for _, status, _ in pages] == [200] * 4
        for conn, _, _ in pages:
            conn.close()
        time.sleep(1.5)  # the server notices within a second
