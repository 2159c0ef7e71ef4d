"""The per-install record key: it signs each index row and every checkpoint.

The key lives in the config dir, apart from the data it protects, so that a
copy of the data alone cannot be rewritten with matching signatures.

Only a writer creates the key (`load_or_create_key`, when the first incident is
recorded). Commands that only read the record use `load_key`, which never
writes one: a new key would make every incident already recorded look altered.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path

from incident_tui.errors import UserError
from incident_tui.locations import ensure_private_dir
from incident_tui.record.storage import fsync_dir

KEY_BYTES = 32


class MissingKey(UserError):
    """The record key is gone but the record it signs is still there."""


def read_key(path: Path) -> bytes | None:
    """The key in `path`, or None if there is no key file; UserError if it is damaged."""
    try:
        text = path.read_text(encoding="ascii")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"cannot read the record key {path}: {_reason(exc)}") from exc
    return _parse_key(path, text)


def missing_key_message(path: Path) -> str:
    return (
        f"the record key {path} is missing, but incidents are recorded with it. "
        "Restore it from your backup (or point --config-dir at the folder that holds it); "
        "without it the index signatures cannot be checked. "
        "`incident-tui verify` can still check the hash chains."
    )


def load_key(path: Path, *, store_has_data: bool) -> bytes | None:
    """The key for reading the record; never creates one, and never refuses to read.

    With no usable key (missing, empty or garbled) the record can still be read
    and its hash chains checked: None, and `Store.open` says plainly that the
    signed index could not be checked (`key_problem`). A store that holds no
    incidents has nothing signed to check, so a key that is never saved stands in
    (the first incident recorded creates the real one)."""
    try:
        key = read_key(path)
    except UserError:
        return None
    if key is not None:
        return key
    if store_has_data:
        return None
    return secrets.token_bytes(KEY_BYTES)


def key_problem(path: Path | None) -> str:
    """Why the key at `path` cannot be used, for a reader's plain warning."""
    if path is None:
        return "the record key could not be read"
    try:
        key = read_key(path)
    except UserError as exc:
        return exc.message
    if key is None:
        return f"the record key {path} is missing"
    return f"the record key {path} could not be used"


def load_or_create_key(
    path: Path, *, store_has_data: bool = False, notices: list[str] | None = None
) -> bytes:
    """The key in `path` (64 hex digits), created 0600 in a 0700 folder on first use.

    For writers only: reading the record goes through `load_key`. A writer whose
    store already holds incidents never creates a key: MissingKey instead, since
    a new key would make every incident already recorded look altered. An empty
    key file (a creation cut short) is replaced when nothing has been recorded
    yet, with a message in `notices`."""
    for _ in range(10):
        try:
            key = read_key(path)
        except EmptyKey:
            if store_has_data:
                raise
            if not _set_aside(path):
                continue  # another process got there first: read theirs
            key = _create_key(path)
            if notices is not None:
                notices.append(
                    f"the record key {path} was empty (its creation was cut short) and no "
                    "incident had been recorded with it, so a new key was made"
                )
            return key
        if key is not None:
            return key
        if store_has_data:
            raise MissingKey(missing_key_message(path))
        return _create_key(path)
    raise UserError(f"the record key {path} keeps changing: is another program rewriting it?")


class EmptyKey(UserError):
    """The key file exists but holds nothing (what a kill during creation used to leave)."""


def _parse_key(path: Path, text: str) -> bytes:
    value = text.strip()
    if not value:
        raise EmptyKey(
            f"the record key {path} is empty. Restore it from a backup; without it the "
            "index signatures cannot be checked."
        )
    try:
        key = bytes.fromhex(value)
    except ValueError:
        key = b""
    if len(key) != KEY_BYTES:
        raise UserError(
            f"the record key {path} is damaged: it should hold {KEY_BYTES * 2} hex digits. "
            "Restore it from a backup; without it the index signatures cannot be checked."
        )
    return key


def _set_aside(path: Path) -> bool:
    """Move an empty key file out of the way; False if it was already gone or was
    no longer empty (another process replaced it)."""
    aside = path.with_name(f".{path.name}.{secrets.token_hex(4)}.empty")
    try:
        os.rename(path, aside)
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise UserError(f"cannot replace the empty record key {path}: {_reason(exc)}") from exc
    try:
        if aside.read_bytes().strip():
            # not empty any more: another process wrote a key; put it back unless a
            # third one has already made another
            with contextlib.suppress(FileExistsError):
                os.link(aside, path)
            return False
        return True
    finally:
        with contextlib.suppress(OSError):
            os.unlink(aside)


