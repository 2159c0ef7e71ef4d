"""A TinyDB storage that never leaves a torn file and never mistakes damage for a fresh start.

Every write goes to a temporary file in the same folder (0600), is flushed and
fsynced, renamed over the old file, and the folder is fsynced: a crash leaves
the old file or the new one. A leftover temporary file (`.NAME.XXXXXXXX.tmp`)
is never read as data.

TinyDB's own `JSONStorage` opens an empty file as an empty database; this one
reports an empty, unreadable or missing file as damage, naming the file.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import secrets
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tinydb.storages import Storage

from incident_tui.errors import UserError

TEMP_SUFFIX = ".tmp"


class DamagedFile(UserError):
    """A record file that cannot be read as this program wrote it."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


class StoreWriteError(UserError):
    """A write that did not complete; the last good copy of the file is intact."""

    def __init__(self, path: Path, exc: OSError, message: str | None = None) -> None:
        super().__init__(
            message
            or f"could not save {path}: {os_reason(exc)}. The last good copy of the file is "
            "intact; this step was not recorded. Free some space or fix the disk, then try again."
        )
        self.path = path
        self.errno = exc.errno
        self.event: Any = None
        """Set when the event itself was saved and only the index lagged behind."""


def os_reason(exc: OSError) -> str:
    known = {
        errno.ENOSPC: "the disk is full",
        errno.EDQUOT: "the disk quota is used up",
        errno.EROFS: "the disk is read-only",
        errno.EACCES: "permission denied",
        errno.EPERM: "permission denied",
        errno.EIO: "the disk reported an input/output error",
    }
    if exc.errno in known:
        return known[exc.errno]
    return exc.strerror or str(exc)


def is_temp_file(name: str) -> bool:
    return name.startswith(".") and name.endswith(TEMP_SUFFIX)


def _reject_float(text: str) -> Any:
    raise ValueError(f"a floating-point number ({text}) is not allowed in a record")


def _reject_constant(text: str) -> Any:
    raise ValueError(f"{text} is not allowed in a record")


_DECODER = json.JSONDecoder(parse_float=_reject_float, parse_constant=_reject_constant)


def dump_record_json(data: Any, *, sorted_documents: bool = False) -> bytes:
    """The exact bytes this program writes: compact JSON, UTF-8, non-ASCII as itself.

    With `sorted_documents` (incident files), `data` is TinyDB's {table: {doc id:
    document}}: tables and doc ids stay in their order, and each document is written
    with its keys sorted at every level, i.e. as its canonical JSON
    (`events.canonical_text`), so an event's bytes are the text its hash is taken over
    plus its own "hash" in its sorted place.

    Without it everything keeps its own order. That is also how a file read back is
    checked against its bytes (`dump_record_json(parse_record_json(raw)) == raw`): a
    file in either layout passes (incident files written before their events were
    sorted hold each event's keys in the order recorded), one with a byte edited does not."""
    if not sorted_documents:
        return _compact(data).encode("utf-8")
    name = json.encoder.encode_basestring
    tables = ",".join(
        name(str(table))
        + ":{"
        + ",".join(name(str(doc_id)) + ":" + _sorted(doc) for doc_id, doc in docs.items())
        + "}"
        for table, docs in data.items()
    )
    return ("{" + tables + "}").encode("utf-8")


def _not_json(value: Any) -> Any:
    raise TypeError(f"{type(value).__name__} is not a JSON value")


def json_encoder(*, sort_keys: bool) -> Callable[[Any], str]:
    """`json.dumps(value, sort_keys=sort_keys, separators=(",", ":"), ensure_ascii=False)`,
    made once: `dumps` builds a new encoder for every call, which costs more than
    encoding a small event. The same C encoder `dumps` uses, with the same settings."""
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # no C accelerator: plain dumps
        return lambda value: json.dumps(
            value, sort_keys=sort_keys, separators=(",", ":"), ensure_ascii=False
        )
    encode = make(
        None, _not_json, json.encoder.encode_basestring, None, ":", ",", sort_keys, False, True
    )
    return lambda value: "".join(encode(value, 0))


_compact = json_encoder(sort_keys=False)
"""Compact JSON text, every object's keys in their own order (`dump_record_json`)."""


def _sorted(value: Any) -> str:
    from incident_tui.record.events import canonical_text

    return canonical_text(value)


