"""NO_COLOR=1 in tmux at 80x24: the terminal's own colours, never a text drawn in the
colour of its background; the highlighted option and the focused button are marked
by underline or reverse video."""

from __future__ import annotations

import re

from tests.test_e2e_tmux import COMMAND, Tmux
from tests.tools import require_tool

pytestmark = require_tool("tmux")

SGR = re.compile(r"\x1b\[([0-9;]*)m")


def cells(screen: str) -> list[tuple[str, str | None, str | None, bool]]:
    """Each character of `capture-pane -e` output with its foreground, background and
    whether it is marked (reverse video or underline)."""
    fg: str | None = None
    bg: str | None = None
    reverse = False
    out = []
    position = 0
    for match in SGR.finditer(screen + "\x1b[m"):
        out += [(char, fg, bg, reverse) for char in screen[position : match.start()]]
        position = match.end()
        codes = match.group(1).split(";") if match.group(1) else ["0"]
        i = 0
        while i < len(codes):
            code = codes[i] or "0"
            if code == "0":
                fg = bg = None
                reverse = False
            elif code in ("4", "7"):
                reverse = True
            elif code in ("24", "27"):
                reverse = False
            elif code in ("38", "48"):
                kind = codes[i + 1] if i + 1 < len(codes) else ""
                width = 3 if kind == "5" else 5 if kind == "2" else 1
                colour = ";".join(codes[i + 1 : i + width])
                fg, bg = (colour, bg) if code == "38" else (fg, colour)
                i += width - 1
            elif code == "39":
                fg = None
            elif code == "49":
                bg = None
            elif code.isdigit() and (30 <= int(code) <= 37 or 90 <= int(code) <= 97):
                fg = code
            elif code.isdigit() and (40 <= int(code) <= 47 or 100 <= int(code) <= 107):
                bg = str(int(code) - 10)
            i += 1
    return out


def colour_problems(screen: str) -> list[str]:
    return [
        f"{char!r} drawn in {fg} on {bg}"
        for char, fg, bg, _ in cells(screen)
        if char.strip() and fg is not None and fg == bg
    ]


def marked_text(screen: str) -> str:
    return "".join(char for char, _, _, rev in cells(screen) if rev)


def test_the_cell_reader_sees_black_on_black() -> None:
    assert colour_problems("\x1b[38;5;16;48;5;16mLIVE\x1b[0m ok") != []
    assert colour_problems("\x1b[39;49mLIVE \x1b[7mok\x1b[0m") == []


def test_no_color_shows_every_screen_in_the_terminals_own_colours(tmp_path) -> None:
    tmux = Tmux("incident-tui-no-color")
    try:
        data, config = tmp_path / "data", tmp_path / "config"
        tmux.start(
            f"env NO_COLOR=1 HOME={tmp_path} {COMMAND} --data-dir {data} --config-dir {config}"
        )
        tmux.wait_for("Start a new incident")
        home = tmux.screen(escapes=True)
        assert colour_problems(home) == []
        assert "1. " in marked_text(home)  # the highlighted procedure, underlined
        tmux.keys("Enter")
        tmux.wait_for("Start anyway: no local numbers")
        dialog = tmux.screen(escapes=True)
        assert colour_problems(dialog) == []
        assert "Do not start" in marked_text(dialog)  # the focused button
        tmux.keys("y")
        tmux.wait_for("Your name")
        for typed in ("Sam Jones", "Teacher", "AB", "Room 12"):
            tmux.text(typed)
            tmux.keys("Enter")
        tmux.wait_for(" 0 answered ")
        step = tmux.screen(escapes=True)
        assert colour_problems(step) == []
        assert "1. " in marked_text(step)  # the highlighted answer
    finally:
        tmux.stop()
