"""`incident-tui retention ...` and `incident-tui dispose REF`: the life of a child
protection file after its incidents (see `record.retention`).

Every decision here is recorded as an event by the DSL named with `--dsl`,
and is durable before the command reports it.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from typing import TYPE_CHECKING, TextIO

from incident_tui.errors import UserError
from incident_tui.safe_text import printable

if TYPE_CHECKING:
    from incident_tui.record.events import Actor
    from incident_tui.record.store import Store
    from incident_tui.settings import Settings


def register(sub: argparse._SubParsersAction) -> None:
    retention = sub.add_parser(
        "retention",
        help="child protection files due for retention review; date of birth; holds",
    )
    retention.set_defaults(handler=list_due)
    actions = retention.add_subparsers(dest="retention_action", metavar="ACTION")
    due = actions.add_parser("due", help="the incidents due for retention review (the default)")
    due.set_defaults(handler=list_due)

    dob = actions.add_parser(
        "dob", help="record a pupil's date of birth, once, for the child's file"
    )
    dob.add_argument("pupil", metavar="PUPIL", help="the pupil reference (MIS id)")
    dob.add_argument("date", metavar="DATE", help="YYYY-MM-DD or DD/MM/YYYY")
    dob.add_argument(
        "--correct",
        action="store_true",
        help="the date recorded was wrong: record DATE as an amendment of it (needs --reason)",
    )
    dob.add_argument("--reason", help="with --correct: why the recorded date was wrong")
    add_dsl(dob)
    dob.set_defaults(handler=record_dob)

    hold = actions.add_parser(
        "hold", help="keep an incident from disposal (relevant to a public inquiry)"
    )
    hold.add_argument("ref", metavar="REF", help="the incident reference")
    hold.add_argument("--inquiry", required=True, help="the inquiry or matter it is relevant to")
    hold.add_argument("--reason", required=True, help="why it must be kept")
    add_dsl(hold)
    hold.set_defaults(handler=set_hold)

    lift = actions.add_parser("lift", help="lift a retention hold")
    lift.add_argument("ref", metavar="REF", help="the incident reference")
    lift.add_argument("--reason", required=True, help="why the hold is lifted")
    add_dsl(lift)
    lift.set_defaults(handler=lift_hold)

    dispose = sub.add_parser(
        "dispose",
        help="lawful disposal at the end of retention: the content is removed, a "
        "tombstone keeps the hashes",
    )
    dispose.add_argument("ref", metavar="REF", help="the incident reference")
    dispose.add_argument("--reason", required=True, help="why it is disposed of now")
    dispose.add_argument(
        "--rule", help="the retention rule it is disposed of under (default: the settings')"
    )
    add_dsl(dispose)
    dispose.set_defaults(handler=dispose_incident)


def add_dsl(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--dsl", required=True, metavar="NAME", help="the DSL recording this decision"
    )


def dsl_actor(args: argparse.Namespace) -> Actor:
    from incident_tui.incident import checked_actor
    from incident_tui.permissions import Can, require
    from incident_tui.review import DSL_ROLE

    require(getattr(args, "person", None), Can.decide)
    return checked_actor(args.dsl, DSL_ROLE, where="--dsl")


def say(text: str, file: TextIO | None = None) -> None:
    print(printable(text), file=file or sys.stdout)


def settings_of(args: argparse.Namespace) -> Settings:
    from incident_tui.settings import load_settings

    return load_settings(args.locations.config_file)


def _writer(args: argparse.Namespace) -> Store:
    from incident_tui.record.access import open_record, record_exists

    if not record_exists(args.locations, "live"):
        raise UserError(f"no incidents recorded in {args.locations.store_dir('live')}")
    return open_record(args.locations, "live", write=True)


def list_due(args: argparse.Namespace) -> int:
    from incident_tui.record.access import open_record, record_exists
    from incident_tui.record.pupils import named_pupils, reference_key
    from incident_tui.record.retention import dates_of_birth, due_for_review

    settings = settings_of(args)
    today = date.today()
    if not record_exists(args.locations, "live"):
        say(f"no incidents recorded in {args.locations.store_dir('live')}")
        return 0
    with open_record(args.locations, "live") as store:
        rows = store.rows()
    age = settings.retention.review_at_age
    due = due_for_review(rows, age, today)
    born = dates_of_birth(rows)
    unknown = sorted(
        {
            pupil
            for r in rows
            if r.status != "disposed"
            for pupil in named_pupils(r)
            if reference_key(pupil) not in born
        }
    )
    say(f"Retention rule: {settings.retention.rule} (review at age {age})")
    if not due:
        say("No child protection file is due for retention review.")
    for item in due:
        held = " - HELD (retention hold): not to be disposed of" if item.row.retention_hold else ""
        say(f"{item.row.reference}  pupil {item.row.pupil}  due {item.due.isoformat()}{held}")
    if unknown:
        say(
            f"No date of birth recorded for {len(unknown)} pupil(s), so their files cannot be "
            f"judged: {', '.join(unknown)} (`incident-tui retention dob PUPIL DATE`)"
        )
    return 0


def record_dob(args: argparse.Namespace) -> int:
    from incident_tui.dates import DateProblem, parse_date
    from incident_tui.record.retention import correct_date_of_birth, record_date_of_birth

    try:
        born = parse_date(args.date)
    except DateProblem as exc:
        raise UserError(f"the date of birth: {exc}", exit_code=2) from None
    if args.correct and not (args.reason or "").strip():
        raise UserError("say why the recorded date was wrong: --reason WHY", exit_code=2)
    if args.reason and not args.correct:
        raise UserError("--reason is for a correction: add --correct", exit_code=2)
    actor = dsl_actor(args)
    if args.correct:
        with _writer(args) as store:
            row, event = correct_date_of_birth(store, args.pupil, born, actor, args.reason)
        say(
            f"Corrected pupil {args.pupil}'s date of birth to {born.isoformat()} (amendment, "
            f"event {event.seq} of incident {row.reference}); the date first recorded stays "
            "in the record, and the retention review date follows the correction."
        )
        return 0
    with _writer(args) as store:
        event = record_date_of_birth(store, args.pupil, born, actor)
        row = store.row(event.incident)
    say(
        f"Recorded pupil {args.pupil}'s date of birth {born.isoformat()} for the child's "
        f"file (event {event.seq} of incident {row.reference})."
    )
    return 0


def set_hold(args: argparse.Namespace) -> int:
    from incident_tui.record.events import RETENTION_HOLD
    from incident_tui.review import append_review

    actor = dsl_actor(args)
    with _writer(args) as store:
        row = store.row(args.ref)
        append_review(store, row.id, actor, RETENTION_HOLD, {"inquiry": args.inquiry}, args.reason)
    say(f"Incident {row.reference} is under a retention hold: it cannot be disposed of.")
    return 0


def lift_hold(args: argparse.Namespace) -> int:
    from incident_tui.record.events import HOLD_LIFTED
    from incident_tui.review import append_review

    actor = dsl_actor(args)
    with _writer(args) as store:
        row = store.row(args.ref)
        if not row.retention_hold:
            raise UserError(f"incident {row.reference} is not under a retention hold")
        append_review(store, row.id, actor, HOLD_LIFTED, {}, args.reason)
    say(f"The retention hold on incident {row.reference} is lifted.")
    return 0


def dispose_incident(args: argparse.Namespace) -> int:
    from incident_tui.permissions import Can, require
    from incident_tui.record.retention import dispose

    require(getattr(args, "person", None), Can.dispose)
    settings = settings_of(args)
    actor = dsl_actor(args)
    rule = args.rule or settings.retention.rule
    with _writer(args) as store:
        row, removed = dispose(
            store,
            args.ref,
            actor=actor,
            rule=rule,
            reason=args.reason,
            age=settings.retention.review_at_age,
            today=date.today(),
        )
    say(
        f"Incident {row.reference} was disposed of under '{rule}': the content of "
        f"{removed} event(s) was removed; a tombstone keeps their hashes, who disposed of "
        "it, when and why, so `incident-tui verify` still checks the chain."
    )
    return 0
