"""The linter: one problem per issue, each with the file and line to fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from incident_tui.flow.linter import check_paths, lint
from incident_tui.flow.loader import load_flow

FIXTURES = Path(__file__).parent / "fixtures" / "flows"


def problems(name: str) -> list[tuple[str, int, str]]:
    """(file, line, message) for each problem in a fixture flow."""
    _, found = check_paths([FIXTURES / name])
    return [(str(p.path.relative_to(FIXTURES)), p.line, p.message) for p in found]


def test_a_flow_that_keeps_every_rule_has_no_problems() -> None:
    assert lint(load_flow(FIXTURES / "good.toml")) == []


def test_a_next_to_a_step_that_does_not_exist_is_reported_where_it_is_written() -> None:
    assert problems("dangling-next.toml") == [
        ("dangling-next.toml", 18, "step 'ask', choice 'a': next 'nowhere' is not a step"),
        (
            "dangling-next.toml",
            24,
            "step 'ask', choice 'b', override 'o': next 'gone' is not a step",
        ),
        ("dangling-next.toml", 32, "step 'note', route 2: to 'missing' is not a step"),
    ]


def test_a_start_that_is_not_a_step() -> None:
    assert problems("dangling-start.toml") == [
        ("dangling-start.toml", 2, "start 'begin' is not a step")
    ]


def test_an_include_exit_that_is_not_a_step_is_reported_once_at_the_include() -> None:
    assert problems("include-exit.toml") == [
        ("include-exit.toml", 13, "include 'device': exit 'finish' is not a step")
    ]


def test_a_step_nothing_leads_to_is_unreachable() -> None:
    assert problems("unreachable.toml") == [
        ("unreachable.toml", 10, "include 'device': never entered (no step leads to 'device')"),
        ("unreachable.toml", 21, "step 'orphan': unreachable from the start 'ask'"),
    ]


def test_an_included_fragment_that_is_never_entered() -> None:
    assert problems("include-unused.toml") == [
        ("include-unused.toml", 10, "include 'device': never entered (no step leads to 'device')")
    ]


def test_a_loop_with_no_way_out_to_an_end() -> None:
    assert problems("loop.toml") == [
        (
            "loop.toml",
            25,
            "step 'first': a loop with no way out to an end (first -> second -> first)",
        )
    ]


def test_a_choice_with_nowhere_to_go_never_reaches_an_end() -> None:
    """A hard-stop interlock needs no next; an override without its own next does."""
    assert problems("dead-end.toml") == [
        (
            "dead-end.toml",
            20,
            "step 'ask', choice 'stuck': no next, and the step has no default next: "
            "this path never reaches an end",
        ),
        (
            "dead-end.toml",
            39,
            "step 'view', choice 'dsl': no next, and the step has no default next: "
            "this path never reaches an end",
        ),
    ]


def test_duplicate_step_choice_and_item_ids() -> None:
    first = FIXTURES / "duplicate-ids.toml"
    assert problems("duplicate-ids.toml") == [
        ("duplicate-ids.toml", 17, "step 'ask', choice 'a': duplicate choice id"),
        ("duplicate-ids.toml", 31, "step 'found', item 'knife': duplicate item id"),
        ("duplicate-ids.toml", 41, f"step 'ask': duplicate step id (first at {first}:10)"),
    ]


def test_a_source_that_is_not_declared() -> None:
    assert problems("undeclared-source.toml") == [
        (
            "undeclared-source.toml",
            14,
            "step 'ask': source 'ukcis' is not declared under [sources]",
        ),
        (
            "undeclared-source.toml",
            30,
            "step 'who', choice 'other-sex', interlock: source 'sscg' is not declared "
            "under [sources]",
        ),
        (
            "undeclared-source.toml",
            31,
            "step 'who', choice 'other-sex', override 'serious': source 'dfe' is not declared "
            "under [sources]",
        ),
    ]


def test_contact_names_not_declared_by_the_flow_are_reported_in_escalations_and_any_text() -> None:
    declare = "(declare it under [contacts])"
    assert problems("unknown-contact.toml") == [
        ("unknown-contact.toml", 3, f"title: unknown contact '{{contacts.mayor}}' {declare}"),
        (
            "unknown-contact.toml",
            13,
            f"step 'ask': prompt: unknown contact '{{contacts.nurse}}' {declare}",
        ),
        (
            "unknown-contact.toml",
            19,
            "step 'ask', choice 'adult': escalation contact 'sheriff' is not declared under "
            "[contacts] (declared: dsl, mash)",
        ),
        (
            "unknown-contact.toml",
            19,
            "step 'ask', choice 'adult': escalation.message: unknown contact "
            f"'{{contacts.police}}' {declare}",
        ),
        ("unknown-contact.toml", 24, "step 'end': prompt: unknown school setting '{school.motto}'"),
    ]


def test_a_trusts_flow_may_name_a_new_contact_by_declaring_it(tmp_path: Path) -> None:
    text = (FIXTURES / "unknown-contact.toml").read_text(encoding="utf-8")
    text = text.replace('title = "Call {contacts.mayor}"', 'title = "Fixture"')
    text = text.replace("{contacts.police}", "{contacts.nurse}").replace(
        '"sheriff"', '"school_nurse"'
    )
    text = text.replace("{contacts.nurse}", "{contacts.school_nurse}")
    text = text.replace(", {school.motto}", "")
    text += 'school_nurse = "the school nurse (set the number in the config file)"\n'
    path = tmp_path / "ours.toml"
    path.write_text(text, encoding="utf-8")
    _, found = check_paths([path])
    assert found == []


def test_a_confirm_step_must_cite_a_source() -> None:
    assert problems("confirm-without-source.toml") == [
        (
            "confirm-without-source.toml",
            10,
            "step 'ask': a confirm step needs a source "
            '(sources = [{ ref = "...", section = "..." }])',
        )
    ]


def test_an_interlock_without_a_source_is_refused_by_the_schema(tmp_path: Path) -> None:
    text = (FIXTURES / "undeclared-source.toml").read_text(encoding="utf-8")
    path = tmp_path / "interlock.toml"
    path.write_text(text.replace('sources = [{ ref = "sscg" }]', "sources = []"), encoding="utf-8")
    _, found = check_paths([path])
    assert [(p.line, p.message) for p in found] == [
        (
            30,
            "step 'who', choice 'other-sex': interlock.sources: "
            "list should have at least 1 item after validation, not 0",
        )
    ]


def test_exit_is_only_for_fragments() -> None:
    assert problems("exit-in-flow.toml") == [
        ("exit-in-flow.toml", 15, "step 'ask', route 1: to '@exit' is only allowed in a fragment")
    ]


def test_only_the_last_route_is_the_default_and_a_route_list_is_not_empty() -> None:
    assert problems("routes.toml") == [
        ("routes.toml", 16, "step 'ask', route 1: only the last route may leave out 'when'"),
        (
            "routes.toml",
            17,
            "step 'ask', route 2: the last route must have no 'when' (it is the default)",
        ),
        ("routes.toml", 24, "step 'note': next is an empty list of routes"),
    ]


def test_a_condition_may_only_test_a_step_answered_on_every_path_to_it() -> None:
    # line 40 is not reported: an `all` that first asks `answered = true` may test the step
    assert problems("condition-not-answered.toml") == [
        (
            "condition-not-answered.toml",
            30,
            "step 'side', choice 'no': condition tests step 'side' itself, "
            "which is not answered yet",
        ),
        (
            "condition-not-answered.toml",
            37,
            "step 'meet', route 1: condition tests step 'side', "
            "which is not answered on every path to 'meet'",
        ),
        (
            "condition-not-answered.toml",
            51,
            "step 'meet', choice 'back': condition tests step 'side', "
            "which is not answered on every path to 'meet'",
        ),
        (
            "condition-not-answered.toml",
            60,
            "step 'end', action 2: condition tests step 'side', "
            "which is not answered on every path to 'end'",
        ),
    ]


def test_a_condition_must_name_a_real_step_and_its_real_choices_or_items() -> None:
    assert problems("condition-unknown.toml") == [
        (
            "condition-unknown.toml",
            30,
            "step 'note', route 1: condition tests unknown step 'nobody'",
        ),
        (
            "condition-unknown.toml",
            31,
            "step 'note', route 2: condition tests step 'ask' for 'maybe', "
            "which is not one of its choices",
        ),
        (
            "condition-unknown.toml",
            32,
            "step 'note', route 3: condition tests step 'ask' for 'c', "
            "which is not one of its choices",
        ),
        (
            "condition-unknown.toml",
            33,
            "step 'note', route 4: condition 'includes' needs a checklist step, "
            "but 'ask' is a choice step",
        ),
        (
            "condition-unknown.toml",
            34,
            "step 'note', route 5: condition tests step 'found' for 'gun', "
            "which is not one of its items",
        ),
        (
            "condition-unknown.toml",
            35,
            "step 'note', route 6: condition 'is' needs a choice step, "
            "but 'found' is a checklist step",
        ),
    ]


def test_a_problem_in_a_fragment_names_the_fragment_file_and_line() -> None:
    assert problems("fragment-problem.toml") == [
        (
            "fragments/leaky.toml",
            9,
            "step 'device.off': prompt: unknown contact '{contacts.helpdesk}' "
            "(declare it under [contacts])",
        ),
        (
            "fragments/leaky.toml",
            10,
            "step 'device.off': source 'nowhere' is not declared under [sources]",
        ),
    ]


def test_a_file_that_cannot_be_loaded_becomes_a_problem(tmp_path: Path) -> None:
    loaded, found = check_paths([tmp_path / "missing.toml", FIXTURES / "good.toml"])
    assert [f.flow.id for f in loaded] == ["good"]
    assert [str(p) for p in found] == [f"{tmp_path / 'missing.toml'}:0: no such file"]


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("*.toml")))
def test_every_fixture_but_the_good_one_breaks_a_rule(name: str) -> None:
    assert (problems(name) == []) == (name == "good.toml")


def test_a_fragment_checked_alone_gets_its_schema_checked(tmp_path: Path) -> None:
    fragment = tmp_path / "fragments" / "bad.toml"
    fragment.parent.mkdir()
    fragment.write_text(
        'id = "bad"\ntitle = "B"\nversion = "1"\nstart = "a"\n\n'
        '[[steps]]\nid = "a"\nkind = "confirm"\nprompt = "P"\n',
        encoding="utf-8",
    )
    loaded, found = check_paths([fragment, FIXTURES / "fragments" / "secure.toml"])
    assert loaded == []
    assert [str(p) for p in found] == [f"{fragment}:6: step 'a': next: field required"]


def test_a_refer_now_route_is_reachable_and_its_conditions_are_held_to_its_own_paths() -> None:
    assert problems("refer-now.toml") == [
        (
            "refer-now.toml",
            49,
            "step 'referred', outcome 2: condition tests step 'ask', which is not answered "
            "on every path to 'referred'",
        ),
        (
            "refer-now.toml",
            56,
            "step 'referred', action 2: condition tests step 'ask', which is not answered "
            "on every path to 'referred'",
        ),
    ]


def test_a_refer_now_to_a_missing_step_is_reported(tmp_path: Path) -> None:
    text = (FIXTURES / "refer-now.toml").read_text().replace('to = "refer"', 'to = "nowhere"')
    path = tmp_path / "refer-now.toml"
    path.write_text(text)
    _, found = check_paths([path])
    assert "refer_now: no step 'nowhere'" in [p.message for p in found]


def test_a_step_with_a_when_may_be_skipped_and_the_checks_know_it() -> None:
    """A skipped step is not answered; a skipped choice step goes to its step-level next."""
    assert problems("step-when.toml") == [
        (
            "step-when.toml",
            30,
            "step 'phone': a choice step with a 'when' needs a step-level next "
            "(where the walk goes when the step is skipped)",
        ),
        (
            "step-when.toml",
            30,
            "step 'phone', when: condition tests step 'phone' itself, which is not answered yet",
        ),
        (
            "step-when.toml",
            45,
            "step 'bag', route 1: condition tests step 'bag' itself, which its 'when' may skip "
            "(this next is also where a skipped step goes)",
        ),
        (
            "step-when.toml",
            53,
            "step 'done', action 1: condition tests step 'alcohol', which its 'when' may skip "
            "on the way to 'done'",
        ),
    ]


def test_an_end_step_cannot_have_a_when(tmp_path: Path) -> None:
    text = (FIXTURES / "good.toml").read_text()
    path = tmp_path / "end-when.toml"
    end = text.index('kind = "end"')
    path.write_text(text[:end] + 'when = { step = "consent", answered = true }\n' + text[end:])
    _, found = check_paths([path])
    assert [p.message for p in found] == [
        "step 'done': an end step cannot have a 'when': there is no next to skip to"
    ]


def test_an_invariant_must_name_real_steps_choices_items_and_overrides() -> None:
    override = "which is not an exception any of its choices allows"
    assert problems("invariants.toml") == [
        (
            "invariants.toml",
            31,
            f"step 'found', route 1: condition tests step 'who' for override 'serous', {override}",
        ),
        ("invariants.toml", 46, "invariant 'fine': duplicate invariant id"),
        ("invariants.toml", 48, "invariant 'fine': source 'dfe' is not declared under [sources]"),
        ("invariants.toml", 49, "invariant 'fine', once: condition tests unknown step 'nobody'"),
        (
            "invariants.toml",
            50,
            "invariant 'fine', never: condition tests step 'who' for 'maybe', "
            "which is not one of its choices",
        ),
        (
            "invariants.toml",
            50,
            "invariant 'fine', never: condition tests step 'found' for 'gun', "
            "which is not one of its items",
        ),
        (
            "invariants.toml",
            50,
            f"invariant 'fine', never: condition tests step 'found' for override 'serious', "
            f"{override}",
        ),
        (
            "invariants.toml",
            51,
            f"invariant 'fine', unless: condition tests step 'who' for override 'made-up', "
            f"{override}",
        ),
    ]
