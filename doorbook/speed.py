"""Less work per request, with the same results: what every kiosk request did again and again.

Measured with bench/kiosk_latency.py (CPU per request against a bare endpoint) and cProfile
on the kiosk's journeys. Each piece gives the same answer as the code it replaces:

- the session cookie: Flask builds a new signer for every request and itsdangerous derives
  the signing key again on every signature; here both are kept, the signature is the same
  HMAC-SHA1 (so cookies already issued stay valid), computed by hashlib's one-shot HMAC;
- translations in templates: flask-babel looks the catalogue up for every string, through
  Jinja's two-level gettext wrapper; here it is looked up once per request and locale;
- ``url_for`` in templates: the same few endpoints are built on every screen; an address
  without values depends only on the app's root, so it is built once per root;
- the page's own CSS and JS: every kiosk home page (after each person) revalidated five
  files; their addresses now carry a version (from each file's size and time), so the
  browser keeps them for a year and a changed file has a new address;
- screens that are the same for everyone (the kiosk's home page, its PIN pad) and the parts
  of every screen that depend only on the language: rendered once per language, app root
  and the values they are given (the setting's name, timeouts...), then served as kept; a
  page's CSRF token is still this session's own, put in place for each request.
"""

from __future__ import annotations

import hmac
import os
import re
import threading
from typing import Any

from flask import Flask, current_app, g, render_template, request, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_babel import get_locale, get_translations
from flask_wtf.csrf import generate_csrf
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from itsdangerous.signer import HMACAlgorithm
from jinja2 import pass_context
from markupsafe import Markup


class _OneShotHMAC(HMACAlgorithm):
    def get_signature(self, key: bytes, value: bytes) -> bytes:
        return hmac.digest(key, value, self.digest_method)


class _KeyKeepingSigner(TimestampSigner):
    """A signer that derives each (secret, salt) key once: the derivation is itself an HMAC."""

    _keys: dict[tuple, bytes] = {}
    _lock = threading.Lock()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.key_derivation == "hmac" and self.algorithm.__class__ is HMACAlgorithm:
            self.algorithm = _OneShotHMAC(self.digest_method)

    def derive_key(self, secret_key: str | bytes | None = None) -> bytes:
        secret = self.secret_keys[-1] if secret_key is None else secret_key
        key = (secret, self.salt, self.key_derivation, self.digest_method)
        derived = self._keys.get(key)
        if derived is None:
            derived = super().derive_key(secret_key)
            with self._lock:
                self._keys[key] = derived
        return derived


class KeptSignerSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, with its serializer built once per set of keys."""

    def __init__(self) -> None:
        super().__init__()
        self._serializers: dict[tuple, URLSafeTimedSerializer] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        if not app.secret_key:
            return None
        keys = (*(app.config["SECRET_KEY_FALLBACKS"] or ()), app.secret_key)
        serializer = self._serializers.get(keys)
        if serializer is None:
            serializer = self._serializers[keys] = URLSafeTimedSerializer(
                list(keys),
                salt=self.salt,
                serializer=self.serializer,
                signer=_KeyKeepingSigner,
                signer_kwargs={
                    "key_derivation": self.key_derivation,
                    "digest_method": self.digest_method,
                },
            )
        return serializer


def _translations():
    """This request's translations, looked up once per locale (flask-babel caches the locale
    on the request's context; a change of locale, e.g. force_locale, is seen at once)."""
    request_globals = g._get_current_object()
    locale = getattr(getattr(request_globals, "_flask_babel", None), "babel_locale", None)
    cached = getattr(request_globals, "_doorbook_translations", None)
    if cached is not None and locale is not None and cached[0] is locale:
        return cached[1]
    translations = get_translations()
    locale = getattr(getattr(request_globals, "_flask_babel", None), "babel_locale", None)
    request_globals._doorbook_translations = (locale, translations)
    return translations


@pass_context
def _gettext(context, string: str, **variables: Any) -> str:
    # Exactly what Jinja's newstyle gettext does (escape, then always %-format), in one call;
    # a text with no variables and no "%" comes out of the formatting unchanged, so skip it.
    rv = _translations().ugettext(string)
    if context.eval_ctx.autoescape:
        rv = Markup(rv)  # noqa: S704  (the catalogue is ours; variables are escaped by %)
    if not variables and "%" not in rv:
        return rv
    return rv % variables


@pass_context
def _ngettext(context, singular: str, plural: str, num: int, **variables: Any) -> str:
    variables.setdefault("num", num)
    rv = _translations().ungettext(singular, plural, num)
    if context.eval_ctx.autoescape:
        rv = Markup(rv)  # noqa: S704  (the catalogue is ours; variables are escaped by %)
    return rv % variables


