"""The manager's parents and carers (contacts): their details, the children they are linked
to, their PINs and QR cards. Manager and deputy only."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for

from admin import bp
from admin.auth import MANAGEMENT, allow
from admin.common import (
    actor,
    checked,
    child_choices,
    link_values,
    page,
    pairs,
    uploaded_photo,
)
from doorbook import cards, directory, people, qr, schemas
from doorbook.db import get_db
from doorbook.languages import LANGUAGES


@bp.get("/contacts")
@allow(*MANAGEMENT)
def contacts():
    return page("admin/contacts.html", contacts=directory.contacts_list(get_db()))


def contact_page(
    contact_id: int | None, form: schemas.Adult | None = None, status: int = 200, **extra
):
    db = get_db()
    contact = None
    if contact_id:
        contact = directory.contact_record(db, contact_id)
        if contact is None:
            abort(404)
    return page(
        "admin/contact.html",
        status,
        contact=contact,
        values=form.values if form else dict(contact or {}),
        errors=form.messages if form else {},
        languages=list(LANGUAGES.items()),
        children=pairs(child_choices()),
        links=directory.contact_links(db, contact_id or 0),
        card=directory.qr_card(db, contact_id or 0),
        has_pin=directory.has_pin(db, contact_id or 0),
        history=directory.history(db, subject=("contacts", contact_id)) if contact_id else [],
        **extra,
    )


@bp.get("/contacts/new")
@allow(*MANAGEMENT)
def contact_new():
    return contact_page(None)


@bp.get("/contacts/<int:contact_id>")
@allow(*MANAGEMENT)
def contact_edit(contact_id: int):
    return contact_page(contact_id)


@bp.post("/contacts/new", endpoint="contact_create")
@bp.post("/contacts/<int:contact_id>")
@allow(*MANAGEMENT)
def contact_save(contact_id: int | None = None):
    form = checked(schemas.Adult)
    values = form.cleaned("name", "phone", "language")
    photo = uploaded_photo(form, "photo")
    if photo:
        values["photo_file"] = photo
    if form.problems:
        return contact_page(contact_id, form, 400)
    try:
        contact_id = people.save_contact(get_db(), actor(), values, contact_id)
    except people.RecordProblem as problem:
        form.error("name", str(problem))
        return contact_page(contact_id, form, 409)
    flash("Saved.")
    return redirect(url_for("admin.contact_edit", contact_id=contact_id))


@bp.post("/contacts/<int:contact_id>/links")
@allow(*MANAGEMENT)
def contact_link(contact_id: int):
    form = checked(schemas.Link)
    if form.problems:
        return contact_page(contact_id, link_errors=form.messages, status=400)
    people.link(
        get_db(),
        actor(),
        contact_id=contact_id,
        child_id=form.child_id.data[0],
        **link_values(form),
    )
    flash("Saved: who may collect is updated at the kiosk at once.")
    return redirect(url_for("admin.contact_edit", contact_id=contact_id))


@bp.post("/contacts/<int:contact_id>/pin")
@allow(*MANAGEMENT)
def contact_pin(contact_id: int):
    pin = people.new_pin(get_db(), actor(), contact_id=contact_id)
    return contact_page(contact_id, pin_shown=pin)


@bp.post("/contacts/<int:contact_id>/card")
@allow(*MANAGEMENT)
def contact_card(contact_id: int):
    contact = directory.contact_record(get_db(), contact_id)
    if contact is None:
        abort(404)
    token = cards.issue(get_db(), contact_id=contact_id, actor=actor())
    return page(
        "print/card.html",
        name=contact["name"],
        qr_code=qr.svg(token),
        back=url_for("admin.contact_edit", contact_id=contact_id),
    )


@bp.post("/contacts/<int:contact_id>/card/revoke")
@allow(*MANAGEMENT)
def contact_card_revoke(contact_id: int):
    card = directory.qr_card(get_db(), contact_id)
    if card:
        cards.revoke(get_db(), card[0], actor=actor())
        flash("The QR card is revoked: it no longer works at the kiosk.")
    return redirect(url_for("admin.contact_edit", contact_id=contact_id))
