"""The installed `incident-tui` command, driven in tmux at 80x24 through a whole search.

A copy of the engine runs beside the app, so the test knows which step should
be on screen and which keys answer it; it waits for each step's prompt to appear
before pressing anything.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from incident_tui import dates
from incident_tui.flow.available import get_flow
from incident_tui.flow.engine import AnswerInput, Session, rationale_setting
from incident_tui.flow.model import ChecklistStep, ChoiceStep, ConfirmStep, Rationale, TextStep
from incident_tui.settings import Settings, fill
from tests.tools import require_tool

pytestmark = require_tool("tmux")

COMMAND = Path(sys.executable).parent / "incident-tui"
SESSION = "incident-tui-e2e"
REASON = "Serious risk now"


class Tmux:
    """One tmux server of its own (its own socket), so runs side by side never meet."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.socket = f"{name}-{os.getpid()}"

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=check
        )

    def start(self, command: str) -> None:
        self.run("kill-server", check=False)
        self.run("new-session", "-d", "-s", self.name, "-x", "80", "-y", "24", command)

    def keys(self, *keys: str) -> None:
        for key in keys:
            self.run("send-keys", "-t", self.name, key)
            time.sleep(0.05)

    def text(self, typed: str) -> None:
        # a pause first, as a person makes: characters sent within a few ms of a Tab
        # can be delivered before the Tab's focus change, to the widget being left
        time.sleep(0.3)
        self.run("send-keys", "-t", self.name, "-l", typed)
        time.sleep(0.1)

    def burst(self, *keys: str) -> None:
        """Every key at once, in one send-keys: key names (Enter, Tab) and text mixed."""
        self.run("send-keys", "-t", self.name, *keys)

    def screen(self, *, escapes: bool = False) -> str:
        """The pane's text; with `escapes`, with its colours and styles (capture-pane -e)."""
        flags = ["-p", "-e"] if escapes else ["-p"]
        return self.run("capture-pane", *flags, "-t", self.name, check=False).stdout

    def wait_for(self, needle: str, timeout: float = 10.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if needle in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{needle!r} did not appear; the screen shows:\n{self.screen()}")

    def stop(self) -> None:
        self.run("kill-server", check=False)


def answer_keys(tmux: Tmux, session: Session, plan: dict[str, object]) -> AnswerInput:
    """Press the keys for the current step; return the answer they give."""
    step = session.current
    wanted = plan.get(step.id)
    if isinstance(step, ConfirmStep):
        if step.rationale is Rationale.none:
            tmux.keys("Tab", "Enter")
            return AnswerInput(step.id, True)
        tmux.keys("Tab")
        tmux.text(REASON)
        tmux.keys("Enter", "Enter")
        return AnswerInput(step.id, True, rationale=REASON)
    if isinstance(step, ChoiceStep):
        choices = session.choices()
        if isinstance(wanted, tuple):  # (choice, override id): the STOP screen
            index = [c.id for c in choices].index(wanted[0])
            tmux.keys(str(index + 1))
            tmux.wait_for("STOP")
            override = choices[index].interlock.overrides[0]  # type: ignore[union-attr]
            tmux.keys("Tab", "Enter")
            tmux.wait_for("Every condition must be true")
            for number in range(len(override.conditions)):
                tmux.keys(*(["Down"] if number else []), "Enter")
            tmux.keys("Tab")
            tmux.text(REASON)
            tmux.keys("Enter")
            confirmed = tuple(c.id for c in override.conditions)  # every one ticked above
            return AnswerInput(
                step.id, wanted[0], rationale=REASON, override=wanted[1], confirmed=confirmed
            )
        if wanted is None:  # the first choice that breaks no rule
            choice = next(c for c in choices if c.interlock is None)
        else:
            choice = next(c for c in choices if c.id == wanted)
        tmux.keys(str(choices.index(choice) + 1))
        rationale = None
        if rationale_setting(step, choice) is not Rationale.none:
            tmux.wait_for("You chose:")
            tmux.text(REASON)
            tmux.keys("Enter")
            rationale = REASON
        return AnswerInput(step.id, choice.id, rationale=rationale)
    if isinstance(step, ChecklistStep):
        ids = [i.id for i in step.items]
        ticked = wanted if isinstance(wanted, list) else (ids if step.require == "all" else ids[:1])
        tmux.keys(*[str(ids.index(i) + 1) for i in ticked], "Tab")
        rationale = None
        if step.rationale is not Rationale.none:
            tmux.text(REASON)
            rationale = REASON
        tmux.keys("Enter")
        return AnswerInput(step.id, list(ticked), rationale=rationale)
    assert isinstance(step, TextStep)
    typed = "Short note" if step.format is None else dates.sample(step.format)
    tmux.text(typed)
    tmux.keys("Enter")
    return AnswerInput(step.id, typed)


def prompt_line(text: str) -> str:
    """What of a prompt surely fits on the first line of its box."""
    return text.split("\n")[0][:30].strip()


@pytest.fixture
def tmux():
    session = Tmux(SESSION)
    yield session
    session.stop()


def test_a_whole_search_incident_in_tmux_then_verify_and_show(tmp_path, tmux):
    data, config = tmp_path / "data", tmp_path / "config"
    dirs = f"--data-dir {data} --config-dir {config}"
    tmux.start(f"env HOME={tmp_path} {COMMAND} {dirs}")
    tmux.wait_for("Start a new incident")
    loaded = get_flow("search-confiscation")
    flows = sorted(["search-confiscation", "nudes-sharing"])
    tmux.keys(*["Down"] * flows.index("search-confiscation"), "Enter")
    tmux.wait_for("Start anyway: no local numbers")  # no config: the school's numbers unset
    tmux.keys("y")
    tmux.wait_for("Your name")
    tmux.text("Sam Jones")
    tmux.keys("Enter")
    tmux.text("Head of year")
    tmux.keys("Enter")
    tmux.text("AB")
    tmux.keys("Enter")
    tmux.text("Room 12")
    tmux.keys("Enter")
    session = Session(loaded.flow)
    plan: dict[str, object] = {
        "search-type": "search",
        "suspected": "weapon",
        "searcher-sex": ("opposite-sex", "serious-harm-exception"),
        "found": ["weapon"],
    }
    settings = Settings().with_defaults(loaded.flow.contacts)
    reference = ""
    for _ in range(80):
        if session.ended:
            break
        # the side panel counts the answers recorded: wait until the last one is saved,
        # then for the next step's prompt in its box, so no key reaches the step before
        screen = tmux.wait_for(f" {len(session.decisions)} answered ")
        tmux.wait_for(f"┃ {prompt_line(fill(session.current.prompt, settings))}")
        if not reference:
            reference = screen.split("·")[1].strip()
        session.answer(answer_keys(tmux, session, plan))
    assert session.ended
    tmux.wait_for("Tab to 'Seal the record'")
    tmux.keys("Tab")
    tmux.wait_for("Seal the record ")
    tmux.keys("Enter")
    screen = tmux.wait_for("Seal code:")
    assert "ESCALATION" in screen
    tmux.keys("C-q")
    tmux.wait_for("Quit incident-tui?")
    tmux.keys("y")
    time.sleep(1.0)

    verify = subprocess.run(
        [str(COMMAND), *dirs.split(), "verify"], capture_output=True, text=True, timeout=60
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr
    show = subprocess.run(
        [str(COMMAND), *dirs.split(), "show", reference], capture_output=True, text=True
    )
    assert show.returncode == 0, show.stderr
    # the one exception recorded on the STOP screen is in the record: counted once
    assert re.search(r"stop overrides 1\b", show.stdout, re.IGNORECASE), show.stdout
