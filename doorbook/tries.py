"""Wrong tries at the door, limited (K5): after ``limit`` wrong tries within ``window``
seconds a path is refused until the oldest of them is ``window`` seconds old.

Callers check and count in one ``write(db)``, so tries sent at the same moment are decided one
after another and no more than the limit are ever evaluated.
"""

from __future__ import annotations

import math
from datetime import timedelta

from sqlite_utils import Database

from doorbook import clock


def wait_seconds(
    db: Database, table: str, where: str, params: list, *, limit: int, window: int
) -> int:
    """Seconds until ``table``'s wrong tries matching ``where`` fall below ``limit`` (0: not
    locked). Table and condition come from code, never from input."""
    if limit < 1:
        return 0
    since = clock.stamp(clock.now() - timedelta(seconds=window))
    row = db.execute(
        f"SELECT at FROM {table} WHERE ({where}) AND at > ? "  # noqa: S608
        "ORDER BY at DESC LIMIT 1 OFFSET ?",
        [*params, since, limit - 1],
    ).fetchone()
    if row is None:
        return 0
    left = clock.parse(row[0]) + timedelta(seconds=window) - clock.now()
    return max(1, math.ceil(left.total_seconds()))
