"""Text that is safe to print: one home for the rule, used at the door and on the way out.

Recorded text is refused at the door when it carries control characters
(`control_problem`), and everything that prints stored text passes it through
`printable` anyway, since a record may come from an older version, another
school or a hand edit. Newline and tab are ordinary text; every other C0 or
C1 control, DEL, and the bidirectional controls that make text read in a
different order than it is stored are not.
"""

from __future__ import annotations

import re
import unicodedata

# C0 controls except tab (09) and newline (0A); DEL; C1 controls.
_CONTROL = "\x00-\x08\x0b-\x1f\x7f\x80-\x9f"
# Bidi embeddings, overrides and isolates, and the invisible direction marks.
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
# Line and paragraph separators move the cursor like a newline in some terminals.
_SEPARATORS = "\u2028\u2029"

_BIDI_SET = frozenset(
    chr(c) for c in (0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))
)

_UNSAFE = re.compile(f"[{_CONTROL}{_BIDI}{_SEPARATORS}]")
_UNSAFE_ASCII = tuple(chr(c) for c in (*range(0x09), *range(0x0B, 0x20), 0x7F))
"""The unsafe characters an ASCII text can hold (`_CONTROL` below 0x80)."""
_UNSAFE_ONE_LINE = re.compile(f"[{_CONTROL}{_BIDI}{_SEPARATORS}\n\t]")


def _describe(char: str) -> str:
    name = unicodedata.name(char, "")
    code = f"U+{ord(char):04X}"
    return f"{code} {name}" if name else code


def _visible(match: re.Match[str]) -> str:
    return (
        f"\\u{ord(match.group()):04x}" if ord(match.group()) > 0xFF else repr(match.group())[1:-1]
    )


def printable(text: str, *, one_line: bool = False) -> str:
    """`text` with every unsafe character shown as an escape (`\\x1b`, `\\u202e`).

    With `one_line`, newlines and tabs are escaped too (for a table cell or a
    single-line field).
    """
    pattern = _UNSAFE_ONE_LINE if one_line else _UNSAFE
    if not pattern.search(text):
        return text
    return pattern.sub(_visible, text)


def control_problem(text: str, *, one_line: bool = False) -> str | None:
    """Why `text` cannot be recorded, or None when it is fine.

    The message names the first unsafe character and where it is, e.g.
    "contains a control character (U+001B) at character 4".
    """
    pattern = _UNSAFE_ONE_LINE if one_line else _UNSAFE
    found = pattern.search(text)
    if found is None:
        return None
    kind = "a text-direction control" if found.group() in _BIDI_SET else "a control character"
    return f"contains {kind} ({_describe(found.group())}) at character {found.start() + 1}"


def json_escaped(json_text: str) -> str:
    """JSON text (from `json.dumps(..., ensure_ascii=False)`) with every unsafe character
    written as a `\\uXXXX` escape: the same JSON value, safe to print. `json.dumps`
    escapes C0 controls itself but not DEL, C1 controls or bidi controls."""
    if json_text.isascii():
        # one fast scan a character (memchr) costs far less than the pattern's search
        # of a long text, or even isprintable
        if not any(char in json_text for char in _UNSAFE_ASCII):
            return json_text
    elif json_text.isprintable():  # every unsafe character is unprintable (Cc, Cf, Zl, Zp)
        return json_text
    return _UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", json_text)
