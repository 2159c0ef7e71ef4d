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

    def show(
        self,
        lines: list[DecisionLine],
        progress: str,
        can_correct: bool,
        notes: list[NoteLine] | None = None,
    ) -> None:
        self.query_one("#progress", Static).update(progress)
        options = self.query_one("#decision-list", OptionList)
        options.clear_options()
        if not lines:
            options.add_option(Option(Text("No decisions yet"), disabled=True))
        last = 0
        entries: list[tuple[int, DecisionLine | NoteLine]] = [(d.ref, d) for d in lines]
        entries += [(n.seq, n) for n in notes or []]
        for _, line in sorted(entries, key=lambda entry: entry[0]):
            if isinstance(line, NoteLine):
                note = Text()
                note.append(f"{line.time} ", style="dim")
                note.append(f"{line.label}: ", style="bold")
                note.append(line.text)  # whole: a STOP's rule, a number to call
                options.add_option(Option(note, id=f"n{line.seq}", disabled=True))
                continue
            text = Text()
            text.append(f"{line.time} ", style="dim")
            text.append(line.prompt)
            text.append("\n→ ")
            text.append(line.answer, style="bold")
            if line.amended:
                text.append(" (corrected)")
            if line.overridden:
                text.append(" (OVERRIDE)")
            options.add_option(
                Option(text, id=f"d{line.ref}", disabled=not (can_correct and line.correctable))
            )
            last = options.option_count - 1
        if lines:
            options.highlighted = last
        # the newest entries in view, once the panel's width (and so its wrapping) is known
        self.call_after_refresh(options.scroll_end, animate=False)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id and event.option.id.startswith("d"):
            self.post_message(self.CorrectionAsked(int(event.option.id[1:])))
