"""`incident-tui transfer` and `incident-tui receive`: the child protection file
sent to the pupil's next school (see `record.transfer`).

    incident-tui transfer PUPIL --to "SCHOOL" -o FILE --dsl NAME
                                        write the bundle; the transfer is recorded
                                        on every incident in it
    incident-tui receive FILE --dsl NAME [--code CODE] [--pupil REF] [--receipt R]
                                        at the next school: check it whole, take it
                                        in read-only, write the receipt
    incident-tui transfer --confirm RECEIPT --dsl NAME
                                        back at the sending school: check the
                                        receipt against what was sent, record it

The DSL's, under `permissions`: on a school server only a signed-in DSL, never a
typed name (and never over ssh: these read and write files).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from incident_tui.errors import UserError
from incident_tui.safe_text import printable

if TYPE_CHECKING:
    from incident_tui.record.events import Actor


def register(sub: argparse._SubParsersAction) -> None:
    transfer = sub.add_parser(
        "transfer",
        help="send a pupil's child protection file to their next school (or --confirm the receipt)",
    )
    transfer.add_argument(
        "pupil", metavar="PUPIL", nargs="?", help="the pupil's reference (MIS id)"
    )
    transfer.add_argument("--to", metavar="SCHOOL", help="the school the pupil is moving to")
    transfer.add_argument(
        "-o", "--output", type=Path, metavar="FILE", help="the bundle to write (a new file)"
    )
    transfer.add_argument("--force", action="store_true", help="replace FILE if it exists")
    transfer.add_argument(
        "--confirm",
        type=Path,
        metavar="RECEIPT",
        help="check the receiving school's receipt against what was sent and record it",
    )
    _add_dsl(transfer)
    transfer.set_defaults(handler=transfer_command)

    receive = sub.add_parser(
        "receive", help="take in a child protection file sent by the pupil's last school"
    )
    receive.add_argument("bundle", metavar="FILE", type=Path, help="the bundle they sent")
    receive.add_argument(
        "--code",
        metavar="CODE",
        help="the transfer code the sending DSL read out (e.g. ABCDE-12345): checked too",
    )
    receive.add_argument(
        "--pupil", metavar="REF", help="the pupil's reference at this school, if not theirs"
    )
    receive.add_argument(
        "--receipt",
        type=Path,
        metavar="FILE",
        help="where to write the receipt (default: beside FILE, NAME.receipt.json)",
    )
    _add_dsl(receive)
    receive.set_defaults(handler=receive_command)


def _add_dsl(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dsl", metavar="NAME", help="the DSL doing this (recorded as them)")


def _say(text: str) -> None:
    print(printable(text), file=sys.stdout)


def _actor(args: argparse.Namespace) -> Actor:
    """The signed-in DSL, or the DSL named with --dsl on one computer."""
    from incident_tui.commands import recording_actor
    from incident_tui.permissions import Can, require
    from incident_tui.review import DSL_ROLE

    require(getattr(args, "person", None), Can.transfer)
    return recording_actor(
        args,
        args.dsl,
        DSL_ROLE,
        option="--dsl",
        what="a child's file is sent or received",
        missing="say which DSL is doing this: --dsl NAME",
    )


def _school(args: argparse.Namespace) -> str:
    from incident_tui.settings import load_settings

    return load_settings(args.locations.config_file).school.name


def _no_training(args: argparse.Namespace) -> None:
    if getattr(args, "global_training", False):
        raise UserError(
            "training records are never transferred or received: a child's file is live",
            exit_code=2,
        )


def transfer_command(args: argparse.Namespace) -> int:
    _no_training(args)
    if args.confirm is not None:
        if args.pupil or args.to or args.output:
            raise UserError("--confirm RECEIPT takes no pupil, --to or -o", exit_code=2)
        return _confirm(args)
    if not args.pupil or not args.to or not args.output:
        raise UserError(
            'give the pupil, the school and the file: transfer PUPIL --to "SCHOOL" -o FILE '
            "(or --confirm RECEIPT)",
            exit_code=2,
        )
    from incident_tui.record.access import open_record, record_exists
    from incident_tui.record.transfer import write_bundle

    actor = _actor(args)
    school = _school(args)
    if not record_exists(args.locations, "live"):
        raise UserError(f"no incidents recorded in {args.locations.store_dir('live')}")
    with open_record(args.locations, "live", write=True) as store:
        sent = write_bundle(
            store,
            args.pupil,
            to_school=args.to,
            from_school=school,
            sender=actor,
            out=args.output,
            replace=args.force,
        )
    _say(
        f"Wrote {sent.path}: the child protection file of pupil {sent.pupil} for "
        f"{sent.to_school}, {len(sent.references)} incident(s) ({', '.join(sent.references)}), "
        f"{sent.events} events."
    )
    if sent.left_out:
        _say(
            f"Not in it: {', '.join(sent.left_out)}, disposed of at the end of retention "
            "(nothing is left to send)."
        )
    _say(
        f"Transfer code: {sent.code}. Read it to their DSL by phone: `incident-tui receive "
        f"FILE --code {sent.code}` refuses any file but this one."
    )
    _say(
        "Send it to their DSL separately from the main pupil file, within 5 school days. The "
        "transfer is recorded on each incident, and Needs attention shows it until the "
        "receipt is confirmed: `incident-tui transfer --confirm RECEIPT`."
    )
    return 0


def _confirm(args: argparse.Namespace) -> int:
    from incident_tui.record.access import open_record, record_exists
    from incident_tui.record.references import utc_text
    from incident_tui.record.transfer import confirm_receipt

    actor = _actor(args)
    if not record_exists(args.locations, "live"):
        raise UserError(f"no incidents recorded in {args.locations.store_dir('live')}")
    with open_record(args.locations, "live", write=True) as store:
        done = confirm_receipt(store, args.confirm, actor=actor)
    _say(
        f"Receipt confirmed: {done.to_school} received {', '.join(done.references)} "
        f"({done.received_by}, {utc_text(done.received_on)}); recorded on each incident."
    )
    return 0


def receive_command(args: argparse.Namespace) -> int:
    from incident_tui.record.access import open_record
    from incident_tui.record.references import utc_text
    from incident_tui.record.transfer import read_bundle, receive_bundle

    _no_training(args)
    actor = _actor(args)
    school = _school(args)
    read_bundle(args.bundle, args.code)  # refused before the record is even opened
    with open_record(args.locations, "live", write=True) as store:
        got = receive_bundle(
            store,
            args.bundle,
            receiver=actor,
            school=school,
            receipt=args.receipt,
            pupil=args.pupil,
            expect_code=args.code,
        )
    bundle = got.bundle
    if got.already:
        _say(
            f"{args.bundle} was received before (from {bundle.from_school}); nothing was "
            "taken twice."
        )
    else:
        _say(
            f"Received {args.bundle} from {bundle.from_school} (sent by {bundle.sent_by.name} "
            f"on {utc_text(bundle.sent)}): pupil {bundle.pupil}, "
            f"{len(bundle.incidents)} incident(s), {bundle.events} events; every chain and "
            "the checkpoint verified."
        )
    checked = (
        "matches the code read out"
        if args.code
        else "compare it with the code their DSL reads out: if it differs, this is not their file"
    )
    _say(f"Transfer code: {bundle.code} ({checked}).")
    _say(
        f"Recorded here read-only as {', '.join(row.reference for row in got.rows)}, "
        f"transferred in from {bundle.from_school}: they can be reviewed, never continued."
    )
    if bundle.addressed_elsewhere(school):
        _say(
            f"Note: it was addressed to {bundle.to_school}, and this school is {school}: if it "
            "was not meant for you, tell the sending school's DSL at once."
        )
    _say(f"Receipt: {got.receipt} - send it back to {bundle.from_school}'s DSL.")
    return 0
