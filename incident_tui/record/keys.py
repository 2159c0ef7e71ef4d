"""The per-install record key: it signs each index row and every checkpoint.

The key lives in the config dir, apart from the data it protects, so that a
copy of the data alone cannot be rewritten with matching signatures.

Only a writer creates the key (`load_or_create_key`, when the first incident is
recorded). Commands that only read the record use `load_key`, which never
writes one: a new key would make every incident already recorded look altered.
"""

from __future__ import annotations

import errno
import os
import secrets
from pathlib import Path

from incident_tui.errors import UserError

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


def load_key(path: Path, *, store_has_data: bool) -> bytes:
    """The key for reading the record; never creates one.

    With no key file: if the store holds incidents, MissingKey naming the file;
    if it holds none there is nothing signed to check, so a key that is never
    saved stands in (the first incident recorded creates the real one).
    """
    key = read_key(path)
    if key is not None:
        return key
    if store_has_data:
        raise MissingKey(missing_key_message(path))
    return secrets.token_bytes(KEY_BYTES)


def load_or_create_key(path: Path, *, store_has_data: bool = False) -> bytes:
    """The key in `path` (64 hex digits), created 0600 in a 0700 folder on first use.

    For writers only: reading the record goes through `load_key`. A writer whose
    store already holds incidents never creates a key: MissingKey instead, since
    a new key would make every incident already recorded look altered."""
    key = read_key(path)
    if key is not None:
        return key
    if store_has_data:
        raise MissingKey(missing_key_message(path))
    return _create_key(path)


def _parse_key(path: Path, text: str) -> bytes:
    value = text.strip()
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


def _create_key(path: Path) -> bytes:
    key = secrets.token_bytes(KEY_BYTES)
    try:
        if not path.parent.exists():
            path.parent.mkdir(parents=True, mode=0o700)
            os.chmod(path.parent, 0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, (key.hex() + "\n").encode("ascii"))
            os.fsync(fd)
        finally:
            os.close(fd)
    except FileExistsError:
        # Another process created it first: use theirs.
        return load_or_create_key(path)
    except OSError as exc:
        raise UserError(f"cannot create the record key {path}: {_reason(exc)}") from exc
    return key


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.errno is not None:
        return exc.strerror or errno.errorcode.get(exc.errno, str(exc))
    return str(exc)
