"""One step of a procedure, as the flow wrote it: prompt, warning, guidance, source, answer.

The view gathers an answer and posts `Answered`; the screen records it. It
never decides anything about the procedure: which choices, which reason is
needed and what the words are all come from the flow through the engine.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from incident_tui import dates
from incident_tui.flow.engine import (
    AnswerInput,
    AnswerValue,
    answer_problem,
    rationale_prompt,
    rationale_setting,
)
from incident_tui.flow.model import (
    AnyStep,
    ChecklistStep,
    Choice,
    ChoiceStep,
    ConfirmStep,
    Rationale,
    TextStep,
)
from incident_tui.incident import Incident
from incident_tui.text_fields import RATIONALE
from incident_tui.tui.present import sources_text
from incident_tui.tui.widgets.in_view import focus_in_view
from incident_tui.tui.widgets.ticklist import OPTION_KEYS, TickItem, TickList, keyed

NUMBER_KEYS = [
    Binding(key, f"number({n})", f"Choose {key}", show=False, id=f"number-{n}", priority=True)
    for n, key in enumerate(OPTION_KEYS, start=1)
]
"""Keys 1-9 then a-z choose an answer or tick an item (each option shows its key); the
screen holding a StepView binds them. A box being typed in takes the letters first.
Priority bindings, read as each key arrives, so that a choice that opens its reason box
focuses it before the keys typed after it (see box_order)."""

EXAMPLE_IN_BOX = 40
"""The longest example shown inside a step's text box: about what the box shows at 80x24."""


