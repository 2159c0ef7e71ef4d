"""Damage to one file costs that incident only: the school keeps recording, and the damage is named.

An emptied index file, a deleted index, an edited incident file and an
interrupted opening each leave every other incident readable and new
incidents recordable; the damage is listed (exit 1), never silently dropped,
and a reference is never given out twice.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from incident_tui.cli import main
from incident_tui.record.events import Actor, EventKind, FlowRef
from incident_tui.record.keys import load_or_create_key
from incident_tui.record.store import (
    AppendRefused,
    Store,
    incident_path,
    index_dir,
    shard_path,
)
from incident_tui.record.verify import verify_store

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
FLOW = FlowRef(id="searching", version="1.0", hash="cd" * 32)
ANN = Actor(name="Ann Smith", role="teacher")


class School:
    def __init__(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.data, self.config, self.capsys = tmp_path / "data", tmp_path / "config", capsys
        self.root = self.data / "live"
        self.key = load_or_create_key(self.config / "record.key")

    def writer(self) -> Store:
        return Store.open(self.root, key=self.key, mode="live")

    def incident(self, answers: int = 1, seal: bool = True) -> str:
        with self.writer() as store:
            row = store.new_incident(flow=FLOW, actor=ANN, details={"pupil": "P-1"})
            for n in range(answers):
                store.append(row.id, kind=EventKind.answer, actor=ANN, step=f"s{n}", answer="y")
            if seal:
                store.append(row.id, kind=EventKind.sealed, actor=ANN, step="end", answer="ok")
            return row.id

    def run(self, *args: str | Path) -> tuple[int, str, str]:
        self.capsys.readouterr()
        code = main(
            ["--data-dir", str(self.data), "--config-dir", str(self.config), *map(str, args)]
        )
        out, err = self.capsys.readouterr()
        assert "Traceback" not in out + err and "unexpected error" not in err
        return code, out, err

    def reference(self, incident_id: str) -> str:
        events = json.loads(incident_path(self.root, incident_id).read_text())["events"]
        return str(events["1"]["data"]["reference"])


@pytest.fixture
def school(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    return School(tmp_path, capsys)


def record_from_file(school: School) -> str:
    """`incident-tui run` of the shipped example; returns the reference printed."""
    code, out, err = school.run(
        "run", "search-confiscation", "--answers", EXAMPLES / "search-confiscation.answers.json"
    )
    assert code == 0, err
    return out.split()[1]


# --- item 2: one damaged index file ----------------------------------------------------


@pytest.mark.parametrize("last_written", [False, True], ids=["earlier", "last-written"])
def test_an_emptied_index_file_never_stops_a_new_incident(
    school: School, last_written: bool
) -> None:
    first = school.incident()
    second = school.incident()
    damaged = second if last_written else first
    shard_path(school.root, damaged).write_bytes(b"")

    reference = record_from_file(school)  # `run` opens, records and seals
    with school.writer() as store:  # and so does the app's writer (it opened at all)
        row = store.new_incident(flow=FLOW, actor=ANN, details={"pupil": "P-2"})
        assert shard_path(school.root, row.id) != shard_path(school.root, damaged)
        assert row.reference not in (school.reference(first), school.reference(second))
    assert reference != row.reference

    code, out, err = school.run("list")
    assert code == 1 and str(shard_path(school.root, damaged)) in err
    (line,) = [line for line in out.splitlines() if school.reference(damaged) in line]
    assert "DAMAGED" in line
    code, out, _ = school.run("verify")
    assert code == 1 and "no-index-row" in out and "unreadable" in out


# --- item 3: a deleted index -------------------------------------------------------------


def test_a_deleted_index_is_damage_and_its_references_are_never_reused(school: School) -> None:
    ids = [school.incident() for _ in range(3)]
    references = {school.reference(i) for i in ids}
    shutil.rmtree(index_dir(school.root))

    code, out, err = school.run("list")
    assert code == 1
    assert "no incidents recorded" not in out
    for incident_id in ids:
        assert str(incident_path(school.root, incident_id)) in err
    for reference in references:
        (line,) = [line for line in out.splitlines() if line.startswith(reference)]
        assert "DAMAGED" in line

    new = record_from_file(school)
    assert new not in references
    assert new.endswith("-004")
    code, out, _ = school.run("verify")
    assert code == 1 and out.count("no-index-row") == 3


def test_an_incident_without_its_row_cannot_be_added_to(school: School) -> None:
    incident_id = school.incident(seal=False)
    shard_path(school.root, incident_id).unlink()
    with school.writer() as store, pytest.raises(AppendRefused, match="no row in the index"):
        store.append(incident_id, kind=EventKind.note, actor=ANN, answer="more")


# --- item 9: a writer never rewrites what it cannot verify --------------------------------


def test_an_incident_with_a_changed_event_is_not_appended_to(school: School) -> None:
    incident_id = school.incident(answers=6, seal=False)
    path = incident_path(school.root, incident_id)
    data = json.loads(path.read_bytes())
    data["events"]["6"]["answer"] = "n"  # event 5 no longer matches its hash
    path.write_bytes(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode())
    before = path.read_bytes()
    refused = pytest.raises(AppendRefused, match="event 5 fails its hash-chain check")
    with school.writer() as store, refused:
        store.append(incident_id, kind=EventKind.note, actor=ANN, answer="more")
    assert path.read_bytes() == before


def test_a_hand_edit_that_verify_sees_survives_an_attempted_append(school: School) -> None:
    incident_id = school.incident(answers=2, seal=False)
    path = incident_path(school.root, incident_id)
    path.write_bytes(json.dumps(json.loads(path.read_bytes()), indent=2).encode())
    edited = path.read_bytes()
    assert any(
        "edited by hand" in f.message for f in verify_store(school.root, school.key).findings
    )
    with school.writer() as store, pytest.raises(AppendRefused, match="edited by hand"):
        store.append(incident_id, kind=EventKind.note, actor=ANN, answer="more")
    assert path.read_bytes() == edited
    assert any(
        "edited by hand" in f.message for f in verify_store(school.root, school.key).findings
    )


# --- item 10: interrupted openings ------------------------------------------------------


def test_an_interrupted_opening_is_not_counted_promised_away_or_reused(school: School) -> None:
    school.incident()
    with school.writer() as store:
        row = store.new_incident(flow=FLOW, actor=ANN, details={"pupil": "P-9"})
    # what a kill between the index row and the incident file leaves
    incident_path(school.root, row.id).unlink()
    document = json.loads(shard_path(school.root, row.id).read_text())
    for entry in document["incidents"].values():
        if entry["id"] == row.id:
            entry.update(event_count=0, head_hash="0" * 64)
    shard_path(school.root, row.id).write_text(json.dumps(document, separators=(",", ":")))

    code, out, _ = school.run("list")
    assert code == 0 and row.reference not in out
    listed = len([line for line in out.splitlines()[1:] if line.strip()])
    code, out, _ = school.run("verify")
    assert code == 0, out
    assert out.splitlines()[-1].startswith(f"{listed} incident, ")
    assert f"reference {row.reference} is never given out again" in out
    assert "tidied up" not in out
    assert record_from_file(school) != row.reference


# --- item 5: a full disk in the middle of `run` ----------------------------------------


def test_a_full_disk_mid_run_names_the_incident_left_open_and_how_to_finish_it(
    school: School, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno
    import os

    from incident_tui.record import storage

    real, calls = os.write, [0]

    def filling(fd: int, data: bytes) -> int:  # the disk fills up after a few saves
        calls[0] += 1
        if calls[0] > 13:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(fd, data)

    monkeypatch.setattr(storage.os, "write", filling)
    code, out, err = school.run(
        "run", "search-confiscation", "--answers", EXAMPLES / "search-confiscation.answers.json"
    )
    monkeypatch.undo()
    assert code == 1 and "the disk is full" in err
    with Store.open(school.root, key=school.key, mode="live", readonly=True) as store:
        (row,) = store.rows()
    assert row.status == "open"
    assert f"Incident {row.reference} was opened from" in err
    assert f"{row.event_count} events recorded" in err
    assert f"resume {row.reference} in the app" in err and "Do not run this file again" in err