def dump_with_entry(
    raw: bytes, doc_id: str, entry: Any, *, sorted_documents: bool = False
) -> bytes:
    """`dump_record_json` (with `sorted_documents` as given) of a one-table file whose
    bytes are `raw` (exactly as `dump_record_json` wrote them, its table of objects not
    empty) with `entry` added last under `doc_id`: only the new entry is encoded, and
    spliced in before the closing braces of the table and the file. ValueError if `raw`
    does not end as such a file does."""
    text = _sorted(entry) if sorted_documents else _compact(entry)
    return with_entry_text(raw, doc_id, text)


def with_entry_text(raw: bytes, doc_id: str, text: str) -> bytes:
    """`dump_with_entry`, the entry given as the text it is written as."""
    if not raw.endswith(b"}}}"):
        raise ValueError("not a one-table record file with an entry, as written")
    name = json.encoder.encode_basestring(doc_id)
    return b"".join((raw[:-2], b",", name.encode("utf-8"), b":", text.encode("utf-8"), b"}}"))


class KnownFiles:
    """The bytes of record files as this process last read and checked them, or wrote
    them, each with what they were read into: a file whose bytes are still exactly these
    need not be parsed or checked again. Checked, never trusted: the caller reads the
    file every time, and any difference in its bytes (another process wrote it, or a
    hand edit) means it is parsed and checked afresh. Holds the last `limit` files."""

    def __init__(self, limit: int = 32) -> None:
        self._limit = limit
        self._files: dict[Path, tuple[bytes, Any]] = {}
        self._lock = threading.Lock()

    def get(self, path: Path, raw: bytes) -> Any | None:
        """What `path` was read into when its bytes were `raw`, or None."""
        with self._lock:
            known = self._files.get(path)
        if known is None or known[0] != raw:
            return None
        return known[1]

    def put(self, path: Path, raw: bytes, value: Any) -> None:
        """Record that `path` holds `raw`, which reads as `value` (never to be changed)."""
        with self._lock:
            self._files.pop(path, None)
            self._files[path] = (raw, value)
            while len(self._files) > self._limit:
                del self._files[next(iter(self._files))]


def parse_record_json(raw: bytes, path: Path) -> dict[str, Any]:
    """Parse a record file, or raise DamagedFile saying what is wrong with it."""
    if not raw:
        raise DamagedFile(path, "the file is empty (it should never be); it may have been cut off")
    try:
        data = json.loads(
            raw.decode("utf-8"), parse_float=_reject_float, parse_constant=_reject_constant
        )
    except UnicodeDecodeError as exc:
        raise DamagedFile(path, f"not valid UTF-8 text at byte {exc.start}") from exc
    except json.JSONDecodeError as exc:
        raise DamagedFile(
            path, f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from exc
    except (ValueError, RecursionError) as exc:
        raise DamagedFile(path, str(exc)) from exc
    if not isinstance(data, dict):
        raise DamagedFile(path, "not a record file (the top level is not a JSON object)")
    return data


def read_record_bytes(path: Path) -> bytes:
    """The whole file, by plain os calls (no buffered file object: listing and
    verify read thousands of small files)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        try:
            size = os.fstat(fd).st_size
            chunks = [os.read(fd, size + 1)]
            if len(chunks[0]) == size:  # all of it (files are replaced, never changed)
                return chunks[0]
            while chunks[-1]:  # the file grew while it was read, or a short read
                chunks.append(os.read(fd, 1 << 16))
        finally:
            os.close(fd)
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise DamagedFile(path, f"cannot be read: {os_reason(exc)}") from exc
    return chunks[0] if len(chunks) == 2 else b"".join(chunks)


def fsync_dir(folder: str | Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write_bytes(path: Path, payload: bytes) -> None:
    """Replace `path` with `payload` so that a crash leaves the old file or the new one."""
    folder, name = os.path.split(os.fspath(path))
    folder = folder or os.curdir
    temp = os.path.join(folder, f".{name}.{secrets.token_hex(4)}{TEMP_SUFFIX}")
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        try:
            os.fchmod(fd, 0o600)  # whatever the umask
            view = memoryview(payload)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temp, path)
        # the rename made durable too: the new name is what the next step relies on
        fsync_dir(folder)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise StoreWriteError(path, exc) from exc


class AtomicJSONStorage(Storage):
    """TinyDB storage for one record file; see the module docstring."""

    def __init__(self, path: str | Path, create: bool = False, **_: Any) -> None:
        self.path = Path(path)
        self.create = create

    def read(self) -> dict[str, dict[str, Any]] | None:
        try:
            raw = read_record_bytes(self.path)
        except FileNotFoundError:
            if self.create:
                return None
            raise DamagedFile(self.path, "the file is missing") from None
        return parse_record_json(raw, self.path)

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        atomic_write_bytes(self.path, dump_record_json(data))

    def close(self) -> None:
        pass
