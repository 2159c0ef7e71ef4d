"""The end: every decision, the outcome and what must happen next; then the seal.

Once sealed, the seal code is shown to note down and the record can be
exported to a Markdown file the user names.
"""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Footer, Input, Label, Static

from incident_tui.errors import UserError
from incident_tui.flow.engine import EngineError
from incident_tui.incident import Incident
from incident_tui.permissions import Can, allowed
from incident_tui.review.exports import export_incident, export_viewer
from incident_tui.safe_text import printable
from incident_tui.tui.present import (
    decision_lines,
    escalation_banner_lines,
    note_lines,
    progress_text,
    seal_code_of,
)
from incident_tui.tui.screens.base import AppScreen, report_saves
from incident_tui.tui.widgets.banners import EscalationBanner
from incident_tui.tui.widgets.decisions import DecisionsPanel


def default_export_path(reference: str) -> Path:
    return Path.home() / f"incident-{reference}.md"


class SummaryScreen(AppScreen):
    AUTO_FOCUS = None  # sealing cannot be undone: never one stray Enter away
    BINDINGS = [
        Binding("escape", "leave", "Home", id="leave"),
        Binding("f2", "decisions", "Decisions", id="decisions"),
        Binding("ctrl+n", "note", "Note", id="note", tooltip="Add a short factual note"),
    ]

    def __init__(self, incident: Incident) -> None:
        super().__init__()
        self.incident = incident

    def compose(self) -> ComposeResult:
        incident = self.incident
        end = incident.session.end
        assert end is not None
        yield self.mode_banner(f"{incident.reference} · {incident.flow.shown_short}")
        yield EscalationBanner()
        with Horizontal(id="incident"):
            with VerticalScroll(id="summary"):
                yield Static(incident.text(end.prompt), classes="prompt", markup=False)
                yield Static(
                    "Outcome: " + incident.text(incident.session.outcome() or end.outcome),
                    classes="outcome",
                    markup=False,
                )
                # on screen on arrival: the button itself may be below the fold at 80x24
                yield Static(
                    "Check the decisions on the right (F2 to correct one), then Tab to "
                    "'Seal the record' and press Enter. Sealing closes the procedure: after "
                    "it only notes, corrections and the DSL's review can be added.",
                    id="seal-hint",
                    classes="hint",
                    markup=False,
                )
                if end.guidance:
                    yield Static(incident.text(end.guidance), classes="guidance", markup=False)
                actions = [incident.text(a) for a in incident.session.actions()]
                if actions:
                    yield Static("What must happen next:", classes="section-title")
                    yield Static(
                        "\n".join(f"- {a}" for a in actions), classes="actions", markup=False
                    )
                yield Button("Seal the record", id="seal", variant="primary")
                yield Static("", id="sealed", classes="sealed", markup=False)
                yield Label(
                    "Export to a Markdown file (a new file: an existing one is never replaced):",
                    id="export-label",
                )
                yield Input(str(default_export_path(incident.reference)), id="export-path")
                with Horizontal(classes="buttons", id="export-buttons"):
                    yield Button("Export", id="export")
                    yield Button("Home", id="home")
                yield Static("", id="summary-error", classes="error", markup=False)
            yield DecisionsPanel(id="side")
        yield Footer()

    def on_mount(self) -> None:
        self._refresh()
        self._show_sealed(self.incident.sealed)

    def _refresh(self) -> None:
        incident = self.incident
        times = {e.seq: e.time for e in incident.events}
        lines = decision_lines(incident.flow, incident.session.decisions, times, incident.settings)
        self.query_one(DecisionsPanel).show(
            lines,
            progress_text(len(lines), 0),
            can_correct=not incident.sealed,
            notes=note_lines(incident.events),
        )
        self.query_one(EscalationBanner).show_lines(
            escalation_banner_lines(incident.escalations(), incident.settings)
        )

    def _may_export(self) -> bool:
        return allowed(self.ctx.person, Can.export)

    def _show_sealed(self, sealed: bool) -> None:
        for selector in ("#export-buttons", "#sealed"):
            self.query_one(selector).display = sealed
        # on a school server only the DSL exports; everyone else still has Home
        for selector in ("#export-label", "#export-path", "#export"):
            self.query_one(selector).display = sealed and self._may_export()
        self.query_one("#seal").display = not sealed
        self.query_one("#seal-hint").display = not sealed

    @on(Button.Pressed, "#seal")
    def seal(self) -> None:
        error = self.query_one("#summary-error", Static)
        try:
            event = self.incident.seal()
        except UserError as exc:
            error.update(printable(f"NOT SEALED — {exc.message}. Nothing was lost; try again."))
            return
        except EngineError as exc:
            error.update(str(exc))
            return
        error.update("")
        report_saves(self, self.incident)
        code = seal_code_of(event.hash)
        self.query_one("#sealed", Static).update(
            f"SEALED. Seal code: {code}\nWrite this code down: it proves the record "
            "has not been changed since."
        )
        self._show_sealed(True)
        self._refresh()
        self.ctx.incident = None
        if self._may_export():
            self.query_one("#export-path", Input).focus()
        else:
            self.query_one("#home", Button).focus()

    @on(Button.Pressed, "#export")
    @on(Input.Submitted, "#export-path")
    def export(self) -> None:
        if not self._may_export():
            return
        error = self.query_one("#summary-error", Static)
        path = Path(self.query_one("#export-path", Input).value.strip()).expanduser()
        try:
            written = export_incident(
                self.incident.store,
                self.incident.row.id,
                "md",
                path,
                self.incident.settings.school.name,
                viewer=export_viewer(self.ctx.person, known=self.incident.actor),
            )
        except UserError as exc:
            error.update(printable(f"Not exported: {exc.message}"))
            return
        said = f"Exported to {path}" + (f". Warning: {written.warning}" if written.warning else "")
        error.update(printable(said))
        self.notify(printable(said), markup=False)

    @on(Button.Pressed, "#home")
    def home(self) -> None:
        self.action_leave()

    @on(DecisionsPanel.CorrectionAsked)
    def correct(self, event: DecisionsPanel.CorrectionAsked) -> None:
        from incident_tui.tui.screens.amend import AmendScreen
        from incident_tui.tui.screens.step import StepScreen

        def closed(amended: bool | None) -> None:
            if not amended:
                return
            self.notify("Correction recorded as an amendment.")
            if self.incident.session.ended:
                self.app.switch_screen(SummaryScreen(self.incident))
            else:
                self.app.switch_screen(StepScreen(self.incident))

        self.app.push_screen(AmendScreen(self.incident, event.ref), closed)

    def action_decisions(self) -> None:
        self.query_one("#decision-list").focus()

    def action_note(self) -> None:
        from incident_tui.tui.screens.dialogs import ask_for_note

        ask_for_note(self, self.incident, self._refresh)

    def action_leave(self) -> None:
        if not self.incident.sealed:
            self.notify(
                printable(f"Incident {self.incident.reference} is not sealed yet: it stays open."),
                title="Still open",
                markup=False,
            )
        self.ctx.incident = None
        self.app.pop_screen()