class StepView(Vertical):
    """The current step; posts `Answered` when the user has given a complete answer."""

    class Answered(Message):
        def __init__(self, step: AnyStep, value: AnswerValue, rationale: str | None) -> None:
            super().__init__()
            self.step = step
            """The step the answer was given for (the view may show another by now)."""
            self.value = value
            self.rationale = rationale

    def __init__(self, incident: Incident, step: AnyStep, choices: list[Choice]) -> None:
        super().__init__(classes="step-view")
        self.incident = incident
        self.step = step
        self.choices = choices
        self.picked: Choice | None = None
        self._moved = False
        """Whether the user has moved the highlight yet (the first one is the list's own)."""

    # --- layout ---------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        text = self.incident.text
        step = self.step
        # every step's own words have a place, empty and hidden where a step has none,
        # so the next choice step can be shown in them (show_step)
        self._prompt = Static(classes="prompt", markup=False)
        self._warning = Static(classes="warning", markup=False)
        self._guidance = Static(classes="guidance", markup=False)
        self._source = Static(classes="source", markup=False)
        self._fill_words()
        yield self._prompt
        yield self._warning
        yield self._guidance
        # the flow's usual line for free text ("never describe what any image shows")
        # is not for a date
        usual = (
            self.incident.flow.text_hint
            if isinstance(step, TextStep) and step.format is None
            else None
        )
        if isinstance(step, TextStep) and (hint := step.hint or usual):
            yield Static(text(hint), classes="hint", markup=False)
        yield from self._answer_widgets()
        # between the answers and the reason box, so it is in view at 80x24 when either has focus
        yield Static("", id="step-error", classes="error", markup=False)
        if not isinstance(step, ConfirmStep) or step.rationale is Rationale.none:
            yield from self._reason_widgets()
        if isinstance(step, ChecklistStep | TextStep):
            yield Button("Record this answer", id="record", variant="primary")
        elif isinstance(step, ChoiceStep):  # shown where the step may need a reason
            record = Button("Record this answer", id="record", variant="primary")
            record.display = self._step_needs_rationale()
            yield record
        # small print last: the answers must stay in view at 80x24
        yield self._source

    def _fill_words(self) -> None:
        """The step's prompt, warning, guidance and sources in their places."""
        text = self.incident.text
        step = self.step
        warning = "WARNING: " + text(step.warning) if step.warning else ""
        guidance = text(step.guidance) if step.guidance else ""
        source = sources_text(self.incident.flow, step.sources)
        self._prompt.update(text(step.prompt))
        for static, words in (
            (self._warning, warning),
            (self._guidance, guidance),
            (self._source, source),
        ):
            static.update(words)
            static.display = bool(words)

    def _reason_widgets(self) -> ComposeResult:
        yield Label("", id="rationale-label", markup=False)
        yield Input(id="rationale", max_length=RATIONALE.limit, placeholder="Type the reason here")

    def _answer_widgets(self) -> ComposeResult:
        step = self.step
        text = self.incident.text
        if isinstance(step, ConfirmStep):
            reason = step.rationale is not Rationale.none
            yield Static(
                "Nothing is confirmed until you press the button "
                + (
                    "(Tab to the reason, type it, Enter to the button, then Enter)."
                    if reason
                    else "(Tab to it, then Enter)."
                )
                + " There is no default.",
                classes="hint",
                markup=False,
            )
            if reason:  # first, so the button is pressed only once the reason is given
                yield from self._reason_widgets()
            yield Button(Text(text(step.confirm_label)), id="confirm-step", classes="confirm")
        elif isinstance(step, ChoiceStep):
            yield OptionList(*self._options(), id="choices")
        elif isinstance(step, ChecklistStep):
            rule = (
                "Every item must be ticked before you can go on."
                if step.require == "all"
                else "Tick every item that applies (at least one)."
            )
            keys = "1-9" if len(step.items) <= 9 else "the key shown (1-9, a-z)"
            yield Static(rule + f" Enter, Space or {keys} ticks.", classes="hint", markup=False)
            items = [TickItem(i.id, text(i.label), i.exclusive) for i in step.items]
            yield TickList(items, id="ticklist")
        elif isinstance(step, TextStep):
            placeholder = text(step.placeholder) if step.placeholder else ""
            if step.format is not None:
                hint = dates.hint(step.format, future=step.future)
                yield Static(hint, classes="hint", markup=False)
                placeholder = placeholder or dates.formats(step.format)
            # an example longer than the box is at 80 columns is shown whole under it
            # (in the box it would stop mid-word: '... MASH at')
            example = placeholder if len(placeholder) > EXAMPLE_IN_BOX else ""
            yield Input(
                id="text-answer",
                max_length=step.max_length,
                placeholder="Type here" if example else placeholder,
            )
            if example:
                yield Static(example, id="text-example", classes="hint", markup=False)
            if step.optional:
                yield Static("You may leave this empty.", classes="hint", markup=False)

    def _options(self) -> list[Option]:
        text = self.incident.text
        return [
            Option(Text(keyed(n, text(c.label))), id=c.id)
            for n, c in enumerate(self.choices, start=1)
        ]

    def shows_in_place(self, step: AnyStep) -> bool:
        """Whether `step` can be shown in this view's widgets (`show_step`): a choice
        step after a choice step, as most steps are. Mounting new widgets for it, and
        styling them, would take most of the time between a key and the next step."""
        return False  # in-place reuse scrolled the new prompt out of view (CI, tmux, ssh)

    def show_step(self, step: AnyStep, choices: list[Choice]) -> None:
        """Show `step` in place of the one shown, as a view made for it would."""
        assert self.shows_in_place(step)
        self.step, self.choices = step, choices
        self.picked = None
        self._moved = False
        self._fill_words()
        self.show_error("")
        self.query_one("#rationale", Input).value = ""
        self.query_one("#record", Button).display = self._step_needs_rationale()
        options = self.query_one("#choices", OptionList)
        options.set_options(self._options())
        options.action_first()
        self._show_rationale()
        # focused where it is: the pane is scrolled to the new prompt, not to the list
        options.focus(scroll_visible=False)

    @property
    def takes_focus(self) -> bool:
        """Whether the step focuses its answer when shown: a confirm step never does."""
        return not isinstance(self.step, ConfirmStep)

    def on_mount(self) -> None:
        self._show_rationale()
        if isinstance(self.step, ChoiceStep):
            self.query_one("#choices", OptionList).focus()
        elif isinstance(self.step, ChecklistStep):
            self.query_one("#ticklist", TickList).focus()
        elif isinstance(self.step, TextStep):
            self.query_one("#text-answer", Input).focus()
        # a confirm step gets no focus at all: confirming must be a deliberate act

    # --- the reason box ------------------------------------------------------------------

    def _highlighted_choice(self) -> Choice | None:
        if not isinstance(self.step, ChoiceStep):
            return None
        options = self.query_one("#choices", OptionList)
        if options.highlighted is None:
            return None
        return self.choices[options.highlighted]

    def _step_needs_rationale(self) -> bool:
        return self.step.rationale is not Rationale.none

    def rationale_needed(self, choice: Choice | None = None) -> Rationale:
        return rationale_setting(self.step, choice or self._highlighted_choice())

    def _show_rationale(self) -> None:
        choice = self.picked or self._highlighted_choice()
        needed = self.rationale_needed(choice)
        label = self.query_one("#rationale-label", Label)
        box = self.query_one("#rationale", Input)
        shown = needed is not Rationale.none
        label.display = box.display = shown
        if shown:
            which = "required" if needed is Rationale.required else "optional"
            prompt = self.incident.text(rationale_prompt(self.step, choice))
            label.update(f"Reason ({which}): {prompt}")

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_list.id == "choices":
            highlighted = self._highlighted_choice()
            if self.picked is not None and self.picked is not highlighted:
                # "You chose ..." is no longer true once another answer is highlighted
                self.show_error("")
                self.picked = None
            self._show_rationale()
        if self._moved:
            # a long list runs below the screen: bring it up as the highlight moves down
            event.option_list.call_after_refresh(event.option_list.scroll_visible, animate=False)
        self._moved = True

    # --- answering ---------------------------------------------------------------------

    def show_error(self, message: str) -> None:
        self.query_one("#step-error", Static).update(message)

    def press_number(self, number: int) -> None:
        if isinstance(self.step, ChoiceStep) and 1 <= number <= len(self.choices):
            options = self.query_one("#choices", OptionList)
            options.highlighted = number - 1
            focus_in_view(options)
            self.pick(self.choices[number - 1])
        elif isinstance(self.step, ChecklistStep):
            self.query_one("#ticklist", TickList).toggle_number(number)

    def pick(self, choice: Choice) -> None:
        """A choice made: record it now, or first ask for the reason it needs."""
        self.picked = choice
        self._show_rationale()
        if self.rationale_needed(choice) is Rationale.none:
            self.finish()
        else:
            focus_in_view(self.query_one("#rationale", Input))
            self.show_error(
                f"You chose: {self.incident.text(choice.label)}. "
                "Give the reason, then Enter to record it."
            )

    def pick_highlighted(self) -> None:
        """Enter on the list of choices: the highlighted one is chosen."""
        if (choice := self._highlighted_choice()) is not None:
            self.pick(choice)

    def enter_on(self, widget: object) -> Callable[[], object] | None:
        """What Enter on `widget` does here, when it may move the focus (to the reason
        box): the screen runs it once the keys typed before the Enter are handled."""
        if isinstance(self.step, ChoiceStep) and widget is self.query_one("#choices"):
            return self.pick_highlighted
        if isinstance(self.step, ConfirmStep) and widget is self.query_one("#rationale"):
            # the reason given: on to the button, never pressing it for the user
            button = self.query_one("#confirm-step", Button)
            return lambda: focus_in_view(button)
        return None

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_list.id == "choices":
            event.stop()
            self.pick(self.choices[event.option_index])

    def box_after(self, box: Input) -> Input | None:
        """The box Enter in `box` moves to, or None when Enter records the answer."""
        rationale = self.query_one("#rationale", Input)
        if (
            box.id == "text-answer"
            and rationale.display
            and not rationale.value.strip()
            and self.rationale_needed() is Rationale.required
        ):
            return rationale
        return None

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if isinstance(self.step, ConfirmStep):
            focus_in_view(self.query_one("#confirm-step", Button))
            return
        if (after := self.box_after(event.input)) is not None:
            focus_in_view(after)
            return
        self.finish()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "confirm-step":
            self.post_message(self.Answered(self.step, True, self._rationale()))
        elif event.button.id == "record":
            self.finish()

    def _rationale(self) -> str | None:
        box = self.query_one("#rationale", Input)
        return (box.value.strip() or None) if box.display else None

    def finish(self) -> None:
        """Post the answer if it is complete; otherwise say what is missing."""
        answer = self.collect()
        if answer is not None:
            self.post_message(self.Answered(self.step, *answer))

    def collect(self) -> tuple[AnswerValue, str | None] | None:
        """The answer and reason given, or None, showing the engine's refusal in its words."""
        step = self.step
        value: AnswerValue = None
        if isinstance(step, ChoiceStep):
            self.picked = self.picked or self._highlighted_choice()
            value = self.picked.id if self.picked else None
        elif isinstance(step, ChecklistStep):
            value = self.query_one("#ticklist", TickList).values()
        elif isinstance(step, TextStep):
            value = self.query_one("#text-answer", Input).value.strip()
        rationale = self._rationale()
        refused = answer_problem(step, AnswerInput(step.id, value, rationale))
        if refused is not None:
            if refused.about == "reason":
                focus_in_view(self.query_one("#rationale", Input))
            self.show_error(refused.shown)
            return None
        return value, rationale
