"""`incident-tui run FLOW --answers FILE`: a procedure without the screens.

For drills, demonstrations, entering a paper checklist kept during an outage,
and tests. The answers go through the same engine and store as the screens;
the whole file is checked before anything is recorded.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from incident_tui.errors import UserError
from incident_tui.safe_text import printable

if TYPE_CHECKING:
    from incident_tui.incident import Incident
    from incident_tui.record.events import Actor


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "run",
        help="record a procedure from a file of answers (drills, paper records, tests)",
        description=(
            "Run a procedure without the screens, from a JSON file of answers, "
            "through the same engine and record as the app. Nothing is recorded "
            "unless every entry in the file is valid."
        ),
    )
    parser.add_argument("flow", help="procedure id, e.g. search-confiscation")
    parser.add_argument("--answers", type=Path, required=True, help="JSON file of answers")
    parser.add_argument("--actor", help="who is entering this (default: from the file)")
    parser.add_argument("--role", help="their role (default: from the file)")
    parser.add_argument("--training", action="store_true", help="record in the training store")
    parser.add_argument("--no-seal", action="store_true", help="leave the incident open at the end")
    parser.set_defaults(handler=run_answers)


@dataclass(frozen=True)
class Entry:
    """One line of an answers file: an answer, or an amendment of an earlier step."""

    position: int
    step: str
    answer: Any
    rationale: str | None
    override: str | None
    amend: bool
    reason: str
    refer_now: bool = False
    confirm: tuple[str, ...] = ()
    """The ids of the exception's conditions confirmed, as ticked on the STOP screen."""


@dataclass(frozen=True)
class PartPerson:
    """Who answers one part of the procedure (`"parts": {"dsl": {...}}`): they take
    it over where the file's earlier answers hand it over."""

    actor: str
    role: str


@dataclass(frozen=True)
class AnswersFile:
    path: Path
    actor_name: str | None
    actor_role: str | None
    pupil: str
    location: str
    entries: list[Entry]
    other_pupils: tuple[str, ...] = ()
    parts: dict[str, PartPerson] | None = None
    """The people who take over each later part ("dsl", "head"); the first part is
    the file's `actor`."""


def read_answers_file(path: Path) -> AnswersFile:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: cannot read the answers file: {exc}") from None
    except json.JSONDecodeError as exc:
        raise UserError(f"{path}:{exc.lineno}: not valid JSON: {exc.msg}") from None
    except RecursionError:
        raise UserError(
            f"{path}: nested too deeply to be an answers file (an answers file is a list "
            "of entries, each an object of a few keys)"
        ) from None
    if isinstance(data, list):
        data = {"answers": data}
    if not isinstance(data, dict) or not isinstance(data.get("answers"), list):
        raise UserError(f"{path}: expected a list of answers, or an object with 'answers'")
    unknown = set(data) - {
        "actor",
        "role",
        "pupil",
        "other_pupils",
        "location",
        "answers",
        "parts",
    }
    if unknown:
        raise UserError(f"{path}: unknown key(s) {', '.join(sorted(unknown))}")
    entries = [_entry(path, n, raw) for n, raw in enumerate(data["answers"], 1)]
    return AnswersFile(
        path=path,
        actor_name=_optional_str(path, data, "actor"),
        actor_role=_optional_str(path, data, "role"),
        pupil=_optional_str(path, data, "pupil") or "",
        location=_optional_str(path, data, "location") or "",
        entries=entries,
        other_pupils=_other_pupils(path, data),
        parts=_parts(path, data),
    )


_PARTS = ("dsl", "head")
_PARTS_EXAMPLE = '"parts": {"dsl": {"actor": "A. Khan", "role": "DSL"}}'


def _parts(path: Path, data: dict[str, Any]) -> dict[str, PartPerson] | None:
    raw = data.get("parts")
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise UserError(f"{path}: 'parts' must be an object, e.g. {_PARTS_EXAMPLE}")
    people: dict[str, PartPerson] = {}
    for part, who in raw.items():
        where = f"{path}: parts.{printable(str(part), one_line=True)}"
        if part == "staff":
            raise UserError(f"{where}: the staff part is answered by the file's 'actor'")
        if part not in _PARTS:
            raise UserError(f"{where}: not a part (parts: {', '.join(_PARTS)})")
        if not isinstance(who, dict) or set(who) - {"actor", "role"}:
            raise UserError(f'{where}: expected {{"actor": NAME, "role": ROLE}}')
        actor, role = who.get("actor"), who.get("role")
        if not isinstance(actor, str) or not isinstance(role, str):
            raise UserError(f"{where}: 'actor' and 'role' must both be given, as text")
        people[part] = PartPerson(actor, role)
    return people


