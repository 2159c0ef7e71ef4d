"""Banners that must not be missed: the mode (LIVE / TRAINING) and escalations."""

from __future__ import annotations

from textual.widgets import Static

from incident_tui.safe_text import printable


class ModeBanner(Static):
    """One line at the top of every screen: LIVE or TRAINING, in words."""

    def __init__(self, mode: str, school: str, detail: str = "") -> None:
        self.mode = mode
        self.school = school
        super().__init__(self._text(detail), classes=f"mode-{mode}", markup=False)

    def show_school(self, school: str, detail: str = "") -> None:
        """The school's name, once it is set while the screen is open."""
        self.school = school
        self.update(self._text(detail))

    def _text(self, detail: str) -> str:
        head = "TRAINING (practice, not a real record)" if self.mode == "training" else "LIVE"
        parts = [head] + ([detail] if detail else []) + [self.school]
        # the detail names an incident by its stored reference: never raw to the terminal
        return printable(" · ".join(parts), one_line=True)


class EscalationBanner(Static):
    """Stays at the top of the incident once raised: the word ESCALATION and who to call.

    One line per escalation, wrapped: a number to call is never cut short.
    """

    def __init__(self) -> None:
        super().__init__("", id="escalation-banner", markup=False)
        self.display = False

    def show_lines(self, lines: list[str]) -> None:
        text = "\n".join(lines)
        if text != self.content:  # as it was after most answers: nothing to lay out again
            self.update(text)
        self.display = bool(lines)
