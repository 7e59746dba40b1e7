"""Admin panel routes."""

from __future__ import annotations

from flask import redirect, render_template, url_for

from admin import bp
from doorbook import settings
from doorbook.db import get_db


@bp.get("/")
def index():
    return redirect(url_for("admin.login"))


@bp.get("/login")
def login():
    return render_template("admin/login.html", setting_name=settings.get(get_db(), "setting_name"))
