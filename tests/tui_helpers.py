"""Fixtures and key-driving helpers for the TUI tests.

Every test gets its own temporary data and config dirs (never the user's),
and the text cursor does not blink, so screens are stable.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.reactive import reactive
from textual.widgets import Input

from incident_tui import dates, locations
from incident_tui.flow.engine import rationale_setting
from incident_tui.flow.loader import LoadedFlow, load_flow
from incident_tui.flow.model import ChecklistStep, ChoiceStep, ConfirmStep, Rationale, TextStep
from incident_tui.locations import Mode
from incident_tui.record.events import Event
from incident_tui.record.keys import load_or_create_key
from incident_tui.record.store import Store
from incident_tui.settings import Settings
from incident_tui.tui.app import IncidentApp
from tests.engine_fixture import TOY_FLOW


@dataclass(frozen=True)
class Dirs:
    data: Path
    config: Path

    @property
    def paths(self) -> locations.Paths:
        return locations.Paths(data=self.data, config=self.config)

    def store_root(self, mode: Mode = "live") -> Path:
        return self.data / ("training" if mode == "training" else "live")


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Dirs:
    """Every test: the data and config folders are temporary ones, never the developer's
    own (their local flows, settings, record key or record), whatever the test asks for."""
    data, config, home = tmp_path / "data", tmp_path / "config", tmp_path / "home"
    monkeypatch.setenv(locations.DATA_ENV, str(data))
    monkeypatch.setenv(locations.CONFIG_ENV, str(config))
    monkeypatch.setenv("HOME", str(home))
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(name, str(home / name.lower()))
    home.mkdir(exist_ok=True)
    return Dirs(data, config)


@pytest.fixture
def dirs(isolated: Dirs, monkeypatch: pytest.MonkeyPatch) -> Iterator[Dirs]:
    """The temporary folders, for tests that drive the screens (the cursor does not blink)."""
    data, config = isolated.data, isolated.config
    still = reactive(False, init=False)
    still.__set_name__(Input, "cursor_blink")
    monkeypatch.setattr(Input, "cursor_blink", still)
    yield Dirs(data, config)


TODAY = datetime(2026, 12, 1, 12, 0)
"""The day `fixed_today` sets: the fixed dates in tests (a review date on 2026-12-15)
are after it, so they are not refused as past once the real date passes them."""


@pytest.fixture
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> datetime:
    monkeypatch.setattr(dates, "now", lambda: TODAY)
    return TODAY


@pytest.fixture
def toy_flows(tmp_path: Path) -> dict[str, LoadedFlow]:
    path = tmp_path / "toy.toml"
    path.write_text(TOY_FLOW, encoding="utf-8")
    loaded = load_flow(path)
    return {loaded.flow.id: loaded}


SET_UP = Settings(
    contacts={
        "dsl": "Ms A. Khan (DSL), 01632 960001",
        "deputy_dsl": "Mr B. Okafor (deputy DSL), 01632 960002",
        "mash": "Children's front door, 01632 960003 (out of hours 01632 960004)",
        "safer_schools_officer": "PC C. Jones, 01632 960005",
    }
)
"""A school whose own numbers are set: a live incident starts without asking."""


def make_app(
    dirs: Dirs,
    mode: Mode = "live",
    flows: dict[str, LoadedFlow] | None = None,
    settings: Settings | None = SET_UP,
) -> IncidentApp:
    return IncidentApp(paths=dirs.paths, mode=mode, flows=flows, settings=settings)


def read_events(dirs: Dirs, reference: str, mode: Mode = "live") -> list[Event]:
    key = load_or_create_key(dirs.config / "record.key")
    with Store.open(dirs.store_root(mode), key=key, mode=mode, readonly=True) as store:
        return store.events(reference)


def kinds(events: list[Event]) -> list[str]:
    return [e.kind.value for e in events]


def visible_lines(app: IncidentApp) -> list[str]:
    """The active screen as the user sees it, one string per terminal line."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


def visible_text(app: IncidentApp) -> str:
    return "\n".join(visible_lines(app))


async def type_text(pilot: Pilot[Any], text: str) -> None:
    for char in text:
        await pilot.press("space" if char == " " else char)


def type_ahead(pilot: Pilot[Any], text: str) -> None:
    """Queue every key of `text` ("\r" is Enter, "\t" Tab) at once, as a fast typist's
    terminal delivers them: nothing is handled until the caller pauses (Pilot's press
    waits for each key to be handled, which hides a key landing in the wrong box)."""
    keys_ahead(pilot, *[{"\r": "enter", "\t": "tab", " ": "space"}.get(c, c) for c in text])


def keys_ahead(pilot: Pilot[Any], *keys: str) -> None:
    """Queue keys at once, as `type_ahead`: each a character or a key's name ("down")."""
    from textual import events

    driver = pilot.app._driver
    assert driver is not None
    for key in keys:
        char = {"enter": "\r", "tab": "\t", "space": " "}.get(key, key if len(key) == 1 else None)
        event = events.Key(key, char)
        event.set_sender(pilot.app)
        driver.send_message(event)


