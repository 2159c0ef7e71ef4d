"""What each role may do: the one home for the rules.

The screens and the commands ask here; they hold no rules of their own. A
signed-in person is a `Person`; `None` is one computer with no people file,
where everything is allowed, exactly as before there were roles.

- staff: start incidents; continue and see only the incidents they started (or
  were handed); add notes to those, also after the hand-over and the seal; never
  the review list or exports.
- dsl (the DSL and each deputy): everything, including the review list, review
  decisions and sign-off, lawful disposal, sending a child's file on, exports,
  checkpoints, taking over any incident, and the school's settings.
- head: reads incidents and gives the head's input where a flow asks for it.
- trainer: training only; never the live record.
- admin: people and settings; never incident content.

Parts of a procedure (`role` on a flow's steps): a member of staff answers only
the staff part, the DSL the staff and the DSL's parts, the head only the head's.
Reaching a step of a part the person may not answer ends their part: it is handed
over, and only someone who answers that part may take it over. After a hand-over
the member of staff who started it can no longer continue it, only add notes.

Plain Python: nothing here imports Textual.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Iterable, Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from incident_tui.errors import UserError
from incident_tui.people import ROLE_WORDS, Person, Role
from incident_tui.safe_text import printable

if TYPE_CHECKING:
    from incident_tui.record.events import Event
    from incident_tui.record.store import IndexRow, Store


class Can(StrEnum):
    """Each thing a role may or may not do, in the words a refusal uses."""

    start = "start an incident"
    live = "use the live record"
    read_all = "read every incident"
    continue_any = "continue any incident"
    review = "open the review list"
    decide = "record review decisions or sign off"
    dispose = "dispose of an incident at the end of retention"
    export = "export incidents"
    checkpoint = "write checkpoints"
    transfer = "send or receive a child protection file"
    verify = "check the whole record"
    head_input = "give the head's input"
    training = "practise in training"
    training_results = "see every training result"
    people = "see the people who may sign in"
    settings = "see or change the settings"


RULES: dict[Role, frozenset[Can]] = {
    Role.staff: frozenset({Can.start, Can.live, Can.training}),
    Role.dsl: frozenset(
        {
            Can.start,
            Can.live,
            Can.read_all,
            Can.continue_any,
            Can.review,
            Can.decide,
            Can.dispose,
            Can.export,
            Can.checkpoint,
            Can.transfer,
            Can.verify,
            Can.training,
            Can.training_results,
            Can.settings,
        }
    ),
    Role.head: frozenset({Can.live, Can.read_all, Can.review, Can.head_input}),
    Role.trainer: frozenset({Can.training, Can.training_results}),
    Role.admin: frozenset({Can.people, Can.settings}),
}

WHO_MAY: dict[Can, str] = {
    Can.start: "members of staff and the DSL",
    Can.live: "everyone but trainers and administrators",
    Can.read_all: "the DSL and the head",
    Can.continue_any: "the DSL",
    Can.review: "the DSL and the head",
    Can.decide: "the DSL",
    Can.dispose: "the DSL",
    Can.export: "the DSL",
    Can.checkpoint: "the DSL",
    Can.transfer: "the DSL",
    Can.verify: "the DSL",
    Can.head_input: "the head",
    Can.training: "trainers, members of staff and the DSL",
    Can.training_results: "trainers and the DSL",
    Can.people: "administrators",
    Can.settings: "administrators and the DSL",
}


class Refused(UserError):
    """The signed-in person's role does not allow this."""

    exit_code = 3


def allowed(person: Person | None, what: Can) -> bool:
    """May `person` do `what`? On one computer (no person) always."""
    return person is None or what in RULES[person.role]


def refusal(person: Person, what: str, who_may: str) -> str:
    return printable(
        f"{person.name} ({ROLE_WORDS[person.role]}, {person.login}) cannot {what}: "
        f"that is for {who_may}",
        one_line=True,
    )


def require(person: Person | None, what: Can) -> None:
    """Refused (a UserError in words) unless `person` may do `what`."""
    if person is not None and not allowed(person, what):
        raise Refused(refusal(person, what.value, WHO_MAY[what]))


