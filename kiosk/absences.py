"""A parent reports an absence at the kiosk, after identifying (K1: only their own
children): *Report an absence*, then one tap on the reason sends it for the day offered
first; other days and children are one tap more. And, if the setting asks, a parent
confirms once that they have read the attendance policy."""

from __future__ import annotations

from datetime import date, timedelta

from flask import g, render_template, request
from flask_babel import format_date
from flask_babel import gettext as _

from doorbook import absences, attendance_policies, clock, register, settings
from doorbook.db import get_db
from kiosk import bp
from kiosk.views import VARY, act_once, current, screen, start_again

MAX_DAYS = 5


def reasons() -> dict[str, str]:
    return {
        "ill": _("Ill"),
        "holiday": _("Holiday"),
        "appointment": _("Appointment"),
        "other": _("Other reason"),
    }


def day_label(day: date, today: date) -> str:
    if day == today:
        return _("Today")
    if day == today + timedelta(days=1):
        return _("Tomorrow")
    return format_date(day, "EEE d MMM")


def offer(db, person_id: int) -> tuple[list, list]:
    """The adult's own children, and the booked days any of them has coming up."""
    children = register.children_for(db, person_id)
    days: dict[date, bool] = {}
    for child in children:
        for expected, reported in absences.reportable_days(db, child.id):
            days[expected.day] = days.get(expected.day, False) or reported
    today = clock.today(settings.timezone(db))
    chosen_days = sorted(days)[:MAX_DAYS]
    return children, [(d, day_label(d, today), days[d]) for d in chosen_days]


def absence_screen(interaction, error: str | None = None, status: int = 200):
    children, days = offer(get_db(), interaction.person.id)
    return screen(
        "kiosk/_absence.html",
        status=status,
        person=interaction.person,
        children=children,
        days=days,
        reasons=reasons(),
        nonce=interaction.nonce,
        error=error,
    )


def parent_interaction():
    interaction = current()
    if interaction is None or interaction.journey != "parent" or interaction.person is None:
        return None
    return interaction


@bp.get("/parent/absence")
def absence():
    interaction = parent_interaction()
    if interaction is None:
        return start_again()
    return absence_screen(interaction)


@bp.post("/parent/absence")
def absence_report():
    interaction = parent_interaction()
    if interaction is None:
        return start_again()

    def act():
        db = get_db()
        children, days = offer(db, interaction.person.id)
        own = {child.id: child for child in children}
        chosen = [
            own[int(v)]
            for v in request.form.getlist("child")[:50]
            if v.isdigit() and len(v) < 12 and int(v) in own
        ]
        offered = {d.isoformat(): d for d, _label, _reported in days}
        chosen_days = [offered[v] for v in request.form.getlist("day")[:50] if v in offered]
        reason = request.form.get("reason", "")
        if not chosen:
            return absence_screen(interaction, _("Please choose a child first.")), False
        if not chosen_days:
            return absence_screen(interaction, _("Please choose a day.")), False
        if reason not in absences.REASONS:
            return absence_screen(interaction, _("Please choose a reason.")), False
        actor = interaction.person.actor(g.kiosk)
        noted = []
        for child in chosen:
            booked = {e.day for e, _reported in absences.reportable_days(db, child.id)}
            child_days = [d for d in chosen_days if d in booked]
            if child_days:
                absences.report(db, actor, child.id, child_days, reason, via="kiosk")
                noted += [(child.name, d) for d in child_days]
        if not noted:
            return absence_screen(
                interaction, _("The children you chose are not booked on those days.")
            ), False
        today = clock.today(settings.timezone(db))
        return screen(
            "kiosk/_absence_done.html",
            noted=[(name, day_label(day, today)) for name, day in noted],
            reason=reasons()[reason],
        ), True

    return act_once(interaction, lambda: absence_screen(interaction), act)


# ---- The attendance policy: asked once, if the setting wants it ----


@bp.context_processor
def policy_question():
    """For the parent's own screen: whether to ask them about the policy (no extra
    request: the question is part of the screen)."""
    return {
        "ask_about_policy": lambda contact_id: attendance_policies.should_ask_about_policy(
            get_db(), contact_id
        )
    }


@bp.post("/parent/policy")
def policy_confirm():
    interaction = parent_interaction()
    if interaction is None:
        return start_again()
    db = get_db()
    if attendance_policies.should_ask_about_policy(db, interaction.person.id):
        attendance_policies.record_policy_given(
            db,
            interaction.person.actor(g.kiosk),
            interaction.person.id,
            clock.today(settings.timezone(db)),
            "kiosk",
        )
    return render_template("kiosk/_policy_prompt.html", asked=False, thanked=True), 200, VARY
