"""The group's office: a small web app of its own (its own logins and roles, the panel's
look) over the read-only copies of each site. It imports doorbook only."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from flask import Blueprint, Flask, g
from flask_babel import Babel, get_locale
from flask_wtf.csrf import CSRFProtect

from doorbook import PROJECT_ROOT, clock, settings
from doorbook.group import STALE_AFTER, open_group
from doorbook.secrets_files import SECRET_KEY_FILE, read_or_create

bp = Blueprint("group", __name__)
csrf = CSRFProtect()
babel = Babel()


def create_group_app(folder: Path, test_config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    folder = Path(folder).resolve()
    open_group(folder).close()
    app.config.from_mapping(
        GROUP_DIR=str(folder),
        SECRET_KEY=read_or_create(folder / SECRET_KEY_FILE),
        STALE_AFTER=STALE_AFTER,
        MAX_CONTENT_LENGTH=64 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_NAME="doorbook_group",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
        BABEL_DEFAULT_LOCALE="en_GB",
        BABEL_DEFAULT_TIMEZONE=settings.DEFAULTS["timezone"],
        # The office's days and times; its sites' own setting is the usual default.
        GROUP_TIMEZONE=settings.DEFAULTS["timezone"],
        WTF_CSRF_TIME_LIMIT=None,
    )
    if test_config:
        app.config.update(test_config)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=lambda: "en_GB")
    app.jinja_env.globals["get_locale"] = get_locale
    zone = app.config["GROUP_TIMEZONE"]
    app.add_template_filter(
        lambda stored: clock.local(stored, zone).strftime("%H:%M on %d %b") if stored else "",
        "local_time_group",
    )

    from group import views  # noqa: F401  (routes register on bp)

    app.register_blueprint(bp)

    @app.teardown_appcontext
    def close_group_db(_exc):
        db = g.pop("group_db", None)
        if db is not None:
            db.close()

    @app.after_request
    def headers(response):
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers["Cache-Control"] = "no-store"
        return response

    return app