def require_signed_in(config_dir: Path, person: Person | None, what: str) -> None:
    """On a school server (a people file exists) whatever records a decision needs a
    signed-in person: a typed name is never the actor there."""
    from incident_tui.people import people_file_path, server_mode

    if person is None and server_mode(config_dir):
        raise Refused(
            f"this is a school server ({people_file_path(config_dir)} lists who may sign "
            f"in), so {what} only for a signed-in person, recorded as them: connect with "
            "ssh (`ssh ACCOUNT@SERVER`), not a typed name"
        )


# --- incidents ---------------------------------------------------------------------------


def started_by(events: Sequence[Event]) -> str | None:
    """The login of whoever opened the incident (None: recorded on one computer)."""
    from incident_tui.record.events import EventKind

    opened = next((e for e in events if e.kind is EventKind.opened), None)
    return opened.actor.login if opened is not None else None


def may_see(person: Person | None, owner: str | None) -> bool:
    """May `person` read an incident opened by `owner` (a login)?"""
    if person is None or allowed(person, Can.read_all):
        return True
    return allowed(person, Can.live) and owner is not None and owner == person.login


def may_continue(person: Person | None, owner: str | None) -> bool:
    """May `person` continue (answer, add notes to) an incident opened by `owner`?
    The head continues one to give the head's input where the flow asks."""
    if person is None or allowed(person, Can.continue_any) or allowed(person, Can.head_input):
        return True
    return allowed(person, Can.start) and owner is not None and owner == person.login


def may_add_note(person: Person | None, owner: str | None) -> bool:
    """May `person` add a note to an incident opened by `owner`, outside their own part
    of it? Whoever started it, also after their part was handed over and after the seal
    (they may learn more later), and the DSL; the head adds notes within the head's part."""
    if person is None or allowed(person, Can.continue_any):
        return True
    return allowed(person, Can.start) and owner is not None and owner == person.login


def require_add_note(person: Person | None, owner: str | None, reference: str) -> None:
    if not may_add_note(person, owner):
        assert person is not None
        raise Refused(
            refusal(person, f"add a note to incident {reference}", "whoever started it and the DSL")
        )


def part_taken_by(events: Sequence[Event]) -> str | None:
    """The login of whoever took over the part now in progress; None when it was not
    taken over (never handed over, or handed over and not yet taken)."""
    from incident_tui.record.events import EventKind

    for event in reversed(events):
        if event.kind is EventKind.handover:
            return None
        if event.kind is EventKind.takeover:
            return event.actor.login
    return None


def may_continue_row(
    person: Person | None, owner: str | None, row: IndexRow, taken_by: str | None = None
) -> bool:
    """`may_continue`, and a member of staff never again once their part was handed
    over (the DSL or the head has it, or is awaited). The head continues an incident
    only at the head's part: awaiting the head, or taken over by them (`taken_by`, from
    `part_taken_by`); the engine then keeps them to its steps."""
    if not may_continue(person, owner):
        return False
    if person is None or allowed(person, Can.continue_any):
        return True
    if allowed(person, Can.head_input):
        return row.awaiting == "head" or (taken_by is not None and taken_by == person.login)
    return row.handed_at is None and row.awaiting is None


def require_see(person: Person | None, owner: str | None, reference: str) -> None:
    if not may_see(person, owner):
        assert person is not None
        raise Refused(
            refusal(person, f"read incident {reference}", "whoever started it and the DSL")
        )


def require_continue(person: Person | None, owner: str | None, reference: str) -> None:
    if not may_continue(person, owner):
        assert person is not None
        raise Refused(
            refusal(person, f"continue incident {reference}", "whoever started it and the DSL")
        )


def require_continue_row(
    person: Person | None, owner: str | None, row: IndexRow, taken_by: str | None = None
) -> None:
    """Refused, in words, unless `person` may continue the incident of `row`."""
    if may_continue_row(person, owner, row, taken_by):
        return
    assert person is not None
    if not may_continue(person, owner):
        require_continue(person, owner, row.reference)
    if allowed(person, Can.head_input):
        raise Refused(
            refusal(
                person,
                f"continue incident {row.reference}: the head gives the head's input where "
                "the procedure asks for it, once it is handed to them; read it in Review",
                "the DSL",
            )
        )
    raise Refused(
        printable(
            f"{person.name} ({ROLE_WORDS[person.role]}, {person.login}) cannot continue "
            f"incident {row.reference}: your part is done and it was handed over"
            + (f" at {row.handed_at[:16].replace('T', ' ')} UTC" if row.handed_at else "")
            + "; the DSL continues it",
            one_line=True,
        )
    )