_urls: dict[tuple[str, str], str] = {}


def _url_for(endpoint: str, **values: Any) -> str:
    # An address without values, or a page file's (its version is read once per file and
    # process: the files change with an upgrade, which restarts the server), depends only
    # on the app's root.
    if endpoint == "static" and len(values) == 1 and "filename" in values:
        key = (request.script_root, "/static/" + values["filename"])
    elif values or endpoint.startswith("."):
        return url_for(endpoint, **values)
    else:
        key = (request.script_root, endpoint)
    built = _urls.get(key)
    if built is None:
        built = _urls[key] = url_for(endpoint, **values)
    return built


def _get_locale():
    """flask-babel's get_locale for templates, which ask for it several times a screen: the
    locale it already chose for this request, or its own answer the first time."""
    babel_ctx = getattr(g._get_current_object(), "_flask_babel", None)
    locale = getattr(babel_ctx, "babel_locale", None)
    return locale if locale is not None else get_locale()


# ---- Rendered once, served as kept ----

KEPT_MAX = 128  # (template, language, values) combinations; forgotten all at once beyond
_kept_lock = threading.Lock()


def _keep(key: tuple, render) -> str:
    kept = current_app.extensions["doorbook_kept"]  # each app its own (tests make many)
    rendered = kept.get(key)
    if rendered is None:
        rendered = render()
        with _kept_lock:
            if len(kept) >= KEPT_MAX:
                kept.clear()
            kept[key] = rendered
    return rendered


def kept_fragment(template: str, **constants: Any) -> Markup:
    """A template that depends only on the language and the app's root (and the page files'
    versions, fixed while the server runs), rendered once per both: e.g. the words every
    kiosk screen carries for the parts of the page that outlive it. ``constants`` are
    module-level tables, the same for the life of the process."""
    key = ("fragment", template, str(_get_locale()), request.script_root)
    rendered = _keep(key, lambda: render_template(template, **constants))
    return Markup(rendered)  # noqa: S704  (our own template, escaped as it was rendered)


CSRF_STAND_IN = "doorbook-csrf-token-stand-in"
_PLAIN_TOKEN = re.compile(r"[A-Za-z0-9_.-]+\Z")  # unchanged by tojson and HTML escaping
_PLAIN_VALUES = (str, int, float, bool, type(None))


def render_same_for_everyone(template: str, constants: dict[str, Any], **context: Any) -> str:
    """``render_template(template, **constants, **context)`` for a page that is the same for
    every person given its context: kept per language, app root and context values
    (``constants`` are module-level tables, the same for the life of the process). The
    page's CSRF token is made for this session on each request, as csrf_token() would.

    Only for templates that read nothing else (no session, request, database or clock)."""
    if not all(isinstance(value, _PLAIN_VALUES) for value in context.values()):
        return render_template(template, **constants, **context)
    key = (
        "page",
        template,
        str(_get_locale()),
        request.script_root,
        tuple(sorted(context.items())),
    )
    rendered = _keep(
        key,
        lambda: render_template(template, **constants, **context, csrf_token=lambda: CSRF_STAND_IN),
    )
    if CSRF_STAND_IN not in rendered:
        return rendered
    token = generate_csrf()
    if not _PLAIN_TOKEN.match(token):
        return render_template(template, **constants, **context)
    return rendered.replace(CSRF_STAND_IN, token)


STATIC_MAX_AGE = 365 * 24 * 3600


def _static_version(folder: str, filename: str) -> str:
    try:
        stat = os.stat(os.path.join(folder, filename))
    except OSError:
        return "0"
    return f"{stat.st_mtime_ns:x}{stat.st_size:x}"[-12:]


def init_app(app: Flask) -> None:
    """Install them all, after Flask-Babel (whose gettext this replaces in templates)."""

    @app.url_defaults
    def versioned_static(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" and "filename" in values and "v" not in values:
            values["v"] = _static_version(app.static_folder, values["filename"])

    @app.after_request
    def keep_versioned_static(response):
        if (
            request.endpoint == "static"
            and request.args.get("v")
            and response.status_code
            in (
                200,
                304,
            )
        ):
            response.cache_control.no_cache = None
            response.cache_control.public = True
            response.cache_control.max_age = STATIC_MAX_AGE
            response.cache_control.immutable = True
        return response

    app.jinja_env.globals.update(gettext=_gettext, _=_gettext, ngettext=_ngettext)
    app.jinja_env.globals["url_for"] = _url_for
    app.jinja_env.globals["get_locale"] = _get_locale
    app.jinja_env.globals["kept_fragment"] = kept_fragment
    app.extensions["doorbook_kept"] = {}
