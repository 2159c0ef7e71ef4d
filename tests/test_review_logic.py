"""Review logic without screens: decisions as data, appending them, the list, needs attention."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from incident_tui.errors import UserError
from incident_tui.record.chronology import AMENDED, ESCALATION, STOP_OVERRIDE, chronology
from incident_tui.record.events import Actor, EventKind
from incident_tui.record.store import Store
from incident_tui.record.verify import verify_store
from incident_tui.review import (
    DSL_ROLE,
    IncidentList,
    ListQuery,
    append_review,
    attention_reasons,
    build_review,
    parse_catalogue,
    review_decisions,
)
from tests.review_fixtures import KEY, Record

pytestmark = pytest.mark.usefixtures("fixed_today")  # review dates here are after it

DSL = Actor(name="Sam Patel", role=DSL_ROLE)

EVERY_DECISION = {
    "note": ({"text": "Read the whole record; spoke to the form tutor"}, None),
    "referral": (
        {
            "agency": "Children's social care / MASH",
            "when": "2026-11-24 10:30",
            "agency_reference": "MASH-123",
            "advice": "Do not tell the parents yet",
        },
        None,
    ),
    "police-informed": ({"when": "2026-11-24 11:00", "police_reference": "CAD 55"}, "A knife"),
    "parents-informed": ({"when": "2026-11-24 15:00", "who": "Mother, by phone"}, None),
    "parents-not-told": ({"agency_consulted": "MASH"}, "Telling them would put the child at risk"),
    "deletion-confirmed": ({"date": "2026-11-25", "how": "Shown the empty album"}, None),
    "support": ({"support": "Weekly check-in with the school counsellor"}, None),
    "review-date": ({"date": "2026-12-15"}, None),
    "no-further-action": ({}, "Advice followed; no risk remains"),
    "sign-off": ({}, "Reviewed in full"),
    "subject-access-withhold": (
        {"entries": "1, 2", "exemption": "Third-party data (DPA 2018 Sch. 2 Part 3)"},
        "Names another child",
    ),
    "retention-hold": ({"inquiry": "Independent inquiry"}, "The inquiry asked us to keep it"),
    "retention-hold-lifted": ({}, "The inquiry has closed"),
}


def test_every_shipped_decision_is_covered_here() -> None:
    assert {d.id for d in review_decisions().decisions} == set(EVERY_DECISION)


def test_required_fields_come_from_the_data() -> None:
    referral = review_decisions().get("referral")
    with pytest.raises(UserError) as caught:
        build_review(referral, {"agency": "Nobody"}, None)
    message = caught.value.message
    assert "Agency: choose one of" in message
    assert "Date and time of the referral: required" in message
    assert "Advice given: required" in message


def test_dates_are_checked_and_normalised() -> None:
    review_date = review_decisions().get("review-date")
    with pytest.raises(UserError, match="YYYY-MM-DD or DD/MM/YYYY, e.g. "):
        build_review(review_date, {"date": "next tuesday"}, None)
    data, _ = build_review(review_date, {"date": " 2026-12-01 "}, None)
    assert data == {"review": "review-date", "date": "2026-12-01"}
    data, _ = build_review(review_date, {"date": "15/12/2026"}, None)
    assert data == {"review": "review-date", "date": "2026-12-15"}


def test_a_review_date_already_past_is_refused_but_a_past_confirmation_date_is_not() -> None:
    with pytest.raises(UserError) as refused:
        build_review(review_decisions().get("review-date"), {"date": "30/11/2026"}, None)
    assert refused.value.message == (
        "Review on: 2026-11-30 has already passed: give today (2026-12-01) or a later date"
    )
    confirmed = review_decisions().get("deletion-confirmed")
    data, _ = build_review(confirmed, {"date": "30/11/2026", "how": "Shown the empty album"}, None)
    assert data["date"] == "2026-11-30"
    referral = review_decisions().get("referral")
    values = {"agency": "Police", "when": "30/11/2026 10:30", "advice": "Keep it"}
    assert build_review(referral, values, None)[0]["when"] == "2026-11-30 10:30"


def test_the_list_filter_takes_dates_either_way() -> None:
    from incident_tui.review import parse_day

    assert parse_day("01/11/2026", "From") == "2026-11-01"
    with pytest.raises(UserError, match="From: give a date as YYYY-MM-DD or DD/MM/YYYY"):
        parse_day("last week", "From")


def test_no_further_action_needs_a_reason() -> None:
    with pytest.raises(UserError, match="Why no further action is needed: required"):
        build_review(review_decisions().get("no-further-action"), {}, "  ")


def test_signing_off_an_incident_never_sealed_needs_a_reason() -> None:
    sign_off = review_decisions().get("sign-off")
    assert build_review(sign_off, {}, None, sealed=True) == ({"review": "sign-off"}, None)
    with pytest.raises(UserError, match="never sealed"):
        build_review(sign_off, {}, None, sealed=False)


def test_a_catalogue_without_sign_off_is_refused() -> None:
    with pytest.raises(UserError, match="sign-off"):
        parse_catalogue('format = 1\n[[decisions]]\nid = "note"\nlabel = "Note"\n')


def test_each_decision_is_appended_and_nothing_recorded_changes(record: Record) -> None:
    with Store.open(record.root, key=KEY, mode="live") as store:
        before = store.events(record.flagged.id)
        for decision, (values, reason) in EVERY_DECISION.items():
            event = append_review(store, record.flagged.reference, DSL, decision, values, reason)
            assert event.kind == EventKind.reviewed
            assert event.data["review"] == decision
            assert event.actor == DSL
        after = store.events(record.flagged.id)
        row = store.row(record.flagged.id)
    assert after[: len(before)] == before
    assert len(after) == len(before) + len(EVERY_DECISION)
    assert row.status == "reviewed"
    assert row.review_date == "2026-12-15"
    assert verify_store(record.root, KEY).damaged(record.flagged.id) == []


def test_a_refused_review_writes_nothing(record: Record) -> None:
    with Store.open(record.root, key=KEY, mode="live") as store:
        count = store.row(record.plain.id).event_count
        with pytest.raises(UserError):
            append_review(store, record.plain.id, DSL, "referral", {}, None)
        assert store.row(record.plain.id).event_count == count


def test_list_filters_sorts_and_searches(record: Record) -> None:
    rows = record.readonly().rows()
    integrity = {record.damaged.id: verify_store(record.root, KEY).damaged(record.damaged.id)}
    listing = IncidentList(rows, integrity)
    refs = lambda q: [r.reference for r in listing.select(q)]  # noqa: E731
    assert len(refs(ListQuery())) == 4
    assert refs(ListQuery(statuses=frozenset({"open"}))) == [record.open_one.reference]
    assert set(refs(ListQuery(procedure="searching"))) == {
        record.flagged.reference,
        record.open_one.reference,
    }
    assert set(refs(ListQuery(flagged_only=True))) == {
        record.flagged.reference,
        record.damaged.reference,
    }
    assert refs(ListQuery(text="p-2002")) == [record.flagged.reference]
    assert refs(ListQuery(text="ALI KHAN")) == [record.flagged.reference]
    assert refs(ListQuery(sort="reference", descending=False)) == sorted(r.reference for r in rows)
    assert refs(ListQuery(sort="flags"))[0] == record.damaged.reference
    today = rows[0].opened[:10]
    assert len(refs(ListQuery(date_from=today, date_to=today))) == 4
    assert refs(ListQuery(date_to="2000-01-01")) == []


def test_needs_attention_says_why(record: Record) -> None:
    rows = {r.id: r for r in record.readonly().rows()}
    report = verify_store(record.root, KEY)
    integrity = {i: report.damaged(i) for i in rows}
    later = datetime.now(UTC) + timedelta(days=2)
    assert "open for more than a day" in attention_reasons(
        rows[record.open_one.id], integrity, later
    )
    assert attention_reasons(rows[record.open_one.id], integrity) == []
    assert "sealed but not reviewed" in attention_reasons(rows[record.plain.id], integrity)
    flagged = attention_reasons(rows[record.flagged.id], integrity)
    assert "1 stop override(s)" in flagged and "1 escalation(s)" in flagged
    assert "fails the integrity check" in attention_reasons(rows[record.damaged.id], integrity)

    with Store.open(record.root, key=KEY, mode="live") as store:
        append_review(store, record.plain.id, DSL, "review-date", {"date": "02/12/2026"}, None)
        append_review(store, record.plain.id, DSL, "sign-off", {}, None)
        row = store.row(record.plain.id)
    assert attention_reasons(row, integrity, today=date(2026, 12, 2)) == []
    passed = attention_reasons(row, integrity, today=date(2026, 12, 3))
    assert passed == ["review date 2026-12-02 has passed"]
    listing = IncidentList(
        list(rows.values()) + [row], integrity, now=datetime(2026, 12, 3, 12, tzinfo=UTC)
    )
    assert record.plain.id in listing.attention()


def test_the_chronology_puts_each_amendment_beside_what_it_amends(record: Record) -> None:
    entries = chronology(record.readonly().events(record.flagged.id))
    assert [e.seq for e in entries] == [0, 1, 2, 3, 5]  # event 4 is placed beneath event 1
    grounds = entries[1]
    assert AMENDED in grounds.flags and "AMENDED, see below" in grounds.heading
    (amendment,) = grounds.amendments
    assert amendment.heading == "AMENDED by event 4"
    assert ("Reason for amendment", "misheard: it was a knife, not a vape") in [
        (i.label, i.value) for i in amendment.items
    ]
    assert STOP_OVERRIDE in entries[2].flags and entries[2].heading == "STOP OVERRIDE RECORDED"
    assert ESCALATION in entries[3].flags


def test_the_needs_attention_rules_are_data_a_school_can_change(record: Record) -> None:
    from incident_tui.review.attention import AttentionRules
    from incident_tui.tomlfile import parse_toml_model

    text = """
format = 1
[[rules]]
status = ["open"]
check = "open_longer_than"
hours = 2
reason = "open for more than {hours} hours"
"""
    [rule] = parse_toml_model(AttentionRules, text, "attention.toml").rules
    row = record.readonly().row(record.open_one.id)
    opened = datetime.fromisoformat(row.opened.replace("Z", "+00:00"))
    later = opened + timedelta(hours=3)
    assert rule.reason_for(row, {}, later, later.date()) == "open for more than 2 hours"
    assert rule.reason_for(row, {}, opened + timedelta(hours=1), later.date()) is None
    with pytest.raises(UserError, match=r"attention.toml: .*'hours' is needed"):
        parse_toml_model(AttentionRules, text.replace("hours = 2\n", ""), "attention.toml")
