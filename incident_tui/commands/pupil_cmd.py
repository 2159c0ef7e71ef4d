"""`incident-tui pupil REF`: a pupil's file, every incident that names them.

    incident-tui pupil REF                          the chronology, oldest first
    incident-tui pupil REF -o FILE [--format F]     export it (md, json, pdf)
    incident-tui pupil REF --subject-access -o FILE the redacted copy for a subject
                                                    access request (PDF or Markdown)
    incident-tui pupil REF --correct INCIDENT --to NEW --reason WHY --actor NAME
                                                    REF was mistyped in INCIDENT: an
                                                    amendment naming NEW instead
    incident-tui pupil REF --withhold INCIDENT --entries 3,5 --exemption N
                           --reason WHY --actor NAME
                                                    record what the subject access
                                                    copy withholds, and why

Reading never takes the store's lock; a correction or a withholding is one
append through a writable store opened for it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from incident_tui.errors import UserError
from incident_tui.safe_text import printable

if TYPE_CHECKING:
    from incident_tui.record.events import Actor
    from incident_tui.record.store import Store

PUPIL_FORMATS = ("md", "json", "pdf")
"""Kept in step with `review.exports.PUPIL_FORMATS` (so `--help` stays light)."""


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "pupil",
        help="one pupil's chronology: every incident that names them (export, subject access)",
    )
    parser.add_argument("pupil", metavar="REF", help="the school's reference for the pupil")
    parser.add_argument(
        "--training", action="store_true", help="read the training record, not the live one"
    )
    parser.add_argument("-o", "--output", type=Path, metavar="FILE", help="export to FILE")
    parser.add_argument("--format", choices=PUPIL_FORMATS, help="default: from FILE's name")
    parser.add_argument("--force", action="store_true", help="replace FILE if it exists")
    parser.add_argument(
        "--printed-by", metavar="NAME", help="who is printing it (on every page of a PDF)"
    )
    parser.add_argument(
        "--subject-access",
        action="store_true",
        help="with -o: the copy for a subject access request, other pupils' references "
        "and what the DSL withheld left out",
    )
    parser.add_argument(
        "--correct", metavar="INCIDENT", help="correct REF, mistyped in INCIDENT (an amendment)"
    )
    parser.add_argument("--to", metavar="NEW", help="with --correct: the right reference")
    parser.add_argument(
        "--withhold",
        metavar="INCIDENT",
        help="record entries of INCIDENT to withhold from the subject access copy",
    )
    parser.add_argument("--entries", help="with --withhold: entry numbers, e.g. 3,5")
    parser.add_argument(
        "--exemption",
        type=int,
        metavar="N",
        help="with --withhold: the exemption relied on, by number (run without it for the list)",
    )
    parser.add_argument("--request", default="", help="the subject access request's reference")
    parser.add_argument("--reason", help="why (a correction or a withholding needs one)")
    parser.add_argument("--actor", help="who is recording this")
    parser.add_argument("--role", default="Designated Safeguarding Lead", help="their role")
    parser.set_defaults(handler=pupil_command)


def _say(text: str, file: TextIO | None = None) -> None:
    print(printable(text), file=file or sys.stdout)


def pupil_command(args: argparse.Namespace) -> int:
    from incident_tui.permissions import Can, require

    # a pupil's chronology spans every incident naming them: for those who read them all
    require(getattr(args, "person", None), Can.read_all)
    if args.correct or args.withhold:
        return _record(args)
    if args.subject_access and not args.output:
        raise UserError("--subject-access writes a file: add -o FILE (a .pdf to send)", exit_code=2)
    from incident_tui.commands import record_cmd

    root = record_cmd._root(args)
    if not root.exists():
        raise record_cmd._no_store(args)
    school = record_cmd._school_name(args)
    with record_cmd._open_store(args) as store:
        if args.output:
            return _export(args, store, school)
        from incident_tui.record.pupil_export import pupil_text
        from incident_tui.review.exports import pupil_file

        # every stored text in it has passed through safe_text.printable already
        sys.stdout.write(pupil_text(pupil_file(store, args.pupil, school)))
    return 0


def _export(args: argparse.Namespace, store: Store, school: str) -> int:
    from incident_tui.commands.record_cmd import _FORCE_HINT, _format_for, _marking
    from incident_tui.review.exports import export_pupil

    fmt = _format_for(args)
    written = export_pupil(
        store,
        args.pupil,
        fmt,
        args.output,
        school,
        replace=args.force,
        exists_hint=_FORCE_HINT,
        subject_access=args.subject_access,
        printed_by=args.printed_by,
        marking=_marking(args),
    )
    _say(written.message())
    return 0


def _record(args: argparse.Namespace) -> int:
    from incident_tui.commands import mode_of, recording_actor
    from incident_tui.permissions import Can, require
    from incident_tui.record.access import open_record

    if args.correct and args.withhold:
        raise UserError("give --correct or --withhold, not both", exit_code=2)
    require(getattr(args, "person", None), Can.decide)
    actor = recording_actor(
        args,
        args.actor,
        args.role,
        option="--actor",
        what="corrections are recorded",
        missing="say who is recording this: --actor NAME",
    )
    if not (args.reason or "").strip():
        raise UserError("give the reason: --reason WHY", exit_code=2)
    with open_record(args.locations, mode_of(args), write=True) as store:
        if args.correct:
            return _correct(args, store, actor)
        return _withhold(args, store, actor)


def _correct(args: argparse.Namespace, store: Store, actor: Actor) -> int:
    from incident_tui.record.pupils import amend_pupils, reference_key

    if not args.to:
        raise UserError("say what the reference should be: --to NEW", exit_code=2)
    row = store.row(args.correct)
    old = reference_key(args.pupil)
    named = [row.pupil, *row.other_pupils]
    if old not in {reference_key(r) for r in named}:
        raise UserError(f"incident {row.reference} does not name the pupil {args.pupil}")
    new = [args.to.strip() if reference_key(r) == old else r for r in named]
    event = amend_pupils(store, row.id, actor, new[0], new[1:], args.reason)
    _say(
        f"Recorded: incident {row.reference} names {args.to.strip()} instead of {args.pupil} "
        f"(amendment, event {event.seq}); the original stays in the record."
    )
    return 0


def _withhold(args: argparse.Namespace, store: Store, actor: Actor) -> int:
    from incident_tui.review.catalogue import numbers_in, review_decisions
    from incident_tui.review.subject_access import WITHHOLD, record_withholding

    choices = next(f for f in review_decisions().get(WITHHOLD).fields if f.key == "exemption")
    listed = "; ".join(f"{n} {text}" for n, text in enumerate(choices.choices, 1))
    if args.exemption is None or not 1 <= args.exemption <= len(choices.choices):
        raise UserError(f"choose the exemption relied on with --exemption N: {listed}", exit_code=2)
    entries = numbers_in(args.entries or "")
    if entries is None:
        raise UserError("say which entries: --entries 3,5 (their numbers in the chronology)")
    row = store.row(args.withhold)
    exemption = choices.choices[args.exemption - 1]
    record_withholding(
        store,
        row.id,
        actor,
        entries,
        exemption,
        args.reason,
        args.request,
    )
    _say(
        f"Recorded on incident {row.reference}: entries {', '.join(map(str, entries))} are "
        f"withheld from the subject access copy ({exemption})."
    )
    return 0
