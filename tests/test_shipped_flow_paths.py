"""The guidance's key cases, walked through the shipped procedures by the engine."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from incident_tui.flow.available import get_flow
from incident_tui.flow.engine import (
    AnswerInput,
    EngineError,
    InterlockBlocked,
    InvariantBroken,
    Session,
)
from incident_tui.flow.loader import load_flow, shipped_flows_dir
from incident_tui.flow.model import ConfirmStep, Flow
from tests.flow_driver import REASON, drive, visited

NUDES = "nudes-sharing"
SEARCH = "search-confiscation"
TRIGGERS = [
    "trigger-adult",
    "trigger-coercion",
    "trigger-unusual-acts",
    "trigger-under-13",
    "trigger-immediate-risk",
]
NO_TRIGGER = {trigger: "no" for trigger in TRIGGERS}
REFERRED = "referred"


# --- sharing nudes and semi-nudes ------------------------------------------------


def test_with_no_trigger_the_case_may_be_kept_in_school_and_deletion_is_asked() -> None:
    session = drive(NUDES, {**NO_TRIGGER, "scope": "imagery"})
    assert session.end.id == "managed-in-school"
    assert "deletion" in visited(session)


@pytest.mark.parametrize("trigger", TRIGGERS)
def test_any_trigger_refers_at_once_and_never_offers_deletion(trigger: str) -> None:
    session = drive(NUDES, {**NO_TRIGGER, "scope": "imagery", trigger: "yes"})
    steps = visited(session)
    assert steps[steps.index("trigger-immediate-risk") + 1] == "refer-now"
    assert "deletion" not in steps and "manage-decision" not in steps
    assert session.end.id == REFERRED


def test_an_adult_involved_raises_the_police_escalation() -> None:
    session = drive(NUDES, {**NO_TRIGGER, "scope": "imagery", "trigger-adult": "yes"})
    assert any("adult is involved" in e.message for e in session.escalations())


def test_sextortion_is_referred_even_when_every_trigger_is_answered_no() -> None:
    session = drive(NUDES, {**NO_TRIGGER, "scope": "sextortion"})
    steps = visited(session)
    assert "refer-now" in steps and "deletion" not in steps
    assert "sextortion-advice" in steps  # don't pay, block, keep the evidence
    assert session.end.id == REFERRED


def test_a_999_call_made_at_the_start_keeps_the_case_on_the_referral_route() -> None:
    plan = {**NO_TRIGGER, "scope": "imagery", "report-to": "neither-danger"}
    session = drive(NUDES, plan)
    assert "emergency-call" in visited(session)
    assert "deletion" not in visited(session)
    assert session.end.id == REFERRED


def test_police_involved_at_deletion_is_recorded_as_a_referral() -> None:
    session = drive(NUDES, {**NO_TRIGGER, "scope": "imagery", "deletion": "police-involved"})
    assert "referral-details" in visited(session)
    assert session.end.id == REFERRED


def test_pupils_not_spoken_to_still_hear_of_report_remove_and_take_it_down() -> None:
    plan = {**NO_TRIGGER, "scope": "imagery", "talk-appropriate": "not-appropriate"}
    session = drive(NUDES, plan, stop_at="signpost")
    assert session.current.id == "signpost"
    labels = " ".join(item.label for item in session.current.items)
    assert "report_remove" in labels and "take_it_down" in labels


def test_a_referral_is_refused_without_its_reason() -> None:
    session = drive(NUDES, {**NO_TRIGGER, "scope": "sextortion"}, stop_at="refer-now")
    with pytest.raises(EngineError, match="reason"):
        session.answer(AnswerInput("refer-now", "police"))
    session.answer(AnswerInput("refer-now", "police", REASON))


MANAGED_TO_VIEWING = {**NO_TRIGGER, "scope": "imagery", "view-decision": "reason-takedown"}


def test_the_initial_review_decides_whether_viewing_is_needed_rather_than_ticking_it() -> None:
    session = drive(NUDES, {**NO_TRIGGER, "scope": "imagery"}, stop_at="review-points")
    assert not any("viewing" in item.label.lower() for item in session.current.items)
    session = drive(NUDES, {**NO_TRIGGER, "scope": "imagery"}, stop_at="review-viewing")
    offered = [c.id for c in session.choices() if c.interlock is None]
    assert offered == ["not-needed", "may-be-needed"]
    for choice in offered:  # no or yes, and why: each is a decision with its reason
        with pytest.raises(EngineError, match="reason"):
            session.check(AnswerInput("review-viewing", choice))
    session.answer(AnswerInput("review-viewing", "not-needed", REASON))
    assert session.current.id == "trigger-adult"


def test_when_a_viewing_safeguard_cannot_be_met_nobody_views_and_the_reason_is_kept() -> None:
    session = drive(NUDES, MANAGED_TO_VIEWING, stop_at="view-safeguards-met")
    with pytest.raises(EngineError, match="reason"):
        session.check(AnswerInput("view-safeguards-met", "cannot-meet"))
    session = drive(NUDES, {**MANAGED_TO_VIEWING, "view-safeguards-met": "cannot-meet"})
    steps = visited(session)
    assert steps[steps.index("view-safeguards-met") + 1] == "parents"
    assert "view-safeguards" not in steps and "view-who" not in steps
    assert session.answers["view-safeguards-met"].rationale == REASON
    assert session.end.id == "managed-in-school"


@pytest.mark.parametrize("step", ["review-viewing", "view-decision"])
def test_viewing_to_check_what_it_shows_or_that_it_is_real_is_a_stop_with_no_exception(
    step: str,
) -> None:
    session = drive(NUDES, {**NO_TRIGGER, "scope": "imagery"}, stop_at=step)
    with pytest.raises(InterlockBlocked) as blocked:
        session.answer(AnswerInput(step, "to-check", "To check it is real"))
    assert blocked.value.interlock.overrides == []
    assert "real" in blocked.value.interlock.rule
    assert session.current.id == step


def test_after_a_not_known_trigger_the_next_screen_says_so_not_that_none_applies() -> None:
    plan = {**NO_TRIGGER, "scope": "imagery", "trigger-coercion": "unknown"}
    session = drive(NUDES, {**plan, "trigger-judgement": "not-yet"}, stop_at="manage-decision")
    steps = visited(session)
    after = session.flow.step(steps[steps.index("trigger-judgement") + 1])
    assert "not known" in after.guidance
    assert "No trigger applies" not in after.guidance
    session = drive(NUDES, {**plan, "trigger-judgement": "not-yet"})
    assert any("not known" in action for action in session.actions())
    plain = drive(NUDES, {**NO_TRIGGER, "scope": "imagery"}, stop_at="manage-decision")
    assert "No trigger applies" in plain.flow.step(visited(plain)[-1]).guidance


def _cited(flow_id: str) -> list[tuple[str, list[str]]]:
    """Each step (and interlock) with the source keys it cites."""
    flow = get_flow(flow_id).flow
    cited = [(step.id, [ref.ref for ref in step.sources]) for step in flow.steps]
    for step in flow.steps:
        for choice in getattr(step, "choices", []):
            if choice.interlock is not None:
                refs = [ref.ref for ref in choice.interlock.sources]
                cited.append((f"{step.id}/{choice.id}", refs))
    return cited


@pytest.mark.parametrize("flow_id", [NUDES, SEARCH])
def test_steps_cite_the_current_guidance_and_a_school_policy_only_beside_it(
    flow_id: str,
) -> None:
    sources = get_flow(flow_id).flow.sources
    seed = {key for key, doc in sources.items() if "seed" in (doc.status or "")}
    current = {
        key
        for key, doc in sources.items()
        if any(word in (doc.status or "") for word in ("current guidance", "statute"))
    }
    for where, refs in _cited(flow_id):
        assert not seed & set(refs), f"{where} cites a seed policy: {refs}"
        assert current & set(refs), f"{where} cites no current guidance: {refs}"


# --- searching, screening and confiscation ------------------------------------------

SEARCH_FOR = {
    "search-type": "search",
    "authorised": "headteacher",
    "search-scope": ["outer-clothing"],
    "searcher-sex": "same-sex",
    "witness": "same-sex-witness",
}


def test_no_same_sex_searcher_and_no_serious_risk_cannot_reach_a_search() -> None:
    session = drive(SEARCH, {**SEARCH_FOR, "suspected": "weapon"}, stop_at="searcher-sex")
    with pytest.raises(InterlockBlocked):
        session.answer(AnswerInput("searcher-sex", "opposite-sex", REASON))
    assert session.current.id == "searcher-sex"


def test_a_school_rule_item_with_consent_refused_is_never_searched() -> None:
    plan = {**SEARCH_FOR, "suspected": "school-rule-unlisted", "consent": "refuses"}
    session = drive(SEARCH, plan)
    assert "extent" not in visited(session)
    assert session.end.id == "no-search"


def test_a_weapon_found_ends_with_the_police() -> None:
    plan = {**SEARCH_FOR, "suspected": "weapon", "consent": "agrees", "found": ["weapon"]}
    session = drive(SEARCH, plan)
    assert "Hand the weapon to the police; never return it." in session.actions()
    assert any("weapon has been found" in e.message for e in session.escalations())


@pytest.mark.parametrize(
    ("reason", "offered"),
    [
        ("no-good-reason", []),  # 'No' would be the only answer: not asked
        (
            "good-reason",
            ["not-examined", "examined-nothing", "examined-other", "examined-child-imagery"],
        ),
    ],
)
def test_device_data_is_recorded_as_examined_only_after_a_good_reason(
    reason: str, offered: list[str]
) -> None:
    plan = {
        **SEARCH_FOR,
        "suspected": "stolen",
        "search-scope": ["outer-clothing", "device-data"],
        "dev-good-reason": reason,
        "consent": "agrees",
        "found": ["nothing"],
    }
    session = drive(SEARCH, plan, stop_at="device-data")
    if not offered:
        assert session.ended and "device-data" not in visited(session)
    else:
        assert [c.id for c in session.choices()] == offered


def test_data_on_a_device_going_to_the_police_is_never_offered_for_deletion() -> None:
    plan = {
        **SEARCH_FOR,
        "suspected": "weapon",
        "consent": "agrees",
        "found": ["weapon", "device"],
        "found-device-reason": "examine",
        "device-data": "examined-other",
    }
    session = drive(SEARCH, plan, stop_at="other-material")
    assert "delete" not in [c.id for c in session.choices()]
    school_rule = {**plan, "suspected": "stolen", "found": ["device"]}
    session = drive(SEARCH, school_rule, stop_at="other-material")
    assert "delete" in [c.id for c in session.choices()]


def test_a_pornographic_image_that_may_show_a_child_is_secured_and_the_dsl_told() -> None:
    plan = {
        **SEARCH_FOR,
        "suspected": "school-rule-listed",
        "consent": "agrees",
        "found": ["pornography"],
        "pornography-check": "child-other",
    }
    session = drive(SEARCH, plan, stop_at="dsl-told")
    assert "pornography-secure" in visited(session)
    assert any("indecent image of a child" in e.message for e in session.escalations())
    # telling the DSL is the only answer: a confirm (with who was told, and when)
    assert isinstance(session.current, ConfirmStep) and session.current.id == "dsl-told"


def test_a_school_rule_search_with_no_concern_asks_whether_the_dsl_was_told() -> None:
    plan = {**SEARCH_FOR, "suspected": "school-rule-listed", "consent": "agrees"}
    plan |= {"found": ["nothing"], "concealment": "no"}
    session = drive(SEARCH, plan, stop_at="dsl-told-school-rule")
    assert "dsl-told" not in visited(session)
    assert [c.id for c in session.choices()] == ["told", "not-needed"]


# --- what happens to each item found (SSC "Confiscation"; EA96 s.550ZC) --------------

FOUND_BY_CONSENT = {**SEARCH_FOR, "suspected": "stolen", "consent": "agrees"}


def at_disposal(found: list[str], step: str, **plan: object):
    session = drive(SEARCH, {**FOUND_BY_CONSENT, "found": found, **plan}, stop_at=step)
    assert session.current.id == step
    return session


def lawful(session) -> list[str]:
    return [c.id for c in session.choices() if c.interlock is None]


def assert_hard_stop(session, choice: str) -> None:
    step = session.current.id
    with pytest.raises(InterlockBlocked) as blocked:
        session.answer(AnswerInput(step, choice, REASON))
    assert blocked.value.interlock.overrides == []
    assert session.current.id == step


def test_alcohol_tobacco_and_fireworks_are_kept_or_disposed_of_never_returned_to_the_pupil() -> (
    None
):
    session = at_disposal(["alcohol-tobacco-fireworks"], "disposal-alcohol-tobacco-fireworks")
    assert lawful(session) == ["kept", "disposed", "police"]
    assert_hard_stop(session, "returned-to-pupil")


def test_a_weapon_goes_to_the_police_and_is_never_returned() -> None:
    session = at_disposal(["weapon"], "disposal-weapon")
    assert lawful(session) == ["police", "kept-for-police"]
    assert_hard_stop(session, "returned")


def test_a_stolen_item_never_goes_back_to_the_pupil_searched_and_an_owner_is_named() -> None:
    session = at_disposal(["stolen"], "disposal-stolen")
    assert_hard_stop(session, "returned-to-pupil")
    with pytest.raises(EngineError, match="reason"):
        session.check(AnswerInput("disposal-stolen", "returned-to-owner"))
    session.answer(AnswerInput("disposal-stolen", "returned-to-owner", REASON))
    assert session.current.id == "stolen-owner"
    to_police = drive(
        SEARCH, {**FOUND_BY_CONSENT, "found": ["stolen"], "disposal-stolen": "police"}
    )
    assert "stolen-owner" not in visited(to_police)


def test_a_suspected_drug_goes_to_the_police_or_is_disposed_of_only_for_a_recorded_reason() -> None:
    session = at_disposal(["drugs"], "disposal-drugs")
    assert lawful(session) == ["police", "kept-for-police", "disposed"]
    with pytest.raises(EngineError, match="reason"):
        session.check(AnswerInput("disposal-drugs", "disposed"))


def test_each_kind_found_has_its_own_disposal_question_and_only_those_are_asked() -> None:
    session = drive(SEARCH, {**FOUND_BY_CONSENT, "found": ["school-rule-item", "drugs"]})
    disposals = [s for s in visited(session) if s.startswith("disposal-")]
    assert disposals == ["disposal-drugs", "disposal-school-rule-item"]
    nothing = drive(SEARCH, {**FOUND_BY_CONSENT, "found": ["nothing"]})
    assert not [s for s in visited(nothing) if s.startswith("disposal")]


@pytest.mark.parametrize(
    ("kind", "offered"),
    [
        ("adult", ["disposed", "kept", "police", "kept-for-police"]),
        ("child-other", ["police", "kept-for-police"]),
    ],
)
def test_a_pornographic_image_is_disposed_of_only_when_it_is_adult_and_not_extreme(
    kind: str, offered: list[str]
) -> None:
    session = at_disposal(["pornography"], "disposal-pornography", **{"pornography-check": kind})
    assert lawful(session) == offered


# --- the police, after a weapon, a drug or evidence of an offence ---------------------


def test_police_not_involved_after_a_drug_is_disposed_of_needs_its_good_reason() -> None:
    plan = {"disposal-drugs": "disposed"}
    session = at_disposal(["drugs"], "police-called", **plan)
    assert lawful(session) == ["no-good-reason", "yes"]
    with pytest.raises(EngineError, match="reason"):
        session.check(AnswerInput("police-called", "no-good-reason"))
    with pytest.raises(EngineError, match="cannot be chosen"):
        session.check(AnswerInput("police-called", "no"))


@pytest.mark.parametrize("found", [["weapon"], ["offence-evidence"], ["drugs"]])
def test_an_item_handed_to_the_police_leaves_no_answer_that_the_police_were_not_involved(
    found: list[str],
) -> None:
    # the police are already known to be involved: 'yes' is the only answer, not asked
    session = drive(SEARCH, {**FOUND_BY_CONSENT, "found": found})
    assert session.ended and "police-called" not in visited(session)
    assert "dsl-told" in visited(session)


def test_police_may_be_left_out_without_a_reason_only_when_nothing_needs_them() -> None:
    session = at_disposal(["school-rule-item"], "police-called")
    assert lawful(session) == ["no", "yes"]


# --- deletion of a pornographic image: ask adult / child / extreme first ----------------

PORN_ON_DEVICE = {
    "found": ["pornography", "device"],
    "found-device-reason": "examine",
    "device-data": "examined-other",
}


@pytest.mark.parametrize(("kind", "deletable"), [("adult", True), ("child-other", False)])
def test_an_adult_pornographic_image_may_be_deleted_once_it_is_known_not_to_show_a_child(
    kind: str, deletable: bool
) -> None:
    plan = {**FOUND_BY_CONSENT, **PORN_ON_DEVICE, "pornography-check": kind}
    session = drive(SEARCH, plan, stop_at="other-material")
    assert "pornography-check" in visited(session)  # asked before what may be done with it
    assert ("delete" in [c.id for c in session.choices()]) is deletable


# --- parents: decided from what was searched for and what was found --------------------


def test_parents_are_told_when_a_school_rule_search_finds_a_prohibited_item() -> None:
    plan = {**SEARCH_FOR, "suspected": "school-rule-listed", "consent": "agrees"}
    session = drive(SEARCH, {**plan, "found": ["weapon"]}, stop_at="parents")
    assert "not-required" not in [c.id for c in session.choices()]
    session = drive(SEARCH, {**plan, "found": ["school-rule-item"]}, stop_at="parents")
    assert "not-required" in [c.id for c in session.choices()]
    refs = {ref.ref for ref in session.current.sources}
    assert "SSC" in refs


# --- invariants: what no correction may undo ----------------------------------------


def referred_then_corrected(trigger: str) -> Session:
    """A trigger sends the case to referral, the referral is recorded, then the trigger
    is corrected to 'no': the path now leads back towards the school's own route."""
    plan = {**NO_TRIGGER, "scope": "imagery", trigger: "yes"}
    session = drive(NUDES, plan, stop_at="delete-nothing")
    assert "referral-details" in visited(session)
    trigger_ref = next(d.ref for d in session.decisions if d.answer.step == trigger)
    session.amend(trigger_ref, AnswerInput(trigger, "no", REASON), reason="Misheard")
    return session


