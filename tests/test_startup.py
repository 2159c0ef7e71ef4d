"""The cycle collector is held off only while the app starts, never left off."""

from __future__ import annotations

import gc
from typing import Any

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


@pytest.mark.parametrize(
    "words",
    [
        [],
        ["--data-dir", "D", "--config-dir", "C", "--theme", "ansi-dark", "--training"],
        ["--dat", "D"],
        ["--theme", "bad"],
        ["--data-dir"],
        ["--bogus"],
        ["D"],
        ["-h"],
        ["--hel"],
        ["--version"],
        ["list"],
        ["--training", "--data-dir", "D", "list", "--json"],
    ],
)
def test_the_command_line_is_read_as_the_full_parser_reads_it(
    words: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    from incident_tui.cli import build_parser, parse_args

    def read(parse: Any) -> object:
        try:
            return vars(parse(words))
        except SystemExit as exc:
            return ("exit", exc.code)

    quick = read(parse_args), capsys.readouterr()
    full = read(build_parser().parse_args), capsys.readouterr()
    assert quick == full


def test_the_review_starts_with_the_collector_held_off_as_the_app_does(
    isolated: Dirs, monkeypatch: pytest.MonkeyPatch
) -> None:
    from incident_tui.commands import review_cmd

    seen: list[bool] = []
    monkeypatch.setattr(review_cmd, "open_review", lambda args: seen.append(gc.isenabled()))
    assert main(["review"]) == 0
    assert seen == [False]  # the review app resumes it once its first screen is drawn
    assert gc.isenabled()
