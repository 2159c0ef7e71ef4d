"""The procedures on offer: what the linter refuses is offered nowhere, and named;
one bad file in the school's folder does not hide the shipped flows or the good ones."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from incident_tui.errors import UserError
from incident_tui.flow import loader
from incident_tui.flow.available import available_flows, get_flow
from incident_tui.flow.loader import FlowFileError, flow_files_in, shipped_flows_dir
from tests.tui_helpers import Dirs

FIXTURES = Path(__file__).parent / "fixtures" / "flows"
SHIPPED = sorted(p.stem for p in flow_files_in(shipped_flows_dir()))


def _local(dirs: Dirs) -> Path:
    folder = dirs.config / "flows"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _add_good(folder: Path) -> None:
    shutil.copytree(FIXTURES / "fragments", folder / "fragments", dirs_exist_ok=True)
    shutil.copy(FIXTURES / "good.toml", folder / "good.toml")


def test_a_local_flow_with_a_dangling_next_is_not_offered_and_is_named(dirs: Dirs) -> None:
    local = _local(dirs)
    shutil.copy(FIXTURES / "dangling-next.toml", local / "dangling-next.toml")
    _add_good(local)

    available = available_flows()

    assert sorted(available.flows) == sorted([*SHIPPED, "good"])
    assert [(p.path, p.line) for p in available.problems][0] == (
        local / "dangling-next.toml",
        18,
    )
    assert "next 'nowhere' is not a step" in available.problems[0].message


def test_run_refuses_the_same_flow_with_its_problems(dirs: Dirs) -> None:
    local = _local(dirs)
    shutil.copy(FIXTURES / "dangling-next.toml", local / "dangling-next.toml")
    with pytest.raises(FlowFileError) as caught:
        get_flow("dangling-next")
    assert f"{local / 'dangling-next.toml'}:18: step 'ask'" in caught.value.message


def test_a_local_file_that_is_not_toml_leaves_every_other_flow_offered(dirs: Dirs) -> None:
    local = _local(dirs)
    (local / "broken.toml").write_text('id = "broken"\ntitle = \n', encoding="utf-8")
    _add_good(local)

    available = available_flows()

    assert sorted(available.flows) == sorted([*SHIPPED, "good"])
    [problem] = available.problems
    assert (problem.path, problem.line) == (local / "broken.toml", 2)
    assert problem.message.startswith("not valid TOML")
    with pytest.raises(UserError, match="broken.toml:2: not valid TOML"):
        get_flow("broken")


def test_a_refused_local_override_leaves_the_shipped_flow_offered(
    dirs: Dirs, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shipped = tmp_path / "shipped"
    _add_good(shipped)
    monkeypatch.setattr(loader, "shipped_flows_dir", lambda: shipped)
    local = _local(dirs)
    _add_good(local)
    text = (local / "good.toml").read_text(encoding="utf-8")
    (local / "good.toml").write_text(text.replace('start = "', 'start = "gone-', 1), "utf-8")

    available = available_flows()

    assert available.flows["good"].path == shipped / "good.toml"
    assert [p.path for p in available.problems] == [local / "good.toml"]
    assert get_flow("good").path == shipped / "good.toml"


def test_the_loader_does_not_import_the_linter_back() -> None:
    """The linter reads files through the loader; the loader that lints is available.py."""
    import ast

    source = Path(loader.__file__).read_text(encoding="utf-8")
    imported = {
        node.module
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.ImportFrom) and node.module
    } | {
        alias.name
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    assert not {m for m in imported if "linter" in m or "available" in m}