@pytest.mark.parametrize("trigger", ["trigger-adult", "trigger-coercion"])
def test_a_correction_after_a_referral_cannot_manage_the_case_in_school(trigger: str) -> None:
    """Defect 1: the referral stays a fact; head's input, managing in school and
    deletion are refused with the rule, whichever trigger is corrected (coercion
    covers doubt about capacity to consent)."""
    session = referred_then_corrected(trigger)
    assert session.current.id == "head-input"
    with pytest.raises(InvariantBroken, match="unless they agree") as broken:
        session.answer(AnswerInput("head-input", "Head agrees to manage it", REASON))
    assert broken.value.invariant.id == "no-school-route-after-referral"
    assert session.current.id == "head-input"
    session.refer_now()  # the way on: the referral route, again
    assert session.current.id == "refer-now"


def test_a_referral_after_a_judgement_cannot_be_corrected_to_not_yet() -> None:
    plan = {**NO_TRIGGER, "scope": "imagery", "trigger-coercion": "unknown"}
    plan["trigger-judgement"] = "refer"
    session = drive(NUDES, plan, stop_at="delete-nothing")
    judgement = next(d.ref for d in session.decisions if d.answer.step == "trigger-judgement")
    with pytest.raises(InvariantBroken, match="A correction does not undo a referral"):
        session.amend(judgement, AnswerInput("trigger-judgement", "not-yet", REASON), "typo")
    assert session.current.id == "delete-nothing"


