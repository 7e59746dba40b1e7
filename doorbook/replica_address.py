"""Where the off-site copy goes, as a setting types it: checked in one place, for the
settings (a typed ``replica_url``) and for replication itself, without either importing the
other."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

ENV_SSH_KEY = "DOORBOOK_REPLICA_SSH_KEY"
MAX_URL_LENGTH = 500
SCHEMES = "a folder (/media/usb/doorbook), sftp://user@host/path or s3://bucket/path"


class ReplicationProblem(RuntimeError):
    """Something about replication a person must act on; the message says what to do."""


@dataclass(frozen=True)
class Destination:
    kind: str  # file, sftp or s3
    url: str  # what Litestream is given
    shown: str  # what the panel shows (no password)


def parse_destination(value: str) -> Destination | None:
    """The destination a setting typed, checked; None when empty (no replication)."""
    value = (value or "").strip()
    if not value:
        return None
    if len(value) > MAX_URL_LENGTH:
        raise ReplicationProblem(f"The destination is too long (at most {MAX_URL_LENGTH}).")
    if any(ord(c) < 32 or ord(c) == 127 or c.isspace() for c in value) or re.search(
        "[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]", value
    ):
        raise ReplicationProblem(
            "The destination has spaces or hidden characters in it; type it again."
        )
    if value.startswith("/"):
        value = "file://" + value
    parts = urlsplit(value)
    scheme = parts.scheme.lower()
    if scheme == "file":
        path = unquote(parts.path)
        if parts.netloc or not path.startswith("/") or path == "/":
            raise ReplicationProblem("A folder must be a full path, such as /media/usb/doorbook.")
        return Destination("file", f"file://{path}", path)
    if scheme == "sftp":
        if parts.password is not None:
            raise ReplicationProblem(
                "Do not put a password in the address: give the SSH key in "
                f"{ENV_SSH_KEY} (see README)."
            )
        try:
            port = parts.port
        except ValueError:
            raise ReplicationProblem("The SFTP port must be a number.") from None
        if not parts.hostname or not parts.username:
            raise ReplicationProblem(
                "An SFTP destination needs a user and a host: sftp://user@host/path."
            )
        if not parts.path or parts.path == "/":
            raise ReplicationProblem("An SFTP destination needs a folder: sftp://user@host/path.")
        host = parts.hostname + (f":{port}" if port else "")
        url = f"sftp://{parts.username}@{host}{parts.path}"
        return Destination("sftp", url, url)
    if scheme == "s3":
        if not parts.hostname:
            raise ReplicationProblem("An S3 destination needs a bucket: s3://bucket/path.")
        url = f"s3://{parts.hostname}{parts.path}"
        return Destination("s3", url, url)
    raise ReplicationProblem(f"The destination must be {SCHEMES}.")
