"""Doorbook: the entrance sign-in kiosk for nurseries. ``create_app`` builds the one app."""

from __future__ import annotations

import os
import sqlite3
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel import Locale
from babel import dates as babel_dates
from flask import Flask, g, jsonify, request
from flask_babel import get_locale
from flask_wtf.csrf import CSRFError
from markupsafe import Markup

from doorbook import db as database
from doorbook import settings
from doorbook.extensions import babel, csrf, htmx
from doorbook.languages import DEFAULT as DEFAULT_LANGUAGE
from doorbook.languages import LANGUAGES
from doorbook.secrets_files import CREDENTIAL_KEY_FILE, SECRET_KEY_FILE, read_or_create
from doorbook.speed import KeptSignerSessionInterface

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = "instance"
# Each open admin panel holds one thread for its live event stream; the streams are capped
# (doorbook.events.stream_limits) so that a third of the threads always stay for the kiosk.
SERVER_THREADS = 24


def data_dir_from_environment() -> Path:
    return Path(os.environ.get("DOORBOOK_DATA") or DEFAULT_DATA_DIR).resolve()


@lru_cache(maxsize=64)
def _locale(code: str) -> Locale:
    return Locale.parse(code)


def select_locale() -> Locale:
    # A parsed Locale, kept: flask-babel would parse the code again on every request.
    return _locale(getattr(g, "language", None) or DEFAULT_LANGUAGE)


def _timezone() -> str:
    if "timezone" not in g:
        from doorbook import settings

        g.timezone = settings.timezone(database.get_db())
    return g.timezone


@lru_cache(maxsize=1024)
def _local_time(stored: str, tz: str, locale: str) -> str:
    from doorbook import clock

    at = clock.local(stored, tz).replace(tzinfo=None)
    return babel_dates.format_time(at, format="short", locale=locale)


@lru_cache(maxsize=256)
def _local_date(stored: str, tz: str, locale: str) -> str:
    from doorbook import clock

    return babel_dates.format_date(clock.local(stored, tz).date(), format="medium", locale=locale)


def local_time(stored: str | None) -> str:
    """A stored UTC time as the setting's local clock time, in the reader's locale.

    Remembered per (time, zone, locale): formatting with babel costs more than the rest of a
    kiosk screen, and the same few times are shown again and again."""
    if not stored:
        return ""
    return _local_time(stored, _timezone(), str(get_locale()))


def local_date(stored: str | None) -> str:
    """A stored UTC time as the setting's local date, in the reader's locale."""
    if not stored:
        return ""
    return _local_date(stored, _timezone(), str(get_locale()))


_RIGHT_TO_LEFT = {"R", "AL"}


def isolate(name: str | None) -> str | Markup:
    """A name inside a sentence, isolated with <bdi> when its script runs against the page:
    a Latin name in an Urdu or Arabic sentence (or an Arabic one in an English sentence)
    keeps its own order and punctuation ("Grace M." does not become ".Grace M"). A name
    that runs with the page needs nothing. In plain text, use U+2068 ... U+2069."""
    name = name or ""
    against = {"L"} if get_locale().text_direction == "rtl" else _RIGHT_TO_LEFT
    if any(unicodedata.bidirectional(ch) in against for ch in name):
        return Markup("<bdi>{}</bdi>").format(name)
    return name


