"""Every index row in one checked file, so that a list of 10,000 incidents reads one
file instead of ~3,700.

The index is split by id into up to 4,096 files so that an append rewrites one small
file (`store`); 10,000 incidents fill ~3,700 of them, and opening, parsing and
validating them all costs a list far more than the rows are worth. This file,
`<root>/index-cache.json`, holds the rows of each index file as they were when it was
last read, already validated, with the stamp of the file they were read from: its
inode, size, mtime and ctime. It is never trusted blindly:

- an index file whose stamp is not the one recorded is read again, as if there were
  no cache: every save replaces an index file (a new inode), and an edit in place
  changes its ctime, which no one can set back;
- an index file changed less than two seconds before it was read is not kept (time
  stamps are coarse: a second edit in the same tick could leave the stamp as it was);
- it is signed with a key derived from the record key (HMAC-SHA256 over its bytes):
  edited, cut short, copied from another record or written with another key, it is
  ignored and rebuilt; a reader without the record's key neither uses nor writes it;
- damaged index files and invalid rows are never kept: they are read, and reported,
  every time, exactly as without it.

It is not part of the record, and `verify` never reads it: deleting it costs one
slower list. Whoever lists writes it (readers too) when more than a few index files
have changed since: atomically, without fsync (a torn file fails its signature), and
never on a nearly full disk.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import hmac
import json
import os
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from incident_tui.record.layout import ROW_FIELDS
from incident_tui.record.storage import TEMP_SUFFIX

CACHE_FILE = "index-cache.json"
FORMAT = 1
_MAGIC = b"incident-tui index cache"
_RACY_NS = 2_000_000_000
"""An index file changed this recently (ctime) is not kept: see the module docstring."""
REWRITE_AFTER = 32
"""Index files read afresh (changed, or new, since the cache was written) before it is
written again: an append changes one, and rewriting 10,000 rows for each is not worth it."""
_FREE_MARGIN = 64 << 20
"""Free space the cache never eats into (beyond four times its own size): the record's
own appends come first."""

Stamp = tuple[int, int, int, int]


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector paused while a list is read: it would otherwise walk
    every row read so far again and again as 10,000 rows of new objects pile up (most
    of the time of a list). A list makes no cycles to speak of; any garbage is freed at
    the collector's next pass."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def stamp_of(st: os.stat_result) -> Stamp:
    return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def cache_path(root: Path) -> Path:
    return root / CACHE_FILE


def _cache_key(key: bytes) -> bytes:
    """Its own key, derived from the record key: a cache signature is never a row's."""
    return hmac.new(key, b"incident-tui index cache", hashlib.sha256).digest()


def _fields() -> tuple[str, ...]:
    return ROW_FIELDS


@cache
def _every_field() -> frozenset[str]:
    return frozenset(_fields())


@dataclass
class IndexCache:
    """The cache of one store, as read at the start of a listing, and what the listing
    found since. Use `load`, then `rows` or `keep` for each index file, then `save`."""

    root: Path
    key: bytes | None
    """The record key; None: nothing is used or written."""
    place: list[int]
    """What the cache is bound to: the index folder's device and inode (a cache copied
    to another record never matches)."""
    kept: dict[str, tuple[Stamp, list[list[Any]]]] = field(default_factory=dict)
    """Index file name -> (its stamp, its rows as stored in the cache)."""
    fresh: dict[str, tuple[Stamp, list[list[Any]]]] = field(default_factory=dict)
    """Index files read afresh during this listing that can be kept."""
    valid: bool = False
    """Whether a cache file was found and checked."""

    @classmethod
    def load(cls, root: Path, key: bytes | None, index: Path) -> IndexCache:
        """The store's cache; empty when there is none, it fails its check, or there is
        no key to check it with."""
        try:
            folder = os.stat(index)
        except OSError:
            return cls(root, None, [])
        cache = cls(root, key, [folder.st_dev, folder.st_ino])
        if key is None:
            return cache
        try:
            with open(cache_path(root), "rb") as fh:
                raw = fh.read()
        except OSError:
            return cache
        head, _, body = raw.partition(b"\n")
        expected = _MAGIC + b" " + _sign(key, body)
        if not hmac.compare_digest(head, expected):
            return cache
        try:
            data = json.loads(body)
            shards = data["shards"]
            if data["format"] != FORMAT or data["fields"] != list(_fields()):
                return cache
            if data["place"] != cache.place:
                return cache
            cache.kept = {name: (tuple(stamp), rows) for name, (stamp, rows) in shards.items()}
        except (ValueError, KeyError, TypeError):
            return cache
        cache.valid = True
        return cache

    def rows(self, name: str, stamp: Stamp | None, *, dumped: bool = False) -> list[Any] | None:
        """The rows of index file `name` (IndexRow, oldest entry first; `dumped`: as
        `model_dump(mode="json")` gives them) if the cache holds them for exactly this
        stamp; None: read the file."""
        entry = self.kept.get(name)
        if entry is None or stamp is None or entry[0] != stamp:
            return None
        try:
            return _dumped_rows(entry[1]) if dumped else _rows(entry[1])
        except (ValueError, TypeError, IndexError, KeyError):
            return None

    def keep(
        self,
        name: str,
        stamp: Stamp | None,
        table: dict[str, dict[str, Any]],
        *,
        dumped: bool = False,
    ) -> list[Any] | None:
        """The rows of index file `name` (read with stamp `stamp`) as IndexRow (or
        dumped), kept for the next listing, if every row is valid and listed from the
        index as it is; None if any is not (the listing then reads and reports them as
        it always has)."""
        if dumped:
            plain = _plain_rows(table)
            if plain is not None:
                if self.key is not None and stamp is not None and not _racy(stamp):
                    self.fresh[name] = (stamp, [[*values, unset] for values, unset in plain])
                fields = _fields()
                return [dict(zip(fields, values, strict=True)) for values, _ in plain]
        from pydantic import ValidationError

        from incident_tui.record.index_row import IndexRow

        rows = []
        for row in table.values():
            if row.get("event_count") == 0:
                return None  # an interrupted opening: the listing looks at its file
            try:
                rows.append(IndexRow.model_validate(row))
            except ValidationError:
                return None
        if self.key is not None and stamp is not None and not _racy(stamp):
            fields = _fields()
            self.fresh[name] = (stamp, [_values(fields, row) for row in rows])
        if dumped:
            return [row.model_dump(mode="json") for row in rows]
        return rows

    def save(self, names: list[str]) -> None:
        """Write the cache for the index files `names` (those listed) if enough of them
        were read afresh; never an error (the cache is not the record)."""
        if self.key is None or not self.fresh:
            return
        if self.valid and len(self.fresh) <= REWRITE_AFTER:
            return
        shards = {}
        for name in names:
            entry = self.fresh.get(name) or self.kept.get(name)
            if entry is not None:
                shards[name] = [list(entry[0]), entry[1]]
        body = json.dumps(
            {"format": FORMAT, "fields": list(_fields()), "place": self.place, "shards": shards},
            separators=(",", ":"),
        ).encode("ascii")
        payload = _MAGIC + b" " + _sign(self.key, body) + b"\n" + body
        with contextlib.suppress(OSError):
            _write_quietly(cache_path(self.root), payload)