async def start_incident(
    pilot: Pilot[Any],
    flow_id: str,
    *,
    name: str = "Sam Jones",
    role: str = "Teacher",
    pupil: str = "AB",
    where: str = "Room 12",
) -> str:
    """From the home screen, open a new incident; returns its reference."""
    app = pilot.app
    flows = app.screen.query_one("#flows")
    flows.highlighted = sorted(app.flows).index(flow_id)  # type: ignore[attr-defined]
    flows.focus()
    await pilot.press("enter")
    await pilot.pause()
    for field_id, value in (("name", name), ("role", role), ("pupil", pupil), ("location", where)):
        field = app.screen.query_one(f"#{field_id}", Input)
        field.value = ""
        field.focus()
        await type_text(pilot, value)
    await pilot.press("enter")
    await pilot.pause()
    return app.incident.reference  # type: ignore[union-attr]


def current_step(app: IncidentApp) -> Any:
    assert app.incident is not None
    return app.incident.session.current


async def answer(
    pilot: Pilot[Any], value: str | list[str] | bool | None = None, reason: str = "Because."
) -> None:
    """Answer the current step with keys only, as a user would.

    value: a choice id; checklist item ids (None: every item for 'all', the first for
    'any'); text; ignored for a confirm.
    """
    app: IncidentApp = pilot.app  # type: ignore[assignment]
    step = current_step(app)
    if isinstance(step, ConfirmStep):
        if step.rationale is Rationale.none:
            await pilot.press("tab", "enter")
        else:  # the reason first, then Enter to the button, Enter to confirm
            await pilot.press("tab")
            await type_text(pilot, reason)
            await pilot.press("enter", "enter")
    elif isinstance(step, ChoiceStep):
        choices = app.incident.session.choices()  # type: ignore[union-attr]
        index = next(i for i, c in enumerate(choices) if c.id == value)
        await pilot.press(str(index + 1))
        await pilot.pause()
        if rationale_setting(step, choices[index]) is not Rationale.none:
            await type_text(pilot, reason)
            await pilot.press("enter")
    elif isinstance(step, ChecklistStep):
        ids = [i.id for i in step.items]
        wanted = value if isinstance(value, list) else (ids if step.require == "all" else ids[:1])
        for item in wanted:
            await pilot.press(str(ids.index(item) + 1))
        await pilot.press("tab")
        if step.rationale is not Rationale.none:
            await type_text(pilot, reason)
            await pilot.press("enter")
        else:
            await pilot.press("enter")
    elif isinstance(step, TextStep):
        typed = "A short note" if step.format is None else dates.sample(step.format)
        await type_text(pilot, str(value or typed))
        await pilot.press("enter")
        if step.rationale is Rationale.required:
            await type_text(pilot, reason)
            await pilot.press("enter")
    await pilot.pause()


@dataclass(frozen=True)
class Override:
    """A plan entry: choose `choice`, then record the allowed exception `override`."""

    choice: str
    override: str
    reason: str = "Serious harm was imminent and no other staff could come."


def default_value(app: IncidentApp) -> Any:
    """The plain answer for a step the plan does not name: the first choice that
    breaks no rule, every item of an 'all' checklist, the first of an 'any'."""
    step = current_step(app)
    if isinstance(step, ChoiceStep):
        choices = app.incident.session.choices()  # type: ignore[union-attr]
        return next(c.id for c in choices if c.interlock is None)
    return None


async def record_override(pilot: Pilot[Any], plan: Override) -> None:
    """On the STOP screen: pick the exception, tick every condition, give the reason."""
    app: IncidentApp = pilot.app  # type: ignore[assignment]
    step = current_step(app)
    choice = next(c for c in step.choices if c.id == plan.choice)
    assert choice.interlock is not None
    position = [o.id for o in choice.interlock.overrides].index(plan.override)
    await pilot.press(*["tab"] * (position + 1), "enter")
    await pilot.pause()
    override = choice.interlock.overrides[position]
    for number in range(len(override.conditions)):
        if number:
            await pilot.press("down")
        await pilot.press("enter")
    await pilot.press("tab")
    await type_text(pilot, plan.reason)
    await pilot.press("enter")
    await pilot.pause()


async def take_over_if_handed(pilot: Pilot[Any], name: str = "Dee Lead") -> bool:
    """On one computer, where a part ends: pass the keyboard, the next person
    confirms their name (the role is offered from the part) and takes it over."""
    from incident_tui.tui.screens.handover import HandoverScreen, TakeOverScreen

    app = pilot.app
    if isinstance(app.screen, HandoverScreen):
        await pilot.press("t")
        await pilot.pause()
    if not isinstance(app.screen, TakeOverScreen):
        return False
    await type_text(pilot, name)
    await pilot.press("enter", "enter")
    await pilot.pause()
    return True


async def drive(
    pilot: Pilot[Any], plan: dict[str, Any], *, until: str | None = None, limit: int = 120
) -> list[str]:
    """Answer step after step with keys until the end (or the step `until`);
    returns the step ids answered."""
    app: IncidentApp = pilot.app  # type: ignore[assignment]
    seen: list[str] = []
    while app.incident is not None and not app.incident.session.ended:
        await take_over_if_handed(pilot)
        step = current_step(app)
        if step.id == until:
            break
        assert len(seen) < limit, f"no end after {limit} steps: {seen}"
        seen.append(step.id)
        value = plan.get(step.id, default_value(app))
        if isinstance(value, Override):
            choices = app.incident.session.choices()
            await pilot.press(str([c.id for c in choices].index(value.choice) + 1))
            await pilot.pause()
            await record_override(pilot, value)
        else:
            await answer(pilot, value)
        assert seen[-1] != current_step(app).id or app.incident.session.ended, (
            f"step {seen[-1]} did not move on"
        )
    return seen
