"""The child's file at the end of its life: the pupil's date of birth (recorded once,
corrected by an amendment) and lawful disposal of an incident.

Each dialog calls the command line's own function (`record.retention`, through
the review context), so a refusal reads as the command's does; the words are
data (`review/child_file.toml`). Nothing is changed until the record says so.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from incident_tui import dates
from incident_tui.errors import UserError
from incident_tui.record.events import Actor
from incident_tui.record.retention import FileRetention
from incident_tui.record.store import IndexRow
from incident_tui.review.child_file import child_file_words
from incident_tui.safe_text import printable
from incident_tui.text_fields import AMENDMENT_REASON
from incident_tui.tui.review.context import ReviewContext
from incident_tui.tui.review.recorder import compose_recorder, recorder

if TYPE_CHECKING:
    from incident_tui.review.child_file import _Words


def refused_in_words(words: _Words, check: Callable[[], str | None]) -> str | None:
    """The words' "refused" message for the problem `check` finds (a UserError counts
    as one), or None."""
    try:
        problem = check()
    except UserError as exc:
        problem = exc.message
    return None if problem is None else words.say("refused", problem=problem)


class ActorForm(ModalScreen[str | None]):
    """A review dialog recorded as the signed-in person, or the name typed here.
    Dismisses with what was recorded, in words, or None (Esc: nothing changes)."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "save", "Save", id="review.child.save", tooltip="Record it"),
    ]

    ctx: ReviewContext

    def compose_actor(self) -> ComposeResult:
        yield from compose_recorder(self.ctx)

    def compose_buttons(self, save: str = "Save (Ctrl+S)") -> ComposeResult:
        yield Static("", id="form-error", markup=False)
        with Horizontal(classes="buttons"):
            yield Button(save, id="save", variant="primary")
            yield Button("Cancel (Esc)", id="cancel")

    def value(self, widget_id: str) -> str:
        return self.query_one(f"#{widget_id}", Input).value.strip()

    def error(self, text: str) -> None:
        self.query_one("#form-error", Static).update(printable(text))

    def form_actor(self) -> Actor | None:
        """Who records this; None (and the error shown) when not said."""
        actor = recorder(self, self.ctx, "made each decision")
        if isinstance(actor, str):
            self.error(actor)
            return None
        return actor

    def refusal(self) -> str | None:
        """Why this cannot be recorded as things stand, in the command's own words, or
        None. Shown when the dialog opens, and checked again on saving."""
        return None

    def show_refusal(self) -> None:
        refused = self.refusal()
        if refused is not None:
            self.error(refused)

    def checked_actor(self, words: _Words, boxes: dict[str, str]) -> Actor | None:
        """Who records this, once every box in `boxes` (its id: the words' key for it
        left empty) is filled and nothing refuses it; else None, the first problem shown."""
        for box, missing in boxes.items():
            if not self.value(box):
                self.error(words.say(missing))
                return None
        refused = self.refusal()
        if refused is not None:
            self.error(refused)
            return None
        return self.form_actor()

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        raise NotImplementedError

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class DateOfBirthForm(ActorForm):
    """Record the pupil's date of birth once for the child's file; once recorded, this
    form corrects it (an amendment of that event, with the reason)."""

    def __init__(self, ctx: ReviewContext, retention: FileRetention) -> None:
        super().__init__()
        self.ctx = ctx
        self.retention = retention

    @property
    def correcting(self) -> bool:
        return self.retention.born is not None

    def compose(self) -> ComposeResult:
        words = child_file_words()
        r = self.retention
        with VerticalScroll(classes="review-dialog"):
            if self.correcting:
                fix = words.correct_date_of_birth
                yield Static(fix.say("title", pupil=r.pupil), classes="title", markup=False)
                yield Static(
                    fix.say("help", born=r.born, incident=r.recorded_on),
                    classes="help",
                    markup=False,
                )
                yield Label(fix.say("date_label"), markup=False)
                yield Input(placeholder=dates.formats("date"), id="dob-date", compact=True)
                yield Label(fix.say("reason_label"), markup=False)
                yield Input(id="dob-reason", max_length=AMENDMENT_REASON.limit, compact=True)
            else:
                first = words.date_of_birth
                yield Static(first.say("title", pupil=r.pupil), classes="title", markup=False)
                yield Static(first.say("help"), classes="help", markup=False)
                yield Label(first.say("date_label"), markup=False)
                yield Input(placeholder=dates.formats("date"), id="dob-date", compact=True)
            yield from self.compose_actor()
            yield from self.compose_buttons()

    def on_mount(self) -> None:
        self.query_one("#dob-date", Input).focus()

    def action_save(self) -> None:
        try:
            born = dates.parse_date(self.value("dob-date"))
        except dates.DateProblem as exc:
            self.error(f"The date of birth: {exc}")
            return
        actor = self.form_actor()
        if actor is None:
            return
        words = child_file_words()
        pupil = self.retention.pupil
        try:
            if self.correcting:
                row, event = self.ctx.correct_date_of_birth(
                    pupil, born, actor, self.value("dob-reason")
                )
                message = words.correct_date_of_birth.say(
                    "saved", pupil=pupil, born=born, seq=event.seq, incident=row.reference
                )
            else:
                event = self.ctx.record_date_of_birth(pupil, born, actor)
                message = words.date_of_birth.say(
                    "saved",
                    pupil=pupil,
                    born=born,
                    seq=event.seq,
                    incident=self.ctx.store.row(event.incident).reference,
                )
        except UserError as exc:
            self.error(f"Not recorded: {exc.message}")
            return
        self.ctx.actor = actor
        self.dismiss(message)