# --- parts of a procedure -----------------------------------------------------------------

PARTS_ANSWERED: dict[Role, frozenset[str]] = {
    Role.staff: frozenset({"staff"}),
    Role.dsl: frozenset({"staff", "dsl"}),
    Role.head: frozenset({"head"}),
    Role.trainer: frozenset(),
    Role.admin: frozenset(),
}
"""Which parts of a procedure (a step's `role`) each role answers."""

PART_ROLES: dict[str, Role] = {"staff": Role.staff, "dsl": Role.dsl, "head": Role.head}
"""The role a part is for: on one computer, the role of whoever took it."""


def answers_part(person: Person | None, part: str, *, holding: str = "staff") -> bool:
    """May `person` answer a step of `part`? On one computer (no person) whoever
    took the part now `holding` answers what that part's role answers."""
    role = person.role if person is not None else PART_ROLES.get(holding, Role.staff)
    return part in PARTS_ANSWERED[role]


def part_answerer(person: Person | None, *, holding: str = "staff") -> Callable[[str], bool]:
    """The engine's `answerer` for the person at the keys: which parts they may answer."""
    return lambda part: answers_part(person, part, holding=holding)


def may_take_over(person: Person | None, part: str) -> bool:
    """May `person` take over an incident handed to `part`? The DSL takes the DSL's
    part, the head the head's; a member of staff takes none (one computer: anyone,
    confirming their name)."""
    if person is None:
        return True
    if part == "staff":
        return allowed(person, Can.continue_any)
    return part in PARTS_ANSWERED[person.role]


def require_take_over(person: Person | None, part: str, reference: str) -> None:
    if not may_take_over(person, part):
        assert person is not None
        who = {"dsl": "the DSL", "head": "the head"}.get(part, "the DSL")
        raise Refused(refusal(person, f"take over incident {reference}", who))


def awaiting_rows(rows: Iterable[IndexRow]) -> list[IndexRow]:
    """The open incidents handed over and not yet taken, oldest hand-over first. From
    the index rows alone: no incident file is read."""
    found = [row for row in rows if row.status == "open" and row.awaiting]
    return sorted(found, key=lambda row: row.handed_at or row.opened)


def awaiting_for(person: Person | None, rows: Iterable[IndexRow]) -> list[IndexRow]:
    """The awaited incidents `person` may take over (every one on one computer)."""
    awaited = awaiting_rows(rows)
    return [row for row in awaited if may_take_over(person, row.awaiting or "")]


def owner_of(store: Store, row: IndexRow) -> str | None:
    """Who opened the incident in `row` (its first event's login); None when unreadable."""
    try:
        return started_by(store.events(row.id))
    except UserError:
        return None


def visible_rows(person: Person | None, store: Store, rows: Iterable[IndexRow]) -> list[IndexRow]:
    """The rows `person` may see: every one for the DSL and the head (and on one
    computer), their own for a member of staff, none for trainers and admins."""
    rows = list(rows)
    if person is None or allowed(person, Can.read_all):
        return rows
    if not allowed(person, Can.live):
        return []
    return [row for row in rows if owner_of(store, row) == person.login]


# --- one command over SSH ----------------------------------------------------------------

REMOTE_COMMANDS: dict[str, frozenset[Role]] = {
    "list": frozenset({Role.staff, Role.dsl, Role.head, Role.trainer}),
    "show": frozenset({Role.staff, Role.dsl, Role.head, Role.trainer}),
    "verify": frozenset({Role.dsl}),
    "review": frozenset({Role.dsl, Role.head}),
    "pupil": frozenset({Role.dsl, Role.head}),
    "app": frozenset({Role.staff, Role.dsl, Role.head}),
    "train": frozenset({Role.staff, Role.dsl, Role.trainer}),
    "export": frozenset({Role.dsl}),
    "note": frozenset({Role.staff, Role.dsl}),
    "people": frozenset({Role.admin}),
    "config": frozenset({Role.admin}),
}
"""The sub-commands a person may ask for over SSH, by role; anything else is refused."""

READ_ONLY_ACTIONS = {"people": {"list"}, "config": {"show", "school", "contact"}}
"""What `people` and `config` may do over SSH: adding a person needs their key file on
the server, so it is done there, as the service account; the school's name and
numbers can be set from anywhere."""

