"""What `list --json` printed last, kept checked, so that a list of an unchanged
record prints it again without reading 10,000 rows.

`<root>/list-cache.json` holds the printed text (already safe to print) with what
it was made from: the stamp (`index_cache.stamp_of`) of every index file and of the
incidents folder, and the index folder it belongs to. It is used only when all of
them are exactly as they are now, and never trusted blindly, on the same grounds as
the index cache (`index_cache`):

- an index file is replaced whole by every save (a new inode), and an edit in place
  changes its ctime; an incident file added, removed or renamed changes the
  incidents folder's ctime and mtime. So a stamp as recorded is a file as it was;
- a list of anything changed less than two seconds before it began is not kept
  (stamps are coarse: a second change in the same tick could leave one as it was);
- it is signed with its own key derived from the record key (HMAC-SHA256): edited,
  cut short, copied from another record or written with another key, it is not
  used; without the record's key it is neither used nor written;
- only a list with nothing to report is kept (no damaged file, no invalid row, no
  incident listed from its file): anything else is listed afresh every time.

After a change to a few index files (an append changes one), the kept text is put
together again rather than listing afresh (`listing._patched`): it keeps the place of
each row (opened, reference, id, index file), so only the changed files' rows are read
and checked, and only if they are exactly as the store writes them, every incident
file still has a row, no id is listed twice and no two rows share a place in the
order; else the list is made afresh, with everything it reports.

It is not part of the record, and `verify` never reads it: deleting it costs one
slower list. The text is checked again for unsafe characters as it is printed.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from incident_tui import __version__
from incident_tui.record import index_cache
from incident_tui.record.index_cache import Stamp, _write_quietly, stamp_of
from incident_tui.record.layout import _SHARD_PATTERN, ROW_FIELDS, incidents_dir, index_dir

LIST_CACHE_FILE = "list-cache.json"
FORMAT = 2
_MAGIC = b"incident-tui list cache"


def _key(key: bytes) -> bytes:
    """Its own key, derived from the record key: never the index cache's or a row's."""
    return hmac.new(key, b"incident-tui list cache", hashlib.sha256).digest()


def _sign(key: bytes, body: bytes | memoryview) -> bytes:
    return hmac.new(_key(key), body, hashlib.sha256).hexdigest().encode("ascii")


State = dict[str, Any]
"""What a list is made from, as `state` gives it (JSON)."""


def state(root: Path) -> State | None:
    """What a list of the store at `root` is made from, as it is now: the index
    folder, the stamp of every index file and of the incidents folder, and what makes
    a row's text (this version, the fields of a row); None if any cannot be read."""
    try:
        folder = os.stat(index_dir(root))
        incidents = stamp_of(os.stat(incidents_dir(root)))
        with os.scandir(index_dir(root)) as entries:
            shards = {
                entry.name: list(stamp_of(entry.stat()))
                for entry in entries
                if _SHARD_PATTERN.fullmatch(entry.name)
            }
    except OSError:
        return None
    return {
        "format": FORMAT,
        "version": __version__,
        "fields": list(ROW_FIELDS),
        "place": [folder.st_dev, folder.st_ino],
        "incidents": list(incidents),
        "shards": dict(sorted(shards.items())),
    }


Keys = list[list[str]]
"""Each row of a kept text, in order: [opened, reference, id, the index file it is
from]: what a list after a change needs to put the text together again."""


@dataclass
class Kept:
    """A list cache whose signature holds: what it was made from, and what it holds."""

    state: State
    text: str
    keys: memoryview
    """`Keys` as JSON, read only when the text has to be put together again."""

    def row_keys(self) -> Keys | None:
        try:
            keys = json.loads(bytes(self.keys))
        except (ValueError, UnicodeDecodeError):
            return None
        return keys if type(keys) is list else None


def read(root: Path, key: bytes | None) -> Kept | None:
    """The list cache of the store at `root`, if its signature holds; else None."""
    if key is None:
        return None
    try:
        with open(root / LIST_CACHE_FILE, "rb") as fh:
            raw = fh.read()
    except OSError:
        return None
    # views, not copies: the text is megabytes
    signed_at = raw.find(b"\n") + 1
    keys_at = raw.find(b"\n", signed_at) + 1
    text_at = raw.find(b"\n", keys_at) + 1
    if not signed_at or not keys_at or not text_at:
        return None
    whole = memoryview(raw)
    if not hmac.compare_digest(raw[: signed_at - 1], _MAGIC + b" " + _sign(key, whole[signed_at:])):
        return None
    try:
        then = json.loads(raw[signed_at : keys_at - 1])
        return Kept(then, str(whole[text_at:], "utf-8"), whole[keys_at : text_at - 1])
    except (ValueError, UnicodeDecodeError):
        return None


def load(root: Path, key: bytes | None, now: State | None) -> str | None:
    """The text kept for exactly the state `now`, if its signature holds; else None."""
    if now is None:
        return None
    kept = read(root, key)
    return kept.text if kept is not None and kept.state == now else None


def save(
    root: Path, key: bytes | None, then: State | None, taken: int, text: str, keys: Keys
) -> None:
    """Keep `text`, printed for a list made from the state `then` (taken at `taken`, in
    ns since the epoch, before anything was read), with the `keys` of its rows, unless
    anything in it had changed too recently then to tell a later change by its stamp;
    never an error."""
    if key is None or then is None:
        return
    stamps: list[Stamp] = [tuple(then["incidents"])]
    stamps += [tuple(stamp) for stamp in then["shards"].values()]
    if any(stamp[3] > taken - index_cache._RACY_NS for stamp in stamps):
        return
    signed = json.dumps(then, separators=(",", ":")).encode("ascii") + b"\n"
    signed += json.dumps(keys, separators=(",", ":")).encode("ascii") + b"\n"
    signed += text.encode("utf-8")
    payload = _MAGIC + b" " + _sign(key, signed) + b"\n" + signed
    with contextlib.suppress(OSError, UnicodeEncodeError):
        _write_quietly(root / LIST_CACHE_FILE, payload)