def test_a_correction_of_deletion_after_police_involvement_is_refused() -> None:
    """Police involved at deletion makes a referral; correcting that answer to
    'delete' afterwards would delete evidence the police may need."""
    session = drive(NUDES, {**NO_TRIGGER, "scope": "imagery", "deletion": "police-involved"})
    deletion = next(d.ref for d in session.decisions if d.answer.step == "deletion")
    with pytest.raises(InvariantBroken, match="nothing is deleted"):
        session.amend(deletion, AnswerInput("deletion", "delete-requested", REASON), "typo")
    assert session.end is not None and session.end.id == REFERRED


# --- search invariants: what a trust's own flow cannot record either -------------------
#
# The shipped steps already offer only what is lawful. The invariants hold the same
# rules for a trust's flow that forgets an interlock or a reason, and for corrections.


def trust_search_flow(tmp_path: Path, *edits: tuple[str, str]) -> Flow:
    """The shipped search flow as a trust might copy it, with `edits` made."""
    shipped = shipped_flows_dir()
    text = (shipped / "search-confiscation.toml").read_text(encoding="utf-8")
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    shutil.copytree(shipped / "fragments", tmp_path / "fragments")
    path = tmp_path / "search-confiscation.toml"
    path.write_text(text, encoding="utf-8")
    return load_flow(path).flow


