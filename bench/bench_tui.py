"""TUI timings (figures, not a test): cold start to the home screen, and key to next step.

    .venv/bin/python bench/bench_tui.py

Start-up: a fresh process runs the app headless and exits on its first idle
on the home screen (median of 10). Key to next step: Pilot through a whole
search procedure, timing each single-key answer (a number on a choice step that
needs no reason) from the key press until the next step is on screen, which
includes the durable append (median over the flow). Temporary data and config dirs.
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

START_SCRIPT = """
import sys, time
t0 = time.perf_counter()
from incident_tui import cli
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


async def key_to_step() -> tuple[list[float], list[float]]:
    """Per single-key answer: (app work: append + next step mounted, Pilot round trip)."""
    sys.path.insert(0, str(ROOT))
    from incident_tui.flow.engine import rationale_setting
    from incident_tui.flow.model import ChoiceStep, Rationale
    from incident_tui.incident import Incident
    from incident_tui.tui.screens.step import StepScreen
    from tests import tui_helpers as h

    work: list[float] = []
    trips: list[float] = []
    spent = [0.0]
    real_submit, real_show = Incident.submit, StepScreen.show_current

    def submit(self, answer):  # type: ignore[no-untyped-def]
        start = time.perf_counter()
        try:
            return real_submit(self, answer)
        finally:
            spent[0] += time.perf_counter() - start

    async def show_current(self):  # type: ignore[no-untyped-def]
        start = time.perf_counter()
        await real_show(self)
        spent[0] += time.perf_counter() - start

    Incident.submit = submit  # type: ignore[method-assign]
    StepScreen.show_current = show_current  # type: ignore[method-assign]
    with tempfile.TemporaryDirectory() as tmp:
        dirs = h.Dirs(Path(tmp) / "data", Path(tmp) / "config")
        app = h.make_app(dirs)  # the school's own numbers set: starts without asking
        async with app.run_test(size=(80, 24)) as pilot:
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
                spent[0] = 0.0
                start = time.perf_counter()
                await pilot.press(number)
                await pilot.pause()
                trips.append(time.perf_counter() - start)
                work.append(spent[0])
                assert h.current_step(app).id != step.id
    return work, trips


def main() -> None:
    wall, inner = cold_start()
    print(
        f"cold start to home screen ready: median {wall * 1000:.0f} ms (whole process), "
        f"{inner * 1000:.0f} ms from first import (10 runs; target < 1000 ms)"
    )
    work, trips = asyncio.run(key_to_step())
    print(
        f"key to next step: app work (durable append + next step mounted) median "
        f"{statistics.median(work) * 1000:.1f} ms, max {max(work) * 1000:.1f} ms; "
        f"Pilot round trip median {statistics.median(trips) * 1000:.0f} ms "
        f"(includes Pilot's own waits) over {len(work)} single-key steps (target < 50 ms)"
    )


if __name__ == "__main__":
    main()