class SessionInterface(KeptSignerSessionInterface):
    """Flask's signed session cookie (CSRF token, kiosk interaction), Secure over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return request.is_secure or super().get_cookie_secure(app)


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    data_dir = Path((test_config or {}).get("DATA_DIR") or data_dir_from_environment())
    data_dir.mkdir(parents=True, exist_ok=True)
    read_or_create(data_dir / CREDENTIAL_KEY_FILE)  # kiosk PINs are keyed with it
    app.config.from_mapping(
        DATA_DIR=str(data_dir),
        SECRET_KEY=read_or_create(data_dir / SECRET_KEY_FILE),
        # Kiosk forms are small; photos (admin) are checked and refused above this size.
        MAX_CONTENT_LENGTH=8 * 1024 * 1024,
        MAX_FORM_MEMORY_SIZE=1024 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        BABEL_DEFAULT_LOCALE=DEFAULT_LANGUAGE,
        BABEL_DEFAULT_TIMEZONE=settings.DEFAULTS["timezone"],
        BABEL_TRANSLATION_DIRECTORIES=str(PROJECT_ROOT / "translations"),
        WTF_CSRF_TIME_LIMIT=None,
        KIOSK_LANGUAGES=LANGUAGES,
        SERVER_THREADS=SERVER_THREADS,
    )
    if test_config:
        app.config.update(test_config)
    # Behind Caddy, `doorbook serve` (waitress) believes X-Forwarded-For and -Proto from the
    # proxy's address only (doorbook/proxy.py): no ProxyFix here, which would believe anyone.
    app.session_interface = SessionInterface()
    database.init_app(app)
    from doorbook import signals

    signals.init_app(app, pin_factory=app.config.get("GPIO_PIN_FACTORY"))
    csrf.init_app(app)
    htmx.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    from doorbook import speed

    app.jinja_env.globals["get_locale"] = get_locale
    speed.init_app(app)  # after the globals it replaces with cheaper equivalents
    from doorbook import storage

    app.jinja_env.globals["disk_full"] = storage.trouble
    app.add_template_filter(local_time)
    app.add_template_filter(local_date)
    app.add_template_filter(isolate)

    from admin import bp as admin_bp
    from kiosk import bp as kiosk_bp

    app.register_blueprint(kiosk_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")

    _register_health(app)
    if os.environ.get("DOORBOOK_BENCH_FLOOR") == "1":
        # The benches compare kiosk steps with a bare endpoint (the floor), and meter CPU.
        from doorbook import bench_meter

        bench_meter.install(app)
    _register_errors(app)
    _register_headers(app)
    return app


def _register_health(app: Flask) -> None:
    from doorbook import health
    from doorbook.migrations import schema_version

    @app.get("/healthz")
    def healthz():
        try:
            db = database.get_db()
            version = schema_version(db)
            problem = health.write_problem(db, app.config["DATA_DIR"])
        except Exception:  # any failure to answer means "not healthy"
            app.logger.exception("health check failed")
            return jsonify(status="unavailable", reason="the database does not answer"), 503
        if problem:
            return jsonify(status="unavailable", reason=problem, schema=version), 503
        from doorbook import replication

        copy = replication.health(db, Path(app.config["DATA_DIR"]))
        return jsonify(status="ok", schema=version, replication=copy.as_json())


def _register_errors(app: Flask) -> None:
    from flask_babel import gettext as _

    from doorbook import answers

    def page(status: int, title: str, message: str):
        in_page = bool(htmx and not htmx.history_restore_request)
        return answers.error_answer(status, title, message, in_page=in_page)

    @app.errorhandler(CSRFError)
    def csrf_error(_error):
        return page(
            400,
            _("This page had expired"),
            _("Nothing was saved. Please go back to the start and try again."),
        )

    @app.errorhandler(404)
    def not_found(_error):
        return page(404, _("Page not found"), _("Please go back to the start."))

    @app.errorhandler(405)
    def not_allowed(_error):
        return page(405, _("That didn't work"), _("Please go back to the start and try again."))

    @app.errorhandler(413)
    def too_large(_error):
        return page(
            413,
            _("That was too much to send"),
            _("Nothing was saved. Please send less text, or a smaller file, and try again."),
        )

    @app.errorhandler(sqlite3.OperationalError)
    def cannot_save(error):
        from doorbook import storage

        if not storage.is_disk_full(error):
            app.logger.exception("database error", exc_info=error)
            return server_error(error)
        storage.refused()
        return page(
            503,
            _("Nothing can be saved just now"),
            _(
                "Please write your visit in the paper book at the entrance. A member of staff "
                "has been told."
            ),
        )

    @app.errorhandler(500)
    def server_error(_error):
        return page(
            500,
            _("Something went wrong"),
            _(
                "Nothing was lost that was already saved. Please try again; if it happens "
                "again, ask a member of staff."
            ),
        )


def _register_headers(app: Flask) -> None:
    from doorbook import answers

    @app.after_request
    def security_headers(response):
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "media-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
            "form-action 'self'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        # same-origin, not no-referrer: over HTTPS, Flask-WTF's CSRF check requires a Referer
        # from this site (every form behind Caddy failed without one); other sites get none.
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if request.blueprint in ("kiosk", "admin") or response.mimetype == "text/html":
            response.headers["Cache-Control"] = "no-store"
        return answers.mark(response)
