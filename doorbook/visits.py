"""Visitors: agency professionals (invited or unannounced) and other visitors, their
badges, and signing out. An agency visit starts unsupervised unless its booking names a
supervisor who is on site at that moment (rule K3, in ``supervision``)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlite_utils import Database

from doorbook import (
    alerts,
    audit,
    clock,
    credentials,
    events,
    involvements,
    people,
    settings,
    supervision,
)
from doorbook.db import insert, update, write
from doorbook.text import same_name

BADGE_PREFIX = "bdg_"
INVITATION_PREFIX = "inv_"  # see credentials.invitation_token


class VisitProblem(ValueError):
    """A sign-in or sign-out that cannot be done; the message is for the visitor."""


@dataclass(frozen=True)
class Invitation:
    """A booking as the kiosk may show it to the visitor: their own details, and the first
    name of the child they were booked to see (the booking came from the setting)."""

    expected_visit_id: int
    visitor_name: str
    organisation: str | None
    role: str | None
    time: str | None
    child_first_name: str


@dataclass(frozen=True)
class SignedIn:
    visit_id: int
    badge_token: str  # shown once, on the badge's QR code
    visitor_name: str
    organisation: str | None
    kind: str
    signed_in_at: str


def normalise_reference(code: str) -> str:
    letters = re.sub(r"[^0-9A-Za-z]", "", code).upper()
    return f"{letters[:4]}-{letters[4:]}" if len(letters) == 8 else letters


def find_invitation(db: Database, code_or_token: str) -> Invitation | None:
    """Today's booking for this invitation QR token or reference code, if still unused."""
    value = code_or_token.strip()
    if not value or len(value) > 200:
        return None
    today = clock.today(settings.timezone(db)).isoformat()
    rows = list(
        db.query(
            "SELECT e.id, e.visitor_name, e.role, e.time, o.name AS organisation, "
            "c.first_name FROM expected_visits e JOIN children c ON c.id = e.child_id "
            "LEFT JOIN organisations o ON o.id = e.organisation_id "
            "WHERE (e.token_lookup = ? OR e.reference_code = ?) AND e.day = ? "
            "AND e.cancelled_at IS NULL "
            "AND NOT EXISTS (SELECT 1 FROM visits v WHERE v.expected_visit_id = e.id)",
            [credentials.token_lookup(value), normalise_reference(value), today],
        )
    )
    if not rows:
        return None
    row = rows[0]
    return Invitation(
        row["id"],
        row["visitor_name"],
        row["organisation"],
        row["role"],
        row["time"],
        row["first_name"],
    )


def _organisation_id(db: Database, name: str | None) -> int | None:
    if not name:
        return None
    return people.find_named(db, "organisations", name)


def already_on_site(db: Database, name: str, organisation: str | None) -> str | None:
    """When this person is already signed in (same name and organisation), since when."""
    for row in db.query(
        "SELECT v.signed_in_at, r.name, COALESCE(o.name, r.organisation_name) AS organisation "
        "FROM visits v JOIN visitors r ON r.id = v.visitor_id "
        "LEFT JOIN organisations o ON o.id = r.organisation_id WHERE v.signed_out_at IS NULL"
    ):
        if same_name(row["name"], name) and same_name(
            row["organisation"] or "", organisation or ""
        ):
            return row["signed_in_at"]
    return None


def _start_visit(
    db: Database,
    *,
    kind: str,
    name: str,
    organisation: str | None,
    role: str | None,
    phone: str | None,
    kiosk: str,
    **visit: object,
) -> SignedIn:
    since = already_on_site(db, name, organisation)
    if since:
        raise VisitProblem("already_on_site")
    now = clock.stamp()
    token = BADGE_PREFIX + credentials.new_token()
    visitor_id = insert(
        db,
        "visitors",
        {
            "name": name,
            "organisation_id": _organisation_id(db, organisation),
            "organisation_name": organisation,
            "role": role,
            "phone": phone,
            "created_at": now,
        },
    )
    visit_id = insert(
        db,
        "visits",
        {
            "visitor_id": visitor_id,
            "kind": kind,
            "day": clock.today(settings.timezone(db)).isoformat(),
            "badge_token_lookup": credentials.token_lookup(token),
            "signed_in_at": now,
            "kiosk": kiosk,
            **visit,
        },
    )
    audit.record(
        db,
        audit.Actor("visitor", visitor_id, name, kiosk),
        "visitor_signed_in",
        subject_kind="visit",
        subject_id=visit_id,
        child_id=visit.get("child_id"),
        visit_kind=kind,
        organisation=organisation,
    )
    events.changed(db, "on-site")
    return SignedIn(visit_id, token, name, organisation, kind, now)


