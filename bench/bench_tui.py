"""TUI timings (figures, not a test): cold start to the home screen, and key to next step.

    .venv/bin/python bench/bench_tui.py

Start-up: a fresh process runs the app headless and exits on its first idle
on the home screen (median of 10). Key to next step: Pilot through a whole
search procedure, timing each single-key answer (a number on a choice step that
needs no reason) from the key press until the first frame drawn with the next
step on it, which includes the durable append (checked to have returned, with
its fsyncs, before that frame). Temporary data and config dirs.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

START_SCRIPT = """
import sys, time
t0 = time.perf_counter()
from incident_tui import cli
from incident_tui.startup import pause_collector
# As `incident-tui` does: only cli is imported with the collector on; main pauses it
# before the app's modules are imported. The patches below need those modules first,
# so they are imported paused too (main then finds the pause taken and leaves its end
# to the app's first frame, as for a user).
pause_collector()
from incident_tui.tui.app import IncidentApp
from incident_tui.tui.app_base import AppBase
from incident_tui.tui.screens.home import HomeScreen

real_mount, real_run = AppBase.on_mount, IncidentApp.run

def on_mount(self):
    real_mount(self)
    def check():
        if isinstance(self.screen, HomeScreen):
            self.exit(time.perf_counter() - t0)
        else:
            self.call_after_refresh(check)
    self.call_after_refresh(check)

def run(self, **options):
    took = real_run(self, headless=True, size=(80, 24))
    print(took)
    return took

