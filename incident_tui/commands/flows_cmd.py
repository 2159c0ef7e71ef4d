"""`incident-tui flows check|list|schema`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from incident_tui.errors import UserError

if TYPE_CHECKING:
    from incident_tui.flow.loader import LoadedFlow, Problem


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("flows", help="check, list or describe the procedure files")
    actions = parser.add_subparsers(dest="flows_command", metavar="ACTION", required=True)
    check = actions.add_parser(
        "check",
        help="check flow files; prints FILE:LINE: problem for each problem found",
        description=(
            "Check flow files with the schema and the linter. With no PATH, checks the "
            "shipped flows and the school's own (the config dir's flows/ folder). "
            "Exit status 1 if anything is wrong."
        ),
    )
    check.add_argument(
        "paths", nargs="*", type=Path, metavar="PATH", help="a flow file, or a folder of them"
    )
    check.set_defaults(handler=flows_check)
    listing = actions.add_parser("list", help="list the flows available")
    listing.set_defaults(handler=flows_list)
    schema = actions.add_parser("schema", help="print the JSON Schema of a flow file")
    schema.set_defaults(handler=flows_schema)


def _shown(path: Path) -> Path:
    """A path as the user will want to read it: relative to here when it is below here."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return path


def _expand(paths: list[Path]) -> list[Path]:
    from incident_tui.flow.loader import flow_files_in

    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            files = flow_files_in(path)
            if not files:
                raise UserError(f"{path}: no flow files (*.toml) in this folder")
            found.extend(files)
        elif path.exists():
            found.append(path)
        else:
            raise UserError(f"{path}: no such file or folder")
    return found


def _check_flow_files(paths: list[Path], local_dir: Path) -> tuple[list[LoadedFlow], list[Problem]]:
    from incident_tui.flow.linter import check_paths

    return check_paths(paths)


# Each check takes the flow files and returns what it loaded and what is wrong.
# Training scenarios (flows/scenarios/*.toml) will be checked by a second entry
# here, run against the flows the first one loaded.
def _check_scenarios(paths: list[Path], local_dir: Path) -> tuple[list[LoadedFlow], list[Problem]]:
    from incident_tui.training.check import check_scenario_files

    return check_scenario_files(paths, local_dir=local_dir)


CHECKS: list[Callable[[list[Path], Path], tuple[list[LoadedFlow], list[Problem]]]] = [
    _check_flow_files,
    _check_scenarios,
]


def flows_check(args: argparse.Namespace) -> int:
    from incident_tui.flow.loader import Problem, flow_paths

    if args.paths:
        paths = _expand(args.paths)
    else:
        paths = flow_paths(local_dir=args.locations.local_flows_dir)
        if not paths:
            raise UserError("no flow files found (the shipped flows are missing)")
    loaded: list[LoadedFlow] = []
    problems: list[Problem] = []
    for check in CHECKS:
        found, wrong = check(paths, args.locations.local_flows_dir)
        loaded.extend(found)
        problems.extend(wrong)
    for problem in problems:
        print(Problem(_shown(problem.path), problem.line, problem.message))
    if problems:
        noun = "problem" if len(problems) == 1 else "problems"
        print(f"incident-tui: {len(problems)} {noun} found", file=sys.stderr)
        return 1
    steps = sum(len(f.flow.steps) for f in loaded)
    ends = sum(1 for f in loaded for s in f.flow.steps if s.kind == "end")
    counts = ", ".join(
        _count(n, word) for n, word in ((len(loaded), "flow"), (steps, "step"), (ends, "end"))
    )
    print(f"{counts}: no problems")
    return 0


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def flows_list(args: argparse.Namespace) -> int:
    from incident_tui.flow.available import available_flows

    available = available_flows(args.locations.local_flows_dir)
    flows, problems = available.flows, available.problems
    rows = [("ID", "TITLE", "VERSION", "STEPS", "PATH")]
    for flow_id in sorted(flows):
        loaded = flows[flow_id]
        flow = loaded.flow
        rows.append(
            (flow_id, flow.title, flow.version, str(len(flow.steps)), str(_shown(loaded.path)))
        )
    if len(rows) == 1:
        print("no flows found")
    else:
        widths = [max(len(row[n]) for row in rows) for n in range(len(rows[0]) - 1)]
        for row in rows:
            cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
            print("  ".join([*cells, row[-1]]))
    if problems:
        for problem in problems:
            print(f"incident-tui: {problem}", file=sys.stderr)
        print(
            "incident-tui: some flow files are not offered; "
            "`incident-tui flows check` lists every problem",
            file=sys.stderr,
        )
        return 1
    return 0


def flows_schema(args: argparse.Namespace) -> int:
    import json

    from incident_tui.flow.model import Flow

    print(json.dumps(Flow.model_json_schema(by_alias=True), indent=2, ensure_ascii=False))
    return 0
