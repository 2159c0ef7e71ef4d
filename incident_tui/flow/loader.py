"""Read flow files: TOML to a resolved `Flow`, with `FILE:LINE` for every problem.

A flow may include fragments (`[[includes]]`): their steps are added with ids
prefixed `<include id>.`, their `@exit` leads to the include's `exit`, and a
`next` naming the include enters the fragment at its start. Each step keeps
the file and line it came from, so the linter can point into a fragment.

Shipped flows live in `flows/` at the top of the repository, installed as the
package `incident_tui.shipped_flows`; a school's own flows live in the config
dir's `flows/` and override a shipped flow with the same id.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError

from incident_tui.errors import UserError
from incident_tui.flow.locate import Locator
from incident_tui.flow.model import EXIT, Flow, Fragment
from incident_tui.locations import Paths

FRAGMENTS_DIR = "fragments"
SCENARIOS_DIR = "scenarios"
"""Training scenarios (flows/scenarios/*.toml) are not flows: discovery skips them."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a flow file, where a user can find it."""

    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class FlowFileError(UserError):
    """A flow file could not be loaded; `problems` lists every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True, eq=False)
class SourceFile:
    """One TOML file as read: where it is, its text, its raw data and the SHA-256 of
    the bytes read."""

    path: Path
    text: str = field(repr=False)
    data: dict[str, Any] = field(repr=False)
    sha256: str

    @cached_property
    def locator(self) -> Locator:
        """Where each key is written: scanned the first time a line is asked for (to
        say where a problem is), never for a file that has none."""
        return Locator(self.text)

    def line(self, loc: tuple[str | int, ...]) -> int:
        return self.locator.line_of(loc)


@dataclass(frozen=True, eq=False)
class StepOrigin:
    """Where a resolved step was written: its file and its index in that file's steps."""

    source: SourceFile
    index: int

    @property
    def path(self) -> Path:
        return self.source.path

    def line(self, *loc: str | int) -> int:
        return self.source.line(("steps", self.index, *loc))


@dataclass(frozen=True, eq=False)
class LoadedFlow:
    """A flow with its fragments resolved, its content hash and where each part was written."""

    flow: Flow
    path: Path
    content_hash: str
    inputs: tuple[tuple[Path, str], ...]
    """Every file the flow was read from (the flow file first, then each fragment it
    includes), with the SHA-256 of the bytes read."""
    read: tuple[SourceFile, tuple[StepOrigin, ...]] | None = field(default=None, repr=False)
    """The file as read and where each step was written; None for a flow taken from
    the cache of checked flows (`flow.cache`), read again if ever asked for."""

    @cached_property
    def _where(self) -> tuple[SourceFile, tuple[StepOrigin, ...]]:
        if self.read is not None:
            return self.read
        again = load_flow(self.path)  # only to say where something is written
        if again.content_hash != self.content_hash:
            raise FlowFileError([Problem(self.path, 0, "changed while the app was running")])
        return again._where

    @property
    def source(self) -> SourceFile:
        return self._where[0]

    @property
    def origins(self) -> tuple[StepOrigin, ...]:
        """One per entry of `flow.steps`, in the same order."""
        return self._where[1]

    def origin_of(self, step_id: str) -> StepOrigin:
        for step, origin in zip(self.flow.steps, self.origins, strict=True):
            if step.id == step_id:
                return origin
        raise KeyError(step_id)

    def line_of(self, step_id: str, *loc: str | int) -> int:
        """The line of a step (or of `loc` inside it, e.g. `"choices", 1, "next"`)."""
        return self.origin_of(step_id).line(*loc)

    def file_of(self, step_id: str) -> Path:
        """The file a step was written in: the flow, or the fragment it came from."""
        return self.origin_of(step_id).path

    def top_line(self, *loc: str | int) -> int:
        """The line of a top-level key of the flow file, e.g. `"start"` or `"includes", 0`."""
        return self.source.line(loc)


# --- reading one file -------------------------------------------------------

_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_TOML_END = re.compile(r"\s*\(at end of document\)\s*$")


def read_toml(path: Path) -> SourceFile:
    """Read and parse one TOML file, or raise FlowFileError saying where and why."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise FlowFileError([Problem(path, 0, "no such file")]) from None
    except IsADirectoryError:
        raise FlowFileError([Problem(path, 0, "is a folder, not a flow file")]) from None
    except OSError as exc:
        raise FlowFileError([Problem(path, 0, f"cannot read: {exc.strerror}")]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise FlowFileError(
            [Problem(path, line, "not UTF-8 text (save the file as UTF-8)")]
        ) from None
    if not text.strip():
        raise FlowFileError([Problem(path, 1, "the file is empty")])
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        line = text.count("\n") + 1
        if match := _TOML_POSITION.search(message):
            line = int(match.group(1))
            message = message[: match.start()]
        elif match := _TOML_END.search(message):
            message = message[: match.start()]
        raise FlowFileError([Problem(path, line, f"not valid TOML: {message}")]) from None
    return SourceFile(path, text, data, hashlib.sha256(raw).hexdigest())


_LABELS = {
    "steps": "step",
    "choices": "choice",
    "items": "item",
    "actions": "action",
    "outcomes": "outcome",
    "includes": "include",
    "overrides": "override",
    "next": "route",
}


def describe_loc(loc: tuple[str | int, ...], data: Any) -> tuple[str, list[str], str | None] | None:
    """Turn a pydantic loc into words (`step 'a', choice 'b'`) and the remaining field path.

    Returns None when the error belongs to a union branch the data did not take
    (e.g. the list form of `next` when the file gives a string).
    """
    labels: list[str] = []
    fields: list[str] = []
    instead: str | None = None
    node = data
    parent_key: str | int | None = None
    for elem in loc:
        if isinstance(node, dict) and elem in node:
            if parent_key == "sources" and not labels and isinstance(elem, str):
                labels.append(f"source '{elem}'")
                fields = []
            else:
                fields.append(str(elem))
            parent_key = elem
            node = node[elem]
        elif isinstance(node, list) and isinstance(elem, int) and 0 <= elem < len(node):
            entry = node[elem]
            kind = _LABELS.get(parent_key) if isinstance(parent_key, str) else None
            if kind is not None:
                ident = entry.get("id") if isinstance(entry, dict) else None
                if isinstance(ident, str) and ident:
                    labels.append(f"{kind} '{ident}'")
                else:
                    labels.append(f"{kind} {elem + 1}")
                fields = []
            else:
                if fields:
                    fields[-1] += f"[{elem + 1}]"
                else:
                    fields.append(f"[{elem + 1}]")
            parent_key = elem
            node = entry
        elif isinstance(node, dict) and node.get("kind") == elem:
            continue  # the step kind, pydantic's tag for the union of steps
        elif isinstance(elem, str) and _is_union_tag(elem):
            if not isinstance(node, str | list):
                instead = "should be a step id or a list of routes"
                break
            if not _tag_matches(elem, node):
                return None
        else:
            fields.append(str(elem))  # a key missing from the file
            node = None
            parent_key = elem
    return ", ".join(labels), fields, instead


def _is_union_tag(elem: str) -> bool:
    return elem in {"str", "constrained-str", "int", "bool", "none"} or "[" in elem


def _tag_matches(tag: str, node: Any) -> bool:
    if tag.startswith("list["):
        return isinstance(node, list)
    if tag in {"str", "constrained-str"}:
        return isinstance(node, str)
    return True


def _message(err: Mapping[str, Any]) -> str:
    kind = err["type"]
    if kind == "missing":
        return "field required"
    if kind == "extra_forbidden":
        return "unknown key (is it misspelt?)"
    if kind == "string_pattern_mismatch":
        return (
            f"{err['input']!r} is not a valid id: use lower-case letters, digits, "
            "'-' and '_', starting with a letter or digit"
        )
    message = str(err["msg"])
    message = message.removeprefix("Value error, ")
    return message[:1].lower() + message[1:]


def schema_problems(source: SourceFile, exc: ValidationError) -> list[Problem]:
    """Every schema error of a file, each with its line and the step it is in."""
    problems: list[Problem] = []
    seen: set[tuple[int, str]] = set()
    for err in exc.errors():
        loc = tuple(err["loc"])
        described = describe_loc(loc, source.data)
        if described is None:
            continue
        labels, fields, instead = described
        text = instead or _message(err)
        if fields:
            text = f"{'.'.join(fields)}: {text}"
        if labels:
            text = f"{labels}: {text}"
        line = source.line(loc)
        if (line, text) in seen:
            continue
        seen.add((line, text))
        problems.append(Problem(source.path, line, text))
    return problems


def _validate(model: type[Flow] | type[Fragment], source: SourceFile) -> Any:
    try:
        return model.model_validate(source.data)
    except ValidationError as exc:
        raise FlowFileError(schema_problems(source, exc)) from None


# --- fragments --------------------------------------------------------------


def _prefix_condition(cond: dict[str, Any], prefix: str) -> dict[str, Any]:
    out = dict(cond)
    if isinstance(out.get("step"), str):
        out["step"] = prefix + out["step"]
    for key in ("any", "all"):
        if isinstance(out.get(key), list):
            out[key] = [_prefix_condition(c, prefix) for c in out[key]]
    if isinstance(out.get("not"), dict):
        out["not"] = _prefix_condition(out["not"], prefix)
    return out


def _rewrite_next(value: Any, target: Any, when: Any) -> Any:
    if isinstance(value, str):
        return target(value)
    if isinstance(value, list):
        routes = []
        for route in value:
            route = dict(route)
            if "to" in route:
                route["to"] = target(route["to"])
            if route.get("when") is not None:
                route["when"] = when(route["when"])
            routes.append(route)
        return routes
    return value


def _rewrite_step(step: dict[str, Any], target: Any, when: Any) -> dict[str, Any]:
    """Apply `target` to every place a step leads, and `when` to every condition."""
    step = dict(step)
    if step.get("when") is not None:
        step["when"] = when(step["when"])
    if step.get("next") is not None:
        step["next"] = _rewrite_next(step["next"], target, when)
    if "choices" in step:
        choices = []
        for choice in step["choices"]:
            choice = dict(choice)
            if choice.get("next") is not None:
                choice["next"] = _rewrite_next(choice["next"], target, when)
            if choice.get("when") is not None:
                choice["when"] = when(choice["when"])
            interlock = choice.get("interlock")
            if interlock is not None and interlock.get("overrides"):
                interlock = dict(interlock)
                interlock["overrides"] = [
                    {**o, "next": target(o["next"])} if o.get("next") is not None else o
                    for o in interlock["overrides"]
                ]
                choice["interlock"] = interlock
            choices.append(choice)
        step["choices"] = choices
    if "actions" in step:
        step["actions"] = [
            {**a, "when": when(a["when"])} if a.get("when") is not None else a
            for a in step["actions"]
        ]
    if "outcomes" in step:
        step["outcomes"] = [{**o, "when": when(o["when"])} for o in step["outcomes"]]
    return step


def _dump(model: Any) -> dict[str, Any]:
    return model.model_dump(mode="json", by_alias=True, exclude_unset=True)


def _resolve(
    source: SourceFile, flow: Flow
) -> tuple[dict[str, Any], list[StepOrigin], list[SourceFile], list[Problem]]:
    """The flow's data with every include replaced by its fragment's prefixed steps,
    where each step was written, and the fragment files read."""
    problems: list[Problem] = []
    data = _dump(flow)
    origins = [StepOrigin(source, i) for i in range(len(flow.steps))]
    if not flow.includes:
        return data, origins, [], problems

    fragments: dict[str, tuple[SourceFile, Fragment]] = {}
    entries: dict[str, str] = {}  # include id -> first step id of the fragment
    seen_ids: dict[str, int] = {}
    for n, include in enumerate(flow.includes):
        if include.id in seen_ids:
            problems.append(
                Problem(
                    source.path,
                    source.line(("includes", n)),
                    f"include '{include.id}': the id is already used by include "
                    f"{seen_ids[include.id] + 1}",
                )
            )
            continue
        seen_ids[include.id] = n
        if include.fragment not in fragments:
            frag_path = source.path.parent / FRAGMENTS_DIR / f"{include.fragment}.toml"
            if not frag_path.is_file():
                problems.append(
                    Problem(
                        source.path,
                        source.line(("includes", n, "fragment")),
                        f"include '{include.id}': no fragment '{include.fragment}' "
                        f"(looked for {frag_path})",
                    )
                )
                continue
            try:
                frag_source = read_toml(frag_path)
                fragments[include.fragment] = (frag_source, _validate(Fragment, frag_source))
            except FlowFileError as exc:
                problems.extend(exc.problems)
                continue
        entries[include.id] = f"{include.id}.{fragments[include.fragment][1].start}"
    read = [frag_source for frag_source, _ in fragments.values()]
    if problems:
        return data, origins, read, problems

    def enter(target: str) -> str:
        return entries.get(target, target)

    data["steps"] = [_rewrite_step(s, enter, lambda c: c) for s in data["steps"]]
    if data.get("start") in entries:
        data["start"] = entries[data["start"]]

    sources = dict(data.get("sources", {}))
    in_parts = (
        bool(flow.parts)
        or any(s.role is not None for s in flow.steps)
        or any(i.role is not None for i in flow.includes)
    )
    for include in flow.includes:
        frag_source, fragment = fragments[include.fragment]
        prefix = f"{include.id}."
        exit_to = enter(include.exit)

        def target(value: str, prefix: str = prefix, exit_to: str = exit_to) -> str:
            return exit_to if value == EXIT else prefix + value

        def when(cond: dict[str, Any], prefix: str = prefix) -> dict[str, Any]:
            return _prefix_condition(cond, prefix)

        for index, step in enumerate(fragment.steps):
            if step.role is not None:
                problems.append(
                    Problem(
                        frag_source.path,
                        frag_source.line(("steps", index, "role")),
                        f"step '{step.id}': a fragment's steps are answered by whoever the "
                        "include names: set role on the [[includes]] in the flow, not here",
                    )
                )
            step_data = _rewrite_step(_dump(step), target, when)
            step_data["id"] = prefix + step.id
            if in_parts:  # the include's part, whatever part its place in the file has
                step_data["role"] = include.role or "staff"
            data["steps"].append(step_data)
            origins.append(StepOrigin(frag_source, index))
        for key, doc in fragment.sources.items():
            declared = sources.get(key)
            doc_data = _dump(doc)
            if declared is None:
                sources[key] = doc_data
            elif _source_key(declared) != _source_key(doc_data):
                problems.append(
                    Problem(
                        frag_source.path,
                        frag_source.line(("sources", key)),
                        f"source '{key}' differs from the one declared in {source.path}",
                    )
                )
    data["sources"] = sources
    return data, origins, read, problems


def _source_key(doc: dict[str, Any]) -> tuple[Any, ...]:
    return (doc.get("title"), doc.get("url"), doc.get("status"))


def content_hash(flow: Flow) -> str:
    """SHA-256 of the canonical JSON of a resolved flow: names the exact procedure used."""
    canonical = json.dumps(
        _without_unset_parts(flow.model_dump(mode="json", by_alias=True)),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _without_unset_parts(data: dict[str, Any]) -> dict[str, Any]:
    """A flow written before parts existed hashes as it always did: no empty `parts`,
    no `role` left unset on a step or include."""
    if data.get("parts") == {}:
        del data["parts"]
    for key in ("steps", "includes"):
        for entry in data.get(key, []):
            if entry.get("role", "") is None:
                del entry["role"]
    return data


def load_flow(path: Path) -> LoadedFlow:
    """Read, validate and resolve one flow file (FlowFileError lists every problem)."""
    source = read_toml(path)
    flow: Flow = _validate(Flow, source)
    data, origins, fragments, problems = _resolve(source, flow)
    if problems:
        raise FlowFileError(problems)
    try:
        resolved = Flow.model_validate(data)
    except ValidationError as exc:  # e.g. a prefixed id grown too long
        line = source.line(("includes",))
        raise FlowFileError(
            [
                Problem(path, line, f"after including fragments: {_message(err)}")
                for err in exc.errors()
            ]
        ) from None
    inputs = tuple((read.path, read.sha256) for read in [source, *fragments])
    return LoadedFlow(resolved, path, content_hash(resolved), inputs, (source, tuple(origins)))


# --- discovery --------------------------------------------------------------


def shipped_flows_dir() -> Path:
    """The flows that ship with incident-tui.

    Installed, they are the package `incident_tui.shipped_flows`; run from the
    source tree (an editable install or a checkout) that package may not be
    importable, so fall back to the repository's `flows/` folder.
    """
    try:
        spec = importlib.util.find_spec("incident_tui.shipped_flows")
    except ImportError:
        spec = None
    if spec is not None and spec.submodule_search_locations:
        for location in spec.submodule_search_locations:
            candidate = Path(location)
            if candidate.is_dir():
                return candidate
    return Path(__file__).resolve().parents[2] / "flows"


def flow_files_in(folder: Path) -> list[Path]:
    """The flow files at the top of a folder (not fragments/ or scenarios/)."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.toml") if p.is_file())


def flow_paths(extra: list[Path] | None = None, *, local_dir: Path | None = None) -> list[Path]:
    """Shipped flows, then the school's own (`local_dir`, by default the config
    folder's `flows/` as the environment says), then `extra`."""
    if local_dir is None:
        local_dir = Paths.from_environment().local_flows_dir
    return flow_files_in(shipped_flows_dir()) + flow_files_in(local_dir) + list(extra or [])


T = TypeVar("T")


def load_each(
    paths: list[Path],
    load: Callable[[Path], T],
    id_of: Callable[[T], str],
    line_of_id: Callable[[T], int],
    what: str,
) -> tuple[dict[str, T], list[Problem]]:
    """Load every path, keyed by id; a later file with the same id overrides an
    earlier one from another folder, and two in the same folder are a problem
    (at the line `line_of_id` finds, asked for only then).

    Problems are collected, not raised, so that one broken file does not hide
    the others.
    """
    found: dict[str, T] = {}
    paths_by_id: dict[str, Path] = {}
    problems: list[Problem] = []
    for path in paths:
        try:
            loaded = load(path)
        except FlowFileError as exc:
            problems.extend(exc.problems)
            continue
        ident = id_of(loaded)
        earlier = paths_by_id.get(ident)
        if earlier is not None and earlier.parent == path.parent:
            problems.append(
                Problem(path, line_of_id(loaded), f"{what} id '{ident}' is also used by {earlier}")
            )
            continue
        found[ident] = loaded
        paths_by_id[ident] = path
    return found, problems


def flow_id(loaded: LoadedFlow) -> str:
    return loaded.flow.id


def flow_id_line(loaded: LoadedFlow) -> int:
    """The line a flow's id is declared on (for `load_each`)."""
    return loaded.top_line("id")


def load_all(paths: list[Path]) -> tuple[dict[str, LoadedFlow], list[Problem]]:
    """Every flow in `paths` by id, and the problems of files that could not be read."""
    return load_each(paths, load_flow, flow_id, flow_id_line, "flow")


def pick(found: dict[str, T], ident: str, problems: list[Problem], what: str) -> T:
    """One of `found` by id, or a UserError listing the known ids and unreadable files."""
    if ident in found:
        return found[ident]
    known = ", ".join(sorted(found)) or "none"
    message = f"unknown {what} '{ident}' (known: {known})"
    if problems:
        message += f"; these {what} files could not be loaded:\n" + "\n".join(
            str(p) for p in problems
        )
    raise UserError(message)
