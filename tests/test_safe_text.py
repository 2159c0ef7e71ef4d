"""Recorded text never carries control sequences to a screen or a file."""

import json
import sys

import pytest

from incident_tui.safe_text import (
    _UNSAFE,
    _UNSAFE_ASCII,
    control_problem,
    json_escaped,
    printable,
)

ATTACKS = {
    "CSI colour": "red \x1b[31mtext",
    "OSC title": "\x1b]0;TITLE\x07after",
    "clear screen": "\x1b[2J",
    "C1 CSI": "a\x9b31mb",
    "bidi override": "abc\u202edcba",
    "isolate": "x\u2066y",
    "NUL": "a\x00b",
    "DEL": "a\x7fb",
    "line separator": "a\u2028b",
}


@pytest.mark.parametrize("text", ATTACKS.values(), ids=ATTACKS.keys())
def test_unsafe_text_is_refused_and_printed_as_escapes(text: str) -> None:
    assert control_problem(text) is not None
    shown = printable(text)
    assert all(ch.isprintable() or ch in "\n\t" for ch in shown)
    assert "\\" in shown  # the character is shown, not dropped


def test_the_refusal_names_the_character_and_where() -> None:
    assert control_problem("abc\x1b[31m") == (
        "contains a control character (U+001B) at character 4"
    )
    assert "text-direction control (U+202E RIGHT-TO-LEFT OVERRIDE)" in (
        control_problem("x\u202e") or ""
    )


def test_ordinary_text_passes_unchanged() -> None:
    text = "Zoë, Łukasz, Nguyễn, 李 said:\n\tline two"
    assert control_problem(text) is None
    assert printable(text) == text


def test_one_line_fields_escape_newlines_and_tabs() -> None:
    assert control_problem("Y9\nAB", one_line=True) is not None
    assert printable("Y9\nAB\tC", one_line=True) == "Y9\\nAB\\tC"
    assert printable("\x1b", one_line=True) == "\\x1b"
    assert printable("\u202e") == "\\u202e"


def test_every_unsafe_character_is_unprintable() -> None:
    # json_escaped passes a printable text through without searching it
    unsafe = [chr(c) for c in range(sys.maxunicode + 1) if _UNSAFE.match(chr(c))]
    assert unsafe and not any(char.isprintable() for char in unsafe)


@pytest.mark.parametrize("text", [*ATTACKS.values(), "plain", "Zo\u00eb", "a\u00a0b"])
def test_json_escaped_is_the_same_value_and_safe_to_print(text: str) -> None:
    dumped = json.dumps([text, "ok"], ensure_ascii=False)
    escaped = json_escaped(dumped)
    assert json.loads(escaped) == [text, "ok"]
    assert _UNSAFE.search(escaped) is None


def test_the_ascii_shortcut_knows_every_unsafe_ascii_character() -> None:
    assert set(_UNSAFE_ASCII) == {chr(c) for c in range(0x80) if _UNSAFE.match(chr(c))}


@pytest.mark.parametrize("text", ["a\x1bb", "a\rb", "a\x7fb", "a\x00", "\u202e", "\x9b"])
def test_json_escaped_escapes_a_raw_control_whatever_the_text(text: str) -> None:
    assert _UNSAFE.search(json_escaped(text)) is None
    assert json_escaped("plain text, tab\tand newline\n") == "plain text, tab\tand newline\n"
