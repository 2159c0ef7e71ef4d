"""`incident-tui run`: a paper record or a drill entered from a file of answers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from incident_tui.cli import main
from incident_tui.record.events import EventKind
from incident_tui.record.keys import load_or_create_key
from incident_tui.record.store import Store

pytestmark = pytest.mark.usefixtures("fixed_today")  # the examples' dates are after it

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture
def dirs(tmp_path: Path) -> list[str]:
    return ["--data-dir", str(tmp_path / "data"), "--config-dir", str(tmp_path / "config")]


def read_store(tmp_path: Path, training: bool = False) -> Store:
    key = load_or_create_key(tmp_path / "config" / "record.key")
    root = tmp_path / "data" / ("training" if training else "live")
    return Store.open(root, key=key, mode="training" if training else "live", readonly=True)


@pytest.mark.parametrize("example", sorted(EXAMPLES.glob("*.answers.json")), ids=lambda p: p.name)
def test_each_shipped_example_records_a_sealed_verified_incident(
    example: Path, dirs: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    flow_id = example.name.removesuffix(".answers.json")
    assert main([*dirs, "run", flow_id, "--answers", str(example)]) == 0
    out = capsys.readouterr().out
    assert "Sealed. Seal code:" in out
    with read_store(tmp_path) as store:
        (row,) = store.rows()
        events = store.events(row.id)
    assert row.reference in out
    assert row.status == "sealed"
    assert events[0].kind is EventKind.opened
    assert events[0].data["entered_from"] == example.name
    assert events[-1].kind is EventKind.sealed
    answered = [e for e in events if e.kind in (EventKind.answer, EventKind.override)]
    assert len(answered) == len(json.loads(example.read_text())["answers"])
    from incident_tui.record.verify import verify_store

    key = load_or_create_key(tmp_path / "config" / "record.key")
    assert verify_store(tmp_path / "data" / "live", key).ok


def write(tmp_path: Path, answers: object) -> str:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(answers), encoding="utf-8")
    return str(path)


def nudes_answers() -> dict:
    return json.loads((EXAMPLES / "nudes-sharing.answers.json").read_text())


def test_a_bad_entry_is_named_and_nothing_is_recorded(
    dirs: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = nudes_answers()
    answers["answers"][3]["answer"] = "look-to-check"  # breaks the no-viewing interlock
    assert main([*dirs, "run", "nudes-sharing", "--answers", write(tmp_path, answers)]) == 1
    err = capsys.readouterr().err
    assert "entry 4: step 'what-now'" in err
    assert "breaks a rule" in err
    assert not (tmp_path / "data" / "live" / "incidents").exists() or not any(
        (tmp_path / "data" / "live" / "incidents").iterdir()
    )


def test_a_missing_reason_is_named(
    dirs: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = nudes_answers()
    index = next(n for n, a in enumerate(answers["answers"]) if a["step"] == "trigger-adult")
    del answers["answers"][index]["rationale"]
    assert main([*dirs, "run", "nudes-sharing", "--answers", write(tmp_path, answers)]) == 1
    err = capsys.readouterr().err
    assert f"entry {index + 1}: step 'trigger-adult': a reason is required" in err


def test_malformed_json_names_the_file_and_line(
    dirs: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "answers.json"
    path.write_text('[\n{"step": "how-aware",\n "answer": }\n]', encoding="utf-8")
    assert main([*dirs, "run", "nudes-sharing", "--answers", str(path), "--actor", "A"]) == 1
    assert f"{path}:3: not valid JSON" in capsys.readouterr().err


def test_an_amendment_entry_is_recorded_as_an_amendment(
    dirs: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = nudes_answers()
    answers["answers"].insert(
        14,
        {
            "step": "pupils",
            "answer": "Y10-4821 (Year 10, age 15)",
            "amend": True,
            "reason": "Added the pupil's age",
        },
    )
    assert main([*dirs, "run", "nudes-sharing", "--answers", write(tmp_path, answers)]) == 0
    with read_store(tmp_path) as store:
        (row,) = store.rows()
        events = store.events(row.id)
    (amendment,) = [e for e in events if e.kind is EventKind.amendment]
    amended = next(e for e in events if e.seq == amendment.data["amends"])
    assert amended.step == "pupils" and amended.answer == "Y10-4821 (Year 10)"
    assert amendment.answer == "Y10-4821 (Year 10, age 15)"
    assert row.amendments == 1


def test_training_runs_never_reach_the_live_store(
    dirs: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    example = str(EXAMPLES / "nudes-sharing.answers.json")
    assert main([*dirs, "run", "nudes-sharing", "--answers", example, "--training"]) == 0
    with read_store(tmp_path, training=True) as store:
        assert [r.mode for r in store.rows()] == ["training"]
    live = tmp_path / "data" / "live"
    assert not live.exists() or not any((live / "incidents").glob("*"))


def test_stopping_short_leaves_the_incident_open(
    dirs: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = nudes_answers()
    answers["answers"] = answers["answers"][:5]
    assert main([*dirs, "run", "nudes-sharing", "--answers", write(tmp_path, answers)]) == 0
    assert "Left open at step 'report-to'" in capsys.readouterr().out
    with read_store(tmp_path) as store:
        (row,) = store.rows()
    assert row.status == "open"


def test_refer_now_entry_leaves_the_path_for_the_referral_route(
    dirs: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = nudes_answers()
    head = answers["answers"][:4]  # through 'what-now'
    rest = [a for a in answers["answers"] if a["step"] in REFERRAL_ROUTE]
    for entry in rest:
        if entry["step"] == "more-devices":
            entry["answer"] = "none"  # no device was secured before the referral
    for entry in rest:
        if entry["step"] == "refer-now":
            entry.update(answer="csc", rationale="Pupil says an older pupil is pressuring her")
    rest = [a for a in rest if a["step"] != "police-route"]  # social care only
    answers["answers"] = [*head, {"refer_now": True}, *rest]
    assert main([*dirs, "run", "nudes-sharing", "--answers", write(tmp_path, answers)]) == 0
    out = capsys.readouterr().out
    assert "Outcome: Referred to children's social care\n" in out
    with read_store(tmp_path) as store:
        (row,) = store.rows()
        events = store.events(row.id)
    (refer,) = [e for e in events if e.kind is EventKind.refer_now]
    assert refer.step == "accidental-view" and refer.data == {"to": "refer-now"}
    # no answer raised a risk: the referral is not recorded as an escalation
    assert not [e for e in events if e.kind is EventKind.escalation]
    assert row.escalations == 0
    # refer now from the staff part leads to the DSL's referral step: the member of
    # staff hands over there and the DSL takes over, before the agency is chosen
    handed, taken, chosen = events[refer.seq + 1 : refer.seq + 4]
    assert handed.kind is EventKind.handover and handed.actor.name == "J. Tutor"
    assert (handed.step, handed.data["part"]) == ("refer-now", "dsl")
    assert taken.kind is EventKind.takeover and taken.actor.name == "A. Khan"
    assert chosen.step == "refer-now" and chosen.answer == "csc"
    assert chosen.actor.name == "A. Khan"
    assert chosen.data["referred_to"] == ["Children's social care (MASH / front door)"]
    assert chosen.rationale == "Pupil says an older pupil is pressuring her"
    assert events[-1].data["outcome"] == "Referred to children's social care"
    assert main([*dirs, "show", row.reference]) == 0
    shown = capsys.readouterr().out
    assert "REFER NOW" in shown and "ESCALATION" not in shown
    assert "Referred to: Children's social care (MASH / front door)" in shown


REFERRAL_ROUTE = {
    "refer-now",
    "referral-details",
    "delete-nothing",
    "more-devices",
    "agency-advice",
    "referred-support",
    "sextortion-check",
    "sextortion-advice",
    "referred-parents",
    "police-route",
    "referred-review",
}


def test_a_lost_key_is_never_replaced_while_incidents_are_recorded(
    dirs: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    example = str(EXAMPLES / "nudes-sharing.answers.json")
    assert main([*dirs, "run", "nudes-sharing", "--answers", example]) == 0
    key_file = tmp_path / "config" / "record.key"
    key_file.unlink()
    capsys.readouterr()
    assert main([*dirs, "run", "nudes-sharing", "--answers", example]) == 1
    assert f"the record key {key_file} is missing" in capsys.readouterr().err
    assert not key_file.exists()


def test_the_record_shows_the_wording_of_each_chosen_option(
    dirs: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from incident_tui.flow.available import get_flow

    example = str(EXAMPLES / "search-confiscation.answers.json")
    assert main([*dirs, "run", "search-confiscation", "--answers", example]) == 0
    with read_store(tmp_path) as store:
        (row,) = store.rows()
    capsys.readouterr()
    assert main([*dirs, "show", row.reference]) == 0
    shown = capsys.readouterr().out
    step = get_flow("search-confiscation").flow.step("search-type")
    label = next(c.label for c in step.choices if c.id == "search")
    assert f"Answer: {label}\n" in shown
    assert "[search]" not in shown and "Step: search-type" not in shown  # ids are for JSON


def search_answers_with_the_exception(**exception: object) -> dict:
    """The shipped search example, with the bag searched while no witness could come."""
    answers = json.loads((EXAMPLES / "search-confiscation.answers.json").read_text())
    entry = next(a for a in answers["answers"] if a["step"] == "possessions-witness")
    entry.update(
        answer="not-present",
        override="serious-harm-exception",
        rationale="He said the knife was for a pupil waiting at the gate; no one else was free.",
        **exception,
    )
    return answers


def test_an_exception_without_its_conditions_confirmed_is_refused_naming_the_entry(
    dirs: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = search_answers_with_the_exception()
    file = write(tmp_path, answers)
    assert main([*dirs, "run", "search-confiscation", "--answers", file]) == 1
    err = capsys.readouterr().err
    assert "entry 6: step 'possessions-witness'" in err
    assert "needs every condition confirmed" in err
    assert "serious harm will follow" in err and "(no-pupil-and-witness)" in err
    incidents = tmp_path / "data" / "live" / "incidents"
    assert not incidents.exists() or not any(incidents.iterdir())


def test_an_unknown_condition_id_is_named(
    dirs: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = search_answers_with_the_exception(confirm=["serious-harm", "no-other-staff"])
    file = write(tmp_path, answers)
    assert main([*dirs, "run", "search-confiscation", "--answers", file]) == 1
    err = capsys.readouterr().err
    assert "entry 6: step 'possessions-witness'" in err
    assert "no condition 'no-other-staff'" in err


def test_an_exception_with_every_condition_confirmed_is_recorded_with_them(
    dirs: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = search_answers_with_the_exception(confirm=["serious-harm", "no-pupil-and-witness"])
    file = write(tmp_path, answers)
    assert main([*dirs, "run", "search-confiscation", "--answers", file]) == 0
    with read_store(tmp_path) as store:
        (row,) = store.rows()
        events = store.events(row.id)
    (override,) = [e for e in events if e.kind is EventKind.override]
    assert override.step == "possessions-witness"
    assert override.data["confirmed"] == ["serious-harm", "no-pupil-and-witness"]
    assert len(override.data["conditions"]) == 2
    assert row.overrides == 1


def nudes_with_review_date(typed: str) -> dict:
    answers = nudes_answers()
    answers["answers"][-1] = {"step": "referred-review", "answer": typed}
    return answers


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("next friday", "give a date as YYYY-MM-DD or DD/MM/YYYY, e.g. 2026-12-08 or 08/12/2026"),
        ("30/11/2026", "2026-11-30 has already passed: give today (2026-12-01) or a later date"),
    ],
)
def test_a_review_date_that_is_not_a_date_or_already_past_is_refused_naming_the_entry(
    typed: str, said: str, dirs: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = nudes_with_review_date(typed)
    file = write(tmp_path, answers)
    assert main([*dirs, "run", "nudes-sharing", "--answers", file]) == 1
    err = capsys.readouterr().err
    assert f"entry {len(answers['answers'])}: step 'referred-review': {said}" in err
    incidents = tmp_path / "data" / "live" / "incidents"
    assert not incidents.exists() or not any(incidents.iterdir())


def test_a_review_date_typed_the_uk_way_is_recorded_as_iso_and_still_resumes_once_past(
    dirs: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import datetime

    from incident_tui import dates
    from incident_tui.flow.available import get_flow
    from incident_tui.incident import Incident
    from incident_tui.record.events import Actor
    from incident_tui.settings import Settings

    file = write(tmp_path, nudes_with_review_date("15/01/2027"))
    assert main([*dirs, "run", "nudes-sharing", "--answers", file, "--no-seal"]) == 0
    with read_store(tmp_path) as store:
        (row,) = store.rows()
        (review,) = [e for e in store.events(row.id) if e.step == "referred-review"]
    assert review.answer == "2027-01-15"
    monkeypatch.setattr(dates, "now", lambda: datetime(2027, 3, 1, 9, 0))  # the date has passed
    key = load_or_create_key(tmp_path / "config" / "record.key")
    with Store.open(tmp_path / "data" / "live", key=key, mode="live") as store:
        incident = Incident.resume(
            store, get_flow("nudes-sharing"), row.reference, Settings(), Actor(name="A", role="B")
        )
        assert incident.session.ended
        incident.seal()


def search_answers(found: list[str], *disposal: dict, police: dict | None = None) -> dict:
    """The shipped search example with other items found and handled."""
    answers = json.loads((EXAMPLES / "search-confiscation.answers.json").read_text())
    entries = []
    for entry in answers["answers"]:
        if entry["step"] == "found":
            entry = {**entry, "answer": found}
        if entry["step"] == "disposal-weapon":
            # nothing went to the police here, so whether they were involved is asked
            entries.extend([*disposal, police or {"step": "police-called", "answer": "no"}])
            continue
        entries.append(entry)
    answers["answers"] = entries
    return answers


def nothing_recorded(tmp_path: Path) -> bool:
    incidents = tmp_path / "data" / "live" / "incidents"
    return not incidents.exists() or not any(incidents.iterdir())


@pytest.mark.parametrize(
    ("answers", "refusal"),
    [
        (
            search_answers(
                ["alcohol-tobacco-fireworks"],
                {"step": "disposal-alcohol-tobacco-fireworks", "answer": "returned-to-pupil"},
            ),
            "entry 13: step 'disposal-alcohol-tobacco-fireworks': choosing 'returned-to-pupil' "
            "breaks a rule",
        ),
        (
            search_answers(["stolen"], {"step": "disposal-stolen", "answer": "returned-to-pupil"}),
            "entry 13: step 'disposal-stolen': choosing 'returned-to-pupil' breaks a rule",
        ),
        (
            search_answers(["drugs"], {"step": "disposal-drugs", "answer": "disposed"}),
            "entry 13: step 'disposal-drugs': a reason is required",
        ),
        (
            search_answers(
                ["drugs"],
                {"step": "disposal-drugs", "answer": "disposed", "rationale": "Reason"},
                police={"step": "police-called", "answer": "no"},
            ),
            "entry 14: step 'police-called': 'no' cannot be chosen on this path",
        ),
        (
            search_answers(["weapon"], {"step": "disposal", "answer": "Returned to the pupil"}),
            "entry 13: step 'disposal' is not the current step ('disposal-weapon')",
        ),
    ],
    ids=["alcohol-returned", "stolen-to-pupil", "drug-binned", "no-police-reason", "free-text"],
)
def test_an_answers_file_cannot_record_an_unlawful_disposal(
    answers: dict, refusal: str, dirs: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*dirs, "run", "search-confiscation", "--answers", write(tmp_path, answers)]) == 1
    assert refusal in capsys.readouterr().err
    assert nothing_recorded(tmp_path)


def test_an_answers_file_records_each_item_found_and_what_happened_to_it(
    dirs: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = search_answers(
        ["stolen", "alcohol-tobacco-fireworks"],
        {"step": "disposal-stolen", "answer": "returned-to-owner", "rationale": "Owner known"},
        {"step": "stolen-owner", "answer": "Pupil 234567, 15:20"},
        {"step": "disposal-alcohol-tobacco-fireworks", "answer": "disposed"},
    )
    assert main([*dirs, "run", "search-confiscation", "--answers", write(tmp_path, answers)]) == 0
    with read_store(tmp_path) as store:
        (row,) = store.rows()
        events = store.events(row.id)
    answered = {e.step: e.answer for e in events if e.kind is EventKind.answer}
    assert answered["disposal-stolen"] == "returned-to-owner"
    assert answered["stolen-owner"] == "Pupil 234567, 15:20"
    assert answered["disposal-alcohol-tobacco-fireworks"] == "disposed"


def test_an_answers_file_cannot_correct_a_referral_back_to_the_school_route(
    dirs: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 9 defect 1 through `run`: the entry is named with the procedure's rule,
    and nothing is recorded (the whole file is checked first)."""
    answers = nudes_answers()
    entries = answers["answers"]
    entries = entries[: next(n for n, a in enumerate(entries) if a["step"] == "delete-nothing")]
    for entry in entries:
        if entry["step"] == "scope":
            entry["answer"] = "imagery"
        if entry["step"] == "trigger-coercion":
            entry["answer"] = "no"
    entries.append(
        {"step": "trigger-adult", "answer": "no", "rationale": "No adult", "amend": True}
        | {"reason": "Misheard: the contact is a pupil"}
    )
    entries.append({"step": "head-input", "answer": "Head agrees to manage it in school"})
    answers["answers"] = entries
    answers["parts"]["head"] = {"actor": "D. Patel", "role": "headteacher"}
    assert main([*dirs, "run", "nudes-sharing", "--answers", write(tmp_path, answers)]) == 1
    err = capsys.readouterr().err
    assert f"entry {len(entries)}: step 'head-input': not allowed: Once the police" in err
    assert nothing_recorded(tmp_path)
