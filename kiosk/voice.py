"""After a parent's sign-in or sign-out: at most one short thing to ask them, on the same
screen as their confirmation (drop-off never waits for it) — their own phone number to
confirm once a term, or else the manager's current question. One tap answers; one tap skips."""

from __future__ import annotations

from flask import g, render_template, request

from doorbook import details_check, questions
from doorbook.db import get_db
from kiosk import bp
from kiosk.state import Interaction
from kiosk.views import current


def ask_after(interaction: Interaction) -> dict | None:
    """What to ask this adult now, if anything; remembered for their answer."""
    person = interaction.person
    if person is None or person.kind != "contact" or interaction.data.get("asked"):
        return None
    db = get_db()
    number = details_check.is_due(db, person.id)
    if number:
        interaction.data["asked"] = {"kind": "details"}
        return {"kind": "details", "number": number}
    question = questions.for_person(db, person.id, g.get("language"))
    if question is None:
        return None
    questions.mark_asked(db, question.id, person.id)  # seen once is asked
    interaction.data["asked"] = {"kind": "question", "id": question.id}
    return {"kind": "question", "question": question}


def _pending(kind: str) -> tuple[Interaction | None, dict | None]:
    interaction = current()
    if interaction is None or interaction.journey != "parent":
        return None, None
    asked = interaction.data.get("asked")
    if not asked or asked["kind"] != kind or asked.get("answered"):
        return interaction, None
    return interaction, asked


def _thanks(status: int = 200):
    return render_template("kiosk/_ask_thanks.html"), status


@bp.post("/parent/question")
def answer_question():
    interaction, asked = _pending("question")
    if asked is None:
        return _thanks()  # a double tap, or nothing was asked: nothing to count
    choice = request.form.get("answer", "")
    if choice != "skip":
        if not (choice.isdigit() and len(choice) < 3):
            return _thanks()
        questions.answer(get_db(), asked["id"], int(choice))
    asked["answered"] = True
    return _thanks()


@bp.post("/parent/details")
def confirm_details():
    interaction, asked = _pending("details")
    if asked is None:
        return _thanks()
    still_right = request.form.get("still_right") == "yes"
    details_check.confirm(
        get_db(), interaction.person.actor(g.kiosk), interaction.person.id, still_right
    )
    asked["answered"] = True
    return render_template("kiosk/_ask_thanks.html", details_wrong=not still_right)
