"""The export service: one incident, or every incident, to files, one way for every caller.

`incident-tui export`, `export --all`, the DSL's export dialog and the summary
screen's Markdown export all come here. Each export is checked in full first
(the hash chain and the signed index: `verify.incident_damage`), states any
damage at the top, names review decisions in the catalogue's words, and is
written by the one private file writer (`incident_tui.files`): an existing
file is never replaced unless the caller asks (`replace`, the command line's
`--force`). A PDF says on every page who printed it (`printed_by`: the person
exporting, or in words that it is not known) and carries the school's marking;
its summary repeats the answers the procedure file marks with `summary`.

Plain Python: nothing here imports Textual.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import replace as replace_fields
from pathlib import Path
from typing import TYPE_CHECKING

from incident_tui.errors import UserError
from incident_tui.files import write_private_file
from incident_tui.record.chronology import FlowWords, Printed
from incident_tui.record.export import Printing, render_export
from incident_tui.review.catalogue import review_labels

if TYPE_CHECKING:
    from incident_tui.people import Person
    from incident_tui.record.events import Actor, Event
    from incident_tui.record.pupil_chronology import PupilChronology
    from incident_tui.record.store import IndexRow, Store
    from incident_tui.record.verify import Finding


@dataclass(frozen=True)
class Written:
    """What one export wrote."""

    path: Path
    fmt: str
    reference: str
    events: int
    problems: int
    """How many problems the integrity check found (stated in the file)."""
    warning: str | None = None
    """Why this export could not be recorded in the access log, in words (or None)."""

    def message(self) -> str:
        count = f"{self.events} event" + ("" if self.events == 1 else "s")
        text = f"Wrote {self.path} ({self.fmt}, incident {self.reference}, {count})"
        if self.problems:
            text += "; the record is DAMAGED, and the export says so at the top"
        return text


def flow_words(flow_id: str) -> FlowWords:
    """The procedure's title and its `summary` steps, from the flow file offered now;
    none (the record's own words only) if the flow is no longer offered or is broken."""
    from incident_tui.flow.available import get_flow
    from incident_tui.flow.loader import FlowFileError

    try:
        flow = get_flow(flow_id).flow
    except (UserError, FlowFileError, OSError):
        return FlowWords()
    steps = {step.id: step.summary for step in flow.steps if step.summary}
    return FlowWords(title=flow.title, summary_steps=steps)


def printing(flow_id: str, printed_by: str | None, marking: str | None) -> Printing:
    """What a printout of an incident of this procedure adds to the record."""
    return Printing(Printed(by=printed_by, marking=marking), flow_words(flow_id))


def read_for_export(store: Store, incident: str) -> tuple[IndexRow, list[Event], list[Finding]]:
    """The incident's row, the events that can be read, and its damage (full check)."""
    from incident_tui.record.verify import incident_damage

    row = store.row(incident)
    try:
        events = store.events(row.id)
    except UserError:
        events = []  # the findings say why; the export states it
    return row, events, incident_damage(store.root, store.key, row.id)


def export_viewer(
    person: Person | None, printed_by: str | None = None, known: Actor | None = None
) -> Actor | None:
    """Who is reading an incident to export it, for its access log: the signed-in
    person on a school server; else the name last given on this computer (`known`);
    else the name given as "printed by"; else not known (None, and the log says so)."""
    from incident_tui.record.events import Actor

    if person is not None:
        return person.actor()
    if known is not None:
        return known
    return Actor(name=printed_by, role="named at the export") if printed_by else None


def render_incident(
    store: Store,
    row: IndexRow,
    events: Sequence[Event],
    findings: Sequence[Finding],
    fmt: str,
    school: str,
    *,
    viewer: Actor | None,
    printed_by: str | None = None,
    marking: str | None = None,
) -> tuple[bytes, str | None]:
    """The one way an incident becomes an export: the reading is recorded in its
    access log (who, now, "via an export"), then the file's bytes are rendered with
    its "Viewed by", this export included. Returns (the bytes, why the viewing could
    not be recorded, or None: never a refusal to export)."""
    from incident_tui.record.viewings import VIA_EXPORT, VIA_PDF, view

    _known_format(fmt)
    lines, warning = view(
        store.root, store.key, row.id, viewer, VIA_PDF if fmt == "pdf" else VIA_EXPORT
    )
    extra = printing(row.flow_id, printed_by, marking) if fmt == "pdf" else Printing()
    extra = replace_fields(extra, viewed_by=tuple(lines))
    return render_export(fmt, row, events, findings, school, review_labels(), extra), warning


def _known_format(fmt: str) -> None:
    from incident_tui.record.export import suffix_of

    suffix_of(fmt)  # UserError for a format there is none of, before anything is recorded


def write_export(
    store: Store,
    row: IndexRow,
    events: Sequence[Event],
    findings: Sequence[Finding],
    fmt: str,
    path: Path,
    school: str,
    *,
    viewer: Actor | None,
    replace: bool = False,
    exists_hint: str = "choose another name",
    printed_by: str | None = None,
    marking: str | None = None,
) -> Written:
    """An incident already read (with `read_for_export` or the same check) to `path`,
    through `render_incident` (the access log records the export, and the file lists
    "Viewed by"); `printed_by` names the person exporting (None: the PDF says it is
    not known)."""
    from incident_tui.files import FileExists

    if not replace and Path(path).exists():
        raise FileExists(Path(path), exists_hint)  # before the viewing is recorded
    data, warning = render_incident(
        store,
        row,
        events,
        findings,
        fmt,
        school,
        viewer=viewer,
        printed_by=printed_by,
        marking=marking,
    )
    write_private_file(path, data, replace=replace, what="the export", exists_hint=exists_hint)
    return Written(Path(path), fmt, row.reference, len(events), len(findings), warning)


def export_incident(
    store: Store,
    incident: str,
    fmt: str,
    path: Path,
    school: str,
    *,
    viewer: Actor | None,
    replace: bool = False,
    exists_hint: str = "choose another name",
    printed_by: str | None = None,
    marking: str | None = None,
) -> Written:
    """Check one incident in full, then export it to `path`."""
    row, events, findings = read_for_export(store, incident)
    return write_export(
        store,
        row,
        events,
        findings,
        fmt,
        path,
        school,
        viewer=viewer,
        replace=replace,
        exists_hint=exists_hint,
        printed_by=printed_by,
        marking=marking,
    )


# --- a pupil's chronology ------------------------------------------------------------

PUPIL_FORMATS = ("md", "json", "pdf")


def read_pupil(store: Store, pupil: str) -> list[tuple[IndexRow, list[Event], list[Finding]]]:
    """Every incident that names the pupil, oldest first, each checked in full."""
    from incident_tui.record.pupils import incidents_naming

    return [read_for_export(store, row.id) for row in incidents_naming(store, pupil)]


def pupil_file(store: Store, pupil: str, school: str) -> PupilChronology:
    """The pupil's chronology, as `incident-tui pupil`, the review screen and the exports
    show it. UserError when no incident names the pupil."""
    from incident_tui.record.pupil_chronology import pupil_chronology

    loaded = read_pupil(store, pupil)
    if not loaded:
        raise UserError(f"no incident in {store.root} names the pupil {pupil.strip()}")
    return pupil_chronology(pupil, loaded, school, review_labels())


def render_pupil(
    fmt: str,
    chron: PupilChronology,
    loaded: Sequence[tuple[IndexRow, Sequence[Event], Sequence[Finding]]],
    printed: Printed | None = None,
) -> bytes:
    from incident_tui.record.pupil_export import pupil_json, pupil_markdown

    if fmt == "md":
        return pupil_markdown(chron).encode("utf-8")
    if fmt == "json":
        if chron.subject_access:
            raise UserError("a subject access copy is sent as PDF (or Markdown), not JSON")
        return pupil_json(chron, loaded).encode("utf-8")
    if fmt == "pdf":
        from incident_tui.record.pupil_export import pupil_pdf

        return pupil_pdf(chron, printed or Printed())
    raise UserError(f"no export format {fmt!r}; use one of {', '.join(PUPIL_FORMATS)}", exit_code=2)


def export_pupil(
    store: Store,
    pupil: str,
    fmt: str,
    path: Path,
    school: str,
    *,
    replace: bool = False,
    exists_hint: str = "choose another name",
    subject_access: bool = False,
    printed_by: str | None = None,
    marking: str | None = None,
) -> PupilWritten:
    """The pupil's chronology to `path` (for a subject access request: redacted, with
    what the DSL chose to withhold; see `subject_access`)."""
    from incident_tui.record.pupil_chronology import pupil_chronology

    loaded = read_pupil(store, pupil)
    if not loaded:
        raise UserError(f"no incident in {store.root} names the pupil {pupil.strip()}")
    chron = pupil_chronology(pupil, loaded, school, review_labels())
    if subject_access:
        from incident_tui.review.subject_access import subject_access_copy

        chron = subject_access_copy(chron, loaded)
    data = render_pupil(fmt, chron, loaded, Printed(by=printed_by, marking=marking))
    write_private_file(path, data, replace=replace, what="the export", exists_hint=exists_hint)
    damaged = sum(1 for _row, _events, findings in loaded if findings)
    return PupilWritten(Path(path), fmt, chron.pupil, len(loaded), damaged, chron.withheld)


@dataclass(frozen=True)
class PupilWritten:
    """What one export of a pupil's chronology wrote."""

    path: Path
    fmt: str
    pupil: str
    incidents: int
    damaged: int
    withheld: int

    def message(self) -> str:
        count = f"{self.incidents} incident" + ("" if self.incidents == 1 else "s")
        text = f"Wrote {self.path} ({self.fmt}, pupil {self.pupil}, {count})"
        if self.withheld:
            text += f"; {self.withheld} entries withheld"
        if self.damaged:
            text += f"; {self.damaged} DAMAGED, and the export says so"
        return text


def export_every_incident(
    store: Store,
    out_dir: Path,
    fmt: str,
    school: str,
    *,
    printed_by: str | None = None,
    marking: str | None = None,
    viewer: Actor | None = None,
) -> tuple[int, list[str], list[str]]:
    """Every incident to its own file in a new or empty folder, with a manifest. Each
    incident's access log records the export (as `render_incident` does) and each
    file lists "Viewed by". Returns (files written, damaged references, warnings)."""
    from incident_tui.record.archive import export_all
    from incident_tui.record.viewings import VIA_EXPORT_ALL, view

    printed = Printed(by=printed_by, marking=marking)
    words: dict[str, FlowWords] = {}
    warnings: list[str] = []

    def printing_for(row: IndexRow) -> Printing:
        if row.flow_id not in words:
            words[row.flow_id] = flow_words(row.flow_id)
        lines, warning = view(store.root, store.key, row.id, viewer, VIA_EXPORT_ALL)
        if warning:
            warnings.append(warning)
        return Printing(printed, words[row.flow_id], tuple(lines))

    count, damaged = export_all(store, out_dir, fmt, school, review_labels(), printing_for)
    return count, damaged, warnings


__all__ = [
    "PUPIL_FORMATS",
    "PupilWritten",
    "Written",
    "export_pupil",
    "pupil_file",
    "read_pupil",
    "render_pupil",
    "export_every_incident",
    "export_incident",
    "export_viewer",
    "flow_words",
    "printing",
    "read_for_export",
    "render_incident",
    "write_export",
]
