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


# --- the list and the attention queue follow the pupils named -------------------------


def test_school_terms_in_england_by_the_simple_rule() -> None:
    from datetime import date

    from incident_tui.review.attention import school_term

    assert school_term(date(2026, 9, 1)) == "autumn 2026"
    assert school_term(date(2026, 12, 31)) == "autumn 2026"
    assert school_term(date(2027, 1, 4)) == "spring 2027"
    assert school_term(date(2027, 3, 27)) == "spring 2027"  # Easter Sunday 2027 is 28 March
    assert school_term(date(2027, 3, 28)) == "summer 2027"
    assert school_term(date(2026, 4, 4)) == "spring 2026"  # Easter Sunday 2026 is 5 April
    assert school_term(date(2026, 7, 20)) == "summer 2026"


def test_the_attention_queue_says_when_a_pupil_has_two_incidents_in_a_term(tmp_path):
    from incident_tui.review import IncidentList
    from tests.pupil_fixtures import DSL as CHILD_DSL
    from tests.pupil_fixtures import MISTYPED, PUPIL, build_child_file

    child = build_child_file(tmp_path)
    with child.reader() as store:
        attention = IncidentList(store.rows()).attention()
    said = [r for reasons in attention.values() for r in reasons if "pupil" in r]
    assert said == [f"pupil {PUPIL} is named in 2 incidents in the autumn 2026 term"]
    assert any("pupil P-1001" in r for r in attention[child.nudes.id])  # the newest of them

    with child.writer() as store:
        amend_pupils(store, child.later.id, CHILD_DSL, PUPIL, [], f"{MISTYPED} was a typo")
        rows = store.rows()
    attention = IncidentList(rows).attention()
    assert not any("pupil" in r for r in attention.get(child.nudes.id, []))
    assert (
        f"pupil {PUPIL} is named in 3 incidents in the autumn 2026 term"
        in attention[child.later.id]
    )
    # one incident last term and one this term is no pattern
    moved = [
        row.model_copy(update={"opened": "2026-07-01T09:00:00.000000Z"})
        if row.id == child.search.id
        else row
        for row in rows
        if row.id != child.later.id
    ]
    attention = IncidentList(moved).attention()
    assert not any("pupil" in r for reasons in attention.values() for r in reasons)


def test_the_list_filters_and_groups_by_pupil_following_amendments(tmp_path):
    from incident_tui.review import IncidentList, ListQuery
    from tests.pupil_fixtures import DSL as CHILD_DSL
    from tests.pupil_fixtures import MISTYPED, OTHER, PUPIL, build_child_file

    child = build_child_file(tmp_path)
    with child.reader() as store:
        listed = IncidentList(store.rows())
    shown = listed.select(ListQuery(pupil="p-1001", descending=False))
    assert [r.id for r in shown] == [child.search.id, child.nudes.id]
    assert [r.id for r in listed.select(ListQuery(text=PUPIL, descending=False))] == [
        child.search.id,
        child.nudes.id,
    ]  # the search box finds another pupil named too
    grouped = listed.select(ListQuery(sort="pupil", descending=False))
    assert [r.pupil for r in grouped] == [PUPIL, MISTYPED, OTHER]
    with child.writer() as store:
        amend_pupils(store, child.later.id, CHILD_DSL, PUPIL, [], "typo")
        listed = IncidentList(store.rows())
    shown = listed.select(ListQuery(pupil=PUPIL, descending=False))
    assert [r.id for r in shown] == [child.search.id, child.nudes.id, child.later.id]
