"""For the benches only (DOORBOOK_BENCH_FLOOR=1): a bare endpoint, the floor every kiosk step
is compared with, and the CPU time each kind of request costs its server thread.

The meter wraps the whole WSGI app, so it counts everything Flask does for a request (hooks,
view, template, session, teardown) and the writing of the body, but not waitress's parsing on
its I/O thread; the benches measure the whole process's CPU beside it."""

from __future__ import annotations

import json
import threading
import time

from flask import Flask

_lock = threading.Lock()


def install(app: Flask) -> None:
    totals: dict[str, list[float]] = {}
    inner = app.wsgi_app

    def metered(environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == "/_floor/cpu":
            with _lock:
                body = json.dumps(totals).encode()
                totals.clear()
            start_response("200 OK", [("Content-Type", "application/json")])
            return [body]
        return timed(environ, start_response)

    def timed(environ, start_response):
        path = environ.get("PATH_INFO", "")
        where = "/static" if path.startswith("/static/") else path
        key = f"{environ.get('REQUEST_METHOD')} {where}"
        started = time.thread_time()
        try:
            iterable = inner(environ, start_response)
            try:
                yield from iterable
            finally:
                if hasattr(iterable, "close"):
                    iterable.close()
        finally:
            spent = time.thread_time() - started
            with _lock:
                entry = totals.setdefault(key, [0, 0.0])
                entry[0] += 1
                entry[1] += spent

    app.wsgi_app = metered
    app.add_url_rule("/_floor", "floor", lambda: "ok")