NEVER_REMOTE = {
    "session": "a session is started by the server for each person",
    "run": "it reads an answers file on the server",
    "checkpoint": "it writes a file on the server; write checkpoints on the server itself",
    "transfer": "it writes a file on the server; send the child's file from the review app",
    "receive": (
        "it reads a file on the server: copy the bundle there and run "
        "`incident-tui receive FILE` on the server itself"
    ),
}


def remote_refusal(person: Person, command: str) -> str | None:
    """Why `person` may not run `command` (SSH_ORIGINAL_COMMAND), or None when they may.
    Only a sub-command and its own options: never options before it (--data-dir,
    --config-dir), which would point the app at another record or people file."""
    try:
        words = shlex.split(command)
    except ValueError as exc:
        return f"cannot read the command ({exc})"
    if not words:
        return None
    first = printable(words[0], one_line=True)
    if words[0].startswith("-"):
        return f"'{first}': give a command (e.g. list), with no options before it"
    if words[0] in NEVER_REMOTE:
        return f"'{first}' is not available over ssh: {NEVER_REMOTE[words[0]]}"
    roles = REMOTE_COMMANDS.get(words[0])
    if roles is None:
        known = ", ".join(name for name, who in REMOTE_COMMANDS.items() if person.role in who)
        return f"'{first}' is not a command you can run here (yours: {known or 'none'})"
    if person.role not in roles:
        return refusal(person, f"run '{first}'", _who(roles))
    if words[0] == "pupil" and _names_a_file(words[1:], stdout=False):
        return "'pupil -o' writes a file on the server; export from the review screen"
    if words[0] == "export" and (_names_a_file(words[1:]) or {"--all", "--force"} & set(words[1:])):
        return (
            "over ssh an export goes to your screen, never to a file on the server: "
            "`export REF --format md|json|pdf`, e.g. `ssh ACCOUNT@SERVER export REF "
            "--format pdf > incident.pdf`"
        )
    if "--checkpoint" in words:
        return "'verify --checkpoint' reads a file on the server: run it on the server itself"
    if words[0] in READ_ONLY_ACTIONS:
        actions = READ_ONLY_ACTIONS[words[0]]
        action = words[1] if len(words) > 1 else ""
        if action not in actions and action not in ("-h", "--help"):
            only = ", ".join(f"{words[0]} {a}" for a in sorted(actions))
            return (
                f"'{printable(' '.join(words[:2]), one_line=True)}' is not available over ssh "
                f"(only {only}): changes are made on the server, as its service account"
            )
    training = "--training" in words or words[0] == "train"
    if training and not allowed(person, Can.training):
        return refusal(person, "use the training record", WHO_MAY[Can.training])
    if words[0] in ("list", "show") and "--training" in words:
        if not allowed(person, Can.training_results):
            return refusal(person, "read the training record", WHO_MAY[Can.training_results])
    elif words[0] in ("list", "show") and not allowed(person, Can.live):
        return refusal(person, "read the live record", WHO_MAY[Can.live])
    if words[0] == "train" and "--results" in words and not allowed(person, Can.training_results):
        return refusal(person, "see every training result", WHO_MAY[Can.training_results])
    return None


def _names_a_file(words: Sequence[str], *, stdout: bool = True) -> bool:
    """Whether the words give -o/--output (a file on the server); with `stdout`,
    "-o -" (standard output) is not a file."""
    to_stdout = {"--output=-", "-o-"} if stdout else set()
    for position, word in enumerate(words):
        if word in ("-o", "--output"):
            following = words[position + 1] if position + 1 < len(words) else ""
            if not (stdout and following == "-"):
                return True
        elif word.startswith(("--output=", "-o")) and word not in to_stdout:
            return True
    return False


def _who(roles: frozenset[Role]) -> str:
    return ", ".join(ROLE_WORDS[role] for role in Role if role in roles)


__all__ = [
    "RULES",
    "Can",
    "Refused",
    "allowed",
    "answers_part",
    "awaiting_for",
    "awaiting_rows",
    "may_add_note",
    "may_continue",
    "may_continue_row",
    "may_take_over",
    "part_answerer",
    "may_see",
    "owner_of",
    "part_taken_by",
    "remote_refusal",
    "require",
    "require_continue",
    "require_see",
    "started_by",
    "visible_rows",
]
