"""One incident for the DSL: integrity badge, chronology, review decisions, export.

A damaged incident opens read-only: its damage is stated at the top, what can
be read is shown, and it can still be exported (the export says so on its
first page). Nothing on this screen changes anything already recorded: a
review decision is a new event appended after the others.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static
from textual.worker import Worker, WorkerState

from incident_tui.errors import UserError
from incident_tui.permissions import WHO_MAY, Can, allowed, refusal
from incident_tui.record.chronology import (
    AMENDMENT,
    ESCALATION,
    REFER_NOW,
    REVIEW,
    SEALED,
    STOP_OVERRIDE,
    STOP_SHOWN,
    Entry,
    child_file_items,
    chronology,
    finding_lines,
    seal_code_of,
)
from incident_tui.record.events import Event
from incident_tui.record.references import local_short
from incident_tui.record.store import IndexRow
from incident_tui.review import flags_text, review_labels
from incident_tui.safe_text import printable
from incident_tui.tui.review.context import ReviewContext
from incident_tui.tui.widgets.banners import ModeBanner

if TYPE_CHECKING:
    from incident_tui.record.store import IndexRow
    from incident_tui.record.verify import Finding


class IncidentReviewScreen(Screen[None]):
    BINDINGS = [
        Binding("escape", "back", "Back", id="review.incident.back"),
        Binding("d", "decide", "Decide", id="review.decide", tooltip="Record a decision"),
        Binding("x", "export", "Export", id="review.export", tooltip="PDF, Markdown or JSON"),
        Binding("p", "pupils", "Pupils", id="review.pupils", tooltip="Correct the pupils named"),
        Binding("c", "pupil", "Child's file", id="review.child", tooltip="The pupil's chronology"),
        Binding("D", "dispose", "Dispose", id="review.dispose", tooltip="Lawful disposal"),
    ]

    def __init__(self, ctx: ReviewContext, incident_id: str) -> None:
        super().__init__()
        self.viewed_by: list[str] = []
        """Who has opened this incident to read it (the access log), this time included."""
        self.ctx = ctx
        self.incident_id = incident_id
        self.findings: list[Finding] = []
        self.events: list[Event] = []
        self.read_problem = ""
        self.row: IndexRow | None = None
        self.checked = False
        """Whether the integrity check has reported once (decide and export wait for it)."""

    def compose(self) -> ComposeResult:
        yield ModeBanner(self.ctx.mode, self.ctx.school, "Review")
        yield Static("", id="incident-badge", markup=False)
        yield Static("", id="incident-summary", markup=False)
        yield VerticalScroll(id="incident-chronology")
        # every key in view at 80 columns: Ctrl+P still opens the palette (help lists it)
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.viewed_by, warning = self.ctx.view(self.incident_id)
        if warning:
            self.notify(printable(warning), title="Viewing not recorded", markup=False)
        self.reload()
        self.query_one("#incident-chronology").focus()

    @property
    def damaged(self) -> bool:
        return bool(self.findings or self.read_problem)

    def reload(self) -> None:
        """Show the events at once; the integrity check follows in a worker thread."""
        try:
            self.row, self.events, self.read_problem = self.ctx.read_events(self.incident_id)
        except UserError as exc:
            self.row, self.events, self.findings = None, [], []
            self.read_problem = exc.message
        self._render_badge()
        self._render_summary()
        self._render_chronology()
        if self.row is not None:
            self._check(self.row.id)
        else:
            self.checked = True

    @work(thread=True, exclusive=True, exit_on_error=False, group="incident-check")
    def _check(self, incident_id: str) -> list[Finding]:
        return self.ctx.damage(incident_id)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "incident-check":
            return
        if event.state is WorkerState.SUCCESS:
            self.findings = list(event.worker.result or [])
        elif event.state is WorkerState.ERROR:
            error = event.worker.error
            if isinstance(error, UserError):
                self.read_problem = error.message
            else:
                from incident_tui.tui.screens.dialogs import ErrorDialog

                self.read_problem = "the integrity check could not be completed"
                self.app.push_screen(
                    ErrorDialog(
                        "The integrity check failed",
                        f"{type(error).__name__}: {printable(str(error), one_line=True)}. "
                        "Until it is checked, treat this "
                        "incident as damaged: it is read-only here. `incident-tui verify` "
                        "checks the whole record.",
                    )
                )
        else:
            return
        self.checked = True
        self._render_badge()

    def _render_badge(self) -> None:
        badge = self.query_one("#incident-badge", Static)
        if not self.checked and not self.read_problem:
            badge.set_classes("")
            badge.update("INTEGRITY: checking the hash chain and the signed index...")
            return
        badge.set_class(self.damaged, "damaged")
        badge.set_class(not self.damaged, "intact")
        if not self.damaged:
            badge.update(
                f"INTEGRITY: INTACT - all {len(self.events)} events check against the hash "
                "rule and the index."
            )
            return
        count = len(self.findings) or 1
        lines = [
            f"INTEGRITY: DAMAGED - {count} problem{'s' if count != 1 else ''}. "
            "READ-ONLY: no decisions can be added. Export still works and states the damage."
        ]
        if self.read_problem:
            lines.append(f"- {printable(self.read_problem, one_line=True)}")
        lines += [f"- {line}" for line in finding_lines(self.findings[:5])]
        if len(self.findings) > 5:
            lines.append(f"- and {len(self.findings) - 5} more (shown in the export)")
        badge.update("\n".join(lines))

    def _render_summary(self) -> None:
        summary = self.query_one("#incident-summary", Static)
        row = self.row
        if row is None:
            summary.update("This incident's index row could not be read.")
            return
        code = seal_code_of(self.events)
        seal = f", seal code {code}" if code else ""
        text = (
            f"Incident {row.reference} - {row.status.upper()}{seal}\n"
            f"Procedure: {row.flow_id}, version {row.flow_version} (flow hash "
            f"{row.flow_hash[:12]}...)\n"
            f"Opened by {row.actor}; pupil reference {row.pupil or 'none recorded'}"
            + (f" (other pupils: {', '.join(row.other_pupils)})" if row.other_pupils else "")
            + "; "
            f"flags: {flags_text(row)}"
            + (f"; review date {row.review_date}" if row.review_date else "")
        )
        # where it came from, where it went, its hold, its disposal: as `show` says them
        for item in child_file_items(row, self.events):
            text += f"\n{item.label}: {item.value}"
        summary.update(printable(text))

    def _render_chronology(self) -> None:
        pane = self.query_one("#incident-chronology", VerticalScroll)
        pane.remove_children()
        widgets: list[Static] = []
        for entry in chronology(self.events, review_labels()):
            widgets.append(_entry_widget(entry))
            widgets += [_entry_widget(a, beneath=True) for a in entry.amendments]
        if not widgets:
            widgets = [Static("No events could be read.", classes="entry", markup=False)]
        if self.viewed_by:
            text = "Viewed by\n" + "\n".join(f"- {line}" for line in self.viewed_by)
            widgets.append(Static(printable(text), classes="entry viewed-by", markup=False))
        pane.mount_all(widgets)

    # --- actions ----------------------------------------------------------------

    def action_back(self) -> None:
        self.app.pop_screen()

    def _still_checking(self) -> bool:
        if not self.checked:
            self.notify(
                "The integrity check is still running: try again in a moment.",
                title="Checking",
            )
        return not self.checked

    def _refused(self, what: Can) -> bool:
        person = self.ctx.person
        if person is None or allowed(person, what):
            return False
        self.notify(refusal(person, what.value, WHO_MAY[what]), title="Not for you", markup=False)
        return True

    def action_decide(self) -> None:
        if self._refused(Can.decide) or self._still_checking():
            return
        if self.damaged or self.row is None:
            self.notify(
                "This record is damaged, so it is read-only: no decisions can be added. "
                "Export it (x) to keep what it says.",
                title="Read-only",
                severity="warning",
            )
            return
        from incident_tui.tui.review.decision import DecisionPicker

        self.app.push_screen(DecisionPicker(), self._picked)

    def _picked(self, decision_id: str | None) -> None:
        if decision_id is None or self.row is None:
            return
        from incident_tui.tui.review.decision import DecisionForm

        self.app.push_screen(
            DecisionForm(self.ctx, self.row.id, decision_id, sealed=self.row.sealed is not None),
            self._decided,
        )

    def _decided(self, event: Event | None) -> None:
        if event is None:
            return
        self.reload()
        self.query_one("#incident-chronology", VerticalScroll).scroll_end(animate=False)
        self.notify(f"Recorded as event {event.seq}.", title="Saved")

    def action_pupils(self) -> None:
        if self._refused(Can.decide) or self._still_checking():
            return
        if self.damaged or self.row is None:
            self.notify(
                "This record is damaged, so it is read-only: nothing can be corrected.",
                title="Read-only",
                severity="warning",
            )
            return
        from incident_tui.incident import not_continued_here

        transferred = not_continued_here(self.row)
        if transferred is not None:  # a correction is an amendment: theirs to make
            self.notify(
                printable(f"Nothing can be corrected here: {transferred}."),
                title="Transferred in",
                severity="warning",
                markup=False,
            )
            return
        from incident_tui.tui.review.pupils_form import PupilsForm

        self.app.push_screen(PupilsForm(self.ctx, self.row), self._decided)

    def action_pupil(self) -> None:
        if self.row is None or not self.row.pupil:
            self.notify("No pupil reference is recorded for this incident.", severity="warning")
            return
        from incident_tui.tui.review.pupil_screen import PupilScreen

        self.app.push_screen(PupilScreen(self.ctx, self.row.pupil))

    def action_dispose(self) -> None:
        if self._refused(Can.dispose) or self._still_checking():
            return
        if self.damaged or self.row is None:
            self.notify(
                "This record is damaged, so it is read-only: it cannot be disposed of. "
                "Export it (x) to keep what it says; `incident-tui verify` says what is wrong.",
                title="Read-only",
                severity="warning",
            )
            return
        from incident_tui.tui.review.retention_dialogs import DisposalDialog

        self.app.push_screen(DisposalDialog(self.ctx, self.row), self._disposed)

    def _disposed(self, message: str | None) -> None:
        if not message:
            return
        self.reload()
        self.notify(message, title="Disposed of", markup=False)

    def action_export(self) -> None:
        if self._refused(Can.export) or self._still_checking():
            return
        if self.row is None:
            self.notify("Nothing to export: the index row cannot be read.", severity="error")
            return
        from incident_tui.tui.review.export_dialog import ExportDialog

        self.app.push_screen(
            ExportDialog(self.ctx, self.row, self.events, self.findings), self._exported
        )

    def _exported(self, message: str | None) -> None:
        if message:
            self.notify(printable(message), title="Exported", markup=False)  # a typed path


_STYLES = (
    (STOP_OVERRIDE, "stop"),
    (STOP_SHOWN, "stop"),
    (ESCALATION, "escalation"),
    (REFER_NOW, "escalation"),
    (AMENDMENT, "amendment"),
    (REVIEW, "review"),
    (SEALED, "sealed"),
)


def _entry_widget(entry: Entry, *, beneath: bool = False) -> Static:
    """One entry as a block of text (its words carry the flag; the style is a second cue);
    an amendment `beneath` the event it corrects. The text is never read as markup."""
    style = next((name for flag, name in _STYLES if flag in entry.flags), "plain")
    when = local_short(entry.time)
    if beneath:
        head, indent = f"   {entry.heading}, {when} - {entry.actor}", "      "
    else:
        head, indent = f"{entry.seq}. {when}  {entry.heading}  - {entry.actor}", "   "
    lines = [head, *(f"{indent}{item.label}: {item.value}" for item in entry.items)]
    return Static("\n".join(lines), classes=f"entry entry-{style}", markup=False)
