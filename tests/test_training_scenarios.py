"""Training scenarios: the schema, the checks against the flow, and scoring."""

from __future__ import annotations

from pathlib import Path

import pytest

from incident_tui.flow.engine import AnswerInput, Session
from incident_tui.flow.loader import FlowFileError, load_flow
from incident_tui.training.check import lint_scenario, lint_scenarios, model_answers
from incident_tui.training.debrief import Debrief
from incident_tui.training.scenario import load_scenario
from incident_tui.training.scoring import Status, grade

FIXTURES = Path(__file__).parent / "fixtures" / "scenarios"
TOY_FLOW = FIXTURES / "flows" / "toy-search.toml"
TOY_SCENARIO = FIXTURES / "flows" / "scenarios" / "toy-knife.toml"
MISSING_STEP = FIXTURES / "broken" / "missing-step.toml"


@pytest.fixture
def toy():
    return load_flow(TOY_FLOW)


def play(flow, answers):
    session = Session(flow)
    for answer in answers:
        session.answer(answer)
    return session


def test_a_sound_scenario_has_no_problems(toy):
    assert lint_scenario(load_scenario(TOY_SCENARIO), toy) == []


def test_scenario_naming_a_missing_step_or_choice_is_rejected_with_file_and_line(toy):
    problems = lint_scenario(load_scenario(MISSING_STEP), toy)
    text = [str(p) for p in problems]
    assert (
        f"{MISSING_STEP}:19: expectation 2: step 'no-such-step' is not a step of flow "
        in (text[2][: len(str(MISSING_STEP)) + 63])
    )
    assert any("step 'nowhere' is not a step" in t for t in text)
    assert any("has no choice 'gun'" in t for t in text)
    assert any("has no item 'sword'" in t for t in text)
    assert any("source 'NOPE' is not declared" in t for t in text)
    assert all(p.path == MISSING_STEP and p.line > 0 for p in problems)


def test_scenario_naming_an_unknown_flow_is_rejected(toy, tmp_path):
    path = tmp_path / "other.toml"
    path.write_text(
        TOY_SCENARIO.read_text().replace('flow = "toy-search"', 'flow = "no-such-flow"')
    )
    problems = lint_scenarios({"toy-search": toy}, [path])
    assert [(p.line, p.message.split(" (")[0]) for p in problems] == [
        (3, "flow 'no-such-flow' is not a known procedure")
    ]


