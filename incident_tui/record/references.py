"""Short, human forms of record values: the seal code and readable times.

Plain Python only: the TUI, the CLI and the exports all use these, so a seal
code reads the same on screen, on paper and in a terminal.
"""

from __future__ import annotations

from datetime import UTC, datetime

from incident_tui.locations import Mode

SEAL_CODE_LENGTH = 10

TRAINING_REFERENCE_PREFIX = "T-"
"""A training incident's reference reads T-2026-12-01-001, so a training printout can
never be taken for the live record 2026-12-01-001. Training records opened before this
keep the plain references they were given (a reference is part of the hashed record)."""


def reference_prefix(mode: Mode, day: str) -> str:
    """What every reference of `day` in a store of `mode` starts with."""
    return f"{TRAINING_REFERENCE_PREFIX if mode == 'training' else ''}{day}-"


def seal_code(event_hash: str) -> str:
    """The seal code of a sealed incident: the first 10 hex characters of the
    `sealed` event's hash, upper-case, grouped "XXXXX-XXXXX" so it can be read
    over the phone and checked against the record."""
    head = event_hash[:SEAL_CODE_LENGTH].upper()
    if len(head) < SEAL_CODE_LENGTH:
        raise ValueError("a seal code needs a full event hash")
    return f"{head[:5]}-{head[5:]}"


def parse_utc(stamp: str) -> datetime | None:
    """An ISO 8601 UTC time from the record, or None if it cannot be read."""
    try:
        parsed = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except (TypeError, ValueError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def utc_text(stamp: str | None) -> str:
    """ "2026-11-24 09:15:02 UTC": the record's own time, to the second."""
    if not stamp:
        return "-"
    parsed = parse_utc(stamp)
    if parsed is None:
        return stamp
    return parsed.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def local_short(stamp: str | None) -> str:
    """ "2026-11-24 09:15": the time in this machine's zone, for lists."""
    if not stamp:
        return "-"
    parsed = parse_utc(stamp)
    if parsed is None:
        return stamp
    return parsed.astimezone().strftime("%Y-%m-%d %H:%M")
