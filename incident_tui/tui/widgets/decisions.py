"""The side panel: how far through, every decision so far (pick one to correct it), and
the notes written among them."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from incident_tui.tui.present import DecisionLine, NoteLine


class DecisionsPanel(Vertical):
    """Decisions so far (time, step, answer); Enter on one asks to correct it."""

    class CorrectionAsked(Message):
        def __init__(self, ref: int) -> None:
            super().__init__()
            self.ref = ref

    def compose(self) -> ComposeResult:
        yield Static("", id="progress", markup=False)
        yield Static("Decisions (F2, Enter: correct)", classes="panel-title", markup=False)
        yield OptionList(id="decision-list")

    _shown: list[tuple[DecisionLine | NoteLine, bool]] | None = None
    """What the list's options were made from, in order (each line and whether it may
    be corrected); None while the list shows none of them."""

    def show(
        self,
        lines: list[DecisionLine],
        progress: str,
        can_correct: bool,
        notes: list[NoteLine] | None = None,
    ) -> None:
        self.query_one("#progress", Static).update(progress)
        options = self.query_one("#decision-list", OptionList)
        entries: list[tuple[int, DecisionLine | NoteLine]] = [(d.ref, d) for d in lines]
        entries += [(n.seq, n) for n in notes or []]
        wanted = [
            (line, isinstance(line, DecisionLine) and can_correct and line.correctable)
            for _, line in sorted(entries, key=lambda entry: entry[0])
        ]
        shown = self._shown
        if shown is not None and wanted[: len(shown)] == shown:
            # a step answered adds an entry: the entries listed stay as they were drawn
            added = wanted[len(shown) :]
        else:
            options.clear_options()
            if not lines:
                options.add_option(Option(Text("No decisions yet"), disabled=True))
            added = wanted
        options.add_options([_option(line, correctable) for line, correctable in added])
        self._shown = wanted if lines else None
        if lines:
            options.highlighted = max(
                i for i, (line, _) in enumerate(wanted) if isinstance(line, DecisionLine)
            )
        # the newest entries in view, once the panel's width (and so its wrapping) is known
        self.call_after_refresh(options.scroll_end, animate=False)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id and event.option.id.startswith("d"):
            self.post_message(self.CorrectionAsked(int(event.option.id[1:])))


def _option(line: DecisionLine | NoteLine, correctable: bool) -> Option:
    """A decision (time, step, answer), or a note among them, as the list shows it."""
    if isinstance(line, NoteLine):
        note = Text()
        note.append(f"{line.time} ", style="dim")
        note.append(f"{line.label}: ", style="bold")
        note.append(line.text)  # whole: a STOP's rule, a number to call
        return Option(note, id=f"n{line.seq}", disabled=True)
    text = Text()
    text.append(f"{line.time} ", style="dim")
    text.append(line.prompt)
    text.append("\n→ ")
    text.append(line.answer, style="bold")
    if line.amended:
        text.append(" (corrected)")
    if line.overridden:
        text.append(" (OVERRIDE)")
    return Option(text, id=f"d{line.ref}", disabled=not correctable)
