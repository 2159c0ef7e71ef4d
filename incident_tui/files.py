"""The one way the app writes a file of its own: whole or not at all, private, durable.

Exports, checkpoints, the training debrief, the config file and the remembered
name all go through `write_private_file` (the record's own files go through
`record.storage`, which keeps its crash rules). A file is written to a
temporary file beside it (0600 whatever the umask), flushed to disk, then put
in place in one step, and the folder is synced: a crash or a full disk leaves
the old file or none, never half a file.

Without `replace` an existing file is never touched, even by a second writer
racing this one: the new file is linked into place, which fails if the name
is taken. With `replace` it is renamed over the old one.

Plain Python: nothing here imports Textual.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path

from incident_tui.errors import UserError

PART_SUFFIX = ".part"


class FileExists(UserError):
    """The file is already there and was left as it was."""

    def __init__(self, path: Path, hint: str = "choose another name") -> None:
        super().__init__(f"{path} already exists: {hint}; it was left as it was")
        self.path = path


def write_private_file(
    path: Path | str,
    data: bytes | str,
    *,
    replace: bool,
    what: str = "the file",
    exists_hint: str = "choose another name",
) -> None:
    """Write `data` (str as UTF-8) to `path`, readable by its owner only (0600).

    `replace=False` refuses an existing file (FileExists, with `exists_hint` for
    what to do instead) and never leaves a file behind on failure;
    `replace=True` replaces it whole. Any other failure is a UserError naming
    the file and `what` it was meant to hold.
    """
    path = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    if path.is_dir():
        raise UserError(f"{path} is a folder: give a file name")
    if not replace and os.path.lexists(path):
        raise FileExists(path, exists_hint)
    folder = path.parent
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=PART_SUFFIX, dir=folder)
    except OSError as exc:
        raise _cannot_write(path, what, exc) from None
    try:
        try:
            with os.fdopen(fd, "wb") as fh:
                os.fchmod(fh.fileno(), 0o600)
                fh.write(payload)
                fh.flush()
                os.fsync(fh.fileno())
            if replace:
                os.replace(temp, path)
            else:
                _link_new(temp, path, exists_hint)
        except OSError as exc:
            raise _cannot_write(path, what, exc) from None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temp)  # gone already after a replace; the spare name after a link
    _sync_folder(folder)


def _link_new(temp: str, path: Path, exists_hint: str) -> None:
    """Put `temp` in place at `path` only if nothing is there, atomically."""
    try:
        os.link(temp, path)
    except FileExistsError:
        raise FileExists(path, exists_hint) from None
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
            raise
        # A file system without hard links: create exclusively and write in place.
        _write_exclusive(temp, path, exists_hint)


def _write_exclusive(temp: str, path: Path, exists_hint: str) -> None:
    payload = Path(temp).read_bytes()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    except FileExistsError:
        raise FileExists(path, exists_hint) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(path)  # never leave half a file behind
        raise


def _sync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _cannot_write(path: Path, what: str, exc: OSError) -> UserError:
    return UserError(f"{path}: cannot write {what}: {exc.strerror or exc}")


__all__ = ["FileExists", "write_private_file"]
