"""One pupil's file for the DSL: every incident that names them, oldest first, as one
chronology. Enter on any line opens its incident; x exports the chronology (or the
subject access copy).

Above it, the file's retention: the pupil's date of birth (b records it once, or
corrects it by an amendment), the school's rule and when the file is reviewed,
and any hold (h sets or lifts one on the highlighted incident, a review
decision); D disposes of the highlighted incident lawfully (`DisposalDialog`).
t sends the child protection file to the next school and r confirms their
receipt (`record.transfer`); where it was sent, and whether the receipt is
confirmed, is shown above the chronology, and an incident transferred in says
where it came from.

The chronology is the review layer's (`review.exports.pupil_file`): this screen
only lays its lines out. Other pupils appear by reference only.
"""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from incident_tui.errors import UserError
from incident_tui.permissions import WHO_MAY, Can, allowed, refusal
from incident_tui.record.chronology import Entry
from incident_tui.record.pupil_chronology import PupilChronology, PupilIncident
from incident_tui.record.references import local_short
from incident_tui.record.retention import FileRetention
from incident_tui.review.child_file import (
    child_file_words,
    transfer_lines,
    transferred_in_line,
)
from incident_tui.safe_text import printable
from incident_tui.tui.review.context import ReviewContext
from incident_tui.tui.widgets.banners import ModeBanner


def _line(text: str, *, bold: bool = False) -> Text:
    """Recorded text as it may be shown: escapes visible, never read as markup."""
    return Text(printable(text), style="bold" if bold else "")


def _heading(incident: PupilIncident, origin: str | None = None) -> Text:
    lines = [f"   {i.label}: {i.value}" for i in incident.heading_items()]
    if origin:
        lines.insert(0, f"   {origin}")
    items = "\n".join(lines)
    return _line(f"INCIDENT {incident.reference}\n{items}", bold=True)


def _entry(incident: PupilIncident, entry: Entry, *, beneath: bool = False) -> Text:
    when = local_short(entry.time)
    indent = "      " if beneath else "   "
    head = (
        f"   {entry.heading}, {when} - {entry.actor}"
        if beneath
        else f"{incident.reference} {entry.seq}. {when}  {entry.heading}  - {entry.actor}"
    )
    lines = [head, *(f"{indent}{item.label}: {item.value}" for item in entry.items)]
    return _line("\n".join(lines), bold=entry.emphasised)


def retention_text(retention: FileRetention, ctx: ReviewContext) -> str:
    """The file's retention in words (child_file.toml): the date of birth and when the
    file is reviewed, any hold, then the school's rule."""
    words = child_file_words().retention
    rule = ctx.settings.retention
    if retention.born is None or retention.review_due is None:
        state = words.say("no_date_of_birth")
    else:
        state = words.say(
            "due_now" if retention.due_now else "born",
            born=retention.born,
            incident=retention.recorded_on,
            due=retention.review_due.isoformat(),
        )
    if retention.held:
        hold = words.say("held", incidents=", ".join(retention.held))
    else:
        hold = words.say("no_hold")
    return f"{state} {hold}\n{words.say('rule', rule=rule.rule, age=rule.review_at_age)}"


