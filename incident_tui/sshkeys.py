"""OpenSSH public keys, and the `authorized_keys` file written from the people file.

Each person is one line of the service account's `authorized_keys`, the pattern
gitolite uses:

    command="/path/to/incident-tui session akhan",restrict,pty ssh-ed25519 AAAA... akhan

OpenSSH authenticates the key and runs only that command, whatever the person
asked for (what they asked for is in SSH_ORIGINAL_COMMAND). `restrict` turns
off port, agent and X11 forwarding and the rest; `pty` gives the terminal back,
without which the app's screens cannot be drawn.

The app owns the file: it is rewritten whole from the people file on every
change. A file holding lines the app did not write is refused, naming the file
and the first such line, unless the rewrite is told to take it over (the keys
in it are then dropped: access is exactly the people file's).

Plain Python: nothing here imports Textual.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import shlex
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from incident_tui.errors import UserError
from incident_tui.safe_text import control_problem, printable

KEY_TYPES = frozenset(
    {
        "ssh-ed25519",
        "ssh-rsa",
        "ecdsa-sha2-nistp256",
        "ecdsa-sha2-nistp384",
        "ecdsa-sha2-nistp521",
        "sk-ssh-ed25519@openssh.com",
        "sk-ecdsa-sha2-nistp256@openssh.com",
    }
)
"""The key types OpenSSH accepts today (DSA is no longer accepted by OpenSSH)."""

HEADER = "# incident-tui: written from the people file by `incident-tui people`; do not edit."
"""The first line of every authorized_keys file the app writes."""

FORCED_OPTIONS = "restrict,pty"


class KeyRefused(ValueError):
    """The text is not one plain OpenSSH public key line."""


@dataclass(frozen=True)
class PublicKey:
    type: str
    blob: str
    """The base64 key itself."""
    comment: str

    @property
    def identity(self) -> str:
        """What makes two keys the same key (the comment does not)."""
        return f"{self.type} {self.blob}"

    @property
    def line(self) -> str:
        return f"{self.identity} {self.comment}".rstrip()

    def fingerprint(self) -> str:
        import hashlib

        digest = hashlib.sha256(base64.b64decode(self.blob)).digest()
        return "SHA256:" + base64.b64encode(digest).decode("ascii").rstrip("=")


def parse_public_key(text: str) -> PublicKey:
    """One OpenSSH public key line: type, base64 key, optional comment. A line that
    starts with options (command="...", from=, no-pty) is refused: options are the
    app's to write, never the key's."""
    lines = [line.strip() for line in text.splitlines()]
    lines = [line for line in lines if line and not line.startswith("#")]
    if not lines:
        raise KeyRefused("holds no public key")
    if any("PRIVATE KEY" in line for line in lines):
        raise KeyRefused(
            "is a PRIVATE key: give the .pub file beside it, and keep the private key on "
            "the person's own computer"
        )
    if len(lines) > 1:
        raise KeyRefused(f"holds {len(lines)} lines: give one public key (one line)")
    line = lines[0]
    if (problem := control_problem(line, one_line=True)) is not None:
        raise KeyRefused(problem)
    fields = line.split(maxsplit=2)
    kind = fields[0]
    if kind not in KEY_TYPES:
        if "=" in kind or "," in kind or kind.startswith(("no-", "restrict", "cert-authority")):
            raise KeyRefused(
                "starts with options before the key type "
                f"('{printable(kind[:40], one_line=True)}'): a key line with options "
                "(command=, from=, no-pty, ...) is refused; give the plain public key"
            )
        raise KeyRefused(
            f"'{printable(kind[:40], one_line=True)}' is not an OpenSSH key type "
            f"(expected one of {', '.join(sorted(KEY_TYPES))})"
        )
    if len(fields) < 2:
        raise KeyRefused(f"has the key type {kind} but no key after it")
    blob = fields[1]
    try:
        raw = base64.b64decode(blob, validate=True)
    except (binascii.Error, ValueError):
        raise KeyRefused(f"the {kind} key is not valid base64") from None
    if _blob_type(raw) != kind:
        raise KeyRefused(f"the key after {kind} is not a {kind} key (damaged or cut short?)")
    comment = fields[2] if len(fields) > 2 else ""
    return PublicKey(type=kind, blob=blob, comment=comment)


def _blob_type(raw: bytes) -> str | None:
    """The key type written inside the key itself (a uint32 length, then the name)."""
    if len(raw) < 4:
        return None
    (length,) = struct.unpack(">I", raw[:4])
    if length > 64 or len(raw) < 4 + length + 1:
        return None
    try:
        return raw[4 : 4 + length].decode("ascii")
    except UnicodeDecodeError:
        return None


def read_key_file(path: Path) -> PublicKey:
    """The public key in `path`; UserError naming the file and what is wrong."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UserError(f"{path} is a folder: give the public key file (id_ed25519.pub)") from None
    except OSError as exc:
        raise UserError(f"{path}: cannot read the key file: {exc.strerror}") from None
    if len(raw) > 16_384:
        raise UserError(f"{path}: too large to be one public key")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise UserError(f"{path}: not a public key (not text)") from None
    try:
        return parse_public_key(text)
    except KeyRefused as exc:
        raise UserError(f"{path}: {exc}") from None


