"""`incident-tui list|show|verify|checkpoint|export`: reading the record.

Every command here opens the store read-only, so it works while the app is
recording. `--training` reads the training store instead of the live one;
the two are never mixed.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from incident_tui.errors import UserError
from incident_tui.safe_text import json_escaped, printable

if TYPE_CHECKING:
    from incident_tui.locations import Mode
    from incident_tui.record.events import Event
    from incident_tui.record.store import IndexRow, Store
    from incident_tui.record.verify import Finding

EXPORT_FORMATS = ("md", "json", "pdf")
"""Kept in step with `incident_tui.record.export.FORMATS` (a test checks), so
`--help` does not import the record package."""


def register(sub: argparse._SubParsersAction) -> None:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--training", action="store_true", help="read the training record, not the live one"
    )

    listing = sub.add_parser("list", parents=[common], help="one line per recorded incident")
    listing.add_argument("--json", action="store_true", help="a JSON array of index rows")
    listing.add_argument(
        "--awaiting",
        action="store_true",
        help="only the open incidents handed over and awaiting the DSL (or the head), "
        "oldest hand-over first",
    )
    listing.set_defaults(handler=list_incidents, prints_only=True)

    show = sub.add_parser(
        "show", parents=[common], help="one incident's chronology and integrity check"
    )
    show.add_argument("ref", metavar="REF", help="the incident reference (or internal id)")
    show.set_defaults(handler=show_incident)

    verify = sub.add_parser(
        "verify", parents=[common], help="check that nothing in the record was altered"
    )
    verify.add_argument("ref", metavar="REF", nargs="?", help="check one incident only")
    verify.add_argument(
        "--checkpoint",
        type=Path,
        metavar="FILE",
        help="also check against a checkpoint written earlier (catches deleted incidents "
        "and a record rolled back)",
    )
    verify.add_argument("--json", action="store_true", help="the result as JSON")
    verify.set_defaults(handler=verify_record)

    checkpoint = sub.add_parser(
        "checkpoint", parents=[common], help="write a checkpoint of the whole record"
    )
    checkpoint.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        metavar="FILE",
        help="where to write it (a new file; an existing one is refused)",
    )
    checkpoint.add_argument(
        "--force", action="store_true", help="replace FILE if it already exists"
    )
    checkpoint.set_defaults(handler=write_checkpoint)

    export = sub.add_parser(
        "export",
        parents=[common],
        help="write one incident to a file, or every incident to a folder (--all)",
    )
    export.add_argument(
        "ref", metavar="REF", nargs="?", help="the incident reference (or internal id)"
    )
    export.add_argument(
        "--all",
        action="store_true",
        dest="all_incidents",
        help="every incident, one file each, into the folder given by -o, with a "
        "manifest.json (default format: json)",
    )
    export.add_argument(
        "--format",
        choices=EXPORT_FORMATS,
        help="md for people, json for re-checking, pdf to print or file "
        "(default: from the file name)",
    )
    export.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="FILE",
        help="where to write it: a new file, an existing one is refused (with --all: a new "
        "or empty folder). Without it, or with -o -, the export goes to standard output "
        "(give --format), as it does over ssh: `ssh ACCOUNT@SERVER export REF --format pdf "
        "> incident.pdf`",
    )
    export.add_argument("--force", action="store_true", help="replace FILE if it already exists")
    export.add_argument(
        "--printed-by",
        metavar="NAME",
        help='who is exporting: a PDF says "Printed by NAME on DATE TIME" on every page '
        "(without it, that the name is not known)",
    )
    export.set_defaults(handler=export_incident)


# --- shared -------------------------------------------------------------------


def _say(text: str, file: TextIO | None = None) -> None:
    """Print a line that may quote the record or the user's input (a reference, a
    pupil, a path): never raw to the terminal."""
    print(printable(text), file=file)


def _root(args: argparse.Namespace) -> Path:
    return args.locations.store_dir(_mode(args))


def _mode(args: argparse.Namespace) -> Mode:
    from incident_tui.commands import mode_of

    return mode_of(args)


def _open_store(args: argparse.Namespace) -> Store:
    """The record, read-only; the key is never created here. Without a usable key
    (missing, damaged, not this record's own) it still reads, and a warning says
    plainly that the signed index could not be checked."""
    from incident_tui.record.access import open_record

    store = open_record(args.locations, _mode(args))
    if store.key_problem is not None:
        _say(f"incident-tui: warning: {store.key_problem}", file=sys.stderr)
    return store


def _no_store(args: argparse.Namespace) -> UserError:
    return UserError(f"no incidents recorded in {_root(args)}{_other_store_hint(args)}")


def _other_store_hint(args: argparse.Namespace) -> str:
    if args.training:
        return ""
    return " (training incidents are read with --training)"


def _find(store: Store, args: argparse.Namespace) -> IndexRow:
    """The incident's row; a damaged index file elsewhere does not hide it."""
    from incident_tui.record.access import IncidentNotFound, find_incident

    try:
        return find_incident(store, args.ref)
    except IncidentNotFound as exc:
        if exc.index_problem is None:
            raise _with_hint(exc, args) from None
        raise UserError(
            f"no incident {args.ref} could be found in {store.root}{_other_store_hint(args)}; "
            f"part of the index cannot be read ({exc.index_problem}): run `incident-tui verify`"
        ) from None


def _with_hint(exc: UserError, args: argparse.Namespace) -> UserError:
    if not exc.message.startswith("no incident"):
        return exc
    return UserError(f"{exc.message}{_other_store_hint(args)}", exit_code=exc.exit_code)


def _read_incident(store: Store, row: IndexRow) -> tuple[list[Event], list[Finding]]:
    """The events that can be read, and the incident's damage."""
    from incident_tui.record.verify import incident_damage

    try:
        events = store.events(row.id)
    except UserError:
        events = []  # the findings below say why
    return events, incident_damage(store.root, store.key, row.id)


def _marking(args: argparse.Namespace) -> str | None:
    """The school's protective marking for printouts, if the settings give one."""
    from incident_tui.settings import load_settings

    try:
        return load_settings(args.locations.config_file).school.marking
    except UserError:
        return None


def _school_name(args: argparse.Namespace) -> str:
    from incident_tui.settings import load_settings

    try:
        return load_settings(args.locations.config_file).school.name
    except UserError:
        return "(school name unavailable: the config file could not be read)"


# --- list ---------------------------------------------------------------------


def _flags(row: IndexRow, unindexed: set[str]) -> str:
    """The row's flags; DAMAGED first for an incident listed from its file because
    the index has no row for it."""
    from incident_tui.record.vocabulary import row_flags

    flags = row_flags(row)
    if row.id not in unindexed:
        return flags
    return "DAMAGED" if flags == "-" else f"DAMAGED,{flags}"


def list_incidents(args: argparse.Namespace) -> int:
    from incident_tui.record.references import local_short

    root = _root(args)
    rows: list[IndexRow] = []
    problems: list[str] = []
    unindexed: set[str] = set()
    person = getattr(args, "person", None)
    if person is not None:
        from incident_tui.permissions import Can, require

        require(person, Can.training_results if args.training else Can.live)
    if args.json and person is None and not getattr(args, "awaiting", False):
        return _list_json(args, root)
    if root.exists():
        from incident_tui.permissions import visible_rows

        with _open_store(args) as store:
            listing = store.listing()
            # the training record: every attempt, for those who may see training results
            rows = listing.rows if args.training else visible_rows(person, store, listing.rows)
        problems, unindexed = listing.problems, listing.unindexed
    if getattr(args, "awaiting", False):
        from incident_tui.permissions import awaiting_rows

        rows = awaiting_rows(rows)
    _say_problems(problems)
    status = 1 if problems else 0
    if args.json:
        from incident_tui.record.store import rows_json

        sys.stdout.write(json_escaped(rows_json(rows)) + "\n")
        return status
    if not rows:
        awaited = "awaiting the DSL or the head" if getattr(args, "awaiting", False) else ""
        _say(f"no incidents {awaited or 'recorded'} in {root}")
        return status
    if getattr(args, "awaiting", False):
        _print_awaiting(rows)
        return status
    if args.training:
        _say(f"TRAINING record in {root} (not real incidents)")
    table: list[tuple[str, ...]] = [
        ("REFERENCE", "OPENED", "FLOW", "STATUS", "EVENTS", "FLAGS", "PUPIL")
    ]
    table += [
        tuple(
            printable(cell, one_line=True)
            for cell in (
                row.reference,
                local_short(row.opened),
                row.flow_id,
                row.status,
                str(row.event_count),
                _flags(row, unindexed),
                row.pupil or "-",
            )
        )
        for row in rows
    ]
    widths = [max(len(line[i]) for line in table) for i in range(len(table[0]) - 1)]
    out = sys.stdout
    for line in table:
        cells = [cell.ljust(width) for cell, width in zip(line, widths, strict=False)]
        out.write("  ".join([*cells, line[-1]]).rstrip() + "\n")
    return status


def _list_json(args: argparse.Namespace, root: Path) -> int:
    """`list --json` on one computer: every row, printed from the dumped listing (the
    same rows and text, without a model made of each)."""
    from incident_tui.record.index_cache import collector_paused

    # The rows make no cycles, and are gone before the collector resumes: it would
    # only walk them twice over (a tenth of the command's time).
    with collector_paused():
        text, problems = _rows_json_text(args, root)
    _say_problems(problems)
    sys.stdout.write(text)
    return 1 if problems else 0


def _rows_json_text(args: argparse.Namespace, root: Path) -> tuple[str, list[str]]:
    """(what `list --json` prints, safe to print; the problems found on the way)."""
    if not root.exists():
        return "[]\n", []
    from incident_tui.record.access import listing_json

    text, problems, key_problem = listing_json(args.locations, _mode(args))
    if key_problem is not None:  # as _open_store says it
        _say(f"incident-tui: warning: {key_problem}", file=sys.stderr)
    return text + "\n", problems


def _say_problems(problems: list[str]) -> None:
    for problem in problems:
        _say(f"incident-tui: cannot list some incidents: {problem}", file=sys.stderr)
    if problems:
        _say("incident-tui: run `incident-tui verify` for details", file=sys.stderr)


AWAITED_WORDS = {"dsl": "the DSL", "head": "the head"}


def _print_awaiting(rows: list[IndexRow]) -> None:
    from incident_tui.record.references import local_short

    table: list[tuple[str, ...]] = [("REFERENCE", "FLOW", "AWAITING", "HANDED OVER", "BY", "PUPIL")]
    table += [
        tuple(
            printable(cell, one_line=True)
            for cell in (
                row.reference,
                row.flow_id,
                AWAITED_WORDS.get(row.awaiting or "", row.awaiting or "-"),
                local_short(row.handed_at) if row.handed_at else "-",
                row.handed_by or "-",
                row.pupil or "-",
            )
        )
        for row in rows
    ]
    widths = [max(len(line[i]) for line in table) for i in range(len(table[0]) - 1)]
    for line in table:
        cells = [cell.ljust(width) for cell, width in zip(line, widths, strict=False)]
        sys.stdout.write("  ".join([*cells, line[-1]]).rstrip() + "\n")


# --- show ---------------------------------------------------------------------


def _load_incident(
    args: argparse.Namespace, via: str | None = None
) -> tuple[IndexRow, list[Event], list[Finding]]:
    """The incident named by REF: its row, the events that could be read, its damage.
    With `via`, the viewing is recorded in the incident's access log (`args.viewed_by`
    is then its "Viewed by" lines)."""
    store, row, events, findings = _load_for_export(args)
    if via is not None:
        args.viewed_by = _viewing(args, store, row, via)
    return row, events, findings


def _load_for_export(
    args: argparse.Namespace,
) -> tuple[Store, IndexRow, list[Event], list[Finding]]:
    """The store (closed: for its folder and key), and the incident named by REF, once
    the person's role allows them to read it."""
    from incident_tui.permissions import Can, require, require_see, started_by

    if not _root(args).exists():
        raise _no_store(args)
    with _open_store(args) as store:
        row = _find(store, args)
        events, findings = _read_incident(store, row)
    person = getattr(args, "person", None)
    if args.training:
        require(person, Can.training_results)
    else:
        require_see(person, started_by(events), row.reference)
    return store, row, events, findings


def _viewing(args: argparse.Namespace, store: Store, row: IndexRow, via: str) -> list[str]:
    """Record who is viewing the incident; its "Viewed by" lines. Who: the signed-in
    person on a server; else the name given with --printed-by; else not known."""
    from incident_tui.record.viewings import view
    from incident_tui.review.exports import export_viewer

    viewer = export_viewer(getattr(args, "person", None), getattr(args, "printed_by", None))
    lines, warning = view(store.root, store.key, row.id, viewer, via)
    if warning:
        _say(f"incident-tui: warning: {warning}", file=sys.stderr)
    return lines


def show_incident(args: argparse.Namespace) -> int:
    from incident_tui.record.export import incident_text
    from incident_tui.record.viewings import VIA_SHOW
    from incident_tui.review import review_labels

    row, events, findings = _load_incident(args, VIA_SHOW)
    text = incident_text(row, events, findings, _school_name(args), review_labels(), args.viewed_by)
    sys.stdout.write(text)
    return 0


# --- verify -------------------------------------------------------------------


def _finding_line(finding: Finding) -> str:
    where = finding.reference or finding.incident
    seq = f"event {finding.seq}" if finding.seq is not None else "-"
    return printable(f"{where}  {seq}  {finding.kind}: {finding.message}")


def verify_record(args: argparse.Namespace) -> int:
    from incident_tui.permissions import Can, require
    from incident_tui.record.verify import verify_store

    require(getattr(args, "person", None), Can.verify)
    root = _root(args)
    if args.ref and not root.exists():
        raise _no_store(args)
    with _open_store(args) as store:
        key = store.key  # None: the chains are still checked, the signatures cannot be
    try:
        report = verify_store(root, key, incident=args.ref, checkpoint=args.checkpoint)
    except UserError as exc:
        raise _with_hint(exc, args) from None
    if args.json:
        sys.stdout.write(
            json_escaped(
                json.dumps(
                    {
                        "ok": report.complete,
                        "signatures_checked": report.signatures_checked,
                        "incidents": report.incidents,
                        "events": report.events,
                        "checkpoint": str(args.checkpoint) if args.checkpoint else None,
                        "findings": [
                            {
                                "incident": f.incident,
                                "reference": f.reference,
                                "seq": f.seq,
                                "kind": f.kind,
                                "message": f.message,
                            }
                            for f in report.findings
                        ],
                    },
                    ensure_ascii=False,
                )
            )
            + "\n"
        )
        return 0 if report.complete else 1
    summary = f"{_count(report.incidents, 'incident')}, {_count(report.events, 'event')}"
    if args.training:
        summary = f"TRAINING record: {summary}"
    unsigned = (
        ""
        if report.signatures_checked
        else f"; the index signatures could NOT be checked (the record key "
        f"{args.locations.key_file} is missing, damaged or not this record's own)"
    )
    for finding in report.findings:
        _say(_finding_line(finding))
    if report.ok:
        against = f"; matches checkpoint {args.checkpoint}" if args.checkpoint else ""
        leftovers = ""
        if report.findings:
            leftovers = (
                " (the lines above are leftovers of an interrupted save, not damage: "
                "nothing recorded is lost; each line says what becomes of it)"
            )
        if not report.signatures_checked:
            _say(f"{summary}: the hash chains are intact{unsigned}{leftovers}")
            return 1
        _say(f"{summary}: intact{against}{leftovers}")
        return 0
    incidents = report.damaged_incidents
    where = [_count(incidents, "incident")] if incidents else []
    if report.index_damaged:
        where.append("the index")
    _say(
        f"{summary}: DAMAGED, {_count(len(report.damage()), 'problem')} "
        f"in {' and '.join(where)} (record in {root}){unsigned}"
    )
    return 1


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


# --- checkpoint ---------------------------------------------------------------


def write_checkpoint(args: argparse.Namespace) -> int:
    from incident_tui.permissions import Can, require
    from incident_tui.record.checkpoint import write_checkpoint as write
    from incident_tui.record.keys import (
        MissingKey,
        WrongKey,
        key_matches,
        missing_key_message,
        read_key,
        wrong_key_message,
    )
    from incident_tui.record.store import holds_incidents

    require(getattr(args, "person", None), Can.checkpoint)
    root = _root(args)
    if not root.exists():
        raise _no_store(args)
    # A checkpoint is signed: only ever with the real key, never a stand-in.
    key = read_key(args.locations.key_file)
    if key is None:
        if holds_incidents(root):
            raise MissingKey(missing_key_message(args.locations.key_file))
        raise _no_store(args)
    if key_matches(root, key) is False:
        raise WrongKey(wrong_key_message(root, args.locations.key_file))
    # refuses (UserError) if the record is damaged, or FILE exists without --force
    written = write(root, key, args.output, replace=args.force, exists_hint=_FORCE_HINT)
    counts = (
        f"{_count(int(written['incidents']), 'incident')}, "
        f"{_count(int(written['events']), 'event')}"
    )
    _say(
        f"Wrote checkpoint {args.output}: {counts} "
        f"({written['mode']} record, {written['created']})."
    )
    _say(
        "Keep a copy away from this computer (printed, or with the DSL's own files): "
        "anyone who can alter the record here could alter a checkpoint kept here too."
    )
    _say(
        f"Later, `incident-tui verify --checkpoint {args.output}` shows whether any "
        "incident has been deleted or the record rolled back since."
    )
    return 0


# --- export -------------------------------------------------------------------

_FORCE_HINT = "choose another name, or add --force to replace it"


def _format_for(args: argparse.Namespace) -> str:
    from incident_tui.record.export import FORMATS

    if args.format:
        return args.format
    suffix = args.output.suffix.lower()
    for name, (ext, _render) in FORMATS.items():
        if suffix == ext:
            return name
    raise UserError(
        f"cannot tell the format from {args.output.name!r}; add --format ({'|'.join(FORMATS)})",
        exit_code=2,
    )


def export_incident(args: argparse.Namespace) -> int:
    from incident_tui.permissions import Can, require
    from incident_tui.review.exports import write_export

    require(getattr(args, "person", None), Can.export)
    if args.ref and args.all_incidents:
        raise UserError("give an incident reference or --all, not both", exit_code=2)
    if args.all_incidents:
        if _to_stdout(args):
            raise UserError("with --all, -o names a new or empty folder", exit_code=2)
        return export_all_command(args)
    if not args.ref:
        raise UserError(
            "give the incident reference to export, or --all for every incident", exit_code=2
        )
    from incident_tui.review.exports import export_viewer

    if _to_stdout(args):
        return export_to_stdout(args)
    fmt = _format_for(args)
    store, row, events, findings = _load_for_export(args)
    written = write_export(
        store,
        row,
        events,
        findings,
        fmt,
        args.output,
        _school_name(args),
        viewer=export_viewer(getattr(args, "person", None), args.printed_by),
        replace=args.force,
        exists_hint=_FORCE_HINT,
        printed_by=args.printed_by,
        marking=_marking(args),
    )
    if written.warning:
        _say(f"incident-tui: warning: {written.warning}", file=sys.stderr)
    _say(f"Wrote {args.output} ({fmt}, incident {row.reference}, {_count(len(events), 'event')})")
    if written.problems:
        _say(
            f"incident-tui: warning: incident {row.reference} is damaged "
            f"({_count(written.problems, 'problem')}); the export says so at the top",
            file=sys.stderr,
        )
    return 0


def _to_stdout(args: argparse.Namespace) -> bool:
    return args.output is None or str(args.output) == "-"


def export_to_stdout(args: argparse.Namespace) -> int:
    """`export REF --format FMT` with no file: the export to standard output, the way
    exports go over ssh (nothing is written on the server but the access log, which
    records this reading like every other). The PDF says who printed it: on a school
    server the signed-in person, whatever name is typed."""
    from incident_tui.review.exports import export_viewer, render_incident

    if not args.format:
        raise UserError(
            "give --format (md, json or pdf) to export to standard output, or -o FILE",
            exit_code=2,
        )
    if args.force:
        raise UserError("--force replaces a file; this export goes to standard output", exit_code=2)
    if args.format == "pdf" and sys.stdout.isatty():
        raise UserError(
            "a PDF is not for the terminal: send it to a file (`... --format pdf > "
            "incident.pdf`), or give -o FILE",
            exit_code=2,
        )
    person = getattr(args, "person", None)
    printed_by = args.printed_by
    if person is not None:
        actor = person.actor()
        printed_by = f"{actor.name} ({actor.role})"
    store, row, events, findings = _load_for_export(args)
    data, warning = render_incident(
        store,
        row,
        events,
        findings,
        args.format,
        _school_name(args),
        viewer=export_viewer(person, printed_by),
        printed_by=printed_by,
        marking=_marking(args),
    )
    if warning:
        _say(f"incident-tui: warning: {warning}", file=sys.stderr)
    if findings:
        _say(
            f"incident-tui: warning: incident {row.reference} is damaged "
            f"({_count(len(findings), 'problem')}); the export says so at the top",
            file=sys.stderr,
        )
    out = sys.stdout.buffer
    out.write(data)
    out.flush()
    return 0


def export_all_command(args: argparse.Namespace) -> int:
    """`incident-tui export --all --format FMT -o DIR`."""
    from incident_tui.record.archive import MANIFEST
    from incident_tui.review.exports import export_every_incident

    if args.force:
        raise UserError(
            "--force replaces one file; with --all, -o names a new or empty folder", exit_code=2
        )
    fmt = args.format or "json"
    root = _root(args)
    if not root.exists():
        raise _no_store(args)
    from incident_tui.review.exports import export_viewer

    with _open_store(args) as store:
        count, damaged, warnings = export_every_incident(
            store,
            args.output,
            fmt,
            _school_name(args),
            printed_by=args.printed_by,
            marking=_marking(args),
            viewer=export_viewer(getattr(args, "person", None), args.printed_by),
        )
    for warning in dict.fromkeys(warnings):
        _say(f"incident-tui: warning: {warning}", file=sys.stderr)
    record = "TRAINING incidents" if args.training else "incidents"
    _say(f"Wrote {_count(count, 'file')} ({fmt}, {record}) to {args.output}, with {MANIFEST}")
    if damaged:
        _say(
            f"incident-tui: warning: {_count(len(damaged), 'damaged incident')}, exported with "
            f"the damage stated: {', '.join(damaged)}",
            file=sys.stderr,
        )
    return 0
