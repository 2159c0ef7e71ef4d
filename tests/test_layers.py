"""The layer rule as a contract: every import in the package, read from the source.

From the bottom up:

    base      errors, safe_text, tomlfile, settings, locations, the package itself
    flow | record   (independent: neither imports the other)
    domain    incident.py, the review, training, people, permissions, sshkeys
    tui       the screens (the only layer that may import Textual or Rich)
    commands  the command line

A module may import its own layer and the layers below it, never above. Every
import counts, those inside functions and under TYPE_CHECKING too, so an upward
arrow fails here the day it is written, whether or not anything runs it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import incident_tui

PACKAGE = Path(incident_tui.__file__).resolve().parent

LAYERS: list[list[set[str]]] = [
    [
        {
            "incident_tui",
            "incident_tui.errors",
            "incident_tui.safe_text",
            "incident_tui.tomlfile",
            "incident_tui.settings",
            "incident_tui.locations",
            "incident_tui.config",
        }
    ],
    [{"incident_tui.flow"}, {"incident_tui.record"}],
    [
        {
            "incident_tui.incident",
            "incident_tui.review",
            "incident_tui.training",
            "incident_tui.people",
            "incident_tui.roles",
            "incident_tui.permissions",
            "incident_tui.sshkeys",
        }
    ],
    [{"incident_tui.tui"}],
    [{"incident_tui.commands", "incident_tui.cli", "incident_tui.__main__"}],
]
"""Each layer is a list of independent groups; a group is a set of module prefixes."""

ONLY_IN = {
    "textual": "incident_tui.tui",
    "rich": "incident_tui.tui",
    "tinydb": "incident_tui.record",
    "fpdf": "incident_tui.record",
}
"""Libraries that only one part of the package may import."""


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def place(module: str) -> tuple[int, int]:
    """(layer, group) of an incident_tui module: the longest matching prefix wins."""
    best: tuple[int, int, int] | None = None
    for layer, groups in enumerate(LAYERS):
        for group, prefixes in enumerate(groups):
            for prefix in prefixes:
                matches = module == prefix or module.startswith(prefix + ".")
                if matches and (best is None or len(prefix) > best[2]):
                    best = (layer, group, len(prefix))
    assert best is not None, f"{module} is in no layer: add it to LAYERS"
    return best[0], best[1]


def imports(source: str, name: str) -> list[tuple[int, str]]:
    """(line, module) of every import in the source, wherever it is written."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source, name)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0 and node.module, f"{name}:{node.lineno}: a relative import"
            found.append((node.lineno, node.module))
            if node.module == "incident_tui":  # `from incident_tui import locations`
                found += [(node.lineno, f"incident_tui.{alias.name}") for alias in node.names]
    return found


def wrong_imports(module: str, source: str, name: str) -> list[str]:
    layer, group = place(module)
    wrong: list[str] = []
    for line, target in imports(source, name):
        where = f"{name}:{line}: {module} imports {target}"
        library = target.split(".")[0]
        if library in ONLY_IN and not module.startswith(ONLY_IN[library]):
            wrong.append(f"{where} (only {ONLY_IN[library]} may)")
        if library != "incident_tui" or target in ("incident_tui", "incident_tui.__version__"):
            continue
        their_layer, their_group = place(target)
        if their_layer > layer:
            wrong.append(f"{where}, a layer above")
        elif their_layer == layer and their_group != group:
            wrong.append(f"{where}, which stands apart from it")
    return wrong


def every_module() -> list[tuple[str, Path]]:
    return [(module_name(path), path) for path in sorted(PACKAGE.rglob("*.py"))]


def test_no_module_imports_a_layer_above_it_or_textual_below_the_tui() -> None:
    wrong = [
        problem
        for module, path in every_module()
        for problem in wrong_imports(
            module, path.read_text(encoding="utf-8"), str(path.relative_to(PACKAGE.parent))
        )
    ]
    assert wrong == []


def test_every_layer_is_checked_incident_and_training_included() -> None:
    modules = [module for module, _ in every_module()]
    assert {place(module) for module in modules} == {(0, 0), (1, 0), (1, 1), (2, 0), (3, 0), (4, 0)}
    for module in ("incident_tui.incident", "incident_tui.training.scenario"):
        assert place(module) == (2, 0) and module in modules


def test_an_upward_import_inside_a_function_is_caught() -> None:
    source = (
        "def later():\n    from incident_tui.tui.app import IncidentApp\n    return IncidentApp\n"
    )
    assert wrong_imports("incident_tui.record.store", source, "store.py") == [
        "store.py:2: incident_tui.record.store imports incident_tui.tui.app, a layer above"
    ]


def test_textual_below_the_tui_and_flow_importing_record_are_caught() -> None:
    source = "import textual.app\nfrom incident_tui.record.store import Store\n"
    assert wrong_imports("incident_tui.flow.engine", source, "engine.py") == [
        "engine.py:1: incident_tui.flow.engine imports textual.app (only incident_tui.tui may)",
        "engine.py:2: incident_tui.flow.engine imports incident_tui.record.store, "
        "which stands apart from it",
    ]
