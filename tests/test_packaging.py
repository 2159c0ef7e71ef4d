"""What a plain `pip install .` ships: every package, and the procedures as data."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_every_python_package_is_listed_for_the_wheel() -> None:
    listed = set(pyproject()["tool"]["setuptools"]["packages"])
    on_disk = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "incident_tui").rglob("__init__.py")
    }
    assert on_disk - listed == set(), "add these to [tool.setuptools] packages"


def test_every_flows_folder_ships_inside_the_package() -> None:
    config = pyproject()["tool"]["setuptools"]
    assert config["package-dir"]["incident_tui.shipped_flows"] == "flows"
    folders = {p for p in (ROOT / "flows").rglob("*") if p.is_dir()} | {ROOT / "flows"}
    shipped = {
        "incident_tui.shipped_flows"
        + "".join(f".{part}" for part in f.relative_to(ROOT / "flows").parts)
        for f in folders
        if any(f.glob("*.toml"))
    }
    assert shipped <= set(config["packages"])
    assert "*.toml" in config["package-data"]["*"]