def test_schema_error_points_at_the_line(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(TOY_SCENARIO.read_text().replace('kind = "interlock"', 'kind = "sort-of"'))
    with pytest.raises(FlowFileError) as caught:
        load_scenario(path)
    [problem] = caught.value.problems
    assert problem.line == 32
    assert problem.message.startswith("expect[2].kind: input should be")


def test_a_model_path_that_misses_an_expectation_is_reported(toy, tmp_path):
    path = tmp_path / "wrong-model.toml"
    text = TOY_SCENARIO.read_text().replace('answer = ["knife"]\n', 'answer = ["vape"]\n')
    path.write_text(text)
    problems = lint_scenario(load_scenario(path), toy)
    messages = [p.message for p in problems]
    assert any("the model path does not meet it" in m and "'found'" in m for m in messages)


def test_playing_right_scores_full_marks(toy):
    loaded = load_scenario(TOY_SCENARIO)
    session = play(toy.flow, model_answers(loaded, toy.flow))
    result = grade(loaded.scenario, toy.flow, session.decisions, session.current.id)
    assert result.score == result.max_score == 3 + 5 + 2 + 5 + 1
    assert result.passed and result.mattered_most() == []


def test_waiting_when_the_exception_applies_is_weighted_above_a_slow_path(toy):
    loaded = load_scenario(TOY_SCENARIO)
    answers = [
        AnswerInput("safety", True),
        AnswerInput("item", "knife"),
        AnswerInput("grounds", "Threat reported"),
        AnswerInput("consent", "no-force", "Threat with a knife"),
        AnswerInput("staff", "wait"),
        AnswerInput("staff", "wait"),
        AnswerInput("staff", "yes"),
        AnswerInput("found", ["nothing"]),
    ]
    session = play(toy.flow, answers)
    result = grade(loaded.scenario, toy.flow, session.decisions, session.current.id)
    statuses = {j.step_id: j.status for j in result.judgements}
    assert statuses == {
        "item": Status.right,
        "staff": Status.wrong,
        "found": Status.wrong,
        "police": Status.not_reached,
    }
    assert result.slow_path
    assert result.score == 3
    assert not result.passed
    heaviest = result.mattered_most()[0]
    assert heaviest.weight == 5 and heaviest.step_id in {"staff", "police"}
    staff = next(j for j in result.judgements if j.step_id == "staff")
    feedback = staff.feedback()
    assert "Expected: 'No', recording the Serious-harm exception" in feedback
    assert "Waiting leaves the knife" in feedback
    assert "Source: Searching, screening and confiscation, Who can search" in feedback


def test_debrief_markdown_lists_score_decisions_and_what_mattered(toy):
    loaded = load_scenario(TOY_SCENARIO)
    session = play(
        toy.flow,
        [
            AnswerInput("safety", True),
            AnswerInput("item", "vape"),
            AnswerInput("grounds", "Seen"),
            AnswerInput("consent", "no"),
        ],
    )
    result = grade(loaded.scenario, toy.flow, session.decisions, session.current.id)
    debrief = Debrief(
        scenario=loaded.scenario,
        grade=result,
        trainee="A. Trainee",
        reference="2026-11-24-001",
        started="2026-11-24T09:00:00Z",
        finished="2026-11-24T09:07:30Z",
        outcome="No search",
    )
    text = debrief.markdown()
    assert text.startswith("# Training debrief: A knife at the after-school club")
    assert "TRAINING" in text
    assert "- Trainee: A. Trainee" in text
    assert "- Time taken: 8 minutes" in text
    assert "- Score: 1 of 16 (6%): not yet passed" in text
    assert "## What mattered most" in text
    assert "expected 'A knife or weapon'; wrong ('A vape (school rule)')" in text
    assert text.index("Hand the weapon") < text.index("What was found")


def test_every_shipped_scenario_names_real_steps_and_its_model_path_scores_full_marks():
    from incident_tui.flow.loader import flow_files_in, load_all, shipped_flows_dir
    from incident_tui.training.scenario import load_scenarios, scenario_files_in

    flows, problems = load_all(flow_files_in(shipped_flows_dir()))
    assert problems == []
    paths = scenario_files_in(shipped_flows_dir() / "scenarios")
    scenarios, problems = load_scenarios(paths)
    assert problems == []
    assert lint_scenarios(flows, paths) == []
    assert len(scenarios) >= 6
    assert {s.scenario.flow for s in scenarios.values()} == {"nudes-sharing", "search-confiscation"}
    for loaded in scenarios.values():
        flow = flows[loaded.scenario.flow].flow
        session = play(flow, model_answers(loaded, flow))
        result = grade(loaded.scenario, flow, session.decisions, session.current.id)
        assert result.percent == 100, loaded.scenario.id


def test_flows_check_rejects_a_scenario_naming_a_missing_step(tmp_path, capsys):
    from incident_tui.cli import main

    (tmp_path / "scenarios").mkdir()
    flow = tmp_path / "toy-search.toml"
    flow.write_text(TOY_FLOW.read_text())
    (tmp_path / "scenarios" / "broken.toml").write_text(MISSING_STEP.read_text())
    assert main(["flows", "check", str(flow)]) == 1
    out = capsys.readouterr().out
    assert "broken.toml:19: expectation 2: step 'no-such-step' is not a step of flow" in out
    (tmp_path / "scenarios" / "broken.toml").unlink()
    (tmp_path / "scenarios" / "good.toml").write_text(TOY_SCENARIO.read_text())
    assert main(["flows", "check", str(flow)]) == 0


def test_training_logic_imports_without_textual():
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import incident_tui.training.scenario, incident_tui.training.scoring\n"
        "import incident_tui.training.check, incident_tui.training.debrief\n"
        "import incident_tui.training.attempts\n"
        "assert 'textual' not in sys.modules, 'textual imported'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_refer_now_taken_at_a_key_step_is_not_graded_as_an_answer_to_it():
    from incident_tui.flow.available import get_flow
    from incident_tui.training.scenario import load_scenarios

    flow = get_flow("nudes-sharing").flow
    scenarios, _ = load_scenarios()
    scenario = scenarios["sextortion-adult"]
    model = model_answers(scenario, flow)
    key_steps = {e.step for e in scenario.scenario.expect}
    first_key = next(i for i, a in enumerate(model) if a.step in key_steps)
    session = play(flow, model[:first_key])
    session.refer_now()
    result = grade(scenario.scenario, flow, session.decisions, session.current.id)
    judged = {j.step_id: j for j in result.judgements}
    assert judged[model[first_key].step].status is Status.not_reached  # not "None chosen"


def test_a_dsl_who_refers_the_under_13_selfie_is_not_marked_down_for_school_only_steps():
    from incident_tui.flow.available import get_flow
    from incident_tui.training.scenario import get_scenario
    from tests.flow_driver import drive

    loaded = get_scenario("under-13-selfie")
    flow = get_flow("nudes-sharing").flow
    model = {entry.step: entry.answer for entry in loaded.scenario.model}
    referred = drive(flow, {**model, "manage-decision": "refer"})
    result = grade(loaded.scenario, flow, referred.decisions, referred.current.id)
    assert {j.step_id for j in result.judgements} == {
        "what-now",
        "trigger-adult",
        "trigger-under-13",
        "manage-decision",
    }
    assert result.passed and result.mattered_most() == []
    # kept in school, the school-only steps are scored: deciding to view is marked wrong
    kept = drive(flow, {**model, "view-decision": "reason-takedown"})
    result = grade(loaded.scenario, flow, kept.decisions, kept.current.id)
    statuses = {j.step_id: j.status for j in result.judgements}
    assert statuses["view-decision"] is Status.wrong
    assert statuses["deletion"] is Status.right


def test_a_scenario_expectation_whose_condition_names_a_missing_step_is_rejected(toy, tmp_path):
    path = tmp_path / "when.toml"
    text = TOY_SCENARIO.read_text().replace(
        'step = "police"\n', 'step = "police"\nwhen = { step = "no-such-step", is = "x" }\n'
    )
    path.write_text(text)
    messages = [p.message for p in lint_scenario(load_scenario(path), toy)]
    assert "expectation 4 (step 'police'): when: step 'no-such-step' is not a step" in messages[0]