def _plain_rows(table: dict[str, dict[str, Any]]) -> list[tuple[list[Any], list[str]]] | None:
    """Every row of an index file by the plain check (`row_check`), if it takes them
    all (none an interrupted opening); None: let the model judge them."""
    from incident_tui.record import row_check

    if _fields() != row_check.NAMES:
        return None
    plain = []
    for row in table.values():
        if row.get("event_count") == 0:
            return None
        checked = row_check.plain_row(row)
        if checked is None:
            return None
        plain.append(checked)
    return plain


def _sign(key: bytes, body: bytes) -> bytes:
    return hmac.new(_cache_key(key), body, hashlib.sha256).hexdigest().encode("ascii")


def _racy(stamp: Stamp) -> bool:
    return stamp[3] > time.time_ns() - _RACY_NS


def _values(fields: tuple[str, ...], row: Any) -> list[Any]:
    """A validated row as the cache stores it: every field's value in order, then the
    fields not set (an older row's defaults)."""
    values = row.__dict__
    out = [values[name] for name in fields]
    if row.viewings is not None:
        out[fields.index("viewings")] = row.viewings.model_dump()
    out.append([name for name in fields if name not in row.model_fields_set])
    return out


def _rows(stored: list[list[Any]]) -> list[Any]:
    """IndexRows from their values as `_values` stored them, without validating them
    again: they were validated before they were stored, and the cache is signed. Each
    is made as unpickling makes one, so it is the row validation made, field for field."""
    from incident_tui.record.index_row import IndexRow, ViewingsClaim

    fields, every = _fields(), _every_field()
    size = len(fields) + 1
    new = IndexRow.__new__
    rows = []
    for values in stored:
        if len(values) != size:
            raise ValueError("not a cached row")
        state = dict(zip(fields, values, strict=False))  # the last: the fields not set
        state["other_pupils"] = tuple(state["other_pupils"])
        if state["viewings"] is not None:
            state["viewings"] = ViewingsClaim.model_validate(state["viewings"])
        unset = values[-1]
        row = new(IndexRow)
        row.__setstate__(
            {
                "__dict__": state,
                "__pydantic_fields_set__": set(every.difference(unset) if unset else every),
                "__pydantic_extra__": None,
                "__pydantic_private__": None,
            }
        )
        rows.append(row)
    return rows


def _dumped_rows(stored: list[list[Any]]) -> list[dict[str, Any]]:
    """The rows as `model_dump(mode="json")` gives them, from their values as `_values`
    stored them (validated before they were stored; the cache is signed): every field
    in order, a default for each field not set, as the dump has it."""
    fields = _fields()
    size = len(fields) + 1
    rows = []
    for values in stored:
        if len(values) != size:
            raise ValueError("not a cached row")
        rows.append(dict(zip(fields, values, strict=False)))  # the last: the fields not set
    return rows


def _write_quietly(path: Path, payload: bytes) -> None:
    """Replace `path` atomically, without fsync (derived data: a torn file fails its
    signature and is rebuilt), and only with room to spare on the disk."""
    disk = os.statvfs(path.parent)
    if disk.f_bavail * disk.f_frsize < 4 * len(payload) + _FREE_MARGIN:
        return
    temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}{TEMP_SUFFIX}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    try:
        try:
            os.fchmod(fd, 0o600)
            view = memoryview(payload)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
        os.replace(temp, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
