"""Kiosk PINs, QR tokens and passwords: how they are stored and checked.

- Kiosk PINs are stored as an HMAC under a key kept in the data folder, not in the
  database: a PIN can be found in one indexed look-up, duplicates are impossible (a unique
  index), and a copy of the database alone does not reveal them. Wrong PINs are rate-limited.
- QR tokens (cards, badges, invitations) are random; only their SHA-256 is stored.
- Admin passwords and family collection passwords are hashed with scrypt.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import re
import secrets
import unicodedata
from pathlib import Path

from sqlite_utils import Database
from werkzeug.security import check_password_hash, generate_password_hash

from doorbook.db import database_file, insert
from doorbook.secrets_files import CREDENTIAL_KEY_FILE, read_or_create

PIN_PATTERN = re.compile(r"\d{6}")
HASH_METHOD = "scrypt"
_hash_method = HASH_METHOD


def use_cheap_hash_for_tests() -> None:
    """Tests log in hundreds of times; scrypt there only costs time. Called by tests/conftest.py
    alone: the server, the CLI and the demo never call it, so stored hashes stay scrypt."""
    global _hash_method
    _hash_method = "pbkdf2:sha256:1"  # noqa: S105 (a method name, not a password)
    _dummy_hash.cache_clear()


@functools.cache
def _dummy_hash() -> str:
    # A real hash of nothing, checked when there is no candidate, so a miss costs the same time.
    return generate_password_hash("not a real password", method=_hash_method)


def is_valid_pin(pin: str) -> bool:
    return bool(PIN_PATTERN.fullmatch(pin))


@functools.cache
def _key_for_data_dir(data_dir: str) -> bytes:
    return bytes.fromhex(read_or_create(Path(data_dir) / CREDENTIAL_KEY_FILE))


def _credential_key(db: Database) -> bytes:
    filename = database_file(db)
    if not filename:
        raise RuntimeError("kiosk credentials need a database file in a data folder")
    return _key_for_data_dir(str(Path(filename).parent))


def pin_lookup(db: Database, pin: str) -> str:
    return hmac.new(_credential_key(db), b"pin:" + pin.encode(), hashlib.sha256).hexdigest()


def new_token(nbytes: int = 20) -> str:
    """A random token for a QR code: URL-safe, no personal data in it."""
    return secrets.token_urlsafe(nbytes)


def invitation_token(db: Database, reference_code: str) -> str:
    """The token in a booking's invitation QR code.

    Derived from the booking's random reference code under the data folder's key, so the
    panel can print the invitation again while the database stores only its hash.
    """
    digest = hmac.new(
        _credential_key(db), b"invitation:" + reference_code.encode(), hashlib.sha256
    ).digest()
    return "inv_" + base64.urlsafe_b64encode(digest[:20]).decode().rstrip("=")


def token_lookup(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=_hash_method)


def add_staff_password(db: Database, staff_id: int, password: str, now: str) -> int:
    """A member of staff's panel password, stored hashed (the caller revokes any old one)."""
    return insert(
        db,
        "credentials",
        {
            "kind": "password",
            "staff_id": staff_id,
            "secret_hash": hash_password(password),
            "created_at": now,
        },
    )


def check_password(stored_hash: str | None, password: str) -> bool:
    if not stored_hash:
        check_password_hash(_dummy_hash(), password)
        return False
    return check_password_hash(stored_hash, password)


def normalise_collection_password(password: str) -> str:
    """Family collection passwords are spoken and typed at a kiosk: ignore case and spacing."""
    text = unicodedata.normalize("NFKC", password)
    return " ".join(text.casefold().split())


def hash_collection_password(password: str) -> str:
    return hash_password(normalise_collection_password(password))


def check_collection_password(stored_hash: str | None, password: str) -> bool:
    return check_password(stored_hash, normalise_collection_password(password))
