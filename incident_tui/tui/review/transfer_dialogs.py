"""Sending the child protection file to the pupil's next school, and confirming
their receipt, from the pupil's file.

Each dialog calls the command line's own function (`record.transfer`, through
the review context), so what is checked and refused is the command's; the
words are data (`review/child_file.toml`).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from incident_tui.errors import UserError
from incident_tui.record.references import utc_text
from incident_tui.record.transfer import SCHOOL_NAME, SentBundle
from incident_tui.review.child_file import child_file_words, school_day_after, transfer_days
from incident_tui.safe_text import printable
from incident_tui.tui.review.context import ReviewContext
from incident_tui.tui.review.retention_dialogs import ActorForm, refused_in_words


def sent_text(sent: SentBundle, today: date | None = None) -> str:
    """What was written and what the DSL does next: the path, the code to read out,
    and the 5-school-day reminder (child_file.toml)."""
    words = child_file_words().transfer
    days = transfer_days()
    lines = [
        words.say(
            "sent",
            path=sent.path,
            pupil=sent.pupil,
            school=sent.to_school,
            count=len(sent.references),
            incidents=", ".join(sent.references),
            events=sent.events,
        )
    ]
    if sent.left_out:
        lines.append(words.say("left_out", incidents=", ".join(sent.left_out)))
    lines.append(words.say("code", code=sent.code))
    deadline = school_day_after(today or date.today(), days)
    lines.append(words.say("reminder", days=days, deadline=deadline.strftime("%A %d %B %Y")))
    return "\n\n".join(lines)


class SentDialog(ModalScreen[None]):
    """What was sent, the code and the reminder: stays until closed (the code is read
    out by phone, so it is never a message that fades)."""

    BINDINGS = [Binding("escape", "close", "Close"), Binding("enter", "close", "Close")]

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        words = child_file_words().transfer
        with VerticalScroll(classes="review-dialog"):
            yield Static(words.say("sent_title"), classes="title", markup=False)
            yield Static(self.text, id="sent-text", markup=False)
            with Horizontal(classes="buttons"):
                yield Button(words.say("close"), id="close", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#close", Button).focus()

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        self.dismiss(None)


class SendFileDialog(ActorForm):
    """The school the pupil is moving to and the file to write; refused in the
    command's words while any incident is open or damaged (said as it opens).
    Dismisses with what was sent, in words."""

    def __init__(self, ctx: ReviewContext, pupil: str) -> None:
        super().__init__()
        self.ctx = ctx
        self.pupil = pupil

    def _default_path(self) -> str:
        name = self.pupil.strip().replace("/", "-")
        return str(Path.cwd() / f"child-file-{name}.json")

    def compose(self) -> ComposeResult:
        words = child_file_words().transfer
        with VerticalScroll(classes="review-dialog"):
            yield Static(words.say("title", pupil=self.pupil), classes="title", markup=False)
            yield Static(words.say("help", days=transfer_days()), classes="help", markup=False)
            yield Label(words.say("school_label"), markup=False)
            yield Input(id="transfer-school", max_length=SCHOOL_NAME.limit, compact=True)
            yield Label(words.say("file_label"), markup=False)
            yield Input(self._default_path(), id="transfer-file", compact=True)
            yield from self.compose_actor()
            yield from self.compose_buttons("Send (Ctrl+S)")

    def on_mount(self) -> None:
        self.show_refusal()
        self.query_one("#transfer-school", Input).focus()

    def refusal(self) -> str | None:
        words = child_file_words().transfer
        return refused_in_words(words, lambda: self.ctx.transfer_problem(self.pupil))

    def action_save(self) -> None:
        words = child_file_words().transfer
        boxes = {"transfer-school": "school_missing", "transfer-file": "file_missing"}
        actor = self.checked_actor(words, boxes)
        if actor is None:
            return
        school, raw = self.value("transfer-school"), self.value("transfer-file")
        try:
            sent = self.ctx.send_file(self.pupil, school, Path(raw).expanduser(), actor)
        except UserError as exc:
            self.error(words.say("refused", problem=exc.message))
            return
        self.ctx.actor = actor
        self.dismiss(sent_text(sent))


class ReceiptDialog(ActorForm):
    """The receipt the next school sent back: checked against what was sent and the
    confirmation recorded (`record.transfer.confirm_receipt`)."""

    def __init__(self, ctx: ReviewContext) -> None:
        super().__init__()
        self.ctx = ctx

    def compose(self) -> ComposeResult:
        words = child_file_words().receipt
        with VerticalScroll(classes="review-dialog"):
            yield Static(words.say("title"), classes="title", markup=False)
            yield Static(words.say("help"), classes="help", markup=False)
            yield Label(words.say("file_label"), markup=False)
            yield Input(id="receipt-file", compact=True)
            yield from self.compose_actor()
            yield from self.compose_buttons("Confirm (Ctrl+S)")

    def on_mount(self) -> None:
        self.query_one("#receipt-file", Input).focus()

    def action_save(self) -> None:
        words = child_file_words().receipt
        raw = self.value("receipt-file")
        if not raw:
            self.error(words.say("file_missing"))
            return
        actor = self.form_actor()
        if actor is None:
            return
        try:
            done = self.ctx.confirm_receipt(Path(raw).expanduser(), actor)
        except UserError as exc:
            self.error(printable(f"Not confirmed: {exc.message}"))
            return
        self.ctx.actor = actor
        self.dismiss(
            words.say(
                "confirmed",
                school=done.to_school,
                incidents=", ".join(done.references),
                received_by=done.received_by,
                received_on=utc_text(done.received_on),
            )
        )


__all__ = ["ReceiptDialog", "SendFileDialog", "SentDialog", "sent_text"]
