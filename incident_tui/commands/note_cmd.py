"""`incident-tui note REF TEXT`: a short factual note added to an incident.

Whoever started the incident may add one at any time, also once their part was
handed over to the DSL and after the seal; the DSL may add one to any incident.
On a school server the note is recorded as the signed-in person
(`ssh ACCOUNT@SERVER note REF "TEXT"`); on one computer, as the name given with
--actor. The note is one append: durable when this prints "Recorded".
"""

from __future__ import annotations

import argparse

from incident_tui.errors import UserError
from incident_tui.safe_text import printable


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "note",
        help="add a short factual note to an incident (whoever started it, or the DSL)",
    )
    parser.add_argument("ref", metavar="REF", help="the incident reference")
    parser.add_argument("text", metavar="TEXT", help="the note, as facts (quote it)")
    parser.add_argument(
        "--training", action="store_true", help="the training record, not the live one"
    )
    parser.add_argument("--actor", help="who is adding the note (one computer only)")
    parser.add_argument("--role", default="staff", help="their role (default: staff)")
    parser.set_defaults(handler=note_command)


def note_command(args: argparse.Namespace) -> int:
    from incident_tui.commands import mode_of, recording_actor
    from incident_tui.flow.engine import EngineError
    from incident_tui.incident import checked_note
    from incident_tui.permissions import Can, require, require_add_note, started_by
    from incident_tui.record.access import open_record
    from incident_tui.record.events import EventKind

    person = getattr(args, "person", None)
    mode = mode_of(args)
    require(person, Can.training if mode == "training" else Can.live)
    try:
        text = checked_note(args.text)
    except EngineError as exc:
        raise UserError(f"the note: {exc}", exit_code=2) from None
    actor = recording_actor(
        args,
        args.actor,
        args.role,
        option="--actor",
        what="notes are recorded",
        missing="say who is adding the note: --actor NAME",
    )
    if not args.locations.store_dir(mode).exists():
        raise UserError(f"no incidents recorded in {args.locations.store_dir(mode)}")
    with open_record(args.locations, mode, write=True) as store:
        row = store.row(args.ref)
        require_add_note(person, started_by(store.events(row.id)), row.reference)
        event = store.append(row.id, kind=EventKind.note, actor=actor, answer=text)
    print(
        printable(
            f"Recorded: a note on incident {row.reference} (event {event.seq}), as "
            f"{actor.name}. It cannot be changed; a correction is another note.",
            one_line=True,
        )
    )
    return 0
