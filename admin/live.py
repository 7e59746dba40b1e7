"""The panel's live feed: Server-Sent Events, and the chime.

Each open stream holds one server thread (waitress runs 24); it sends ": connected" at
once and a keep-alive comment every 15 s, which is also when a closed browser is noticed
and when a logged-out session ends the stream."""

from __future__ import annotations

from flask import Response, request, stream_with_context

from admin import bp
from admin.auth import COOKIE
from doorbook import accounts, chime, events
from doorbook.db import get_db

KEEP_ALIVE_SECONDS = 15


@bp.get("/events")
def event_stream():
    session_id = request.cookies.get(COOKIE)

    @stream_with_context
    def stream():
        with events.Subscription() as subscription:
            yield ": connected\n\n"
            while True:
                topic = subscription.next(timeout=KEEP_ALIVE_SECONDS)
                if topic is None:
                    if accounts.session_staff(get_db(), session_id) is None:
                        yield "event: logged-out\ndata: logged-out\n\n"
                        return
                    yield ": keep-alive\n\n"
                else:
                    yield f"event: {topic}\ndata: {topic}\n\n"

    return Response(
        stream(),
        mimetype="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@bp.get("/chime.wav")
def chime_sound():
    return Response(
        chime.wav(), mimetype="audio/wav", headers={"Cache-Control": "private, max-age=86400"}
    )
