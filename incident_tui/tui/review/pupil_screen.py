"""One pupil's file for the DSL: every incident that names them, oldest first, as one
chronology. Enter on any line opens its incident; x exports the chronology (or the
subject access copy).

The chronology is the review layer's (`review.exports.pupil_file`): this screen
only lays its lines out. Other pupils appear by reference only.
"""

from __future__ import annotations

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
from incident_tui.safe_text import printable
from incident_tui.tui.review.context import ReviewContext
from incident_tui.tui.widgets.banners import ModeBanner


def _line(text: str, *, bold: bool = False) -> Text:
    """Recorded text as it may be shown: escapes visible, never read as markup."""
    return Text(printable(text), style="bold" if bold else "")


def _heading(incident: PupilIncident) -> Text:
    items = "\n".join(f"   {i.label}: {i.value}" for i in incident.heading_items())
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


class PupilScreen(Screen[None]):
    """The pupil's chronology; needs the review context and the pupil's reference."""

    BINDINGS = [
        Binding("escape", "back", "Back", id="review.pupil.back"),
        Binding("x", "export", "Export", id="review.pupil.export", tooltip="PDF, Markdown, JSON"),
    ]

    def __init__(self, ctx: ReviewContext, pupil: str) -> None:
        super().__init__()
        self.ctx = ctx
        self.pupil = pupil
        self.chron: PupilChronology | None = None
        self.problem = ""

    def compose(self) -> ComposeResult:
        yield ModeBanner(self.ctx.mode, self.ctx.school, "Review")
        yield Static("", id="pupil-title", markup=False)
        yield OptionList(id="pupil-chronology")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.reload()
        self.query_one("#pupil-chronology", OptionList).focus()

    def on_screen_resume(self) -> None:
        if self.chron is not None:  # back from an incident: a decision may have been added
            self.reload()

    def reload(self) -> None:
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
            options.append(Option(_heading(incident), id=f"{incident.incident_id}:head"))
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
