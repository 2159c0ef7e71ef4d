"""`incident-tui note REF TEXT` on one computer: one append, as the name typed, with the
same text rules as the note box; refused while another session continues the incident."""

from __future__ import annotations

import pytest

from incident_tui.cli import main
from incident_tui.record.access import open_record
from incident_tui.record.events import Actor, EventKind, FlowRef
from tests.tui_helpers import Dirs

FLOW = FlowRef(id="search-confiscation", version="1.0", hash="ab" * 32)


def started(isolated: Dirs) -> str:
    with open_record(isolated.paths, "live", write=True) as store:
        row = store.new_incident(
            flow=FLOW, actor=Actor(name="J. Tutor", role="form tutor"), details={"pupil": "AB"}
        )
        return row.reference


def events(isolated: Dirs, reference: str) -> list:
    with open_record(isolated.paths, "live") as store:
        return store.events(store.row(reference).id)


def test_a_note_is_recorded_as_the_name_typed_and_said_so(
    isolated: Dirs, capsys: pytest.CaptureFixture[str]
) -> None:
    reference = started(isolated)
    code = main(["note", reference, "  Parent phoned back at 3pm  ", "--actor", "J. Tutor"])
    assert code == 0
    assert f"Recorded: a note on incident {reference} (event 1), as J. Tutor" in (
        capsys.readouterr().out
    )
    note = events(isolated, reference)[-1]
    assert note.kind is EventKind.note and note.answer == "Parent phoned back at 3pm"
    assert (note.actor.name, note.actor.role) == ("J. Tutor", "staff")


@pytest.mark.parametrize(
    ("words", "said"),
    [
        (["A note"], "say who is adding the note: --actor NAME"),
        (["   ", "--actor", "J. Tutor"], "the note: a note needs some text"),
        (["x" * 501, "--actor", "J. Tutor"], "the note:"),
        (["Call \x1b[2Jme", "--actor", "J. Tutor"], "control"),
    ],
)
def test_a_note_without_a_name_or_with_bad_text_records_nothing(
    isolated: Dirs, capsys: pytest.CaptureFixture[str], words: list[str], said: str
) -> None:
    reference = started(isolated)
    assert main(["note", reference, *words]) != 0
    err = capsys.readouterr().err
    assert said in err and "\x1b" not in err
    assert [e.kind for e in events(isolated, reference)] == [EventKind.opened]


def test_a_note_is_refused_while_another_session_continues_the_incident(
    isolated: Dirs, capsys: pytest.CaptureFixture[str]
) -> None:
    reference = started(isolated)
    with open_record(isolated.paths, "live", write=True) as store:
        store.hold(store.row(reference).id, Actor(name="A. Khan", role="DSL"))
        assert main(["note", reference, "A note", "--actor", "J. Tutor"]) != 0
        assert "A. Khan" in capsys.readouterr().err
    assert [e.kind for e in events(isolated, reference)] == [EventKind.opened]