def without_interlock(rule: str) -> tuple[str, str]:
    """An edit that drops the interlock whose rule starts with `rule`."""
    text = (shipped_flows_dir() / "search-confiscation.toml").read_text(encoding="utf-8")
    start = text.index(f'[steps.choices.interlock]\nrule = "{rule}')
    end = text.index("\n\n", start)
    return text[start : end + 2], ""


def without_when(step: str, choice: str) -> tuple[str, str]:
    """An edit that offers `choice` at `step` on every path (drops its `when`)."""
    text = (shipped_flows_dir() / "search-confiscation.toml").read_text(encoding="utf-8")
    at = text.index(f'id = "{choice}"', text.index(f'[[steps]]\nid = "{step}"\n'))
    start = text.index("\nwhen = ", at)
    depth, end = 0, start + len("\nwhen = ")
    while True:
        depth += {"{": 1, "[": 1, "}": -1, "]": -1}.get(text[end], 0)
        if depth == 0:
            return text[at : end + 1], text[at:start]
        end += 1


def test_the_search_flow_declares_the_disposal_police_and_parents_invariants() -> None:
    ids = {i.id for i in get_flow(SEARCH).flow.invariants}
    assert {
        "alcohol-tobacco-fireworks-never-returned",
        "weapon-and-evidence-never-returned",
        "stolen-item-not-back-to-the-pupil-searched",
        "police-or-a-recorded-good-reason",
        "parents-told-of-a-prohibited-item",
    } <= ids