def sign_in_invited(db: Database, expected_visit_id: int, *, kiosk: str) -> SignedIn:
    """An invited professional confirmed their booking: the visit is recorded against the
    booked child, supervised by the booked supervisor only if they are on site now."""
    with write(db):
        booking = next(
            db.query(
                "SELECT e.*, o.name AS organisation FROM expected_visits e "
                "LEFT JOIN organisations o ON o.id = e.organisation_id WHERE e.id = ?",
                [expected_visit_id],
            ),
            None,
        )
        if booking is None or booking["cancelled_at"]:
            raise VisitProblem("no_booking")
        if db.execute(
            "SELECT 1 FROM visits WHERE expected_visit_id = ?", [expected_visit_id]
        ).fetchone():
            raise VisitProblem("already_used")
        signed_in = _start_visit(
            db,
            kind="agency",
            name=booking["visitor_name"],
            organisation=booking["organisation"],
            role=booking["role"],
            phone=None,
            kiosk=kiosk,
            purpose=booking["purpose"],
            child_id=booking["child_id"],
            expected_visit_id=expected_visit_id,
        )
        supervisor = booking["supervisor_id"]
        if supervisor and supervision.is_on_site(db, supervisor):
            supervision.assign(
                db,
                signed_in.visit_id,
                supervisor,
                audit.Actor("system", name="Doorbook (the booking's supervisor)", kiosk=kiosk),
            )
        else:
            why = (
                "The booked supervisor is not signed in."
                if supervisor
                else "The booking names no supervisor."
            )
            supervision.alert_unsupervised(db, signed_in.visit_id, why, kiosk=kiosk)
        involvements.visit_started(db, signed_in.visit_id)
    return signed_in


def sign_in_agency(
    db: Database,
    *,
    name: str,
    organisation: str,
    role: str,
    phone: str | None,
    child_name: str,
    kiosk: str,
) -> SignedIn:
    """An unannounced professional: the typed child name is kept for the manager to match;
    the visit is unsupervised, and the manager is alerted."""
    with write(db):
        signed_in = _start_visit(
            db,
            kind="agency",
            name=name,
            organisation=organisation,
            role=role,
            phone=phone,
            kiosk=kiosk,
            child_name_typed=child_name,
            purpose=None,
        )
        supervision.alert_unsupervised(
            db,
            signed_in.visit_id,
            "An unannounced visit: match the child they named.",
            kiosk=kiosk,
        )
    return signed_in


def sign_in_other(
    db: Database,
    *,
    name: str,
    organisation: str | None,
    purpose: str,
    here_to_see: str,
    kiosk: str,
) -> SignedIn:
    """Any other visitor (contractor, prospective parent, inspector): no child involved."""
    with write(db):
        return _start_visit(
            db,
            kind="other",
            name=name,
            organisation=organisation,
            role=None,
            phone=None,
            kiosk=kiosk,
            purpose=purpose,
            here_to_see=here_to_see,
        )


@dataclass(frozen=True)
class OnSite:
    visit_id: int
    shown_as: str  # first name and surname initial: never the organisation, never a child


def shown_as(name: str, organisation: str | None = None) -> str:
    """A visitor as the public screen names them: first name and surname initial. Nothing
    about their organisation (an agency's name says why they are here) and no child; a
    visitor who does not find themselves asks staff."""
    parts = name.split()
    if not parts:
        return ""
    short = parts[0] if len(parts) == 1 else f"{parts[0]} {parts[-1][0]}."
    if parts[0].rstrip(".").casefold() in ("dr", "mr", "mrs", "ms", "miss", "prof"):
        short = " ".join(parts[:2]) if len(parts) == 2 else f"{parts[0]} {parts[1]} {parts[-1][0]}."
    return short


def public_visitor_list(db: Database) -> list[OnSite]:
    """Visitors signed in now, as the kiosk's public *signing out* screen names them."""
    return [
        OnSite(row["id"], shown_as(row["name"]))
        for row in db.query(
            "SELECT v.id, r.name FROM visits v JOIN visitors r ON r.id = v.visitor_id "
            "WHERE v.signed_out_at IS NULL ORDER BY r.name"
        )
    ]


def visitor_of(db: Database, visit_id: int) -> tuple[int, str]:
    """The visitor (their id and name) whose visit this is."""
    row = db.execute(
        "SELECT r.id, r.name FROM visits v JOIN visitors r ON r.id = v.visitor_id WHERE v.id = ?",
        [visit_id],
    ).fetchone()
    return row[0], row[1]


def visit_for_badge(db: Database, token: str) -> int | None:
    """The visit whose badge this is, while the visitor is still signed in."""
    if not token.startswith(BADGE_PREFIX) or len(token) > 200:
        return None
    row = db.execute(
        "SELECT id FROM visits WHERE badge_token_lookup = ? AND signed_out_at IS NULL",
        [credentials.token_lookup(token)],
    ).fetchone()
    return row[0] if row else None


@dataclass(frozen=True)
class SignedOut:
    visit_id: int
    shown_as: str
    signed_out_at: str