class PupilScreen(Screen[None]):
    """The pupil's chronology; needs the review context and the pupil's reference."""

    BINDINGS = [
        Binding("escape", "back", "Back", id="review.pupil.back"),
        Binding("x", "export", "Export", id="review.pupil.export", tooltip="PDF, Markdown, JSON"),
        Binding("b", "date_of_birth", "Born", id="review.pupil.dob", tooltip="Date of birth"),
        Binding("h", "hold", "Hold", id="review.pupil.hold", tooltip="Retention hold, or lift"),
        Binding("D", "dispose", "Dispose", id="review.pupil.dispose", tooltip="Lawful disposal"),
        Binding(
            "t",
            "transfer",
            "Send",
            id="review.pupil.transfer",
            tooltip="Send the child protection file to the next school",
        ),
        # not in the footer, full at 80 columns: the line of an unconfirmed transfer names it
        Binding(
            "r",
            "receipt",
            "Receipt",
            id="review.pupil.receipt",
            tooltip="Confirm their receipt",
            show=False,
        ),
    ]

    def __init__(self, ctx: ReviewContext, pupil: str) -> None:
        super().__init__()
        self.ctx = ctx
        self.pupil = pupil
        self.chron: PupilChronology | None = None
        self.retention: FileRetention | None = None
        self.problem = ""

    def compose(self) -> ComposeResult:
        yield ModeBanner(self.ctx.mode, self.ctx.school, "Review")
        yield Static("", id="pupil-title", markup=False)
        yield Static("", id="pupil-retention", markup=False)
        yield Static("", id="pupil-transfer", markup=False)
        yield OptionList(id="pupil-chronology")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.reload()
        self.query_one("#pupil-chronology", OptionList).focus()

    def on_screen_resume(self) -> None:
        if self.chron is not None:  # back from an incident: a decision may have been added
            self.reload()

    def reload(self) -> None:
        self._render_retention()
        title = self.query_one("#pupil-title", Static)
        listing = self.query_one("#pupil-chronology", OptionList)
        listing.clear_options()
        try:
            self.chron = self.ctx.pupil_file(self.pupil)
        except UserError as exc:
            self.chron = None
            title.update(printable(f"Pupil {self.pupil}: {exc.message}. Esc goes back."))
            return
        chron = self.chron
        flagged = f", {chron.flagged} with flags" if chron.flagged else ""
        title.update(
            printable(
                f"Pupil {chron.pupil}: {len(chron.incidents)} incident"
                f"{'' if len(chron.incidents) == 1 else 's'}, oldest first{flagged}. "
                "Enter opens the incident of the line; x exports."
            )
        )
        options: list[Option] = []
        for incident in chron.incidents:
            origin = self._origin(incident.incident_id)
            options.append(Option(_heading(incident, origin), id=f"{incident.incident_id}:head"))
            for entry in incident.entries:
                options.append(
                    Option(_entry(incident, entry), id=f"{incident.incident_id}:{entry.seq}")
                )
                options += [
                    Option(
                        _entry(incident, amendment, beneath=True),
                        id=f"{incident.incident_id}:{entry.seq}:{amendment.seq}",
                    )
                    for amendment in entry.amendments
                ]
        listing.add_options(options)
        listing.highlighted = 0 if options else None

    def _render_retention(self) -> None:
        widget = self.query_one("#pupil-retention", Static)
        try:
            self.retention = self.ctx.retention(self.pupil)
        except UserError as exc:
            self.retention = None
            widget.update(printable(f"Retention: {exc.message}"))
            return
        widget.update(retention_text(self.retention, self.ctx))
        sent = self.query_one("#pupil-transfer", Static)
        lines = transfer_lines(self.ctx.rows(), self.pupil, date.today())
        sent.update("\n".join(lines))
        sent.display = bool(lines)

    def _origin(self, incident_id: str) -> str | None:
        """'Transferred in from SCHOOL on DATE ...' for an incident from another school."""
        try:
            return transferred_in_line(self.ctx.store.row(incident_id))
        except UserError:
            return None

    def _highlighted_incident(self) -> str | None:
        listing = self.query_one("#pupil-chronology", OptionList)
        index = listing.highlighted
        if index is None or self.chron is None:
            self.notify("No incident is highlighted.", severity="warning")
            return None
        return str(listing.get_option_at_index(index).id).split(":")[0]

    def _refused(self, what: Can) -> bool:
        person = self.ctx.person
        if person is None or allowed(person, what):
            return False
        self.notify(refusal(person, what.value, WHO_MAY[what]), title="Not for you", markup=False)
        return True

    def action_date_of_birth(self) -> None:
        if self._refused(Can.decide) or self.retention is None:
            return
        from incident_tui.tui.review.retention_dialogs import DateOfBirthForm

        self.app.push_screen(DateOfBirthForm(self.ctx, self.retention), self._recorded)

    def action_hold(self) -> None:
        """A retention hold on the highlighted incident, or its lifting: review decisions."""
        if self._refused(Can.decide):
            return
        incident = self._highlighted_incident()
        if incident is None:
            return
        from incident_tui.record.events import HOLD_LIFTED, RETENTION_HOLD
        from incident_tui.tui.review.decision import DecisionForm

        row = self.ctx.store.row(incident)
        decision = HOLD_LIFTED if row.retention_hold else RETENTION_HOLD
        self.app.push_screen(
            DecisionForm(self.ctx, row.id, decision, sealed=row.sealed is not None),
            self._held,
        )

    def _held(self, event: object) -> None:
        if event is not None:
            self.reload()
            self.notify(f"Recorded as event {getattr(event, 'seq', '?')}.", title="Saved")

    def action_dispose(self) -> None:
        if self._refused(Can.dispose):
            return
        incident = self._highlighted_incident()
        if incident is None:
            return
        from incident_tui.tui.review.retention_dialogs import DisposalDialog

        row = self.ctx.store.row(incident)

        def disposed(message: str | None) -> None:
            if not message:
                return
            self.notify(message, title="Disposed of", markup=False)
            from incident_tui.tui.review.incident_screen import IncidentReviewScreen

            # what was disposed of, when, by whom and why: as `show` says it
            self.app.push_screen(IncidentReviewScreen(self.ctx, row.id))

        self.app.push_screen(DisposalDialog(self.ctx, row), disposed)

    def action_transfer(self) -> None:
        """Send the child protection file to the next school (`record.transfer`)."""
        if self._refused(Can.transfer):
            return
        from incident_tui.tui.review.transfer_dialogs import SendFileDialog

        self.app.push_screen(SendFileDialog(self.ctx, self.pupil), self._sent)

    def _sent(self, text: str | None) -> None:
        if not text:
            return
        self.reload()
        from incident_tui.tui.review.transfer_dialogs import SentDialog

        self.app.push_screen(SentDialog(text))

    def action_receipt(self) -> None:
        if self._refused(Can.transfer):
            return
        from incident_tui.tui.review.transfer_dialogs import ReceiptDialog

        self.app.push_screen(ReceiptDialog(self.ctx), self._recorded)

    def _recorded(self, message: str | None) -> None:
        if message:
            self.reload()
            self.notify(message, title="Saved", markup=False)

    @on(OptionList.OptionSelected, "#pupil-chronology")
    def _open(self, event: OptionList.OptionSelected) -> None:
        from incident_tui.tui.review.incident_screen import IncidentReviewScreen

        incident_id = str(event.option.id).split(":")[0]
        self.app.push_screen(IncidentReviewScreen(self.ctx, incident_id))

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_export(self) -> None:
        person = self.ctx.person
        if person is not None and not allowed(person, Can.export):
            self.notify(
                refusal(person, Can.export.value, WHO_MAY[Can.export]),
                title="Not for you",
                markup=False,
            )
            return
        if self.chron is None:
            self.notify("Nothing to export.", severity="warning")
            return
        from incident_tui.tui.review.export_dialog import PupilExportDialog

        self.app.push_screen(PupilExportDialog(self.ctx, self.chron), self._exported)

    def _exported(self, message: str | None) -> None:
        if message:
            self.notify(printable(message), title="Exported", markup=False)
