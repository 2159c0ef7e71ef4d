"""The locks that let many sessions record in one store at once.

Every lock is an `fcntl.flock` on a small file in the store's `locks/` folder.
flock is reliable on a local disk only: the record must never live on a
network share. The kernel lets go of a lock when its holder ends, however it
ends (kill -9 included), so a lock never outlives a dead session.

    locks/<incident id>.lock  held by the one session that is continuing that
                              incident (or, for a moment, by one append to it);
                              a session's holds who that is and since when, so a
                              second session can say so (one append's is empty:
                              writing it, and freeing it when let go, cost more
                              than the append's own work). Removed when let go;
                              one left behind is the trace of a session that died
                              while it held the incident, which the next writer
                              repairs.
    locks/index-<xxx>.lock    held for the read-modify-write of one index file
    locks/references.lock     held while a new incident's reference is given out
                              and its first index row written
    locks/store.lock          held while the store's key check is written

Short locks (the last three) are waited for: their holders only read and
write a file or two. An incident lock is never waited for when a session
holds it: the caller is told who has the incident open. Readers take no lock.
Lock order, so that no two processes wait on each other: references, then an
incident, then an index file.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from incident_tui.errors import UserError
from incident_tui.safe_text import printable

LOCKS_DIR = "locks"
REFERENCES_LOCK = "references.lock"
STORE_LOCK = "store.lock"
_INFO_LIMIT = 1024
_WAIT_FOR_APPEND = 60.0
"""How long an append waits for other appends to the same incident (seconds)."""

Hold = Literal["session", "append", "tidy"]


@dataclass(frozen=True)
class Holder:
    """Who holds an incident, as its lock file says."""

    name: str
    login: str | None
    role: str
    since: str
    """UTC, ISO 8601."""
    hold: Hold
    pid: int

    def who(self) -> str:
        name = printable(self.name, one_line=True) or "someone"
        if self.login:
            name += f" ({printable(self.login, one_line=True)})"
        return name

    def when(self) -> str:
        """ "01:52 UTC on 2026-12-02", or the time as recorded if it is not one."""
        if len(self.since) >= 16 and self.since[10] == "T":
            return f"{self.since[11:16]} UTC on {self.since[:10]}"
        return printable(self.since, one_line=True) or "a time not known"


class IncidentInUse(UserError):
    """The incident is open in another session: it can be read, not added to."""

    def __init__(self, reference: str, holder: Holder | None) -> None:
        if holder is None:
            who = "in another session (who is not known yet)"
        else:
            who = f"by {holder.who()} since {holder.when()}"
        super().__init__(
            f"incident {printable(reference, one_line=True)} is open {who}. Only one "
            "person can continue an incident at a time: it can be read (show, or the "
            "review list) but not added to until it is closed there. Nothing was written."
        )
        self.reference = reference
        self.holder = holder


class LockFailed(UserError):
    """A lock file could not be made or taken (a read-only or full disk)."""


def locks_dir(root: Path) -> Path:
    return root / LOCKS_DIR


def incident_lock_path(root: Path, incident_id: str) -> Path:
    return locks_dir(root) / f"{incident_id}.lock"


def shard_lock_path(root: Path, shard: str) -> Path:
    return locks_dir(root) / f"index-{shard}.lock"


def _open(path: Path) -> int:
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    except OSError as exc:
        from incident_tui.record.storage import os_reason

        raise LockFailed(f"cannot take the lock {path}: {os_reason(exc)}") from exc


@contextlib.contextmanager
def short_lock(path: Path) -> Iterator[None]:
    """Hold the lock file `path` for a short job, waiting for it if need be."""
    fd = _open(path)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


class HeldIncident:
    """An incident lock this process holds; `release` lets it go."""

    def __init__(self, path: Path, fd: int, holder: Holder, mine: os.stat_result) -> None:
        self.path = path
        self.fd: int | None = fd
        self.holder = holder
        self._mine = mine
        """The lock file's identity when taken (its fd's inode is the same for good)."""

    def release(self) -> None:
        if self.fd is None:
            return
        fd, self.fd = self.fd, None
        # Removed while still held, so a lock file is only ever left behind by a
        # session that died; whoever opened it meanwhile sees it is gone and retries.
        with contextlib.suppress(OSError):
            if _same_file(fd, self.path, self._mine):
                os.unlink(self.path)
        os.close(fd)


def _same_file(fd: int, path: Path, mine: os.stat_result | None = None) -> bool:
    try:
        on_disk = os.stat(path)
    except FileNotFoundError:
        return False
    if mine is None:
        mine = os.fstat(fd)
    return (mine.st_ino, mine.st_dev) == (on_disk.st_ino, on_disk.st_dev)


def read_holder(raw: bytes) -> Holder | None:
    try:
        info: Any = json.loads(raw.decode("utf-8"))
        hold = info["hold"]
        if hold not in ("session", "append", "tidy"):
            return None
        login = info.get("login")
        return Holder(
            name=str(info["name"]),
            login=None if login is None else str(login),
            role=str(info["role"]),
            since=str(info["since"]),
            hold=hold,
            pid=int(info["pid"]),
        )
    except (ValueError, KeyError, TypeError):
        return None


def session_holder(path: Path) -> Holder | None:
    """The session continuing an incident, as its lock file says, if that process is
    still running (None: nobody). Takes no lock, so a reader never gets in the way."""
    try:
        raw = path.read_bytes()[:_INFO_LIMIT]
    except OSError:
        return None
    holder = read_holder(raw)
    if holder is None or holder.hold != "session":
        return None
    try:
        os.kill(holder.pid, 0)
    except ProcessLookupError:
        return None  # a session that died: its lock went with it
    except PermissionError:
        pass
    return holder


class Busy(Exception):
    """The lock is held by someone else (`holder`, if its file says who yet)."""

    def __init__(self, holder: Holder | None) -> None:
        super().__init__("held")
        self.holder = holder


def try_incident(path: Path, holder: Holder) -> HeldIncident:
    """Take the incident lock at `path` without waiting; Busy if someone holds it.

    The lock file says who holds it, except for one append ("append"): held for the
    milliseconds of its writes, its file is left empty (whoever finds it held waits,
    as for any append), since writing it and freeing it again costs more than the
    append's own work."""
    payload = b""
    if holder.hold != "append":
        payload = json.dumps(
            {
                "name": holder.name,
                "login": holder.login,
                "role": holder.role,
                "since": holder.since,
                "hold": holder.hold,
                "pid": holder.pid,
            },
            ensure_ascii=False,
        ).encode("utf-8")
    while True:
        fd = _open(path)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            raw = os.pread(fd, _INFO_LIMIT, 0)
            os.close(fd)
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise LockFailed(f"cannot take the lock {path}: {exc.strerror}") from exc
            raise Busy(read_holder(raw)) from None
        mine = os.fstat(fd)
        if not _same_file(fd, path, mine):
            os.close(fd)  # let go by its last holder and removed meanwhile: again
            continue
        try:
            if mine.st_size:  # left by a session that died: it no longer holds it
                os.ftruncate(fd, 0)
            if payload:
                os.pwrite(fd, payload, 0)
        except OSError:
            pass  # who holds it is only for telling others; the lock itself holds
        return HeldIncident(path, fd, holder, mine)


def take_incident(path: Path, holder: Holder, *, wait: bool) -> HeldIncident:
    """Take the incident lock; with `wait`, wait while other appends hold it (never
    for a session: Busy at once, naming it)."""
    deadline = time.monotonic() + _WAIT_FOR_APPEND
    pause = 0.001
    while True:
        try:
            return try_incident(path, holder)
        except Busy as busy:
            someone = busy.holder
            if not wait or (someone is not None and someone.hold == "session"):
                raise
            if time.monotonic() > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.02)


__all__ = [
    "Busy",
    "HeldIncident",
    "Holder",
    "IncidentInUse",
    "LockFailed",
    "incident_lock_path",
    "locks_dir",
    "session_holder",
    "shard_lock_path",
    "short_lock",
    "take_incident",
    "try_incident",
]
