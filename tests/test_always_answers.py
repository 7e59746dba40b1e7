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


def open_stream(port: int, cookie: str) -> tuple[http.client.HTTPConnection, int]:
    """Open one panel event stream; returns the connection (kept open) and the status."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/admin/events", headers={"Cookie": cookie})
    response = conn.getresponse()
    if response.status == 200:
        assert response.readline() == b": connected\n"
    else:
        response.read()
    return conn, response.status, response.getheader("Retry-After")


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
    cookie = manager_cookie(served.port)
    streams = [open_stream(served.port, cookie) for _ in range(5)]
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
