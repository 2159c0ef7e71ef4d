"""Issue 12's "done when": the installed `incident-tui` in tmux at 80x24, a whole search
from the home screen to the seal, with the school's own numbers set (no "start anyway").

- with NO_COLOR=1: every screen is in the terminal's own colours (no text drawn in the
  colour of its background);
- with every step's keys sent at full speed: one send-keys per screen, the choice, the
  reason, Tab and Enter in one burst, as a fast typist's terminal delivers them.

Both then read the record through the store: it holds exactly what was typed (who,
role, pupil, where, each answer and each reason), and `verify` finds it intact.

A copy of the engine runs beside the app, so the test knows which step is on screen
and which keys answer it; it waits for each screen's text before typing, never a
fixed time.
"""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from incident_tui import dates
from incident_tui.flow.available import available_flows
from incident_tui.flow.engine import AnswerInput, Session, rationale_setting
from incident_tui.flow.model import ChecklistStep, ChoiceStep, ConfirmStep, Rationale, TextStep
from incident_tui.record.events import EventKind
from incident_tui.record.keys import load_or_create_key
from incident_tui.record.store import Store
from incident_tui.settings import declared_contacts, fill, load_settings, local_contact_names
from incident_tui.tui.widgets.ticklist import option_key
from tests.test_e2e_tmux import COMMAND, Tmux, prompt_line
from tests.test_no_color_tmux import colour_problems
from tests.tools import require_tool

pytestmark = require_tool("tmux")

FLOW = "search-confiscation"
WHO = ("Sam Jones", "Head of year", "P-1042", "Science lab 3")
PLAN: dict[str, object] = {
    "search-type": "search",
    "suspected": "weapon",
    "searcher-sex": ("opposite-sex", "serious-harm-exception"),
    "found": ["weapon"],
}
"""A search for a weapon by a searcher not of the pupil's sex: the STOP, its exception."""

LOCAL_NUMBERS = {
    "dsl": "Ms A. Khan (DSL), 01632 960001",
    "deputy_dsl": "Mr B. Okafor (deputy DSL), 01632 960002",
    "mash": "Northshire children's front door, 01632 960003 (out of hours 01632 960004)",
    "safer_schools_officer": "PC C. Jones (safer schools officer), 01632 960005",
}


