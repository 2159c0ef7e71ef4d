"""The DSL's list of every incident: sort, filter, search, needs attention.

Rows come from the index only, so the list is ready at once; the integrity
check reads every incident file and runs in a worker thread, filling in the
Flags column ("DAMAGED") when it finishes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Input, Select, Static
from textual.worker import Worker, WorkerState

from incident_tui.errors import UserError
from incident_tui.permissions import Refused
from incident_tui.review import (
    STATUSES,
    IncidentList,
    ListQuery,
    parse_day,
)
from incident_tui.review.child_file import transferred_in_line
from incident_tui.safe_text import printable
from incident_tui.tui.review.context import ReviewContext, findings_by_incident
from incident_tui.tui.review.table import COLUMNS, IncidentTable
from incident_tui.tui.widgets.banners import ModeBanner

if TYPE_CHECKING:
    from incident_tui.people import Person
    from incident_tui.record.store import IndexRow, Store
    from incident_tui.record.verify import Finding, VerifyReport
    from incident_tui.settings import Settings

_COLUMN_TITLES = {c.key: c.title for c in COLUMNS}


class ReviewScreen(Screen[None]):
    """Every incident in one list. Needs only a store and the settings."""

    BINDINGS = [
        Binding("escape", "back", "Back", id="review.back"),
        Binding("slash", "search", "Find", id="review.search", tooltip="Type to search"),
        Binding("f", "toggle_flagged", "Flags", id="review.flagged", tooltip="Flagged only"),
        Binding(
            "a", "toggle_attention", "Attention", id="review.attention", tooltip="Needs attention"
        ),
        Binding("s", "next_sort", "Sort", id="review.sort", tooltip="Sort by the next column"),
        Binding("r", "reverse", "Reverse", id="review.reverse", tooltip="Reverse the order"),
        # not in the footer, which is full at 80 columns: the detail line and F1 name them
        Binding("p", "pupil_only", "Pupil", id="review.pupil", show=False),
        Binding("g", "group", "Group", id="review.group", show=False),
        Binding("c", "child", "Child's file", id="review.child", show=False),
        Binding("ctrl+r", "reload", "Reload", id="review.reload", show=False),
    ]

    def __init__(
        self,
        store: Store,
        settings: Settings,
        *,
        person: Person | None = None,
        procedures: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.procedures: Mapping[str, str] = procedures or {}
        """Each flow id's short name (`short_titles`), for the list and its filter."""
        self.ctx = ReviewContext(store, settings, person=person)
        self.incidents = IncidentList([])
        self.query_state = ListQuery()
        self.shown: list[IndexRow] = []
        self.integrity_problem = ""
        self.orphan_findings: list[Finding] = []
        self._detail_text = ""

    # --- layout -----------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield ModeBanner(self.ctx.mode, self.ctx.school, "Review")
        with Horizontal(id="review-filters"):
            yield Input(placeholder="/ search", id="review-search", compact=True)
            yield Select(
                [(f"Status: {s}", s) for s in STATUSES],
                prompt="Status: any",
                id="review-status",
                compact=True,
            )
            yield Select([], prompt="Procedure: any", id="review-procedure", compact=True)
            yield Input(placeholder="from YYYY-MM-DD", id="review-from", compact=True)
            yield Input(placeholder="to YYYY-MM-DD", id="review-to", compact=True)
        yield Static("", id="review-state", markup=False)
        problems = Static("", id="review-problems", markup=False)
        problems.display = False
        yield problems
        table = IncidentTable(id="review-table")
        table.procedures = self.procedures
        yield table
        yield Static("", id="review-detail", markup=False)
        yield Footer(compact=True)  # every key in view at 80 columns

    def on_mount(self) -> None:
        self.query_one(IncidentTable).focus()

    def on_screen_resume(self) -> None:
        # sent when the screen is first shown as well as on every return to it: the one
        # place the rows are read, so the index is read and checked once, not twice
        self.load_rows()

    # --- data -------------------------------------------------------------------

    def load_rows(self) -> None:
        """Read the index (fast), show it, then check integrity in the background."""
        try:
            rows = self.ctx.rows()
        except Refused as exc:
            # not theirs to see: no list, and no integrity check to speak of others
            self._show_problems([exc.message])
            self.incidents = IncidentList([])
            self.apply()
            return
        except UserError as exc:
            rows = []
            self._show_problems([f"The list could not be read: {exc.message}"])
        integrity = self.incidents.integrity
        settings = self.ctx.settings
        self.incidents = IncidentList(
            rows,
            review_at_age=settings.retention.review_at_age,
            days_off=settings.calendar.days_off(),
        )
        self.incidents.set_integrity(integrity)
        procedure = self.query_one("#review-procedure", Select)
        current = procedure.value
        procedure.set_options(
            [
                (printable(f"Procedure: {self.procedures.get(p, p)}", one_line=True), p)
                for p in self.incidents.procedures
            ]
        )
        if current in self.incidents.procedures:
            procedure.value = current
        self.apply()
        # once the rows are drawn: the check is a thread that holds the GIL as it reads
        # every incident, which would slow drawing them by half
        self.call_after_refresh(self.check_integrity)

    @work(thread=True, exclusive=True, exit_on_error=False, group="review-verify")
    def check_integrity(self) -> VerifyReport:
        return self.ctx.verify()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "review-verify":
            return
        if event.state == WorkerState.SUCCESS and event.worker.result is not None:
            report: VerifyReport = event.worker.result
            grouped = findings_by_incident(report.findings)
            known = {r.id for r in self.incidents.rows}
            self.orphan_findings = [f for f in report.findings if f.incident not in known]
            self.integrity_problem = ""
            self.incidents.set_integrity(grouped)
            unsigned = (
                []
                if report.signatures_checked
                else [
                    "SIGNED INDEX NOT CHECKED: "
                    + (self.ctx.store.key_problem or "the record key could not be used")
                ]
            )
            self._show_problems(
                unsigned
                + [f"INTEGRITY: {f.kind} - {f.message}" for f in self.orphan_findings[:3]]
                + (
                    [f"... and {len(self.orphan_findings) - 3} more (incident-tui verify)"]
                    if len(self.orphan_findings) > 3
                    else []
                )
            )
            self.apply()
        elif event.state == WorkerState.ERROR:
            error = event.worker.error
            message = error.message if isinstance(error, UserError) else str(error)
            self.integrity_problem = f"integrity check failed to run: {message}"
            self._update_state()

    def _show_problems(self, lines: list[str]) -> None:
        widget = self.query_one("#review-problems", Static)
        widget.update(printable("\n".join(lines)))
        widget.display = bool(lines)

    # --- filtering --------------------------------------------------------------

    def apply(self) -> None:
        table = self.query_one(IncidentTable)
        keep = table.current.id if table.current else None
        self.shown = self.incidents.select(self.query_state)
        table.show(
            self.shown,
            self.incidents.integrity,
            self.query_state.sort,
            self.query_state.descending,
            keep=keep,
        )
        self._describe(table.current)  # now, so the screen is first laid out with it
        self._update_state()

    def set_query(self, **changes: object) -> None:
        from dataclasses import replace

        self.query_state = replace(self.query_state, **changes)  # type: ignore[arg-type]
        self.apply()

    def _update_state(self) -> None:
        q = self.query_state
        order = "descending" if q.descending else "ascending"
        parts = [
            f"{len(self.shown)} of {len(self.incidents.rows)} shown",
            f"flagged only: {'YES' if q.flagged_only else 'no'}",
            f"needs attention only: {'YES' if q.attention_only else 'no'}",
            f"sort: {_COLUMN_TITLES[q.sort]}, {order}",
        ]
        if q.pupil:
            parts.insert(1, f"pupil: {q.pupil}")
        if self.incidents.integrity is None:
            parts.append("integrity: checking...")
        elif self.integrity_problem:
            parts.append(self.integrity_problem)
        else:
            damaged = sum(1 for r in self.incidents.rows if self.incidents.integrity.get(r.id))
            parts.append(f"integrity: {damaged} damaged" if damaged else "integrity: all intact")
        self.query_one("#review-state", Static).update(" | ".join(parts))

    @on(Input.Changed, "#review-search")
    def _search(self, event: Input.Changed) -> None:
        self.set_query(text=event.value)

    @on(Input.Submitted, "#review-search")
    def _search_done(self) -> None:
        self.query_one(IncidentTable).focus()

    @on(Select.Changed, "#review-status")
    def _status(self, event: Select.Changed) -> None:
        value = event.value
        statuses = frozenset(STATUSES) if value is Select.NULL else frozenset({str(value)})
        self.set_query(statuses=statuses)

    @on(Select.Changed, "#review-procedure")
    def _procedure(self, event: Select.Changed) -> None:
        value = event.value
        self.set_query(procedure=None if value is Select.NULL else str(value))

    @on(Input.Changed, "#review-from")
    @on(Input.Changed, "#review-to")
    def _dates(self) -> None:
        try:
            start = parse_day(self.query_one("#review-from", Input).value, "From")
            end = parse_day(self.query_one("#review-to", Input).value, "To")
        except UserError:
            return  # half-typed: keep the last good range until the date is whole
        self.set_query(date_from=start, date_to=end)

    # --- the highlighted row ----------------------------------------------------

    @on(IncidentTable.Highlighted)
    def _highlighted(self, event: IncidentTable.Highlighted) -> None:
        self._describe(event.row)

    def _describe(self, row: IndexRow | None) -> None:
        """The detail line: the highlighted incident and what needs attention in it.
        Updated only when its words change, so the screen is not laid out again."""
        if row is None:
            text = "No incidents match. Change the filters, or press Escape to go back."
        else:
            reasons = self.incidents.reasons(row)
            need = (
                "needs attention: " + "; ".join(reasons) if reasons else "nothing needs attention"
            )
            origin = transferred_in_line(row)
            if origin:  # another school's incident: its origin first, and never continued
                need = f"{origin} {need[0].upper()}{need[1:]}"
            text = printable(
                f"{row.reference} - {row.flow_id} {row.flow_version} - {row.status}"
                f"{' - review ' + row.review_date if row.review_date else ''}\n{need}. "
                "Enter opens it; c the pupil's file; p, g this pupil only, group by pupil."
            )
        if text != self._detail_text:
            self._detail_text = text
            self.query_one("#review-detail", Static).update(text)

    @on(IncidentTable.Chosen)
    def _chosen(self, event: IncidentTable.Chosen) -> None:
        from incident_tui.tui.review.incident_screen import IncidentReviewScreen

        self.app.push_screen(IncidentReviewScreen(self.ctx, event.row.id))

    @on(IncidentTable.HeaderClicked)
    def _header(self, event: IncidentTable.HeaderClicked) -> None:
        if event.column == self.query_state.sort:
            self.set_query(descending=not self.query_state.descending)
        else:
            self.set_query(sort=event.column)

    # --- actions ----------------------------------------------------------------

    async def action_back(self) -> None:
        if isinstance(self.focused, Input):
            self.query_one(IncidentTable).focus()
        elif self.app.screen_stack.index(self) > 1:
            self.app.pop_screen()  # back to the home screen it was opened from
        else:
            await self.app.run_action("app.quit")  # the review app's first screen: ask first

    def action_search(self) -> None:
        self.query_one("#review-search", Input).focus()

    def action_toggle_flagged(self) -> None:
        self.set_query(flagged_only=not self.query_state.flagged_only)

    def action_toggle_attention(self) -> None:
        self.set_query(attention_only=not self.query_state.attention_only)

    def action_next_sort(self) -> None:
        keys = [c.key for c in COLUMNS]
        following = keys[(keys.index(self.query_state.sort) + 1) % len(keys)]
        self.set_query(sort=following)

    def action_reverse(self) -> None:
        self.set_query(descending=not self.query_state.descending)

    def action_pupil_only(self) -> None:
        """Only the incidents naming the highlighted row's pupil; again, every pupil."""
        if self.query_state.pupil:
            self.set_query(pupil=None)
            return
        row = self.query_one(IncidentTable).current
        if row is None or not row.pupil:
            self.notify("The highlighted incident has no pupil reference.", severity="warning")
            return
        self.set_query(pupil=row.pupil)

    def action_group(self) -> None:
        """Grouped by pupil (each pupil's incidents together, oldest first), or back."""
        if self.query_state.sort == "pupil":
            self.set_query(sort="opened", descending=True)
        else:
            self.set_query(sort="pupil", descending=False)

    def action_child(self) -> None:
        row = self.query_one(IncidentTable).current
        if row is None or not row.pupil:
            self.notify("The highlighted incident has no pupil reference.", severity="warning")
            return
        from incident_tui.tui.review.pupil_screen import PupilScreen

        self.app.push_screen(PupilScreen(self.ctx, row.pupil))

    def action_reload(self) -> None:
        self.load_rows()