def _other_pupils(path: Path, data: dict[str, Any]) -> tuple[str, ...]:
    value = data.get("other_pupils", [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise UserError(
            f"{path}: 'other_pupils' must be a list of the school's references, "
            'e.g. ["P-1002", "P-1003"]'
        )
    return tuple(value)


def _optional_str(path: Path, data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise UserError(f"{path}: '{key}' must be a string")
    return value


_ENTRY_KEYS = {"step", "answer", "rationale", "override", "confirm", "amend", "reason"}


def _entry(path: Path, position: int, raw: Any) -> Entry:
    where = f"{path}: entry {position}"
    if not isinstance(raw, dict):
        raise UserError(f"{where}: expected an object with 'step' and 'answer'")
    if raw.get("refer_now") is not None:
        if raw != {"refer_now": True}:
            raise UserError(f'{where}: a refer-now entry is just {{"refer_now": true}}')
        return Entry(position, "", None, None, None, False, "", refer_now=True)
    unknown = set(raw) - _ENTRY_KEYS
    if unknown:
        raise UserError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    step = raw.get("step")
    if not isinstance(step, str) or not step:
        raise UserError(f"{where}: 'step' must name a step")
    answer = raw.get("answer")
    valid = isinstance(answer, str | bool) or (
        isinstance(answer, list) and all(isinstance(a, str) for a in answer)
    )
    if not valid:
        raise UserError(f"{where} (step '{step}'): 'answer' must be text, true, or a list of items")
    for key in ("rationale", "override", "reason"):
        if raw.get(key) is not None and not isinstance(raw[key], str):
            raise UserError(f"{where} (step '{step}'): '{key}' must be text")
    confirm = raw.get("confirm", [])
    if not isinstance(confirm, list) or not all(isinstance(c, str) for c in confirm):
        raise UserError(
            f"{where} (step '{step}'): 'confirm' must be a list of condition ids, "
            'e.g. ["serious-harm", "no-other-staff"]'
        )
    amend = raw.get("amend", False)
    if not isinstance(amend, bool):
        raise UserError(f"{where} (step '{step}'): 'amend' must be true or false")
    if amend and not (raw.get("reason") or "").strip():
        raise UserError(f"{where} (step '{step}'): an amendment needs a 'reason'")
    return Entry(
        position=position,
        step=step,
        answer=answer,
        rationale=raw.get("rationale"),
        override=raw.get("override"),
        amend=amend,
        reason=raw.get("reason") or "",
        confirm=tuple(confirm),
    )


def _apply(target: Any, entry: Entry, path: Path) -> None:
    """Apply one entry to a Session or an Incident (both take the same calls)."""
    from incident_tui.flow.engine import AnswerInput, EngineError, Session

    answer = AnswerInput(
        entry.step, entry.answer, entry.rationale, entry.override, confirmed=entry.confirm
    )
    session: Session = target if isinstance(target, Session) else target.session
    try:
        if entry.refer_now:
            target.refer_now()
        elif entry.amend:
            active = [d for d in session.decisions if d.answer.step == entry.step]
            if not active:
                raise EngineError(f"there is no earlier answer to step '{entry.step}' to amend")
            target.amend(active[-1].ref, answer, entry.reason)
        elif isinstance(target, Session):
            target.answer(answer)
        else:
            target.submit(answer)
    except EngineError as exc:
        raise UserError(f"{path}: entry {entry.position}: {exc}") from None


def _checked_opening_texts(
    args: argparse.Namespace, answers: AnswersFile, name: str, role: str
) -> Actor:
    """The actor, once the name, role, pupil and location can all be recorded;
    otherwise UserError naming where each came from (the file, or --actor/--role)."""
    from incident_tui.incident import checked_actor
    from incident_tui.record.pupils import pupils_problem
    from incident_tui.text_fields import ACTOR_NAME, ACTOR_ROLE, LOCATION, PUPIL

    path = answers.path
    given = (
        ("--actor" if args.actor else f"{path}: 'actor'", ACTOR_NAME, name),
        ("--role" if args.role else f"{path}: 'role'", ACTOR_ROLE, role),
        (f"{path}: 'pupil'", PUPIL, answers.pupil),
        (f"{path}: 'location'", LOCATION, answers.location),
    )
    for where, rule, text in given:
        problem = rule.problem(text)
        if problem is not None:
            raise UserError(f"{where}: {problem}")
    problem = pupils_problem(answers.pupil, answers.other_pupils)
    if problem is not None:
        raise UserError(f"{path}: 'pupil' / 'other_pupils': {problem}")
    return checked_actor(name, role)


def _left_open(incident: Incident, path: Path, exc: UserError) -> UserError:
    """A save failed after the incident was opened: the events already recorded stay
    (nothing is ever deleted), so say which incident is open and how to finish it,
    rather than "not recorded", which would lead to a second, duplicate incident."""
    from incident_tui.record.events import EventKind

    answered = sum(1 for event in incident.events if event.kind is not EventKind.opened)
    step = incident.session.current.id
    lines = [
        exc.message,
        f"Incident {incident.reference} was opened from {path} and is left open with "
        f"{len(incident.events)} events recorded ({answered} after the opening), at step "
        f"'{step}'. Do not run this file again (that would open a second incident): "
        f"resume {incident.reference} in the app (Resume on the home screen) and enter "
        "the remaining answers there.",
    ]
    lines += [f"warning: {warning}" for warning in incident.take_warnings()]
    return UserError("\n".join(lines), exit_code=exc.exit_code)


def run_answers(args: argparse.Namespace) -> int:
    from incident_tui.commands import mode_of
    from incident_tui.flow.available import get_flow
    from incident_tui.flow.engine import Session
    from incident_tui.incident import Incident, Opening
    from incident_tui.people import server_mode
    from incident_tui.record.access import open_record
    from incident_tui.record.references import seal_code
    from incident_tui.settings import load_settings

    paths = args.locations
    person = getattr(args, "person", None)
    if server_mode(paths.config) and (args.actor or args.role):
        raise UserError(
            "--actor/--role: this is a school server, where every decision is recorded as "
            "the signed-in person; a typed name is refused"
        )
    from incident_tui.permissions import require_signed_in

    require_signed_in(paths.config, person, "incidents are recorded")
    answers = read_answers_file(args.answers)
    loaded = get_flow(args.flow, local_dir=paths.local_flows_dir)
    name = args.actor or answers.actor_name
    role = args.role or answers.actor_role or "staff"
    if not name:
        raise UserError("say who is entering this: --actor NAME (or 'actor' in the file)")
    actor = _checked_opening_texts(args, answers, name, role)

    takers = _part_actors(answers, server=server_mode(paths.config))
    # the whole file is checked before anything is written, parts and hand-overs too
    _dry_run(Session(loaded.flow), answers, takers, person)

    settings = load_settings(paths.config_file)
    mode = mode_of(args)
    with open_record(paths, mode, write=True) as store:
        for notice in store.notices:
            print(f"incident-tui: {printable(notice)}", file=sys.stderr)
        opening = Opening(
            actor=actor,
            pupil=answers.pupil,
            other_pupils=answers.other_pupils,
            location=answers.location,
            entered_from=printable(args.answers.name, one_line=True),
        )
        incident = Incident.open(store, loaded, opening, settings)
        incident.keep_parts(person)
        session = incident.session
        try:
            for entry in answers.entries:
                if incident.handover_due():
                    incident.hand_over()
                    incident.take_over(takers[session.part])
                _apply(incident, entry, args.answers)
            if incident.handover_due():
                incident.hand_over()  # recorded as the part that ends here
                if session.end is not None and session.part in takers:
                    incident.take_over(takers[session.part])
            ending = session.end is not None and incident.awaiting is None
            sealed = incident.seal() if ending and not args.no_seal else None
        except UserError as exc:
            raise _left_open(incident, args.answers, exc) from None
    # Everything is recorded before anything is printed.
    print(f"Recorded {incident.reference} ({mode}): {len(incident.events)} events.")
    for warning in incident.take_warnings():
        print(f"incident-tui: warning: {warning}", file=sys.stderr)
    if sealed is not None and session.end is not None:
        print(f"Outcome: {incident.text(session.outcome() or session.end.outcome)}")
        for action in session.actions():
            print(f"  - {incident.text(action)}")
        print(f"Sealed. Seal code: {seal_code(sealed.hash)}")
    elif incident.awaiting is not None:
        title, _ = incident.part_words(incident.awaiting)
        print(
            f"Handed over at step '{session.current.id}' ({printable(title, one_line=True)}"
            "): whoever takes it over continues it in the app."
        )
    else:
        print(f"Left open at step '{session.current.id}': resume it in the app.")
    return 0


def _part_actors(answers: AnswersFile, *, server: bool) -> dict[str, Actor]:
    """The actor who takes over each later part the file names."""
    from incident_tui.incident import checked_actor

    if not answers.parts:
        return {}
    if server:
        raise UserError(
            f"{answers.path}: 'parts': this is a school server, where each part is answered "
            "by the signed-in person who takes it over, never a typed name; leave 'parts' "
            "out (the run stops at the hand-over)"
        )
    return {
        part: checked_actor(who.actor, who.role, where=f"{answers.path}: parts.{part}")
        for part, who in answers.parts.items()
    }


def _dry_run(session: Any, answers: AnswersFile, takers: dict[str, Actor], person: Any) -> None:
    """Apply every entry to a bare engine session as the real run will: where a part
    ends the next part's person takes over, and an entry for a part nobody in the
    file answers is refused."""
    from incident_tui.permissions import part_answerer

    flow = session.flow
    holding = flow.part_of(flow.start)
    if flow.has_parts:
        session.answerer = part_answerer(person, holding=holding)
    for entry in answers.entries:
        if flow.has_parts and not session.ended and not session.may_answer():
            part = session.part
            if part not in takers:
                title = flow.parts[part].title if part in flow.parts else part
                where = f"{answers.path}: entry {entry.position}"
                step = f" (step '{entry.step}')" if entry.step else ""
                raise UserError(
                    f"{where}{step}: step '{session.current.id}' is in '{title}', and the "
                    f"file names nobody for it: each answer there needs its person, e.g. "
                    f"{_PARTS_EXAMPLE}"
                    + (
                        ""
                        if person is None
                        else "; on a school "
                        "server that part is answered by whoever takes it over, in the app"
                    )
                )
            holding = part
            session.answerer = part_answerer(None, holding=holding)
        _apply(session, entry, answers.path)