class DisposalDialog(ActorForm):
    """Dispose of one incident lawfully: says what will happen, needs the rule and the
    reason, refuses in the command's words while it is held, open or not yet due, and
    asks once more before anything changes."""

    def __init__(self, ctx: ReviewContext, row: IndexRow) -> None:
        super().__init__()
        self.ctx = ctx
        self.row = row

    def compose(self) -> ComposeResult:
        words = child_file_words().disposal
        with VerticalScroll(classes="review-dialog"):
            yield Static(
                words.say("title", reference=self.row.reference), classes="title", markup=False
            )
            yield Static(words.say("what_happens"), classes="help", markup=False)
            yield Label(words.say("rule_label"), markup=False)
            yield Input(self.ctx.settings.retention.rule, id="dispose-rule", compact=True)
            yield Label(words.say("reason_label"), markup=False)
            yield Input(id="dispose-reason", compact=True)
            yield from self.compose_actor()
            yield from self.compose_buttons("Dispose of it (Ctrl+S)")

    def on_mount(self) -> None:
        self.show_refusal()
        self.query_one("#dispose-reason", Input).focus()

    def refusal(self) -> str | None:
        words = child_file_words().disposal
        return refused_in_words(words, lambda: self.ctx.disposal_refusal(self.row.id))

    def action_save(self) -> None:
        words = child_file_words().disposal
        boxes = {"dispose-rule": "rule_missing", "dispose-reason": "reason_missing"}
        actor = self.checked_actor(words, boxes)
        if actor is None:
            return
        rule, reason = self.value("dispose-rule"), self.value("dispose-reason")
        from incident_tui.tui.screens.dialogs import Confirm

        ask = Confirm(
            words.say("confirm", count=self.row.event_count, rule=rule),
            title=words.say("confirm_title", reference=self.row.reference),
            stay=words.say("keep"),
            go=words.say("go"),
        )

        def confirmed(go: bool | None) -> None:
            if go:
                self._dispose(actor, rule, reason)

        self.app.push_screen(ask, confirmed)

    def _dispose(self, actor: Actor, rule: str, reason: str) -> None:
        try:
            row, removed = self.ctx.dispose(self.row.id, actor, rule, reason)
        except UserError as exc:
            self.error(f"Not disposed of: {exc.message}")
            return
        self.ctx.actor = actor
        self.dismiss(
            child_file_words().disposal.say(
                "done", reference=row.reference, rule=rule, removed=removed
            )
        )


__all__ = ["ActorForm", "DateOfBirthForm", "DisposalDialog"]