# --- authorized_keys ----------------------------------------------------------------------


def default_authorized_keys() -> Path:
    """The service account's own: ~/.ssh/authorized_keys."""
    return Path.home() / ".ssh" / "authorized_keys"


def forced_command(program: Path, login: str, extra: Iterable[str] = ()) -> str:
    """`program [extra...] session LOGIN`, quoted for a shell and for command="..."."""
    words = [str(program), *extra, "session", login]
    for word in words:
        if '"' in word or "\\" in word or (control_problem(word, one_line=True) is not None):
            raise UserError(
                f"'{printable(word, one_line=True)}' cannot go into an authorized_keys "
                "forced command (it holds a double quote, a backslash or a control character)"
            )
    return " ".join(shlex.quote(word) for word in words)


def authorized_keys_text(entries: Iterable[tuple[str, str, str]]) -> str:
    """The whole file: the header, then `command="...",restrict,pty KEY LOGIN` for each
    (login, command, key line); the comment is the login, never the key's own."""
    lines = [HEADER]
    for login, command, key_line in entries:
        key = parse_public_key(key_line)
        lines.append(f'command="{command}",{FORCED_OPTIONS} {key.identity} {login}')
    return "\n".join(lines) + "\n"


_OUR_LINE = re.compile(r'^command="[^"\\]* session [a-z][a-z0-9_-]*",' + FORCED_OPTIONS + " ")


def foreign_line(text: str) -> tuple[int, str] | None:
    """The first line (number, text) of an authorized_keys file the app did not write,
    or None when every line is the app's (or a blank or comment)."""
    ours = text.startswith(HEADER + "\n")
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if not ours or not _OUR_LINE.match(stripped):
            return number, stripped
    return None


def write_authorized_keys(path: Path, text: str, *, take_over: bool = False) -> None:
    """Replace `path` with `text` atomically (0600, in a 0700 folder). A file holding
    lines the app did not write is refused, naming it, unless `take_over`."""
    from incident_tui.files import write_private_file

    try:
        existing = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        existing = ""
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise UserError(f"{path}: cannot read the authorized_keys file: {reason}") from None
    found = foreign_line(existing)
    if found is not None and not take_over:
        number, line = found
        shown = printable(line[:60], one_line=True) + ("..." if len(line) > 60 else "")
        raise UserError(
            f"{path}:{number}: this authorized_keys file holds a line incident-tui did not "
            f"write ({shown}). The app rewrites the whole file from the people file, so it "
            "would remove that access: move such keys to another account, or add "
            "--take-over to let incident-tui own the file (the lines it did not write are "
            "dropped); nothing was changed"
        )
    folder = path.parent
    try:
        if not folder.exists():
            folder.mkdir(mode=0o700, parents=True)
        if folder.name == ".ssh":
            os.chmod(folder, 0o700)  # sshd's StrictModes refuses a looser ~/.ssh
    except OSError as exc:
        raise UserError(f"{folder}: cannot create the folder: {exc.strerror}") from None
    write_private_file(path, text, replace=True, what="the authorized_keys file")


__all__ = [
    "HEADER",
    "KeyRefused",
    "PublicKey",
    "authorized_keys_text",
    "default_authorized_keys",
    "forced_command",
    "foreign_line",
    "parse_public_key",
    "read_key_file",
    "write_authorized_keys",
]
