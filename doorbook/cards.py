"""Kiosk QR cards: a random token printed as a QR code; only its hash is stored, and
revoking a card makes it fail at the kiosk at once."""

from __future__ import annotations

from sqlite_utils import Database

from doorbook import audit, clock, credentials
from doorbook.audit import SYSTEM  # noqa: F401  (callers may act as the system)
from doorbook.db import insert, write


def issue(
    db: Database,
    *,
    actor: audit.Actor,
    contact_id: int | None = None,
    staff_id: int | None = None,
) -> str:
    """A new card for one person (their old card stops working). Returns the token, which
    is shown once, to print."""
    if (contact_id is None) == (staff_id is None):
        raise ValueError("a card belongs to exactly one person")
    owner_column, owner_id = ("contact_id", contact_id) if contact_id else ("staff_id", staff_id)
    token = credentials.new_token()
    with write(db):
        now = clock.stamp()
        db.execute(
            f"UPDATE credentials SET revoked_at = ? WHERE kind = 'qr_card' AND {owner_column} = ? "  # noqa: S608
            "AND revoked_at IS NULL",
            [now, owner_id],
        )
        card_id = insert(
            db,
            "credentials",
            {
                "kind": "qr_card",
                owner_column: owner_id,
                "lookup": credentials.token_lookup(token),
                "created_at": now,
            },
        )
        audit.record(
            db,
            actor,
            "qr_card_issued",
            subject_kind="credential",
            subject_id=card_id,
            **{owner_column: owner_id},
        )
    return token


def revoke(db: Database, card_id: int, *, actor: audit.Actor) -> bool:
    with write(db):
        changed = db.execute(
            "UPDATE credentials SET revoked_at = ? WHERE id = ? AND kind = 'qr_card' "
            "AND revoked_at IS NULL",
            [clock.stamp(), card_id],
        ).rowcount
        if changed:
            audit.record(
                db, actor, "qr_card_revoked", subject_kind="credential", subject_id=card_id
            )
    return bool(changed)
