"""SVG snapshots of the main screens at 80x24 (pytest-textual-snapshot).

Update after an intended change with `pytest tests/test_tui_snapshots.py --snapshot-update`.
"""

from __future__ import annotations

from pathlib import Path

from incident_tui.flow.loader import load_flow
from incident_tui.locations import Paths
from incident_tui.record.store import IndexRow
from incident_tui.settings import Settings
from incident_tui.tui.app import IncidentApp
from tests.engine_fixture import TOY_FLOW

SIZE = (80, 24)


def toy_app(tmp_path: Path) -> IncidentApp:
    path = tmp_path / "toy.toml"
    path.write_text(TOY_FLOW, encoding="utf-8")
    loaded = load_flow(path)
    return IncidentApp(
        paths=Paths(data=tmp_path / "data", config=tmp_path / "config"),
        flows={loaded.flow.id: loaded},
        settings=Settings(),
    )


def fixed_reference(monkeypatch) -> None:
    """The same reference and clock every run, so the pictures compare."""
    import incident_tui.tui.present as present

    monkeypatch.setattr(present, "short_time", lambda iso: "09:15")
    monkeypatch.setattr(present, "when_text", lambda iso: "24 Nov 09:15")
    real = IndexRow.model_validate

    def same(data, *args, **kwargs):
        row = real(data, *args, **kwargs)
        return row.model_copy(update={"reference": "2026-11-24-001"})

    monkeypatch.setattr(IndexRow, "model_validate", same)


async def _start(pilot) -> None:
    from tests.tui_helpers import start_incident

    await pilot.pause()
    await start_incident(pilot, "toy-search")


def test_home_screen(snap_compare, dirs, tmp_path):
    assert snap_compare(toy_app(tmp_path), terminal_size=SIZE)


def test_confirm_step(snap_compare, dirs, tmp_path, monkeypatch):
    fixed_reference(monkeypatch)
    assert snap_compare(toy_app(tmp_path), terminal_size=SIZE, run_before=_start)


def test_stop_screen(snap_compare, dirs, tmp_path, monkeypatch):
    fixed_reference(monkeypatch)

    async def to_stop(pilot) -> None:
        from tests.tui_helpers import answer

        await _start(pilot)
        await answer(pilot)
        await answer(pilot, "vape")
        await answer(pilot, "Seen vaping")
        await answer(pilot, "yes", reason="")
        await pilot.press("2")
        await pilot.pause()

    assert snap_compare(toy_app(tmp_path), terminal_size=SIZE, run_before=to_stop)


def test_escalation_and_checklist(snap_compare, dirs, tmp_path, monkeypatch):
    fixed_reference(monkeypatch)

    async def to_checklist(pilot) -> None:
        from tests.tui_helpers import answer

        await _start(pilot)
        await answer(pilot)
        await answer(pilot, "knife")
        await answer(pilot, "Seen")
        await answer(pilot, "yes", reason="")
        await answer(pilot, "yes")
        await pilot.press("3")
        await pilot.pause()

    assert snap_compare(toy_app(tmp_path), terminal_size=SIZE, run_before=to_checklist)
