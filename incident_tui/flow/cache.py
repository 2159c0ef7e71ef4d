"""Flows already checked: so that starting the app does not parse, validate and lint
the same bytes again.

An entry is written only for a flow that loaded and passed the linter. It is named
by the flow file's path, and holds the SHA-256 of every file the flow was read from
(the flow file, each fragment it includes) and a fingerprint of the code that reads
and lints flows (this version's modules, pydantic's and Python's versions). All of
that is checked before an entry is used: a flow file or fragment changed by one
byte, a fragment gone, or a changed app, and the entry is not used: the flow is
read and linted again, and its problems are shown as ever. So the linter's verdict
stands for every flow offered: a cached pass is a pass for identical bytes read by
identical code. Nothing else goes into a flow (the school's settings do not: the
linter checks the flow's own [contacts] and the fixed school names).

The entry is data, never code: JSON (no pickle), a SHA-256 of it in its first line,
and the flow is validated against the schema again when it is read back. The
folder is the user's cache folder (platformdirs), 0700; an entry is 0600, and one
that is not the user's own or that others could write is not read. A damaged,
foreign or unreadable entry, or a cache that cannot be written, is never an error
for the user: the flow is read from its file, and the entry is written anew.

Plain Python: nothing here imports Textual.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import sys
from functools import cache
from pathlib import Path
from typing import Any

from incident_tui import __version__
from incident_tui.flow.loader import LoadedFlow

FORMAT = "incident-tui checked flow 1"
"""How an entry's first line starts (the format it is written in); then, after a
space, the SHA-256 of the rest of the entry, the JSON."""

CODE = (
    "flow/model.py",
    "flow/loader.py",
    "flow/linter.py",
    "flow/locate.py",
    "settings.py",
    "safe_text.py",
)
"""The modules (under the package) whose code decides what loading and linting gives:
the schema, the loader, the linter, and the contact names and text rules they use."""

PACKAGE = Path(__file__).resolve().parents[1]


@cache
def code_fingerprint() -> str | None:
    """SHA-256 over the code that reads and lints flows; None if it cannot be read
    (then nothing is cached)."""
    from pydantic.version import VERSION as PYDANTIC_VERSION

    digest = hashlib.sha256(f"{FORMAT}\0{__version__}\0{PYDANTIC_VERSION}\0".encode())
    digest.update(sys.version.encode())
    try:
        for name in CODE:
            digest.update(b"\0" + name.encode() + b"\0" + (PACKAGE / name).read_bytes())
    except OSError:
        return None
    return digest.hexdigest()


def cache_folder() -> Path:
    from incident_tui.locations import cache_dir

    return cache_dir() / "flows"


def _private(info: os.stat_result) -> bool:
    """The user's own, and no one else may read or write it."""
    owner = os.getuid() if hasattr(os, "getuid") else info.st_uid
    return info.st_uid == owner and not info.st_mode & 0o077


def _sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


class FlowCache:
    """The checked flows kept in one folder (by default the user's cache folder)."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder or cache_folder()
        self.code = code_fingerprint()

    def _names(self, path: Path, digest: str) -> tuple[str, str]:
        """(the prefix every entry for this flow file's path has, this entry's name)."""
        where = hashlib.sha256(str(path.absolute()).encode()).hexdigest()[:32]
        what = hashlib.sha256(f"{self.code}\0{digest}".encode()).hexdigest()[:32]
        return f"{where}-", f"{where}-{what}.json"

    def get(self, path: Path) -> LoadedFlow | None:
        """The flow in `path` as it was loaded and passed the linter, if an entry for
        exactly these bytes (and fragments, and code) is here and sound; else None."""
        if self.code is None:
            return None
        digest = _sha256(path)
        if digest is None:
            return None
        body = self._read(self.folder / self._names(path, digest)[1])
        if body is None:
            return None
        try:
            return self._loaded(path, digest, json.loads(body))
        except (ValueError, TypeError, KeyError, IndexError, AttributeError):
            return None  # damaged or foreign (ValidationError is a ValueError): read afresh

    def _read(self, entry: Path) -> bytes | None:
        """The body of an entry whose checksum holds, from a private folder and file."""
        try:
            if not _private(self.folder.stat()):
                return None
            fd = os.open(entry, os.O_RDONLY | os.O_CLOEXEC | getattr(os, "O_NOFOLLOW", 0))
        except OSError:
            return None
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode) or not _private(info):
                return None
            with os.fdopen(fd, "rb") as fh:
                fd = -1
                data = fh.read()
        except OSError:
            return None
        finally:
            if fd != -1:
                os.close(fd)
        head, _, body = data.partition(b"\n")
        if head != f"{FORMAT} {hashlib.sha256(body).hexdigest()}".encode():
            return None
        return body

    def _loaded(self, path: Path, digest: str, entry: dict[str, Any]) -> LoadedFlow | None:
        from incident_tui.flow.model import Flow

        files = [(Path(name), sha) for name, sha in entry["files"]]
        if entry["code"] != self.code or files[0] != (path.absolute(), digest):
            return None
        if any(_sha256(fragment) != sha for fragment, sha in files[1:]):
            return None  # a fragment changed or is gone: read and lint the flow again
        content_hash = entry["content_hash"]
        if not isinstance(content_hash, str):
            return None
        flow = Flow.model_validate(entry["flow"])
        inputs = ((path, digest), *files[1:])
        return LoadedFlow(flow, path, content_hash, inputs)

    def put(self, loaded: LoadedFlow) -> None:
        """Keep a flow that loaded and passed the linter (and drop what was kept for
        that file before); a cache that cannot be written is left as it is."""
        if self.code is None:
            return
        (path, digest), *fragments = loaded.inputs
        entry = {
            "code": self.code,
            "files": [[str(p.absolute()), sha] for p, sha in [(path, digest), *fragments]],
            "content_hash": loaded.content_hash,
            "flow": loaded.flow.model_dump(mode="json", by_alias=True, exclude_unset=True),
        }
        body = json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        payload = f"{FORMAT} {hashlib.sha256(body).hexdigest()}\n".encode() + body
        prefix, name = self._names(path, digest)
        from incident_tui.errors import UserError
        from incident_tui.files import write_private_file
        from incident_tui.locations import ensure_private_dir

        try:
            ensure_private_dir(self.folder)
            if not _private(self.folder.stat()):
                return
            write_private_file(self.folder / name, payload, replace=True, what="the cache")
            for old in os.listdir(self.folder):
                if old.startswith(prefix) and old != name:
                    with contextlib.suppress(OSError):
                        os.unlink(self.folder / old)
        except (OSError, UserError):
            return
