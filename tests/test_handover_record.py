"""Hand-over in the record (issue 13): the `handover` and `takeover` events, the index
row's `awaiting`, `handed_by` and `handed_at`, who may continue after a hand-over,
`list --awaiting` (over ssh too) and answers files with parts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from incident_tui.cli import main
from incident_tui.flow.available import get_flow
from incident_tui.flow.engine import AnswerInput, PartRefused
from incident_tui.incident import Incident, Opening
from incident_tui.people import Person, Role
from incident_tui.permissions import (
    Refused,
    awaiting_for,
    may_continue_row,
    may_take_over,
    part_taken_by,
    remote_refusal,
    require_continue_row,
)
from incident_tui.record import Actor, AppendRefused, EventKind, FlowRef, Store
from incident_tui.record.storage import dump_record_json
from incident_tui.record.store import IndexRow, shard_path
from incident_tui.record.verify import verify_store
from incident_tui.settings import Settings
from tests.flow_driver import REASON, default_answer

KEY = bytes(range(32))
FLOW = FlowRef(id="nudes-sharing", version="1.1.0", hash="f" * 64)
STAFF = Person("blee", "B. Lee", Role.staff)
DSL = Person("akhan", "A. Khan", Role.dsl)
HEAD = Person("dpatel", "D. Patel", Role.head)
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

pytestmark = pytest.mark.usefixtures("fixed_today")


@pytest.fixture
def store(tmp_path: Path):
    with Store.open(tmp_path / "data" / "live", key=KEY, mode="live") as opened:
        yield opened


def started(store: Store, person: Person | None = STAFF) -> Incident:
    actor = person.actor() if person else Actor(name="J. Tutor", role="form tutor")
    opening = Opening(actor=actor, pupil="P-1", location="Room 4")
    incident = Incident.open(store, get_flow("nudes-sharing"), opening, Settings())
    incident.keep_parts(person)
    return incident


def to_the_end_of_the_part(incident: Incident) -> None:
    session = incident.session
    while not incident.handover_due():
        incident.submit(AnswerInput(session.current.id, default_answer(session), REASON))


# --- the events and the index row -------------------------------------------------------


def test_the_staff_part_ends_at_the_dsls_first_step_with_a_handover_in_the_row(
    store: Store,
) -> None:
    incident = started(store)
    to_the_end_of_the_part(incident)
    assert incident.session.current.id == "scope"
    with pytest.raises(PartRefused):
        incident.submit(AnswerInput("scope", "imagery"))
    handed = incident.hand_over()
    assert handed.kind is EventKind.handover and handed.actor == STAFF.actor()
    assert handed.step == "scope" and handed.data == {
        "part": "dsl",
        "handed_to": "The DSL's part",
    }
    assert handed.prompt and handed.prompt.startswith("Your part is done. The DSL has been told")
    row = store.row(incident.reference)
    assert (row.awaiting, row.handed_by, row.handed_at) == (
        "dsl",
        "B. Lee (member of staff)",
        handed.time,
    )
    assert awaiting_for(DSL, store.rows()) == [row]
    assert awaiting_for(STAFF, store.rows()) == [] and awaiting_for(HEAD, store.rows()) == []
    # the member of staff can no longer continue it; the DSL can
    assert not may_continue_row(STAFF, "blee", row)
    with pytest.raises(Refused, match="your part is done and it was handed over at"):
        require_continue_row(STAFF, "blee", row)
    assert may_continue_row(DSL, "blee", row)

    incident.keep_parts(DSL)
    taken = incident.take_over(DSL.actor())
    assert taken.kind is EventKind.takeover and taken.actor == DSL.actor()
    assert taken.data == {"part": "dsl", "taken_part": "The DSL's part"}
    incident.submit(AnswerInput("scope", "imagery"))
    row = store.row(incident.reference)
    assert row.awaiting is None and row.handed_by == "B. Lee (member of staff)"
    actors = [(e.kind, e.actor.login) for e in store.events(row.id)]
    assert actors[-3:] == [
        (EventKind.handover, "blee"),
        (EventKind.takeover, "akhan"),
        (EventKind.answer, "akhan"),
    ]
    assert not may_continue_row(STAFF, "blee", row)  # still the DSL's, never back
    assert verify_store(store.root, KEY).ok


def test_the_store_refuses_a_takeover_with_nothing_handed_over_and_two_handovers(
    store: Store,
) -> None:
    row = store.new_incident(flow=FLOW, actor=STAFF.actor(), details={"pupil": "P-1"})
    with pytest.raises(AppendRefused, match="nothing to take over"):
        store.append(row.id, kind=EventKind.takeover, actor=DSL.actor(), data={"part": "dsl"})
    store.append(row.id, kind=EventKind.handover, actor=STAFF.actor(), data={"part": "dsl"})
    with pytest.raises(AppendRefused, match="already handed over"):
        store.append(row.id, kind=EventKind.handover, actor=STAFF.actor(), data={"part": "dsl"})
    with pytest.raises(AppendRefused, match="must name its part"):
        store.append(row.id, kind=EventKind.takeover, actor=DSL.actor(), data={})
    store.append(row.id, kind=EventKind.takeover, actor=DSL.actor(), data={"part": "dsl"})
    store.append(row.id, kind=EventKind.sealed, actor=DSL.actor(), data={"outcome": "x"})
    with pytest.raises(AppendRefused, match="is sealed"):  # hand-overs come before the seal
        store.append(row.id, kind=EventKind.handover, actor=DSL.actor(), data={"part": "head"})


def test_rows_written_before_hand_overs_still_verify(store: Store) -> None:
    row = store.new_incident(flow=FLOW, actor=STAFF.actor(), details={"pupil": "P-1"})
    store.append(row.id, kind=EventKind.answer, actor=STAFF.actor(), step="a", answer="b")
    path = shard_path(store.root, row.id)
    shard = json.loads(path.read_bytes())
    for stored in shard["incidents"].values():
        for name in ("awaiting", "handed_by", "handed_at"):
            del stored[name]
    path.write_bytes(dump_record_json(shard))  # as an earlier version wrote it
    assert verify_store(store.root, KEY).ok
    assert store.row(row.reference).awaiting is None


def test_on_one_computer_the_hand_over_still_happens_and_the_dsl_gives_her_name(
    store: Store,
) -> None:
    incident = started(store, None)
    to_the_end_of_the_part(incident)
    incident.hand_over()
    with pytest.raises(PartRefused):  # nobody answers until it is taken over
        incident.submit(AnswerInput("scope", "imagery"))
    incident.take_over(Actor(name="A. Khan", role="DSL"))
    incident.submit(AnswerInput("scope", "imagery"))
    events = store.events(incident.row.id)
    assert [e.actor.name for e in events[-3:]] == ["J. Tutor", "A. Khan", "A. Khan"]
    assert may_take_over(None, "dsl")


def test_the_head_continues_an_incident_only_at_the_heads_part(store: Store) -> None:
    row = store.new_incident(flow=FLOW, actor=STAFF.actor(), details={"pupil": "P-1"})
    store.append(row.id, kind=EventKind.handover, actor=STAFF.actor(), data={"part": "dsl"})
    store.append(row.id, kind=EventKind.takeover, actor=DSL.actor(), data={"part": "dsl"})

    def state() -> tuple[IndexRow, str | None]:
        return store.row(row.id), part_taken_by(store.events(row.id))

    # the DSL's part in progress: the head reads it, and cannot hold it on a step screen
    assert not may_continue_row(HEAD, "blee", *state())
    with pytest.raises(Refused, match="the head gives the head's input where the procedure"):
        require_continue_row(HEAD, "blee", *state())
    store.append(row.id, kind=EventKind.handover, actor=DSL.actor(), data={"part": "head"})
    assert may_continue_row(HEAD, "blee", *state())  # awaiting the head: taken over next
    store.append(row.id, kind=EventKind.takeover, actor=HEAD.actor(), data={"part": "head"})
    assert state()[1] == "dpatel" and may_continue_row(HEAD, "blee", *state())
    other_head = Person("ehead", "E. Head", Role.head)
    assert not may_continue_row(other_head, "blee", *state())
    store.append(row.id, kind=EventKind.handover, actor=HEAD.actor(), data={"part": "dsl"})
    assert not may_continue_row(HEAD, "blee", *state())  # back with the DSL


def test_the_head_takes_over_only_the_heads_part(store: Store) -> None:
    assert may_take_over(HEAD, "head") and not may_take_over(HEAD, "dsl")
    assert may_take_over(DSL, "dsl") and not may_take_over(DSL, "head")
    assert not may_take_over(STAFF, "dsl") and not may_take_over(STAFF, "staff")


# --- list --awaiting --------------------------------------------------------------------


def run_answers(tmp_path: Path, answers: dict, *extra: str) -> int:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(answers), encoding="utf-8")
    return main([*dirs_of(tmp_path), "run", "nudes-sharing", "--answers", str(path), *extra])


def dirs_of(tmp_path: Path) -> list[str]:
    return ["--data-dir", str(tmp_path / "data"), "--config-dir", str(tmp_path / "config")]


def nudes_answers() -> dict:
    return json.loads((EXAMPLES / "nudes-sharing.answers.json").read_text())


def staff_part_only() -> dict:
    answers = nudes_answers()
    del answers["parts"]
    answers["answers"] = answers["answers"][
        : [a["step"] for a in answers["answers"]].index("scope")
    ]
    return answers


def test_an_answers_file_of_the_staff_part_records_the_hand_over_and_is_listed_awaiting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_answers(tmp_path, staff_part_only()) == 0
    out = capsys.readouterr().out
    assert "Handed over at step 'scope' (The DSL's part)" in out
    assert run_answers(tmp_path, nudes_answers()) == 0  # the whole file: taken, sealed
    capsys.readouterr()
    assert main([*dirs_of(tmp_path), "list", "--awaiting"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["REFERENCE", "FLOW", "AWAITING", "HANDED", "OVER", "BY", "PUPIL"]
    assert len(lines) == 2 and "the DSL" in lines[1] and "J. Tutor (form tutor)" in lines[1]
    assert main([*dirs_of(tmp_path), "list", "--awaiting", "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert row["awaiting"] == "dsl" and row["handed_by"] == "J. Tutor (form tutor)"
    assert row["handed_at"] and row["status"] == "open"


def test_an_answers_file_refuses_answers_for_a_part_with_nobody_for_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = nudes_answers()
    del answers["parts"]
    assert run_answers(tmp_path, answers) == 1
    err = capsys.readouterr().err
    position = [a["step"] for a in answers["answers"]].index("scope") + 1
    assert f"entry {position} (step 'scope'): step 'scope' is in 'The DSL's part'" in err
    assert '"parts": {"dsl": {"actor": "A. Khan", "role": "DSL"}}' in err
    assert not (tmp_path / "data" / "live" / "incidents").exists() or not list(
        (tmp_path / "data" / "live" / "incidents").iterdir()
    )


@pytest.mark.parametrize(
    ("parts", "said"),
    [
        ({"staff": {"actor": "X", "role": "Y"}}, "the staff part is answered by the file's"),
        ({"teacher": {"actor": "X", "role": "Y"}}, "parts.teacher: not a part"),
        ({"dsl": {"actor": "X"}}, "'actor' and 'role' must both be given"),
        ({"dsl": {"actor": "X", "role": "DSL", "login": "x"}}, "expected {"),
        ({"dsl": {"actor": " ", "role": "DSL"}}, "parts.dsl: "),
        ("dsl", "'parts' must be an object"),
    ],
)
def test_a_bad_parts_entry_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], parts: object, said: str
) -> None:
    answers = nudes_answers()
    answers["parts"] = parts
    assert run_answers(tmp_path, answers) == 1
    assert said in capsys.readouterr().err


def test_over_ssh_list_awaiting_is_allowed_as_list_is() -> None:
    assert remote_refusal(DSL, "list --awaiting --json") is None
    assert remote_refusal(STAFF, "list --awaiting") is None
    trainer = Person("etrain", "E. Trainer", Role.trainer)
    assert "cannot read the live record" in (remote_refusal(trainer, "list --awaiting") or "")
