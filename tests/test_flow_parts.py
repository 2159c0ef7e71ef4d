"""Parts of a procedure (issue 13, hand-over as data in the flows): `role` on the
steps, [parts.ROLE] wording, the linter's checks, the engine's part and progress,
and that a member of staff can never answer a DSL step on any path."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incident_tui.flow.engine import AnswerInput, EngineError, InvariantBroken, PartRefused, Session
from incident_tui.flow.linter import lint
from incident_tui.flow.loader import FlowFileError, load_flow
from incident_tui.people import Person, Role
from incident_tui.permissions import answers_part, part_answerer
from tests.flow_driver import REASON, default_answer, shipped_flows
from tests.test_flow_properties import _amendment_for, draw_answer

SHIPPED = shipped_flows()
NUDES = SHIPPED["nudes-sharing"]
STAFF = Person("blee", "B. Lee", Role.staff)
DSL = Person("akhan", "A. Khan", Role.dsl)
HEAD = Person("dpatel", "D. Patel", Role.head)

PARTS = """
[parts.staff]
title = "Your part"
done = "Your part is done. The DSL has been told."

[parts.dsl]
title = "The DSL's part"
done = "Your part is done for now."
awaiting = "AWAITING THE DSL"
take_over = "Take this incident over as the DSL."
"""

TOY = """id = "toy"
title = "Toy"
version = "1"
summary = "A toy in two parts."
start = "told"
{parts}
[sources.S]
title = "A source"

[[steps]]
id = "told"
kind = "confirm"
prompt = "Tell the DSL"
sources = [{{ ref = "S" }}]
next = "what"

[[steps]]
id = "what"
kind = "choice"
{role}prompt = "DSL: what happened?"
[[steps.choices]]
id = "a"
label = "A"
next = "more"

[[steps]]
id = "more"
kind = "confirm"
prompt = "And then"
sources = [{{ ref = "S" }}]
next = "done"

