"""The panel's live feed: Server-Sent Events, and the chime.

Each open stream holds one server thread; it sends ": connected" at once and a keep-alive
comment every 15 s, which is also when a closed browser is noticed and when a logged-out
session ends the stream. The gate (doorbook.events.StreamGate) caps open streams overall
and per session, so the kiosk always has threads left: a stream beyond the cap is answered
503 with Retry-After, and htmx's SSE extension tries again later with a growing pause."""

from __future__ import annotations

import hashlib

from flask import Response, current_app, request, stream_with_context

from admin import bp
from admin.auth import COOKIE
from doorbook import accounts, chime, events
from doorbook.db import get_db

KEEP_ALIVE_SECONDS = 15
CHECK_SECONDS = 1.0
RETRY_AFTER_SECONDS = 30


def stream_gate() -> events.StreamGate:
    gate = current_app.extensions.get("event_stream_gate")
    if gate is None:
        overall, per_session = events.stream_limits(current_app.config["SERVER_THREADS"])
        gate = events.StreamGate(
            current_app.config.get("EVENT_STREAMS_MAX", overall),
            current_app.config.get("EVENT_STREAMS_PER_SESSION", per_session),
        )
        gate = current_app.extensions.setdefault("event_stream_gate", gate)
    return gate


@bp.get("/events")
def event_stream():
    session_id = request.cookies.get(COOKIE)
    # Only a digest of the session id is kept, to count that session's open streams.
    session_key = hashlib.sha256((session_id or "").encode()).hexdigest()
    gate = stream_gate()
    told = request.environ.get("waitress.client_disconnected")
    # The per-session cap needs a server that says when a browser has gone (waitress, as
    # `doorbook serve` runs it); under another (Flask's development server) only the overall
    # cap applies, or a page left a moment ago would hold its place until its keep-alive.
    if not gate.enter(session_key, per_session=told is not None):
        return Response(
            "Too many live panels are open; this one will try again shortly.\n",
            status=503,
            mimetype="text/plain",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"},
        )

    # waitress says when the browser has gone (it keeps reading the connection, see
    # doorbook/serving.py): a panel that moves to another page gives its place back within
    # a second, not at the next keep-alive.
    gone = told or (lambda: False)

    @stream_with_context
    def stream():
        with events.Subscription() as subscription:
            yield ": connected\n\n"
            quiet = 0.0
            while True:
                topic = subscription.next(timeout=CHECK_SECONDS)
                if gone():
                    return
                if topic is not None:
                    quiet = 0.0
                    yield f"event: {topic}\ndata: {topic}\n\n"
                    continue
                quiet += CHECK_SECONDS
                if quiet < KEEP_ALIVE_SECONDS:
                    continue
                quiet = 0.0
                if accounts.session_staff(get_db(), session_id) is None:
                    yield "event: logged-out\ndata: logged-out\n\n"
                    return
                yield ": keep-alive\n\n"

    response = Response(
        stream(),
        mimetype="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
    # The server closes the response when the stream ends, the browser goes or the server
    # stops, even if the stream never started: that is when its place is given back.
    left = []
    response.call_on_close(lambda: left or (left.append(1), gate.leave(session_key)))
    return response


@bp.get("/chime.wav")
def chime_sound():
    return Response(
        chime.wav(), mimetype="audio/wav", headers={"Cache-Control": "private, max-age=86400"}
    )