@pytest.mark.parametrize(
    ("found", "step", "choice", "rule", "invariant"),
    [
        (
            "alcohol-tobacco-fireworks",
            "disposal-alcohol-tobacco-fireworks",
            "returned-to-pupil",
            "Alcohol, tobacco",
            "alcohol-tobacco-fireworks-never-returned",
        ),
        (
            "weapon",
            "disposal-weapon",
            "returned",
            "A weapon is never",
            "weapon-and-evidence-never-returned",
        ),
        (
            "stolen",
            "disposal-stolen",
            "returned-to-pupil",
            "A stolen item is not",
            "stolen-item-not-back-to-the-pupil-searched",
        ),
    ],
)
def test_a_trust_flow_without_the_stop_still_cannot_return_the_item(
    tmp_path: Path, found: str, step: str, choice: str, rule: str, invariant: str
) -> None:
    flow = trust_search_flow(tmp_path, without_interlock(rule))
    session = drive(flow, {**FOUND_BY_CONSENT, "found": [found]}, stop_at=step)
    with pytest.raises(InvariantBroken) as broken:
        session.answer(AnswerInput(step, choice, REASON))
    assert broken.value.invariant.id == invariant
    assert session.current.id == step


def test_a_trust_flow_without_the_reason_still_cannot_bin_a_drug_unexplained(
    tmp_path: Path,
) -> None:
    no_reason = (
        'label = "Disposed of, for a good reason"\nrationale = "required"\n'
        'rationale_prompt = "What is the good reason not to give them to the police, '
        'and how were they disposed of?"',
        'label = "Disposed of, for a good reason"\nrationale = "none"',
    )
    flow = trust_search_flow(tmp_path, no_reason)
    session = drive(flow, {**FOUND_BY_CONSENT, "found": ["drugs"]}, stop_at="disposal-drugs")
    with pytest.raises(InvariantBroken, match="good reason") as broken:
        session.answer(AnswerInput("disposal-drugs", "disposed"))
    assert broken.value.invariant.id == "police-or-a-recorded-good-reason"
    session.answer(AnswerInput("disposal-drugs", "disposed", REASON))