[[steps]]
id = "done"
kind = "end"
prompt = "Done"
outcome = "Done"
"""


def toy(tmp_path: Path, parts: str = PARTS, role: str = 'role = "dsl"\n') -> Path:
    path = tmp_path / "toy.toml"
    path.write_text(TOY.format(parts=parts, role=role), encoding="utf-8")
    return path


def line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)


# --- the model -----------------------------------------------------------------------


def test_a_role_holds_from_its_step_until_the_next_and_staff_before_any(tmp_path: Path) -> None:
    flow = load_flow(toy(tmp_path)).flow
    assert [flow.part_of(s.id) for s in flow.steps] == ["staff", "dsl", "dsl", "dsl"]
    assert flow.has_parts
    assert lint(load_flow(toy(tmp_path))) == []


def test_the_nudes_procedure_is_in_the_staff_the_dsl_and_the_heads_parts() -> None:
    part = NUDES.part_of
    assert part("how-aware") == part("device-held") == part("device.custody") == "staff"
    assert part("scope") == "dsl" and NUDES.step("scope").prompt == "DSL: what has been reported?"
    assert part("head-input") == part("head-input-not-known") == "head"
    assert part("manage-decision") == part("refer-now") == part("device-referral.secure") == "dsl"
    assert NUDES.parts["staff"].done.startswith("Your part is done. The DSL has been told")
    assert NUDES.parts["dsl"].awaiting == "AWAITING THE DSL"


def test_the_search_procedure_has_no_parts_and_hashes_as_before() -> None:
    search = SHIPPED["search-confiscation"]
    assert not search.has_parts
    assert {search.part_of(s.id) for s in search.steps} == {"staff"}


def test_a_role_inside_a_fragment_is_refused_at_its_line(tmp_path: Path) -> None:
    frags = tmp_path / "fragments"
    frags.mkdir()
    (frags / "f.toml").write_text(
        'id = "f"\ntitle = "F"\nversion = "1"\nstart = "x"\n[sources.S]\ntitle = "A source"\n'
        '[[steps]]\nid = "x"\nkind = "confirm"\nrole = "dsl"\nprompt = "X"\n'
        'sources = [{ ref = "S" }]\nnext = "@exit"\n'
    )
    text = (
        TOY.format(parts=PARTS, role='role = "dsl"\n').replace('next = "done"', 'next = "frag"')
        + '\n[[includes]]\nid = "frag"\nfragment = "f"\nexit = "done"\nrole = "dsl"\n'
    )
    # [[includes]] after the steps would be a TOML error: put it before them
    head, steps = text.split("[[steps]]", 1)
    include = '[[includes]]\nid = "frag"\nfragment = "f"\nexit = "done"\nrole = "dsl"\n'
    path = tmp_path / "toy.toml"
    path.write_text(head + include + "\n[[steps]]" + steps.replace(include, ""))
    with pytest.raises(FlowFileError) as caught:
        load_flow(path)
    assert str(caught.value) == (
        f"{frags / 'f.toml'}:10: step 'x': a fragment's steps are answered by whoever the "
        "include names: set role on the [[includes]] in the flow, not here"
    )


# --- the linter ----------------------------------------------------------------------


def test_an_unknown_role_is_named_at_its_line(tmp_path: Path) -> None:
    path = toy(tmp_path, role='role = "teacher"\n')
    with pytest.raises(FlowFileError) as caught:
        load_flow(path)
    (problem,) = caught.value.problems
    assert problem.line == line_of(path, 'role = "teacher"')
    assert problem.message.startswith("step 'what': role: input should be 'staff', 'dsl' or")


def test_a_role_without_its_parts_wording_is_named_at_its_line(tmp_path: Path) -> None:
    path = toy(tmp_path, parts=PARTS.split("[parts.dsl]")[0])
    (problem,) = lint(load_flow(path))
    assert str(problem) == (
        f"{path}:{line_of(path, 'role = ')}: step 'what': role 'dsl' has no [parts.dsl] "
        "wording (its title, done, awaiting and take_over, in the flow file)"
    )


def test_a_part_handed_to_needs_its_awaiting_heading_and_take_over(tmp_path: Path) -> None:
    parts = PARTS.replace('awaiting = "AWAITING THE DSL"\n', "").replace(
        'take_over = "Take this incident over as the DSL."\n', ""
    )
    path = toy(tmp_path, parts=parts)
    (problem,) = lint(load_flow(path))
    assert problem.line == line_of(path, "[parts.dsl]")
    assert problem.message.startswith(
        "[parts.dsl]: awaiting and take_over needed: the dsl part is handed over to at step 'what'"
    )


def test_parts_wording_with_no_step_of_its_own_is_named(tmp_path: Path) -> None:
    head = '[parts.head]\ntitle = "H"\ndone = "D"\nawaiting = "A"\ntake_over = "T"\n'
    path = toy(tmp_path, parts=PARTS + head)
    (problem,) = lint(load_flow(path))
    assert (
        str(problem)
        == f"{path}:{line_of(path, '[parts.head]')}: [parts.head]: no step has role 'head'"
    )


def test_the_staff_part_needs_its_wording_once_there_are_parts(tmp_path: Path) -> None:
    path = toy(tmp_path, parts="[parts.dsl]" + PARTS.split("[parts.dsl]")[1])
    (problem,) = lint(load_flow(path))
    assert problem.line == line_of(path, 'id = "told"') - 1
    assert problem.message == (
        "step 'told': role 'staff' has no [parts.staff] wording (its title and done, in the "
        "flow file)"
    )


def test_the_shipped_flows_lint_clean() -> None:
    from incident_tui.flow.available import get_flow

    for flow_id in SHIPPED:
        assert lint(get_flow(flow_id)) == []


# --- the engine: the part and its progress --------------------------------------------


def test_progress_counts_the_staff_members_own_part_only() -> None:
    session = Session(NUDES, part_answerer(STAFF))
    counts = []
    while session.may_answer():
        assert session.part == "staff"
        counts.append(session.remaining_estimate())
        session.answer(AnswerInput(session.current.id, default_answer(session), REASON))
    assert session.current.id == "scope" and session.part == "dsl"
    assert max(counts) < 10  # before parts: "1 step to go", then "19 steps to go"
    assert counts[:7] == [7, 6, 5, 4, 3, 2, 1]
    # the DSL's count, from her first step, is of her part: up to the head's view
    assert Session(NUDES).remaining_estimate() == counts[0]


def test_a_flow_without_parts_counts_to_the_end_as_before() -> None:
    from incident_tui.flow.engine import shortest_to_end

    search = SHIPPED["search-confiscation"]
    session = Session(search)
    assert session.remaining_estimate() == shortest_to_end(search, search.start)


def test_the_roles_answer_their_own_parts() -> None:
    assert [answers_part(STAFF, p) for p in ("staff", "dsl", "head")] == [True, False, False]
    assert [answers_part(DSL, p) for p in ("staff", "dsl", "head")] == [True, True, False]
    assert [answers_part(HEAD, p) for p in ("staff", "dsl", "head")] == [False, False, True]
    # one computer: whoever took the part answers what its role answers
    assert answers_part(None, "dsl", holding="staff") is False
    assert answers_part(None, "dsl", holding="dsl") is True


def test_a_refusal_at_a_dsl_step_changes_nothing_and_names_the_part() -> None:
    session = Session(NUDES, part_answerer(STAFF))
    while session.may_answer():
        session.answer(AnswerInput(session.current.id, default_answer(session), REASON))
    before = (session.current.id, session.decisions)
    with pytest.raises(PartRefused) as caught:
        session.answer(AnswerInput("scope", "imagery"))
    assert "another part of the procedure (The DSL's part)" in str(caught.value)
    with pytest.raises(PartRefused):
        session.check(AnswerInput("scope", "imagery"))
    with pytest.raises(PartRefused):
        session.check_refer_now()
    with pytest.raises(PartRefused):
        session.refer_now()
    assert (session.current.id, session.decisions) == before


def test_the_head_answers_only_the_heads_view() -> None:
    plan = {"scope": "imagery"}
    session = Session(NUDES)
    for _ in range(100):
        if session.current.id == "head-input":
            break
        value = plan.get(session.current.id) or _no_trigger(session)
        session.answer(AnswerInput(session.current.id, value, REASON))
    assert session.current.id == "head-input"
    session.answerer = part_answerer(DSL)
    with pytest.raises(PartRefused):
        session.answer(AnswerInput("head-input", "The DSL typing the head's view"))
    session.answerer = part_answerer(HEAD)
    session.answer(AnswerInput("head-input", "D. Patel: agrees"))
    assert session.current.id == "manage-decision"
    with pytest.raises(PartRefused):
        session.answer(AnswerInput("manage-decision", "manage-in-school", REASON))
    head_input = session.decisions[-1]
    with pytest.raises(PartRefused):  # nor correct the DSL's answers
        session.amend(session.decisions[0].ref, session.decisions[0].answer, "fix")
    session.amend(
        head_input.ref, AnswerInput("head-input", "D. Patel: agrees, review in a week"), "fuller"
    )


def _no_trigger(session: Session) -> object:
    if session.current.id.startswith("trigger-"):
        return "no"
    return default_answer(session)


# --- a member of staff never answers a DSL step, on any path ---------------------------


def _staff_tries_everything(session: Session, data: st.DataObject) -> None:
    """As the member of staff: every move at, or correcting, a step of another part is
    refused and changes nothing."""
    drawn = draw_answer(data, session) if not session.ended else None
    held, session.answerer = session.answerer, part_answerer(STAFF)
    before = (session.current.id, session.decisions)
    if drawn is not None and session.part != "staff":
        with pytest.raises(PartRefused):
            session.answer(drawn)
        if NUDES.refer_now is not None and session.current.id != NUDES.refer_now.to:
            with pytest.raises(PartRefused):
                session.refer_now()
    for decision in session.decisions:
        if decision.referred_now or NUDES.part_of(decision.answer.step) == "staff":
            continue
        with pytest.raises(PartRefused):
            session.amend(decision.ref, decision.answer, "a correction by the member of staff")
    # free text, an override or a made-up answer to a DSL step: refused before anything
    for step in ("scope", "reported-description", "refer-now", "referral-details"):
        with pytest.raises(EngineError):
            session.answer(AnswerInput(step, "typed by the member of staff", REASON))
    assert (session.current.id, session.decisions) == before
    session.answerer = held


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_member_of_staff_never_answers_a_dsl_step_on_any_path(data: st.DataObject) -> None:
    """Random walks with corrections and refer now: the member of staff's moves stop
    where the staff part ends; after the DSL takes over, nothing the member of staff
    tries (an answer, a correction, refer now) is accepted at a step of another part."""
    session = Session(NUDES, part_answerer(STAFF))
    ref = amendments = 0
    staff_refs: set[int] = set()
    for _ in range(1000):
        if session.ended:
            break
        ref += 1
        if not session.may_answer():
            if session.answerer is not None and session.part == "dsl":
                _staff_tries_everything(session, data)
                session.answerer = part_answerer(DSL)  # the DSL takes it over
                continue
            session.answerer = part_answerer(HEAD if session.part == "head" else DSL)
            continue
        answerer = session.answerer
        mine = answerer is not None and answerer("staff") and not answerer("dsl")
        roll = data.draw(st.integers(0, 19))
        if roll == 0 and session.decisions and amendments < 10:
            amendments += 1
            target = data.draw(st.sampled_from(session.decisions))
            amendment = _amendment_for(data, NUDES, session, target)
            if amendment is not None:
                try:
                    session.amend(target.ref, amendment, "corrected", ref=ref)
                except PartRefused:
                    assert not session.may_answer(amendment.step)
                except InvariantBroken:
                    pass
                continue
        if roll == 1 and not session.referred_now and session.current.id != "refer-now":
            with contextlib.suppress(InvariantBroken):
                session.refer_now(ref=ref)
            continue
        answer = draw_answer(data, session)
        try:
            session.answer(answer, ref=ref)
        except InvariantBroken:
            if session.referred_now or session.current.id == "refer-now":
                raise
            session.refer_now(ref=ref)
            continue
        if mine:
            staff_refs.add(ref)
        if data.draw(st.integers(0, 4)) == 0:
            _staff_tries_everything(session, data)
    assert session.ended, session.current.id
    for decision in session.decisions:
        if decision.ref in staff_refs:
            assert NUDES.part_of(decision.answer.step) == "staff", decision
