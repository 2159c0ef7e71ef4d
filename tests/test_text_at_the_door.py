"""Text that reaches the record is checked at the door; stored text never reaches a terminal raw.

Escape sequences (CSI, OSC), C1 controls and bidi overrides typed or pasted into
any field are refused, naming the entry and why; a record that carries them
anyway (an older version, a hand edit) is printed as visible escapes.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from incident_tui.cli import main
from incident_tui.flow.engine import EngineError
from incident_tui.record import store as store_module
from incident_tui.record.events import Actor, EventKind, FlowRef
from incident_tui.record.keys import load_or_create_key
from incident_tui.record.store import AppendRefused, Store, holds_incidents

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
FLOW = FlowRef(id="searching", version="1.0", hash="cd" * 32)
ANN = Actor(name="Ann Smith", role="teacher")

ESCAPES = {
    "CSI": "\x1b[31m",
    "OSC": "\x1b]0;TITLE\x07",
    "C1": "\x9b2J",
    "bidi": "\u202e",
}


@pytest.fixture
def dirs(tmp_path: Path):
    return ["--data-dir", str(tmp_path / "data"), "--config-dir", str(tmp_path / "config")]


def nudes_answers() -> dict:
    return json.loads((EXAMPLES / "nudes-sharing.answers.json").read_text())


def run_file(tmp_path: Path, dirs: list[str], answers: object, *extra: str) -> int:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(answers), encoding="utf-8")
    return main([*dirs, "run", "nudes-sharing", "--answers", str(path), *extra])


def nothing_recorded(tmp_path: Path) -> bool:
    return not holds_incidents(tmp_path / "data" / "live")


# --- the answers file ------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(ESCAPES))
def test_an_escape_in_a_text_answer_is_refused_naming_the_entry(
    kind: str, tmp_path: Path, dirs: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    answers = nudes_answers()
    position, entry = next(
        (n, e) for n, e in enumerate(answers["answers"], 1) if e["step"] == "device.describe"
    )
    entry["answer"] = "Phone" + ESCAPES[kind] + " in a case"
    assert run_file(tmp_path, dirs, answers) == 1
    err = capsys.readouterr().err
    assert f"entry {position}: step 'device.describe': the answer contains" in err
    assert "at character 6" in err
    assert "\x1b" not in err and "\x9b" not in err and "\u202e" not in err
    assert nothing_recorded(tmp_path)


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("pupil", "Y9\x1b[41m", "'pupil': the pupil reference contains a control character"),
        ("location", "Room\u202e21", "'location': the location contains a text-direction control"),
        ("pupil", "Y9\nAB", "'pupil': the pupil reference contains a control character"),
        ("actor", "x" * 500, "'actor': the name is 500 characters long; at most 120"),
        ("actor", "   ", "'actor': the name is empty"),
        ("pupil", "P" * 50_000, "the pupil reference is 50,000 characters long; at most 40"),
    ],
)
def test_a_bad_name_pupil_or_location_is_refused_in_one_line_naming_the_field(
    field: str,
    value: str,
    expected: str,
    tmp_path: Path,
    dirs: list[str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    answers = nudes_answers()
    answers[field] = value
    assert run_file(tmp_path, dirs, answers) == 1
    err = capsys.readouterr().err
    assert expected in err
    assert str(tmp_path / "answers.json") in err
    assert len(err.strip().splitlines()) == 1
    assert nothing_recorded(tmp_path)


def test_a_long_actor_on_the_command_line_is_named_as_such(
    tmp_path: Path, dirs: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_file(tmp_path, dirs, nudes_answers(), "--actor", "y" * 500) == 1
    err = capsys.readouterr().err
    assert "--actor: the name is 500 characters long; at most 120 can be recorded" in err
    assert "validation error" not in err and "pydantic" not in err


def test_a_reason_over_its_limit_is_refused_naming_the_entry_and_the_limit(
    tmp_path: Path, dirs: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    answers = nudes_answers()
    position, entry = next(
        (n, e) for n, e in enumerate(answers["answers"], 1) if e.get("rationale")
    )
    entry["rationale"] = "r" * 1_000_000
    assert run_file(tmp_path, dirs, answers) == 1
    err = capsys.readouterr().err
    assert f"entry {position}: step '{entry['step']}': the reason is 1,000,000 characters" in err
    assert "at most 1,000 can be recorded" in err
    assert nothing_recorded(tmp_path)


def test_an_answers_file_nested_thousands_deep_gets_one_plain_line(
    tmp_path: Path, dirs: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 5000 + "]" * 5000, encoding="utf-8")
    assert main([*dirs, "run", "nudes-sharing", "--answers", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"{path}: nested too deeply to be an answers file" in err
    assert "unexpected error" not in err and "RecursionError" not in err


def test_a_step_name_with_an_escape_is_echoed_as_a_visible_escape(
    tmp_path: Path, dirs: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_file(tmp_path, dirs, [{"step": "x\x1b]0;OWNED\x07", "answer": "y"}], "--actor", "A")
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\x07" not in err
    assert "\\x1b]0;OWNED\\x07" in err


# --- the engine, the incident and the store ---------------------------------------


def test_the_engine_refuses_an_escape_in_a_reason_and_an_amendment_reason() -> None:
    from incident_tui.flow.available import get_flow
    from incident_tui.flow.engine import AnswerInput, Session

    session = Session(get_flow("nudes-sharing").flow)
    step = session.current.id
    choice = session.choices()[0].id
    with pytest.raises(EngineError, match="the reason contains a control character"):
        session.check(AnswerInput(step, choice, rationale="ok\x1b[2J"))
    session.answer(AnswerInput(step, choice, rationale="ok"), ref=1)
    with pytest.raises(EngineError, match="the reason for the correction contains a text-dir"):
        session.amend(1, AnswerInput(step, choice), "misheard\u202e")


def test_the_store_refuses_unsafe_text_whatever_wrote_it(tmp_path: Path) -> None:
    key = load_or_create_key(tmp_path / "record.key")
    with Store.open(tmp_path / "live", key=key, mode="live") as store:
        with pytest.raises(AppendRefused, match="cannot be opened: the pupil reference contains"):
            store.new_incident(flow=FLOW, actor=ANN, details={"pupil": "\x1b[41mY9"})
        row = store.new_incident(flow=FLOW, actor=ANN, details={"pupil": "Y9"})
        with pytest.raises(AppendRefused, match="the answer contains a control character"):
            store.append(row.id, kind=EventKind.note, actor=ANN, answer="see \x9b2J")
        with pytest.raises(AppendRefused, match="the name contains a control character"):
            store.append(
                row.id, kind=EventKind.note, actor=Actor(name="A\x1b", role="x"), answer="n"
            )
        with pytest.raises(AppendRefused, match="the text of 'referral' is 5,000 characters"):
            store.append(
                row.id,
                kind=EventKind.reviewed,
                actor=ANN,
                data={"review": "referral", "referral": "x" * 5000},
            )
        assert len(store.events(row.id)) == 1


def test_a_review_decision_with_an_escape_is_refused(tmp_path: Path) -> None:
    from incident_tui.review import append_review, review_decisions

    key = load_or_create_key(tmp_path / "record.key")
    decision = next(d for d in review_decisions().decisions if d.reason != "none")
    with Store.open(tmp_path / "live", key=key, mode="live") as store:
        row = store.new_incident(flow=FLOW, actor=ANN, details={"pupil": "Y9"})
        store.append(row.id, kind=EventKind.sealed, actor=ANN, step="end", answer="done")
        with pytest.raises(AppendRefused, match="control character"):
            append_review(store, row.id, ANN, "sign-off", {}, "all done\x1b]0;x\x07")
        assert decision is not None
        assert len(store.events(row.id)) == 2


def test_a_note_over_its_limit_is_refused_by_the_incident(tmp_path: Path) -> None:
    from incident_tui.flow.available import get_flow
    from incident_tui.incident import Incident, Opening, TextRefused
    from incident_tui.settings import Settings

    key = load_or_create_key(tmp_path / "record.key")
    loaded = get_flow("nudes-sharing")
    with Store.open(tmp_path / "live", key=key, mode="live") as store:
        with pytest.raises(TextRefused, match="the location contains a control character"):
            Incident.open(store, loaded, Opening(ANN, "Y9", "Room\x1b[2J"), Settings())
        incident = Incident.open(store, loaded, Opening(ANN, "Y9", "Room 1"), Settings())
        with pytest.raises(EngineError, match="the note is 501 characters long; at most 500"):
            incident.note("n" * 501)
        assert len(store.events(incident.row.id)) == 1


# --- stored text on the way out -----------------------------------------------------


def hand_written_record(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pupil: str) -> None:
    """A record written by an older version, which let control characters through."""
    key = load_or_create_key(tmp_path / "config" / "record.key")
    with monkeypatch.context() as patch:
        patch.setattr(store_module, "unsafe_text", lambda *args: None)
        with Store.open(tmp_path / "data" / "live", key=key, mode="live") as store:
            store.new_incident(flow=FLOW, actor=ANN, details={"pupil": pupil})


@pytest.mark.parametrize("kind", sorted(ESCAPES))
def test_list_prints_a_stored_escape_visibly_in_the_table_and_in_json(
    kind: str,
    tmp_path: Path,
    dirs: list[str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    hand_written_record(tmp_path, monkeypatch, "Y9" + ESCAPES[kind] + "AB")
    capsys.readouterr()
    assert main([*dirs, "list"]) == 0
    out = capsys.readouterr().out
    for char in "\x1b\x07\x9b\u202e":
        assert char not in out
    assert "Y9\\" in out
    assert main([*dirs, "list", "--json"]) == 0
    listed = capsys.readouterr().out
    for char in "\x1b\x07\x9b\u202e":
        assert char not in listed
    assert json.loads(listed)[0]["pupil"] == "Y9" + ESCAPES[kind] + "AB"