def _create_key(path: Path) -> bytes:
    """Write a new key to `path` atomically and exclusively: a complete key file
    appears at once or not at all (a temporary file, fsynced, then hard-linked into
    place, which never replaces a key another process made first)."""
    key = secrets.token_bytes(KEY_BYTES)
    temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        ensure_private_dir(path.parent)
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        try:
            os.write(fd, (key.hex() + "\n").encode("ascii"))
            os.fchmod(fd, 0o600)
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(temp, path)
        except FileExistsError:
            # another process created it first: use theirs (complete, since it was linked)
            existing = read_key(path)
            if existing is None:
                return load_or_create_key(path)
            return existing
        fsync_dir(path.parent)
    except OSError as exc:
        raise UserError(f"cannot create the record key {path}: {_reason(exc)}") from exc
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temp)
    return key


# -- the key check: which key this store was made with -----------------------------------

KEY_CHECK_FILE = "key-check.json"
"""In the store's folder: an HMAC made with the key when the store was created."""
_CHECK_MESSAGE = b"incident-tui record key check, format 1"


class WrongKey(UserError):
    """The key is not the one the store was made with; a writer refuses it."""


def key_check_path(root: Path) -> Path:
    return root / KEY_CHECK_FILE


def _check_value(key: bytes) -> str:
    return hmac.new(key, _CHECK_MESSAGE, hashlib.sha256).hexdigest()


def _recorded_check(root: Path) -> str | None:
    try:
        data = json.loads(key_check_path(root).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    check = data.get("check") if isinstance(data, dict) else None
    return check if isinstance(check, str) else None


def key_matches(root: Path, key: bytes) -> bool | None:
    """Whether `key` is the store's own: True or False from the store's signed key
    check, or from its index signatures when it has no check yet; None when there
    is nothing signed to tell by."""
    recorded = _recorded_check(root)
    if recorded is not None:
        return hmac.compare_digest(recorded, _check_value(key))
    from incident_tui.record.layout import read_shard, shard_files
    from incident_tui.record.storage import DamagedFile
    from incident_tui.record.store import row_signature_ok

    signed = False
    for path in shard_files(root):
        try:
            rows = read_shard(path).values()
        except DamagedFile:
            continue
        for row in rows:
            if row_signature_ok(row, key):
                return True
            signed = signed or bool(row.get("hmac"))
    return False if signed else None


def for_reading(
    root: Path, key: bytes | None, key_file: Path | None
) -> tuple[bytes | None, str | None]:
    """(the key to check signatures with, or None; why not, in words, or None).

    A reader always reads: a missing or damaged key, or one that is not this
    record's own, only means the signed index cannot be checked."""
    problem = None
    if key is None:
        problem = key_problem(key_file)
    elif key_matches(root, key) is False:
        where = f"the record key {key_file}" if key_file else "the record key"
        problem = f"{where} is not the key this record was made with"
        key = None
    if problem is None:
        return key, None
    return None, (
        f"{problem}: the signed index could not be checked (the hash chains still are). "
        "Restore the record's own key from your backup."
    )


def wrong_key_message(root: Path, key_file: Path | None) -> str:
    where = f"the record key {key_file}" if key_file else "the record key"
    restore = (
        f"Restore this record's own key into {key_file} from your backup"
        if key_file
        else "Restore this record's own key (record.key in the config folder) from your backup"
    )
    return (
        f"{where} is not the key the record in {root} was made with (its signed key "
        f"check {key_check_path(root)} does not match), so nothing was written: recording "
        f"with another key would make every incident look altered. {restore}, or point "
        "--config-dir at the folder that holds it. Reading (list, show, verify) still works."
    )


def check_writer_key(root: Path, key: bytes, key_file: Path | None) -> None:
    """WrongKey unless `key` is the store's own. The store's first writer (or the
    first since this check was added, if the key still signs its index) records the
    check, so a key swapped later is always caught."""
    matches = key_matches(root, key)
    if matches is False:
        raise WrongKey(wrong_key_message(root, key_file))
    if _recorded_check(root) is None:
        from incident_tui.record.events import utc_now
        from incident_tui.record.storage import atomic_write_bytes

        body = {"format": 1, "made": utc_now(), "check": _check_value(key)}
        atomic_write_bytes(key_check_path(root), json.dumps(body).encode("utf-8") + b"\n")


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.errno is not None:
        return exc.strerror or errno.errorcode.get(exc.errno, str(exc))
    return str(exc)