def write_config(config: Path) -> None:
    """A school whose own numbers are all set, real-looking (Ofcom's drama range)."""
    flows = available_flows(config / "flows").flows
    local = local_contact_names(declared_contacts(f.flow.contacts for f in flows.values()))
    missing = set(local) - set(LOCAL_NUMBERS)
    assert not missing, f"the test gives no number for {missing}"
    lines = ["[school]", 'name = "Northshire Academy"', "", "[contacts]"]
    lines += [f'{name} = "{LOCAL_NUMBERS[name]}"' for name in local]
    config.mkdir(parents=True, exist_ok=True)
    (config / "config.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


@dataclass
class Run:
    """One run of the app in tmux and the engine beside it."""

    tmux: Tmux
    tmp: Path
    full_speed: bool
    no_color: bool
    screens: list[str] = field(default_factory=list)
    """Each screen waited for, with its colours (capture-pane -e), under NO_COLOR."""

    @property
    def dirs(self) -> list[str]:
        return ["--data-dir", str(self.tmp / "data"), "--config-dir", str(self.tmp / "config")]

    def wait_for(self, needle: str) -> str:
        screen = self.tmux.wait_for(needle)
        if self.no_color:
            self.screens.append(self.tmux.screen(escapes=True))
        return screen

    def send(self, *keys: str) -> None:
        """One screen's keys: all in one burst at full speed, otherwise as a person types
        (a key at a time, a pause before text)."""
        if self.full_speed:
            self.tmux.burst(*keys)
            return
        for key in keys:
            if key in ("Enter", "Tab", "Down", "Up") or len(key) == 1:
                self.tmux.keys(key)
            else:
                self.tmux.text(key)


def reason_for(step_id: str) -> str:
    """A reason of its own for each step, with digits and capitals: one that lands in
    the wrong box, or loses a key, shows."""
    return f"Seen at 10:15 by Ms Khan, re {step_id}"


def answer_keys(run: Run, session: Session) -> AnswerInput:
    """Send the keys for the current step (waiting for any screen they open); return the
    answer they give."""
    step = session.current
    wanted = PLAN.get(step.id)
    if isinstance(step, ConfirmStep):
        if step.rationale is Rationale.none:
            run.send("Tab", "Enter")
            return AnswerInput(step.id, True)
        reason = reason_for(step.id)
        run.send("Tab", reason, "Enter", "Enter")  # the reason, Enter to the button, Enter
        return AnswerInput(step.id, True, rationale=reason)
    if isinstance(step, ChoiceStep):
        choices = session.choices()
        if isinstance(wanted, tuple):  # (choice, override id): the STOP screen
            index = [c.id for c in choices].index(wanted[0])
            run.send(option_key(index + 1))
            run.wait_for("STOP")
            override = choices[index].interlock.overrides[0]  # type: ignore[union-attr]
            assert override.id == wanted[1]
            run.send("Tab", "Enter")
            run.wait_for("Every condition must be true")
            keys: list[str] = []  # tick every condition: Enter, then Down and Enter
            for number in range(len(override.conditions)):
                keys += ["Down"] * bool(number) + ["Enter"]
            reason = reason_for(step.id)
            run.send(*keys, "Tab", reason, "Enter")
            confirmed = tuple(c.id for c in override.conditions)
            return AnswerInput(
                step.id, wanted[0], rationale=reason, override=wanted[1], confirmed=confirmed
            )
        if wanted is None:  # the first choice that breaks no rule
            choice = next(c for c in choices if c.interlock is None)
        else:
            choice = next(c for c in choices if c.id == wanted)
        key = option_key(choices.index(choice) + 1)
        if rationale_setting(step, choice) is Rationale.none:
            run.send(key)
            return AnswerInput(step.id, choice.id)
        reason = reason_for(step.id)
        run.send(key, reason, "Enter")
        return AnswerInput(step.id, choice.id, rationale=reason)
    if isinstance(step, ChecklistStep):
        ids = [i.id for i in step.items]
        ticked = wanted if isinstance(wanted, list) else (ids if step.require == "all" else ids[:1])
        keys = [option_key(ids.index(i) + 1) for i in ticked]
        if step.rationale is Rationale.none:
            run.send(*keys, "Tab", "Enter")
            return AnswerInput(step.id, list(ticked))
        reason = reason_for(step.id)
        run.send(*keys, "Tab", reason, "Enter")
        return AnswerInput(step.id, list(ticked), rationale=reason)
    assert isinstance(step, TextStep)
    typed = f"Noted 10:20, {step.id}" if step.format is None else dates.sample(step.format)
    if step.rationale is Rationale.required:
        reason = reason_for(step.id)
        run.send(typed, "Enter", reason, "Enter")
        return AnswerInput(step.id, typed, rationale=reason)
    run.send(typed, "Enter")
    return AnswerInput(step.id, typed)


def whole_search(run: Run) -> tuple[str, Session]:
    """From the home screen to the seal; returns the reference and the engine's copy."""
    config = run.tmp / "config"
    write_config(config)
    colour = "NO_COLOR=1 " if run.no_color else ""
    run.tmux.start(f"env {colour}HOME={run.tmp} {COMMAND} {' '.join(run.dirs)}")
    home = run.wait_for("Start a new incident")
    assert "WARNING" not in home, home  # the school's numbers are set
    flows = sorted(available_flows(config / "flows").flows)
    run.send(*["Down"] * flows.index(FLOW), "Enter")
    run.wait_for("Your name")
    name, role, pupil, where = WHO
    run.send(name, "Enter", role, "Enter", pupil, "Enter", where, "Enter")
    loaded = available_flows(config / "flows").flows[FLOW]
    settings = load_settings(config / "config.toml").with_defaults(loaded.flow.contacts)
    session = Session(loaded.flow)
    reference = ""
    for _ in range(80):
        if session.ended:
            break
        # the side panel counts the answers recorded: wait until the last one is saved,
        # then for the next step's prompt in its box, so no key reaches the step before
        screen = run.wait_for(f" {len(session.decisions)} answered ")
        run.wait_for(f"┃ {prompt_line(fill(session.current.prompt, settings))}")
        if not reference:
            reference = screen.split("·")[1].strip()
        session.answer(answer_keys(run, session))
    assert session.ended
    run.wait_for("Tab to 'Seal the record'")
    run.send("Tab", "Enter")
    run.wait_for("Seal code:")
    run.tmux.burst("C-q")
    run.wait_for("Quit incident-tui?")
    run.tmux.burst("y")
    deadline = time.monotonic() + 10
    while run.tmux.run("has-session", "-t", run.tmux.name, check=False).returncode == 0:
        assert time.monotonic() < deadline, "the app did not quit"
        time.sleep(0.1)
    return reference, session


def assert_recorded_as_typed(run: Run, reference: str, session: Session) -> None:
    key = load_or_create_key(run.tmp / "config" / "record.key")
    with Store.open(run.tmp / "data" / "live", key=key, mode="live", readonly=True) as store:
        events = store.events(reference)
    opened = events[0]
    assert (opened.actor.name, opened.actor.role) == WHO[:2]
    assert (opened.data["pupil"], opened.data["location"]) == WHO[2:]
    answered = [e for e in events if e.kind in (EventKind.answer, EventKind.override)]
    recorded = [(e.step, e.answer, e.rationale) for e in answered]
    typed = [(d.answer.step, d.answer.value, d.answer.rationale) for d in session.decisions]
    assert recorded == typed
    override = next(e for e in answered if e.kind is EventKind.override)
    assert override.data["override"] == "serious-harm-exception"
    assert EventKind.sealed in [e.kind for e in events]
    verify = subprocess.run(
        [str(COMMAND), *run.dirs, "verify"], capture_output=True, text=True, timeout=60
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr


@pytest.fixture
def tmux(request):
    session = Tmux(f"incident-tui-{request.node.name[:20]}")
    yield session
    session.stop()


def test_a_whole_search_with_no_color_is_in_the_terminals_colours_and_recorded_as_typed(
    tmp_path, tmux
):
    run = Run(tmux, tmp_path, full_speed=False, no_color=True)
    reference, session = whole_search(run)
    assert len(run.screens) > 20
    problems = {p for screen in run.screens for p in colour_problems(screen)}
    assert not problems, sorted(problems)[:10]
    assert_recorded_as_typed(run, reference, session)


def test_a_whole_search_typed_at_full_speed_is_recorded_as_typed(tmp_path, tmux):
    run = Run(tmux, tmp_path, full_speed=True, no_color=False)
    reference, session = whole_search(run)
    assert_recorded_as_typed(run, reference, session)
