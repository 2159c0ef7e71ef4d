"""A child's incidents: pupils named by the school's reference, found across the record,
and a mistyped reference corrected by an amendment that everything follows."""

from __future__ import annotations

from pathlib import Path

import pytest

from incident_tui.errors import UserError
from incident_tui.record.events import Actor, EventKind
from incident_tui.record.pupils import amend_pupils, incidents_naming, others_named
from incident_tui.record.store import AppendRefused, Store
from incident_tui.record.verify import verify_store
from incident_tui.text_fields import pupil_reference_problem
from tests.review_fixtures import KEY, NUDES, SEARCH, TEACHER

DSL = Actor(name="Dev Patel", role="Designated Safeguarding Lead")


@pytest.mark.parametrize("reference", ["P-1001", "A123456789012", "Y10/4821", "cd"])
def test_a_school_reference_is_accepted(reference: str) -> None:
    assert pupil_reference_problem(reference) is None


@pytest.mark.parametrize("name", ["John Smith", "J. Smith", "O'Neill", "Zoë"])
def test_a_name_is_refused_with_words_saying_to_use_the_schools_reference(name: str) -> None:
    problem = pupil_reference_problem(name)
    assert problem is not None
    assert "school's MIS" in problem and "never a name" in problem


def _three_incidents(root: Path) -> dict[str, str]:
    with Store.open(root, key=KEY, mode="live") as store:
        first = store.new_incident(
            flow=SEARCH, actor=TEACHER, details={"pupil": "P-1001", "location": "gym"}
        )
        other = store.new_incident(flow=SEARCH, actor=TEACHER, details={"pupil": "P-5005"})
        second = store.new_incident(
            flow=NUDES,
            actor=TEACHER,
            details={"pupil": "P-2002", "other_pupils": ["p-1001", "P-3003"]},
        )
        third = store.new_incident(flow=NUDES, actor=TEACHER, details={"pupil": "P-1001"})
    return {"first": first.id, "other": other.id, "second": second.id, "third": third.id}


def test_every_incident_naming_a_pupil_oldest_first_as_its_pupil_or_another(
    tmp_path: Path,
) -> None:
    ids = _three_incidents(tmp_path / "live")
    with Store.open(tmp_path / "live", key=KEY, mode="live", readonly=True) as store:
        found = incidents_naming(store, "P-1001")
        assert [row.id for row in found] == [ids["first"], ids["second"], ids["third"]]
        assert others_named(found[1], "P-1001") == ("P-2002", "P-3003")
        assert incidents_naming(store, "P-9999") == []


def test_a_name_cannot_be_recorded_as_a_pupil_on_any_path(tmp_path: Path) -> None:
    with Store.open(tmp_path / "live", key=KEY, mode="live") as store:
        with pytest.raises(AppendRefused, match="never a name"):
            store.new_incident(flow=SEARCH, actor=TEACHER, details={"pupil": "Tom Jones"})
        with pytest.raises(AppendRefused, match="never a name"):
            store.new_incident(
                flow=SEARCH, actor=TEACHER, details={"pupil": "P-1", "other_pupils": ["Ann B"]}
            )
        row = store.new_incident(flow=SEARCH, actor=TEACHER, details={"pupil": "P-1"})
        with pytest.raises(UserError, match="never a name"):
            amend_pupils(store, row.id, DSL, "Tom Jones", [], "typo")
        assert len(store.events(row.id)) == 1


def test_a_mistyped_reference_is_corrected_by_an_amendment_that_the_record_follows(
    tmp_path: Path,
) -> None:
    root = tmp_path / "live"
    ids = _three_incidents(root)
    with Store.open(root, key=KEY, mode="live") as store:
        event = amend_pupils(
            store, ids["other"], DSL, "P-1001", ["P-5005"], "P-5005 was typed for P-1001"
        )
        assert event.kind == EventKind.amendment and event.data["amends"] == 0
        found = [row.id for row in incidents_naming(store, "P-1001")]
        assert found == [ids["first"], ids["other"], ids["second"], ids["third"]]
        amend_pupils(store, ids["second"], DSL, "P-2002", ["P-3003"], "P-1001 was not there")
        found = [row.id for row in incidents_naming(store, "P-1001")]
        assert found == [ids["first"], ids["other"], ids["third"]]
        # nothing edited: the opened event still says what was first typed
        assert store.events(ids["other"])[0].data["pupil"] == "P-5005"
        with pytest.raises(UserError, match="already names exactly"):
            amend_pupils(store, ids["other"], DSL, "P-1001", ["P-5005"], "again")
    report = verify_store(root, KEY)
    assert report.ok and not report.findings
