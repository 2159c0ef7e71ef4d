"""The procedures on offer: every flow file loaded and checked by the linter, in one place.

The app, `run` and `flows list` all offer what this returns, so a flow is either
offered everywhere or refused everywhere. A file that cannot be read, or that
the linter refuses, is left out and its problems (FILE:LINE: what) are kept to
be shown; the shipped flows and every good file are still offered. A school's
file that overrides a shipped flow but is refused leaves the shipped one offered.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from incident_tui.flow.cache import FlowCache
from incident_tui.flow.loader import (
    FlowFileError,
    LoadedFlow,
    Problem,
    flow_id,
    flow_id_line,
    flow_paths,
    load_each,
    load_flow,
    pick,
)


@dataclass(frozen=True)
class AvailableFlows:
    """The flows that may be used, by id, and why any other flow file is not offered."""

    flows: dict[str, LoadedFlow]
    problems: list[Problem] = field(default_factory=list)
    """Every problem of every file left out, in the order the files were read."""
    refused: dict[str, list[Problem]] = field(default_factory=dict)
    """Flow ids whose file loaded but was refused by the linter, with its problems."""

    def get(self, flow_id: str) -> LoadedFlow:
        """The flow with this id; FlowFileError if its file was refused, UserError if unknown."""
        if flow_id in self.flows:
            return self.flows[flow_id]
        if flow_id in self.refused:
            raise FlowFileError(self.refused[flow_id])
        return pick(self.flows, flow_id, self.problems, "flow")


def available_flows(
    local_dir: Path | None = None, extra: list[Path] | None = None, *, cache: bool = True
) -> AvailableFlows:
    """Shipped flows, then the school's own (`local_dir`, by default the config folder's
    `flows/`), then `extra`: each loaded and linted; later files override earlier ones.

    A flow whose files are byte for byte those that passed the linter before (see
    `flow.cache`; not with `cache=False`) is taken as it was then, not linted again."""
    paths = flow_paths(extra, local_dir=local_dir)
    refused: dict[str, list[Problem]] = {}
    checked = FlowCache() if cache else None

    def load_checked(path: Path) -> LoadedFlow:
        if checked is not None and (kept := checked.get(path)) is not None:
            return kept
        from incident_tui.flow.linter import lint  # not needed while every flow is cached

        loaded = load_flow(path)
        problems = lint(loaded)
        if problems:
            refused[loaded.flow.id] = problems
            raise FlowFileError(problems)
        if checked is not None:
            checked.put(loaded)
        return loaded

    flows, problems = load_each(paths, load_checked, flow_id, flow_id_line, "flow")
    return AvailableFlows(flows, problems, refused)


def get_flow(
    flow_id: str, extra: list[Path] | None = None, *, local_dir: Path | None = None
) -> LoadedFlow:
    """The flow with this id, checked by the linter; a clear UserError otherwise."""
    return available_flows(local_dir, extra).get(flow_id)


def short_titles(flows: Mapping[str, LoadedFlow]) -> dict[str, str]:
    """Each flow id's short name (its short title, or its title), for lists."""
    return {flow_id: loaded.flow.shown_short for flow_id, loaded in flows.items()}
