"""`incident-tui flows check|list|schema`, as a user runs them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from incident_tui import locations
from incident_tui.cli import main
from incident_tui.flow import loader
from tests.tui_helpers import Dirs

FIXTURES = Path(__file__).parent / "fixtures" / "flows"
REPO_FLOWS = Path(__file__).resolve().parents[1] / "flows"
SHIPPED = sorted(REPO_FLOWS.glob("*.toml"))


def shown(path: Path) -> str:
    """Paths below the current folder are printed relative to it, as a compiler does."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


@pytest.fixture
def own_config(isolated: Dirs) -> Path:
    """The config folder this test uses (every test has its own, never the developer's)."""
    return isolated.config


@pytest.fixture
def shipped_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder standing in for the shipped flows: the good fixture and its fragment."""
    shipped = tmp_path / "shipped"
    (shipped / "fragments").mkdir(parents=True)
    shutil.copy(FIXTURES / "good.toml", shipped / "good.toml")
    shutil.copy(FIXTURES / "fragments" / "secure.toml", shipped / "fragments" / "secure.toml")
    monkeypatch.setattr(loader, "shipped_flows_dir", lambda: shipped)
    return shipped


def test_check_of_a_clean_flow_prints_a_summary_and_exits_0(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["flows", "check", str(FIXTURES / "good.toml")]) == 0
    out = capsys.readouterr().out
    assert out == "1 flow, 4 steps, 1 end: no problems\n"


def test_check_prints_one_line_per_problem_and_exits_1(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(
        ["flows", "check", str(FIXTURES / "loop.toml"), str(FIXTURES / "dangling-start.toml")]
    )
    captured = capsys.readouterr()
    assert code == 1
    assert captured.out.splitlines() == [
        f"{shown(FIXTURES / 'loop.toml')}:25: step 'first': a loop with no way out to an end "
        "(first -> second -> first)",
        f"{shown(FIXTURES / 'dangling-start.toml')}:2: start 'begin' is not a step",
    ]
    assert captured.err == "incident-tui: 2 problems found\n"


def test_check_reports_a_file_that_is_not_toml(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('id = "x"\ntitle = \n', encoding="utf-8")
    assert main(["flows", "check", str(bad)]) == 1
    assert capsys.readouterr().out.startswith(f"{bad}:2: not valid TOML: ")


def test_check_of_a_path_that_does_not_exist_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nope.toml"
    assert main(["flows", "check", str(missing)]) == 1
    captured = capsys.readouterr()
    assert captured.err == f"incident-tui: {missing}: no such file or folder\n"
    assert "Traceback" not in captured.out + captured.err


def test_check_of_a_folder_checks_the_flows_in_it_but_not_its_fragments(
    shipped_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["flows", "check", str(shipped_copy)]) == 0
    assert capsys.readouterr().out == "1 flow, 4 steps, 1 end: no problems\n"


def test_check_with_no_path_checks_shipped_and_local_flows(
    shipped_copy: Path, own_config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    local = own_config / "flows"
    local.mkdir(parents=True)
    shutil.copy(FIXTURES / "loop.toml", local / "ours.toml")
    assert main(["flows", "check"]) == 1
    out = capsys.readouterr().out
    assert out == (
        f"{local / 'ours.toml'}:25: step 'first': a loop with no way out to an end "
        "(first -> second -> first)\n"
    )


def test_list_shows_id_title_version_steps_and_path(
    shipped_copy: Path, own_config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    local = own_config / "flows"
    shutil.copytree(shipped_copy, local)
    text = (local / "good.toml").read_text(encoding="utf-8")
    (local / "good.toml").unlink()
    (local / "ours.toml").write_text(text.replace('id = "good"', 'id = "ours"', 1), "utf-8")
    assert main(["flows", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["ID", "TITLE", "VERSION", "STEPS", "PATH"]
    assert lines[1].split() == [
        "good",
        "A",
        "good",
        "flow",
        "1",
        "4",
        str(shipped_copy / "good.toml"),
    ]
    assert lines[2].split() == ["ours", "A", "good", "flow", "1", "4", str(local / "ours.toml")]


def test_list_leaves_out_a_flow_the_linter_refuses_and_names_it(
    shipped_copy: Path, own_config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    local = own_config / "flows"
    local.mkdir(parents=True)
    shutil.copy(FIXTURES / "dangling-start.toml", local / "ours.toml")
    assert main(["flows", "list"]) == 1
    captured = capsys.readouterr()
    assert [line.split()[0] for line in captured.out.splitlines()] == ["ID", "good"]
    assert f"incident-tui: {local / 'ours.toml'}:2: start 'begin' is not a step" in captured.err


def test_list_names_the_files_it_could_not_load(
    shipped_copy: Path, own_config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    local = own_config / "flows"
    local.mkdir(parents=True)
    (local / "empty.toml").write_text("", encoding="utf-8")
    assert main(["flows", "list"]) == 1
    captured = capsys.readouterr()
    assert captured.out.splitlines()[1].startswith("good ")
    assert f"incident-tui: {local / 'empty.toml'}:1: the file is empty" in captured.err


def test_schema_prints_the_json_schema_of_a_flow(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["flows", "schema"]) == 0
    out = capsys.readouterr().out
    schema = json.loads(out)
    assert schema["title"] == "Flow"
    assert {"id", "title", "version", "start", "steps"} <= set(schema["required"])
    assert out.startswith('{\n  "')  # indented for people to read


def test_the_shipped_flows_pass_the_check(capsys: pytest.CaptureFixture[str]) -> None:
    assert [p.stem for p in SHIPPED] == ["nudes-sharing", "search-confiscation"]
    code = main(["flows", "check"])
    captured = capsys.readouterr()
    assert captured.out.endswith(": no problems\n"), captured.out
    assert code == 0
    assert captured.out.startswith("2 flows, ")


def test_without_a_wheel_the_shipped_flows_are_found_in_the_repository(tmp_path: Path) -> None:
    """Run from a checkout or an editable install, from any folder."""
    env = {k: v for k, v in os.environ.items() if k != locations.CONFIG_ENV}
    env[locations.CONFIG_ENV] = str(tmp_path / "config")
    # the checkout's package first, even where a wheel is installed as well
    env["PYTHONPATH"] = str(REPO_FLOWS.parent)
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from incident_tui.flow.loader import shipped_flows_dir, flow_paths;"
            "print(shipped_flows_dir()); print(len(flow_paths()))",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        check=True,
    )
    where, count = result.stdout.splitlines()
    assert Path(where).resolve() == REPO_FLOWS
    assert int(count) == len(SHIPPED)


def test_installed_the_shipped_flows_come_from_the_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.machinery

    package = tmp_path / "site" / "incident_tui" / "shipped_flows"
    package.mkdir(parents=True)
    spec = importlib.machinery.ModuleSpec("incident_tui.shipped_flows", None, is_package=True)
    spec.submodule_search_locations = [str(package)]
    monkeypatch.setattr(loader.importlib.util, "find_spec", lambda name: spec)
    assert loader.shipped_flows_dir() == package