def test_a_trust_flow_offering_no_police_after_a_weapon_needs_the_good_reason(
    tmp_path: Path,
) -> None:
    flow = trust_search_flow(tmp_path, without_when("police-called", "no"))
    # drugs disposed of (with the good reason): the police are not yet known to be involved
    plan = {**FOUND_BY_CONSENT, "found": ["drugs"], "disposal-drugs": "disposed"}
    session = drive(flow, plan, stop_at="police-called")
    assert session.current.id == "police-called"
    with pytest.raises(InvariantBroken) as broken:
        session.answer(AnswerInput("police-called", "no"))
    assert broken.value.invariant.id == "police-or-a-recorded-good-reason"


def test_a_trust_flow_offering_parents_not_required_still_tells_them_of_a_knife_found(
    tmp_path: Path,
) -> None:
    flow = trust_search_flow(tmp_path, without_when("parents", "not-required"))
    plan = {**SEARCH_FOR, "suspected": "school-rule-listed", "consent": "agrees"}
    session = drive(flow, {**plan, "found": ["weapon"]}, stop_at="parents")
    with pytest.raises(InvariantBroken) as broken:
        session.answer(AnswerInput("parents", "not-required", REASON))
    assert broken.value.invariant.id == "parents-told-of-a-prohibited-item"


def test_a_question_with_one_possible_answer_or_a_known_one_is_not_asked():
    # nothing was found and no reason to look at a phone's data: 'No' is the only answer
    plain = visited(drive(SEARCH, {**FOUND_BY_CONSENT, "found": ["nothing"]}))
    assert "device-data" not in plain
    # the knife went to the police: whether the police were involved is already known
    knife = drive(SEARCH, {**FOUND_BY_CONSENT, "found": ["weapon"], "disposal-weapon": "police"})
    assert "disposal-weapon" in visited(knife) and "police-called" not in visited(knife)
    assert knife.ended
    # a reason to look was recorded: what was looked at is asked
    looked = drive(
        SEARCH, {**FOUND_BY_CONSENT, "found": ["device"], "found-device-reason": "examine"}
    )
    assert "device-data" in visited(looked)
