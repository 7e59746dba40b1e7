"""Secrets generated on first run into the data folder (0600), never committed or logged."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

SECRET_KEY_FILE = "secret_key"  # noqa: S105 - a file name, not a secret
CREDENTIAL_KEY_FILE = "credential_key"


def read_or_create(path: Path, nbytes: int = 32) -> str:
    """The secret in ``path``, generating it (readable by this user only) if it is missing."""
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_hex(nbytes)
    # O_EXCL: if two processes start at once, one creates and the other reads.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(value + "\n")
        f.flush()
        os.fsync(f.fileno())
    return value
