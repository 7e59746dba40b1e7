"""Who may use the panel: a logged-in staff account (server-side session), with roles.

Every admin route needs a live session; routes marked ``@allow("manager", "deputy")``
need one of those roles too. The route-inventory test walks the URL map to prove it."""

from __future__ import annotations

from collections.abc import Callable

from flask import (
    abort,
    current_app,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)

from admin import bp
from doorbook import accounts, answers, clock, not_arrived, settings, text
from doorbook.db import get_db
from doorbook.extensions import htmx

COOKIE = "doorbook_admin"
PUBLIC = {"admin.login"}
MANAGEMENT = ("manager", "deputy")
# Not a role: the staff members the setting names as its designated safeguarding leads (the
# `safeguarding_lead` flag in Staff), whatever their role.
SAFEGUARDING_LEAD = "safeguarding lead"


def allow(*roles: str) -> Callable:
    """Limit a view to staff with one of these roles (all logged-in staff otherwise), or,
    with ``SAFEGUARDING_LEAD``, to the setting's designated safeguarding leads."""

    def mark(view: Callable) -> Callable:
        view.allowed_roles = roles
        return view

    return mark


@bp.before_request
def require_login():
    g.language = "en_GB"  # the panel stays in English unless a later choice says otherwise
    if request.endpoint in PUBLIC:
        return None
    g.staff = accounts.session_staff(get_db(), request.cookies.get(COOKIE))
    if g.staff is None:
        if htmx:
            response = make_response("", 401)
            response.headers["HX-Redirect"] = url_for("admin.login")
            return response
        return redirect(url_for("admin.login"))
    roles = allowed_roles()
    if roles and not may_use(roles):
        abort(403)
    return None


def allowed_roles() -> tuple[str, ...]:
    view = current_app.view_functions.get(request.endpoint)
    return getattr(view, "allowed_roles", ())


def may_use(roles: tuple[str, ...]) -> bool:
    if g.staff.role in roles:
        return True
    return SAFEGUARDING_LEAD in roles and not_arrived.is_safeguarding_lead(get_db(), g.staff.id)


@bp.errorhandler(403)
def forbidden(_error):
    in_page = bool(htmx and not htmx.history_restore_request)
    if SAFEGUARDING_LEAD in allowed_roles():
        leads = ", ".join(not_arrived.safeguarding_leads(get_db()))
        return answers.error_answer(
            403,
            "For the designated safeguarding lead",
            "This part of the panel is for the setting's designated safeguarding lead"
            + (f" ({leads})" if leads else "")
            + ", as named in Staff. Ask them if you need something here.",
            in_page=in_page,
        )
    return answers.error_answer(
        403,
        "Not for your role",
        "This part of the panel is for the manager and deputy. "
        "Ask them if you need something here.",
        in_page=in_page,
    )


def login_page(error: str | None = None, username: str = "", status: int = 200):
    return (
        render_template(
            "admin/login.html",
            setting_name=settings.get(get_db(), "setting_name"),
            error=error,
            username=username,
        ),
        status,
    )


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        return login_page()
    username, problem = text.clean(request.form.get("username"), "your username", max_length=40)
    password = request.form.get("password", "")
    if problem or not password or len(password) > 200:
        return login_page(
            problem.message if problem else "Please enter your password.", username, 400
        )
    outcome = accounts.log_in(get_db(), username, password, where="admin panel")
    if outcome.staff is None:
        if outcome.locked_until:
            local = clock.local(outcome.locked_until, settings.timezone(get_db()))
            return login_page(
                "Too many wrong passwords for this account. Try again after "
                f"{local:%H:%M}, or ask the manager to unlock it.",
                username,
                429,
            )
        return login_page("That username or password is not right.", username, 401)
    session_id = accounts.start_session(get_db(), outcome.staff)
    response = redirect(url_for("admin.dashboard"))
    response.set_cookie(
        COOKIE,
        session_id,
        httponly=True,
        samesite="Strict",
        secure=request.is_secure,
        path="/admin",
    )
    return response


@bp.post("/logout")
def logout():
    accounts.end_session(get_db(), request.cookies.get(COOKIE))
    response = redirect(url_for("admin.login"))
    response.delete_cookie(COOKIE, path="/admin")
    return response
