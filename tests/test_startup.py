"""The cycle collector is held off only while the app starts, never left off."""

from __future__ import annotations

import gc

import pytest

from incident_tui import startup
from incident_tui.cli import main
from tests.tui_helpers import Dirs


def test_a_command_leaves_the_collector_on(isolated: Dirs) -> None:
    assert gc.isenabled()
    assert main(["flows", "list"]) == 0
    assert gc.isenabled()


def test_a_command_leaves_a_collector_that_was_off_off(isolated: Dirs) -> None:
    gc.disable()
    try:
        assert main(["flows", "list"]) == 0
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_help_that_exits_still_turns_the_collector_back_on() -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    assert gc.isenabled()


def test_resume_undoes_only_its_own_pause() -> None:
    startup.resume_collector()  # nothing paused: nothing to do
    assert gc.isenabled()
    startup.pause_collector()
    assert not gc.isenabled()
    startup.resume_collector()
    startup.resume_collector()
    assert gc.isenabled()


def test_flows_load_without_reading_the_installed_packages_for_pydantic_plugins() -> None:
    import subprocess
    import sys

    script = (
        "import sys; from incident_tui.flow.available import available_flows; "
        "assert available_flows(cache=False).flows; "
        "assert 'importlib.metadata' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", script], check=True)
