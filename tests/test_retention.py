"""Retention and lawful disposal: the DSL disposes of a child protection file at the
end of retention, and the record still proves what existed and that nothing else moved."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from incident_tui.cli import main
from incident_tui.record.events import Actor, EventKind, FlowRef, event_hash
from incident_tui.record.keys import load_or_create_key
from incident_tui.record.retention import file_retention, recorded_date_of_birth
from incident_tui.record.store import IndexRow, Store, incident_path
from incident_tui.record.tombstone import chain_digest
from incident_tui.record.verify import verify_store
from incident_tui.review.attention import needs_attention

FLOW = FlowRef(id="searching", version="1.0", hash="cd" * 32)
TEACHER = Actor(name="Jane Smith", role="teacher")
SECRET = "found a lock knife in the blue bag"


class School:
    def __init__(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.data = tmp_path / "data"
        self.config = tmp_path / "config"
        self.capsys = capsys
        self.key = load_or_create_key(self.config / "record.key")
        self.root = self.data / "live"

    def run(self, *args: str | Path) -> tuple[int, str, str]:
        self.capsys.readouterr()
        code = main(
            ["--data-dir", str(self.data), "--config-dir", str(self.config), *map(str, args)]
        )
        out, err = self.capsys.readouterr()
        assert "Traceback" not in out + err
        return code, out, err

    def incident(self, pupil: str = "P-1001", seal: bool = True) -> IndexRow:
        with Store.open(self.root, key=self.key, mode="live") as store:
            row = store.new_incident(
                flow=FLOW, actor=TEACHER, details={"pupil": pupil, "location": "Library"}
            )
            store.append(
                row.id,
                kind="answer",
                actor=TEACHER,
                step="found",
                prompt="What was found?",
                answer=SECRET,
            )
            if seal:
                store.append(
                    row.id,
                    kind=EventKind.sealed,
                    actor=TEACHER,
                    step="end",
                    data={"outcome": "police"},
                )
            return store.row(row.id)


@pytest.fixture
def school(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> School:
    return School(tmp_path, capsys)


def dob(school: School, pupil: str = "P-1001", born: str = "1995-03-01") -> None:
    code, out, err = school.run("retention", "dob", pupil, born, "--dsl", "Sam Patel")
    assert code == 0, err


def test_a_disposal_leaves_verify_intact_and_show_says_what_when_who_and_why(
    school: School,
) -> None:
    row = school.incident()
    other = school.incident(pupil="P-2002")
    dob(school)
    code, out, err = school.run(
        "dispose", row.reference, "--dsl", "Sam Patel", "--reason", "pupil is 25; reviewed"
    )
    assert code == 0, err
    assert "content of 4 event(s) was removed" in out
    stored = incident_path(school.root, row.id).read_text()
    assert SECRET not in stored and "P-1001" not in stored and "Library" not in stored

    code, out, err = school.run("verify")
    assert code == 0, out + err
    assert "2 incidents" in out and "intact" in out

    code, out, err = school.run("show", row.reference)
    assert code == 0, err
    assert "DISPOSED OF" in out and "Sam Patel" in out
    assert "pupil is 25; reviewed" in out and "25th birthday" in out  # the settings' rule
    assert SECRET not in out
    code, out, _ = school.run("list")
    assert "disposed" in out and other.reference in out
    code, out, err = school.run("show", other.reference)
    assert SECRET in out  # the other incident is untouched


def test_a_checkpoint_written_before_the_disposal_still_verifies_after_it(school: School) -> None:
    row = school.incident()
    dob(school)
    checkpoint = school.data.parent / "before.json"
    assert school.run("checkpoint", "-o", checkpoint)[0] == 0
    assert school.run("dispose", row.reference, "--dsl", "Sam", "--reason", "due")[0] == 0
    code, out, err = school.run("verify", "--checkpoint", checkpoint)
    assert code == 0, out + err
    assert "matches checkpoint" in out


def test_nothing_is_added_to_an_incident_once_disposed_of(school: School) -> None:
    row = school.incident()
    dob(school)
    school.run("dispose", row.reference, "--dsl", "Sam", "--reason", "due")
    with (
        Store.open(school.root, key=school.key, mode="live") as store,
        pytest.raises(Exception, match="disposed of"),
    ):
        store.append(row.id, kind=EventKind.note, actor=TEACHER, data={"text": "x"})


def test_an_incident_under_a_hold_is_never_disposed_of(school: School) -> None:
    row = school.incident()
    dob(school)
    code, _, err = school.run(
        "retention",
        "hold",
        row.reference,
        "--inquiry",
        "Independent Inquiry",
        "--reason",
        "the inquiry asked schools to keep all files",
        "--dsl",
        "Sam",
    )
    assert code == 0, err
    code, _, err = school.run("dispose", row.reference, "--dsl", "Sam", "--reason", "due")
    assert code != 0 and "retention hold" in err
    assert SECRET in incident_path(school.root, row.id).read_text()
    code, out, _ = school.run("retention")
    assert "HELD" in out
    assert (
        school.run("retention", "lift", row.reference, "--reason", "closed", "--dsl", "Sam")[0] == 0
    )
    assert school.run("dispose", row.reference, "--dsl", "Sam", "--reason", "due")[0] == 0


def test_a_file_not_yet_due_or_without_a_date_of_birth_is_kept(school: School) -> None:
    row = school.incident()
    code, _, err = school.run("dispose", row.reference, "--dsl", "Sam", "--reason", "tidy")
    assert code != 0 and "no date of birth" in err
    dob(school, born="2012-05-01")
    code, _, err = school.run("dispose", row.reference, "--dsl", "Sam", "--reason", "tidy")
    assert code != 0 and "kept until 2037-05-01" in err
    assert verify_store(school.root, school.key).ok


def test_the_date_of_birth_is_recorded_once_for_the_childs_file(school: School) -> None:
    first = school.incident()
    school.incident()
    dob(school)
    code, _, err = school.run("retention", "dob", "P-1001", "1996-01-01", "--dsl", "Sam")
    assert code != 0 and "already recorded" in err and first.reference in err
    code, out, _ = school.run("show", first.reference)
    assert "1995-03-01" in out
    assert "DSL review: Date of birth recorded for the child's file" in out


def test_disposing_of_the_incident_holding_the_date_of_birth_keeps_it_for_the_rest(
    school: School,
) -> None:
    first = school.incident()
    second = school.incident()
    dob(school)  # recorded on the earliest incident, the one disposed of below
    code, _, err = school.run("dispose", first.reference, "--dsl", "Sam", "--reason", "due")
    assert code == 0, err
    with Store.open(school.root, key=school.key, mode="live", readonly=True) as store:
        found = recorded_date_of_birth(store.rows(), "P-1001")
        rows = store.rows()
    assert found is not None and found[0].reference == second.reference
    assert found[1] == "1995-03-01"
    # the second file is still judged, so it can be disposed of in its turn
    assert file_retention(rows, "P-1001", 25, date.today()).due_now
    code, _, err = school.run("dispose", second.reference, "--dsl", "Sam", "--reason", "due")
    assert code == 0, err
    assert verify_store(school.root, school.key).ok


def test_the_attention_queue_shows_files_due_for_retention_review(school: School) -> None:
    due = school.incident()
    kept = school.incident(pupil="P-2002")
    dob(school)
    dob(school, "P-2002", "2014-01-01")
    with Store.open(school.root, key=school.key, mode="live", readonly=True) as store:
        rows = store.rows()
    found = {row.reference: reasons for row, reasons in needs_attention(rows, None)}
    assert any("retention review due" in r for r in found[due.reference])
    assert not any("retention" in r for r in found.get(kept.reference, []))


# --- an attacker's tombstones -------------------------------------------------------


def disposed(school: School) -> IndexRow:
    row = school.incident()
    dob(school)
    assert school.run("dispose", row.reference, "--dsl", "Sam", "--reason", "due")[0] == 0
    return row


def rewrite(school: School, row: IndexRow, change) -> None:  # type: ignore[no-untyped-def]
    path = incident_path(school.root, row.id)
    data = json.loads(path.read_text())
    events = list(data["events"].values())
    events = change(events)
    data["events"] = {str(i + 1): e for i, e in enumerate(events)}
    path.write_text(json.dumps(data, separators=(",", ":"), ensure_ascii=False))


def damage_of(school: School) -> str:
    report = verify_store(school.root, school.key)
    assert not report.ok
    return " ".join(f.message for f in report.damage())


def test_a_changed_hash_in_a_tombstone_is_caught(school: School) -> None:
    row = disposed(school)

    def change(events):  # type: ignore[no-untyped-def]
        events[1]["hash"] = "0" * 64
        events[2]["prev"] = "0" * 64
        return events

    rewrite(school, row, change)
    assert "not the ones the disposal recorded" in damage_of(school)


def test_an_entry_removed_from_a_tombstone_is_caught(school: School) -> None:
    row = disposed(school)
    rewrite(school, row, lambda events: [events[0], *events[2:]])
    assert "tombstone" in damage_of(school)


def test_content_cut_out_by_hand_with_a_forged_disposal_is_caught(school: School) -> None:
    """Someone without the record key empties an incident and writes a disposal event
    of their own (its hash computed correctly): the index never signed it."""
    row = school.incident()

    def forge(events):  # type: ignore[no-untyped-def]
        stubs = [
            {
                "incident": e["incident"],
                "seq": e["seq"],
                "prev": e["prev"],
                "hash": e["hash"],
                "disposed": True,
            }
            for e in events
        ]
        body = {
            **events[0],
            "seq": len(events),
            "kind": "disposed",
            "prev": events[-1]["hash"],
            "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "data": {
                "reference": row.reference,
                "rule": "forged",
                "disposed_events": len(events),
                "chain_digest": chain_digest([e["hash"] for e in events]),
            },
        }
        body.pop("hash")
        return [*stubs, {**body, "hash": event_hash(body)}]

    rewrite(school, row, forge)
    assert "the index has not signed" in damage_of(school)
    code, out, err = school.run("verify")
    assert code == 1 and "DAMAGED" in out


def test_events_emptied_with_no_disposal_recorded_are_caught(school: School) -> None:
    row = school.incident()

    def empty(events):  # type: ignore[no-untyped-def]
        first = events[0]
        return [
            {
                "incident": first["incident"],
                "seq": 0,
                "prev": first["prev"],
                "hash": first["hash"],
                "disposed": True,
            },
            *events[1:],
        ]

    rewrite(school, row, empty)
    assert "no disposal is recorded" in damage_of(school)


def test_settings_name_the_schools_own_rule(school: School) -> None:
    (school.config).mkdir(parents=True, exist_ok=True)
    (school.config / "config.toml").write_text(
        '[school]\nname = "Oak"\n\n[retention]\nreview_at_age = 30\nrule = "Trust rule 7"\n'
    )
    row = school.incident()
    dob(school, born="2000-01-01")
    code, _, err = school.run("dispose", row.reference, "--dsl", "Sam", "--reason", "due")
    assert code != 0 and "2030-01-01" in err
    assert date.today() < date(2030, 1, 1)


def test_no_copy_of_the_index_keeps_a_disposed_pupil_or_place(
    school: School, monkeypatch: pytest.MonkeyPatch
) -> None:
    from incident_tui.record import index_cache

    monkeypatch.setattr(index_cache, "_RACY_NS", 0)  # the caches keep what was just written

    def holding(text: str) -> list[Path]:
        files = (path for path in school.root.rglob("*") if path.is_file())
        return [path for path in files if text in path.read_text(errors="replace")]

    row = school.incident(pupil="P-1001")
    school.incident(pupil="P-2002")
    dob(school)
    assert school.run("list", "--json")[0] == 0  # the caches are made
    assert school.run("list", "--json")[0] == 0
    kept = {path.name for path in holding("P-1001")}
    assert {"index-cache.json", "list-cache.json"} <= kept

    code, _, err = school.run("dispose", row.reference, "--dsl", "Sam", "--reason", "due")
    assert code == 0, err
    assert holding("P-1001") == []
    code, out, _ = school.run("list", "--json")
    assert code == 0 and "P-2002" in out and "P-1001" not in out
