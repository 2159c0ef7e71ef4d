"""The engine's refusals carry the words the screen shows: the step view asks the
engine whether an answer is complete instead of checking it again in other words."""

from __future__ import annotations

from incident_tui.flow.engine import AnswerInput, EngineError, answer_problem
from tests.engine_fixture import toy_flow

FLOW = toy_flow()


def refusal(step: str, value: object, rationale: str | None = None) -> EngineError | None:
    return answer_problem(FLOW.step(step), AnswerInput(step, value, rationale))  # type: ignore[arg-type]


def test_an_incomplete_answer_is_refused_in_plain_words_without_the_step_id() -> None:
    cases = [
        ("safety", None, "Nothing is confirmed for you"),
        ("item", None, "Choose one of the answers first"),
        ("grounds", "", "Please type an answer."),
        ("found", [], "Tick at least one item."),
    ]
    for step, value, words in cases:
        refused = refusal(step, value)
        assert refused is not None, step
        assert refused.shown.startswith(words) and refused.about == "answer"
        assert "'" + step + "'" not in refused.shown
        assert str(refused).startswith(f"step '{step}'")  # an answers file still names it


def test_a_missing_reason_is_about_the_reason_box() -> None:
    refused = refusal("consent", "no-force")
    assert refused is not None and refused.about == "reason"
    assert refused.shown == "A reason is required for this answer: type it, then Enter."
    assert refusal("consent", "no-force", "Threat with a knife") is None


def test_a_control_character_in_the_answer_is_named_in_words() -> None:
    refused = refusal("grounds", "Seen \x1b[31m at break")
    assert refused is not None
    assert refused.shown.startswith("The answer ") and refused.shown.endswith(".")


def test_an_interlocked_choice_is_complete_here_and_stopped_when_submitted() -> None:
    assert refusal("staff", "no") is None
    assert refusal("staff", "yes") is None
