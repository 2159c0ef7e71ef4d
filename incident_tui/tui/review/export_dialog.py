"""Export one incident from the review screen: PDF, Markdown or JSON, to a new file."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from incident_tui.errors import UserError
from incident_tui.record.events import Event
from incident_tui.record.export import FORMATS, suffix_of
from incident_tui.review.exports import export_viewer, write_export
from incident_tui.tui.review.context import ReviewContext

if TYPE_CHECKING:
    from incident_tui.record.pupil_chronology import PupilChronology
    from incident_tui.record.store import IndexRow
    from incident_tui.record.verify import Finding

_FORMAT_NAMES = {
    "pdf": "PDF (to print or upload)",
    "md": "Markdown (to read)",
    "json": "JSON (to re-check)",
}


class ExportDialog(ModalScreen[str | None]):
    """Dismisses with a message saying what was written, or None."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "write", "Write", id="review.export.write"),
    ]

    def __init__(
        self,
        ctx: ReviewContext,
        row: IndexRow,
        events: Sequence[Event],
        findings: Sequence[Finding],
    ) -> None:
        super().__init__()
        self.ctx = ctx
        self.row = row
        self.events = events
        self.findings = findings

    def _default_path(self, fmt: str) -> str:
        return str(Path.cwd() / f"incident-{self.row.reference}{suffix_of(fmt)}")

    def _printed_by(self) -> str:
        actor = self.ctx.actor
        return f"{actor.name} ({actor.role})" if actor is not None else ""

    formats = _FORMAT_NAMES

    @property
    def title_text(self) -> str:
        return f"Export incident {self.row.reference}"

    @property
    def damaged(self) -> bool:
        return bool(self.findings)

    def compose(self) -> ComposeResult:
        with Vertical(classes="review-dialog"):
            yield Static(self.title_text, classes="title", markup=False)
            if self.damaged:
                yield Static(
                    "This record is DAMAGED: the export states the damage on its first page.",
                    markup=False,
                )
            yield Label("Format", markup=False)
            yield Select(
                [(name, key) for key, name in self.formats.items()],
                value="pdf",
                allow_blank=False,
                id="export-format",
            )
            yield Label(
                "File (a new file, readable by you only: an existing file is never replaced)",
                markup=False,
            )
            yield Input(value=self._default_path("pdf"), id="export-path")
            yield Label("Printed by (your name: on every page of a PDF)", markup=False)
            yield Input(value=self._printed_by(), id="export-by")
            yield Static("", id="form-error", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Write (Ctrl+S)", id="write", variant="primary")
                yield Button("Cancel (Esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#export-path", Input).focus()

    @on(Select.Changed, "#export-format")
    def _format(self, event: Select.Changed) -> None:
        path = self.query_one("#export-path", Input)
        current = Path(path.value)
        if current.suffix.lower() in {suffix for suffix, _render in FORMATS.values()}:
            path.value = str(current.with_suffix(self._suffix(str(event.value))))

    def _suffix(self, fmt: str) -> str:
        return suffix_of(fmt)

    @on(Button.Pressed, "#write")
    @on(Input.Submitted, "#export-path")
    @on(Input.Submitted, "#export-by")
    def action_write(self) -> None:
        fmt = str(self.query_one("#export-format", Select).value)
        raw = self.query_one("#export-path", Input).value.strip()
        error = self.query_one("#form-error", Static)
        if not raw:
            error.update("File: required.")
            return
        path = Path(raw).expanduser()
        try:
            message = self._write(
                fmt, path, self.query_one("#export-by", Input).value.strip() or None
            )
        except UserError as exc:
            error.update(f"Not written: {exc.message}")
            return
        self.dismiss(message)

    def _write(self, fmt: str, path: Path, printed_by: str | None) -> str:
        written = write_export(
            self.ctx.store,
            self.row,
            self.events,
            self.findings,
            fmt,
            path,
            self.ctx.school,
            viewer=export_viewer(self.ctx.person, printed_by, self.ctx.actor),
            printed_by=printed_by,
            marking=self.ctx.settings.school.marking,
        )
        damage = " (the damage is stated on the first page)" if self.findings else ""
        warning = f" Warning: {written.warning}" if written.warning else ""
        return f"Wrote {path}{damage}.{warning}"

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


_PUPIL_FORMATS = {
    **_FORMAT_NAMES,
    "subject-access": "Subject access copy (PDF to send: other pupils and what is withheld "
    "left out)",
}


class PupilExportDialog(ExportDialog):
    """Export a pupil's chronology, or its subject access copy, the same way."""

    formats = _PUPIL_FORMATS

    def __init__(self, ctx: ReviewContext, chron: PupilChronology) -> None:
        ModalScreen.__init__(self)
        self.ctx = ctx
        self.chron = chron

    @property
    def title_text(self) -> str:
        return f"Export the chronology of pupil {self.chron.pupil}"

    @property
    def damaged(self) -> bool:
        return any(i.findings for i in self.chron.incidents)

    def _default_path(self, fmt: str) -> str:
        name = self.chron.pupil.replace("/", "-")
        return str(Path.cwd() / f"pupil-{name}{self._suffix(fmt)}")

    def _suffix(self, fmt: str) -> str:
        return ".pdf" if fmt == "subject-access" else suffix_of(fmt)

    def _write(self, fmt: str, path: Path, printed_by: str | None) -> str:
        from incident_tui.review.exports import export_pupil

        sar = fmt == "subject-access"
        written = export_pupil(
            self.ctx.store,
            self.chron.pupil,
            "pdf" if sar else fmt,
            path,
            self.ctx.school,
            subject_access=sar,
            printed_by=printed_by,
            marking=self.ctx.settings.school.marking,
        )
        return written.message() + "."