def sign_out(db: Database, visit_id: int, actor: audit.Actor) -> SignedOut:
    """Sign a visitor out (at the kiosk, or by staff for one who forgot); their badge stops
    working and any supervision period ends."""
    with write(db):
        row = next(
            db.query(
                "SELECT v.id, v.signed_out_at, v.child_id, r.name, "
                "COALESCE(o.name, r.organisation_name) AS organisation FROM visits v "
                "JOIN visitors r ON r.id = v.visitor_id "
                "LEFT JOIN organisations o ON o.id = r.organisation_id WHERE v.id = ?",
                [visit_id],
            ),
            None,
        )
        if row is None:
            raise VisitProblem("no_visit")
        if row["signed_out_at"]:
            raise VisitProblem("already_signed_out")
        now = clock.stamp()
        update(
            db,
            "visits",
            visit_id,
            {"signed_out_at": now, "signed_out_by": actor.id if actor.kind == "staff" else None},
        )
        supervision.visit_ended(db, visit_id)
        audit.record(
            db,
            actor,
            "visitor_signed_out",
            subject_kind="visit",
            subject_id=visit_id,
            child_id=row["child_id"],
        )
        events.changed(db, "on-site")
    return SignedOut(visit_id, shown_as(row["name"]), now)


def link_child(db: Database, visit_id: int, child_id: int, actor: audit.Actor) -> None:
    """The manager matches an unannounced visitor's typed child name to a child record."""
    with write(db):
        visit = db.execute(
            "SELECT kind, signed_out_at FROM visits WHERE id = ?", [visit_id]
        ).fetchone()
        if visit is None or visit[0] != "agency":
            raise VisitProblem("Only an agency visit is linked to a child.")
        if not db.execute("SELECT 1 FROM children WHERE id = ?", [child_id]).fetchone():
            raise VisitProblem("There is no such child.")
        update(db, "visits", visit_id, {"child_id": child_id})
        audit.record(
            db,
            actor,
            "visit_child_linked",
            subject_kind="visit",
            subject_id=visit_id,
            child_id=child_id,
        )
        involvements.visit_started(db, visit_id)
        supervision.visit_changed(
            db, visit_id, f"The child they named is matched (by {actor.name or 'staff'})."
        )
        events.changed(db, "on-site")


def child_went_home(db: Database, child_id: int, at: str) -> list[int]:
    """The child an agency visitor came to see has gone home and the visitor is still
    signed in: the manager is told, until the visitor signs out."""
    with write(db):
        rows = list(
            db.query(
                "SELECT v.id, r.name AS visitor, COALESCE(o.name, r.organisation_name) AS org, "
                "c.first_name, c.last_name FROM visits v JOIN visitors r ON r.id = v.visitor_id "
                "LEFT JOIN organisations o ON o.id = r.organisation_id "
                "JOIN children c ON c.id = v.child_id "
                "WHERE v.child_id = ? AND v.kind = 'agency' AND v.signed_out_at IS NULL",
                [child_id],
            )
        )
        flagged = []
        for row in rows:
            child = f"{row['first_name']} {row['last_name']}"
            org = f" ({row['org']})" if row["org"] else ""
            when = f"went home at {clock.local(at, settings.timezone(db)):%H:%M}"
            alerts.raise_alert(
                db,
                "visit_child_gone_home",
                f"{child} {when}, but {row['visitor']}{org}, here to see {child}, is still "
                "signed in. Is the visit over? Sign the visitor out, or make sure they are "
                "supervised and away from other children.",
                child_id=child_id,
                visit_id=row["id"],
                dedupe_key=f"visit_child_gone_home:{row['id']}:{at}",
            )
            supervision.visit_changed(db, row["id"], f"{child} {when}.")
            flagged.append(row["id"])
    return flagged


def record_checks(
    db: Database,
    visit_id: int,
    actor: audit.Actor,
    *,
    location: str | None,
    id_seen: bool,
    dbs_assurance: bool,
) -> None:
    """Where the visit takes place (a room away from other children), that photo ID was
    seen, and that the employer has confirmed DBS checks (KCSIE: not the certificate)."""
    with write(db):
        current = next(db.query("SELECT * FROM visits WHERE id = ?", [visit_id]), None)
        if current is None:
            raise VisitProblem("There is no such visit.")
        now = clock.stamp()
        values: dict[str, object] = {"location": location or None}
        if id_seen and not current["id_seen_at"]:
            values.update(id_seen_at=now, id_seen_by=actor.id)
        if not id_seen:
            values.update(id_seen_at=None, id_seen_by=None)
        if dbs_assurance and not current["dbs_assurance_confirmed_at"]:
            values.update(dbs_assurance_confirmed_at=now, dbs_assurance_confirmed_by=actor.id)
        if not dbs_assurance:
            values.update(dbs_assurance_confirmed_at=None, dbs_assurance_confirmed_by=None)
        update(db, "visits", visit_id, values)
        audit.record(
            db,
            actor,
            "visit_checks_recorded",
            subject_kind="visit",
            subject_id=visit_id,
            child_id=current["child_id"],
            location=location or "",
            id_seen=id_seen,
            dbs_assurance=dbs_assurance,
        )
        events.changed(db, "on-site")
