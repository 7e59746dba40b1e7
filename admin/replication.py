"""The off-site copy's health on the dashboard: one small part, refreshed by itself."""

from __future__ import annotations

from pathlib import Path

from flask import current_app, render_template

from admin import bp
from doorbook import replication
from doorbook.db import get_db


def replication_part() -> str:
    db = get_db()
    state = replication.health(db, Path(current_app.config["DATA_DIR"]))
    return render_template("admin/_replication.html", copy=state)


@bp.get("/parts/replication")
def replication_fragment():
    return replication_part()