# In place, not in a subclass: Textual calls the on_mount of every class that
# defines one, so a subclass's would push a second home screen.
AppBase.on_mount = on_mount
IncidentApp.run = run
raise SystemExit(cli.main(["--data-dir", sys.argv[1], "--config-dir", sys.argv[2]]))
"""
"""The path a user takes: `incident-tui --data-dir D --config-dir C` (cli.main, then
the app), headless at 80x24, exiting on the first refresh with the home screen on
screen; it prints the seconds from its first line to then."""

START_INCIDENTS = 1000
"""The school of the start-up figure: a record of this many incidents..."""
START_OPEN = 3
"""...of which this many are unfinished (listed on the home screen); the rest sealed."""


def school_setup(work: Path, incidents: int = START_INCIDENTS) -> tuple[Path, Path]:
    """A data folder holding a live record, and a config folder holding the record key
    and the school's own numbers (so the app starts on the home screen without asking),
    under `work`; made once, reused if there."""
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_record import build_store

    from incident_tui.record.events import FlowRef
    from incident_tui.record.keys import load_or_create_key
    from incident_tui.settings import Settings, save_settings

    data, config = work / "start-data", work / "start-config"
    if (data / "live").exists():
        return data, config
    config.mkdir(parents=True, exist_ok=True)
    key = load_or_create_key(config / "record.key")
    school = Settings(
        contacts={
            "dsl": "Ms A. Khan (DSL), 01632 960001",
            "deputy_dsl": "Mr B. Okafor (deputy DSL), 01632 960002",
            "mash": "Children's front door, 01632 960003 (out of hours 01632 960004)",
            "safer_schools_officer": "PC C. Jones, 01632 960005",
        }
    )
    save_settings(config / "config.toml", school)
    flow = FlowRef(id="search-confiscation", version="1.0", hash="ab" * 32)
    build_store(data / "live", key, incidents, 20, flow=flow, open_incidents=START_OPEN)
    return data, config


def cold_start(runs: int = 10) -> tuple[float, float]:
    """Median wall time of the whole process, and of import-to-home inside it."""
    walls: list[float] = []
    inner: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        data, config = school_setup(Path(tmp))
        for _ in range(runs):
            t0 = time.perf_counter()
            out = subprocess.run(
                [sys.executable, "-c", START_SCRIPT, str(data), str(config)],
                capture_output=True,
                text=True,
                check=True,
                cwd=ROOT,
            )
            walls.append(time.perf_counter() - t0)
            inner.append(float(out.stdout.strip().splitlines()[-1]))
    return statistics.median(walls), statistics.median(inner)


@dataclass
class _Watch:
    """One timed key: from the key press until the first frame showing what follows."""

    start: float
    old: object  # the step on screen when the key was pressed
    appended: float | None = None  # when Store.append returned (the event fsynced)
    fsyncs: int = 0  # fsyncs done between the key and the append's return
    durable: bool = False  # whether the append had returned, fsynced, by the frame
    drawn: float | None = None
    done: asyncio.Event = field(default_factory=asyncio.Event)


async def key_to_step(runs: int = 1) -> tuple[list[float], list[float]]:
    """Per single-key answer: (key pressed until the next step is drawn, Pilot round trip).

    The key goes in as a terminal's key does (the driver's message queue); the
    time stops at the first frame the app draws with the next step on it (or the
    screen after the last step), the frame turned into terminal output as a real
    terminal gets it (headless, Textual skips that). Each frame is checked to
    come after `Store.append` returned with its fsyncs: the bench fails if the
    screen moved on before the decision was durable. `runs` procedures, each in a
    fresh app."""
    sys.path.insert(0, str(ROOT))
    from incident_tui.flow.engine import rationale_setting
    from incident_tui.flow.model import ChoiceStep, Rationale
    from incident_tui.record.store import Store
    from incident_tui.startup import pause_collector
    from incident_tui.tui.screens.step import StepScreen
    from incident_tui.tui.widgets.step_view import StepView
    from tests import tui_helpers as h

    work: list[float] = []
    trips: list[float] = []
    watching: list[_Watch] = []
    real_append, real_fsync = Store.append, os.fsync

    def append(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        event = real_append(self, *args, **kwargs)
        if watching and watching[0].appended is None:
            watching[0].appended = time.perf_counter()
        return event

    def fsync(fd: int) -> None:
        real_fsync(fd)
        if watching and watching[0].appended is None:
            watching[0].fsyncs += 1

    def next_on_screen(screen: object, old: object) -> bool:
        if not isinstance(screen, StepScreen):
            return True  # the summary, a hand-over: the screen after the last step
        views = [w for w in screen._compositor.visible_widgets if isinstance(w, StepView)]
        # a new view, or the same one showing the next step in its widgets
        return bool(views) and views[0].step is not old

    def watched_display(app, real_display):  # type: ignore[no-untyped-def]
        def display(screen, renderable):  # type: ignore[no-untyped-def]
            real_display(screen, renderable)
            if renderable is not None and app.is_headless:
                renderable.render_segments(app.console)  # what a terminal would be sent
            now = time.perf_counter()
            watch = watching[0] if watching else None
            if watch is None or watch.drawn is not None or not next_on_screen(screen, watch.old):
                return
            watch.durable = watch.appended is not None and watch.fsyncs > 0
            watch.drawn = now
            watch.done.set()

        return display

    Store.append = append  # type: ignore[method-assign]
    os.fsync = fsync
    try:
        for _ in range(runs):
            with tempfile.TemporaryDirectory() as tmp:
                dirs = h.Dirs(Path(tmp) / "data", Path(tmp) / "config")
                # as `incident-tui` starts (cli.main): the collector held off until the
                # first screen is drawn, and what start-up built frozen out of its way
                pause_collector()
                app = h.make_app(dirs)  # the school's own numbers set: starts without asking
                async with app.run_test(size=(80, 24)) as pilot:
                    app._display = watched_display(app, app._display)  # type: ignore[method-assign]
                    await pilot.pause()
                    await h.start_incident(pilot, "search-confiscation")
                    plan = {"search-type": "search", "suspected": "drugs", "found": ["drugs"]}
                    while not app.incident.session.ended:
                        step = h.current_step(app)
                        value = plan.get(step.id, h.default_value(app))
                        choices = app.incident.session.choices()
                        single_key = isinstance(step, ChoiceStep) and all(
                            rationale_setting(step, c) is Rationale.none for c in choices
                        )
                        if not single_key:  # typing is the user's time, not ours: not timed
                            await h.answer(pilot, value)
                            continue
                        number = str([c.id for c in choices].index(value) + 1)
                        await pilot.pause()  # nothing left over from the step before
                        watch = _Watch(time.perf_counter(), app.screen.query_one(StepView).step)
                        watching[:] = [watch]
                        h.keys_ahead(pilot, number)
                        await asyncio.wait_for(watch.done.wait(), timeout=10)
                        assert watch.drawn is not None
                        assert watch.durable, "the next step was drawn before the append"
                        work.append(watch.drawn - watch.start)
                        await pilot.pause()
                        trips.append(time.perf_counter() - watch.start)
                        watching.clear()
                        assert h.current_step(app).id != step.id or app.incident.session.ended
    finally:
        Store.append = real_append  # type: ignore[method-assign]
        os.fsync = real_fsync
    return work, trips


def main() -> None:
    wall, inner = cold_start()
    print(
        f"cold start to home screen ready: median {wall * 1000:.0f} ms (whole process), "
        f"{inner * 1000:.0f} ms from first import (10 runs; target < 1000 ms)"
    )
    work, trips = asyncio.run(key_to_step())
    print(
        f"key to next step (durable append + next step drawn) median "
        f"{statistics.median(work) * 1000:.1f} ms, max {max(work) * 1000:.1f} ms; "
        f"Pilot round trip median {statistics.median(trips) * 1000:.0f} ms "
        f"(includes Pilot's own waits) over {len(work)} single-key steps (target < 50 ms)"
    )


if __name__ == "__main__":
    main()
