"""Check a loaded flow as a graph: one problem per issue, each with its file and line.

The schema (model.py) says what a step may hold; the linter checks what the
steps mean together: every `next` leads to a step, every step can be reached
and leads to an end, ids are unique, sources and contact names are declared,
and a condition only tests a step that has been answered on every path to it
(a step with a `when` may be skipped, so it is not answered on every path).
An invariant's conditions may test any step (they are judged over the whole
incident), but every step, choice, item and override they name must exist.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from incident_tui.flow.loader import (
    FRAGMENTS_DIR,
    FlowFileError,
    LoadedFlow,
    Problem,
    describe_loc,
    load_flow,
    read_toml,
    schema_problems,
)
from incident_tui.flow.model import (
    EXIT,
    AnyStep,
    ChecklistStep,
    Choice,
    ChoiceStep,
    Condition,
    ConfirmStep,
    EndStep,
    Flow,
    Fragment,
    Next,
)
from incident_tui.settings import SCHOOL_NAMES, placeholders

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class _Lead:
    """One place a step leads: where it is written and the target it names."""

    loc: Loc
    label: str
    field: str
    target: str


@dataclass(frozen=True)
class _Use:
    """One condition, where it is used and whether the step itself may be tested."""

    loc: Loc
    label: str
    condition: Condition
    may_test_itself: bool


def lint(loaded: LoadedFlow) -> list[Problem]:
    """Every problem with a loaded flow, in file order within each check."""
    return _Linter(loaded).run()


def check_paths(paths: list[Path]) -> tuple[list[LoadedFlow], list[Problem]]:
    """Load and lint each path; a file that cannot be loaded gives its load problems."""
    loaded_flows: list[LoadedFlow] = []
    problems: list[Problem] = []
    for path in paths:
        if path.parent.name == FRAGMENTS_DIR:
            # a fragment alone has no start or end: its graph is checked in the
            # flows that include it, its schema here
            problems.extend(fragment_problems(path))
            continue
        try:
            loaded = load_flow(path)
        except FlowFileError as exc:
            problems.extend(exc.problems)
            continue
        loaded_flows.append(loaded)
        problems.extend(lint(loaded))
    return loaded_flows, problems


def fragment_problems(path: Path) -> list[Problem]:
    """The schema problems of a fragment file on its own."""
    try:
        source = read_toml(path)
        Fragment.model_validate(source.data)
    except FlowFileError as exc:
        return exc.problems
    except ValidationError as exc:
        return schema_problems(source, exc)
    return []


def _step_label(step_id: str) -> str:
    return f"step '{step_id}'"


def _leads_of(next_: Next | None, loc: Loc, label: str) -> Iterator[_Lead]:
    if next_ is None:
        return
    if isinstance(next_, str):
        yield _Lead((*loc, "next"), label, "next", next_)
        return
    for n, route in enumerate(next_):
        yield _Lead((*loc, "next", n, "to"), f"{label}, route {n + 1}", "to", route.to)


def leads(step: AnyStep) -> Iterator[_Lead]:
    """Every target a step names, with where it is written."""
    label = _step_label(step.id)
    if isinstance(step, ChoiceStep):
        yield from _leads_of(step.next, (), label)
        for j, choice in enumerate(step.choices):
            choice_label = f"{label}, choice '{choice.id}'"
            yield from _leads_of(choice.next, ("choices", j), choice_label)
            if choice.interlock is not None:
                for k, override in enumerate(choice.interlock.overrides):
                    if override.next is not None:
                        yield _Lead(
                            ("choices", j, "interlock", "overrides", k, "next"),
                            f"{choice_label}, override '{override.id}'",
                            "next",
                            override.next,
                        )
    elif not isinstance(step, EndStep):
        yield from _leads_of(step.next, (), label)


def _route_lists(step: AnyStep) -> Iterator[tuple[Loc, str, list[Any]]]:
    label = _step_label(step.id)
    if not isinstance(step, EndStep) and isinstance(step.next, list):
        yield ("next",), label, step.next
    if isinstance(step, ChoiceStep):
        for j, choice in enumerate(step.choices):
            if isinstance(choice.next, list):
                yield ("choices", j, "next"), f"{label}, choice '{choice.id}'", choice.next


def _condition_uses(step: AnyStep) -> Iterator[_Use]:
    label = _step_label(step.id)
    if step.when is not None:
        yield _Use(("when",), f"{label}, when", step.when, False)
    for loc, route_label, routes in _route_lists(step):
        # a route may test its own step once answered; the step-level next of a step
        # with a `when` is also where the walk goes when the step is skipped
        itself = loc != ("next",) or step.when is None
        for n, route in enumerate(routes):
            if route.when is not None:
                yield _Use((*loc, n, "when"), f"{route_label}, route {n + 1}", route.when, itself)
    if isinstance(step, ChoiceStep):
        for j, choice in enumerate(step.choices):
            if choice.when is not None:
                yield _Use(
                    ("choices", j, "when"), f"{label}, choice '{choice.id}'", choice.when, False
                )
    if isinstance(step, EndStep):
        for k, outcome in enumerate(step.outcomes):
            yield _Use(("outcomes", k, "when"), f"{label}, outcome {k + 1}", outcome.when, False)
        for k, action in enumerate(step.actions):
            if action.when is not None:
                yield _Use(("actions", k, "when"), f"{label}, action {k + 1}", action.when, False)


def _leaves(
    condition: Condition, guarded: frozenset[str] = frozenset()
) -> Iterator[tuple[Condition, frozenset[str]]]:
    """Each single test, with the steps an enclosing `all` first requires to be answered
    (`{step = X, answered = true}` beside it): the author's way of testing an optional step."""
    if condition.step is not None:
        yield condition, guarded
    for sub in condition.any or []:
        yield from _leaves(sub, guarded)
    if condition.all:
        inner = guarded | {c.step for c in condition.all if c.step and c.answered is True}
        for sub in condition.all:
            yield from _leaves(sub, inner)
    if condition.not_ is not None:
        yield from _leaves(condition.not_, guarded)


def _strings(value: Any, loc: Loc) -> Iterator[tuple[Loc, str]]:
    if isinstance(value, str):
        yield loc, value
    elif isinstance(value, dict):
        for key, sub in value.items():
            yield from _strings(sub, (*loc, key))
    elif isinstance(value, list):
        for n, sub in enumerate(value):
            yield from _strings(sub, (*loc, n))


class _Linter:
    def __init__(self, loaded: LoadedFlow) -> None:
        self.loaded = loaded
        self.flow: Flow = loaded.flow
        self.problems: list[Problem] = []
        self.first: dict[str, int] = {}
        for index, step in enumerate(self.flow.steps):
            self.first.setdefault(step.id, index)
        self.steps: dict[str, AnyStep] = {
            step_id: self.flow.steps[i] for step_id, i in self.first.items()
        }

    # --- reporting --------------------------------------------------------

    def at_step(self, index: int, loc: Loc, message: str) -> None:
        origin = self.loaded.origins[index]
        self.problems.append(Problem(origin.path, origin.line(*loc), message))

    def at_top(self, loc: Loc, message: str) -> None:
        self.problems.append(Problem(self.loaded.path, self.loaded.top_line(*loc), message))

    def step_items(self) -> Iterator[tuple[int, AnyStep]]:
        """Each step once (the first of duplicate ids), with its index."""
        for index, step in enumerate(self.flow.steps):
            if self.first[step.id] == index:
                yield index, step

    # --- checks -----------------------------------------------------------

    def run(self) -> list[Problem]:
        self.check_duplicates()
        self.check_leads()
        self.check_routes()
        self.check_refer_now()
        self.check_sources()
        self.check_names()
        self.check_confirm_sources()
        self.check_graph()
        self.check_conditions()
        self.check_invariants()
        self.check_parts()
        flow_file = self.loaded.path
        return sorted(self.problems, key=lambda p: (p.path != flow_file, str(p.path), p.line))

    def check_duplicates(self) -> None:
        for index, step in enumerate(self.flow.steps):
            first = self.first[step.id]
            if first != index:
                origin = self.loaded.origins[first]
                self.at_step(
                    index,
                    (),
                    f"step '{step.id}': duplicate step id (first at {origin.path}:{origin.line()})",
                )
            groups: list[tuple[str, str, list[Any]]] = []
            if isinstance(step, ChoiceStep):
                groups.append(("choices", "choice", step.choices))
            if isinstance(step, ChecklistStep):
                groups.append(("items", "item", step.items))
            for key, word, entries in groups:
                seen: set[str] = set()
                for j, entry in enumerate(entries):
                    if entry.id in seen:
                        self.at_step(
                            index,
                            (key, j),
                            f"step '{step.id}', {word} '{entry.id}': duplicate {word} id",
                        )
                    seen.add(entry.id)

    def check_leads(self) -> None:
        if not self.flow.has_step(self.flow.start):
            self.at_top(("start",), f"start '{self.flow.start}' is not a step")
        dangling_exits = set()
        for n, include in enumerate(self.flow.includes):
            if not self.flow.has_step(include.exit):
                dangling_exits.add(include.exit)
                self.at_top(
                    ("includes", n, "exit"),
                    f"include '{include.id}': exit '{include.exit}' is not a step",
                )
        for index, step in enumerate(self.flow.steps):
            from_fragment = self.loaded.origins[index].path != self.loaded.path
            for lead in leads(step):
                if lead.target == EXIT:
                    self.at_step(
                        index,
                        lead.loc,
                        f"{lead.label}: {lead.field} '@exit' is only allowed in a fragment",
                    )
                elif not self.flow.has_step(lead.target):
                    if from_fragment and lead.target in dangling_exits:
                        continue  # reported once, at the include
                    self.at_step(
                        index, lead.loc, f"{lead.label}: {lead.field} '{lead.target}' is not a step"
                    )

    def check_refer_now(self) -> None:
        refer = self.flow.refer_now
        if refer is None:
            return
        if refer.to not in self.steps:
            self.at_top(("refer_now", "to"), f"refer_now: no step '{refer.to}'")

    def check_routes(self) -> None:
        for index, step in self.step_items():
            for loc, label, routes in _route_lists(step):
                if not routes:
                    self.at_step(index, loc, f"{label}: next is an empty list of routes")
                    continue
                for n, route in enumerate(routes):
                    last = n == len(routes) - 1
                    if last and route.when is not None:
                        self.at_step(
                            index,
                            (*loc, n),
                            f"{label}, route {n + 1}: the last route must have no 'when' "
                            "(it is the default)",
                        )
                    elif not last and route.when is None:
                        self.at_step(
                            index,
                            (*loc, n),
                            f"{label}, route {n + 1}: only the last route may leave out 'when'",
                        )

    def check_sources(self) -> None:
        declared = self.flow.sources
        for index, step in self.step_items():
            refs: list[tuple[Loc, str, str]] = []
            label = _step_label(step.id)
            for k, ref in enumerate(step.sources):
                refs.append((("sources", k), label, ref.ref))
            if isinstance(step, ChoiceStep):
                for j, choice in enumerate(step.choices):
                    if choice.interlock is None:
                        continue
                    choice_label = f"{label}, choice '{choice.id}'"
                    base = ("choices", j, "interlock")
                    for k, ref in enumerate(choice.interlock.sources):
                        refs.append(((*base, "sources", k), f"{choice_label}, interlock", ref.ref))
                    for k, override in enumerate(choice.interlock.overrides):
                        refs.append(
                            (
                                (*base, "overrides", k, "source"),
                                f"{choice_label}, override '{override.id}'",
                                override.source.ref,
                            )
                        )
            for loc, where, name in refs:
                if name not in declared:
                    self.at_step(
                        index, loc, f"{where}: source '{name}' is not declared under [sources]"
                    )

    def _undeclared_contact(self) -> str:
        declared = ", ".join(sorted(self.flow.contacts)) or "none"
        return f"is not declared under [contacts] (declared: {declared})"

    def check_names(self) -> None:
        contacts = frozenset(self.flow.contacts)
        for index, step in self.step_items():
            data = step.model_dump(mode="json", by_alias=True, exclude_none=True)
            wrapper = {"steps": [data]}
            escalations: list[tuple[Loc, Any]] = []
            if isinstance(step, ChoiceStep):
                escalations += [(("choices", j), c.escalation) for j, c in enumerate(step.choices)]
            if isinstance(step, ChecklistStep):
                escalations += [(("items", j), i.escalation) for j, i in enumerate(step.items)]
            for loc, escalation in escalations:
                if escalation is not None and escalation.contact not in contacts:
                    where = self._where(wrapper, loc)
                    self.at_step(
                        index,
                        (*loc, "escalation", "contact"),
                        f"{where}: escalation contact '{escalation.contact}' "
                        f"{self._undeclared_contact()}",
                    )
            for loc, text in _strings(data, ()):
                for message in _placeholder_problems(text, contacts):
                    described = describe_loc(("steps", 0, *loc), wrapper)
                    labels, fields, _ = described or ("", [], None)
                    self.at_step(index, loc, f"{labels}: {'.'.join(fields)}: {message}")
        top = self.flow.model_dump(mode="json", by_alias=True, exclude_none=True)
        top.pop("steps", None)
        for loc, text in _strings(top, ()):
            for message in _placeholder_problems(text, contacts):
                described = describe_loc(loc, top)
                labels, fields, _ = described or ("", [], None)
                prefix = f"{labels}: " if labels else ""
                self.at_top(loc, f"{prefix}{'.'.join(fields)}: {message}")

    def _where(self, wrapper: dict[str, Any], loc: Loc) -> str:
        described = describe_loc(("steps", 0, *loc), wrapper)
        return described[0] if described else ""

    def check_confirm_sources(self) -> None:
        for index, step in self.step_items():
            if isinstance(step, ConfirmStep) and not step.sources:
                self.at_step(
                    index,
                    (),
                    f"step '{step.id}': a confirm step needs a source "
                    '(sources = [{ ref = "...", section = "..." }])',
                )

    # --- the graph --------------------------------------------------------

    def successors(self, step: AnyStep) -> list[str]:
        found: list[str] = []
        for lead in leads(step):
            if lead.target in self.steps and lead.target not in found:
                found.append(lead.target)
        return found

    def check_graph(self) -> None:
        graph = {step_id: self.successors(step) for step_id, step in self.steps.items()}
        start = self.flow.start
        reachable = _reach(graph, self._roots()) if start in graph else set()
        reverse: dict[str, list[str]] = {step_id: [] for step_id in graph}
        for source, targets in graph.items():
            for target in targets:
                reverse[target].append(source)
        ends = [s for s, step in self.steps.items() if isinstance(step, EndStep)]
        finishing = _reach(reverse, ends)

        broken: set[str] = set()  # steps with a dead end or a dangling target
        for index, step in self.step_items():
            if any(lead.target not in self.steps for lead in leads(step)):
                broken.add(step.id)
            if isinstance(step, ChoiceStep) and step.next is None and step.when is not None:
                broken.add(step.id)
                self.at_step(
                    index,
                    ("when",),
                    f"step '{step.id}': a choice step with a 'when' needs a step-level next "
                    "(where the walk goes when the step is skipped)",
                )
            elif isinstance(step, ChoiceStep) and step.next is None:
                for j, choice in enumerate(step.choices):
                    if choice.next is None and _goes_on(choice):
                        broken.add(step.id)
                        self.at_step(
                            index,
                            ("choices", j),
                            f"step '{step.id}', choice '{choice.id}': no next, and the step has "
                            "no default next: this path never reaches an end",
                        )

        if start in graph:
            self._report_unreachable(reachable)

        reported: set[str] = set()
        for index, step in self.step_items():
            step_id = step.id
            if step_id not in reachable or step_id in finishing or step_id in reported:
                continue
            loop = _component(graph, step_id)
            cyclic = len(loop) > 1 or step_id in graph[step_id]
            if not cyclic:
                continue
            reported |= loop
            closed = all(t in loop for member in loop for t in graph[member])
            if not closed or loop & broken:
                continue  # the way out is broken further on, and reported there
            members = [s for s in self.steps if s in loop]
            self.at_step(
                index,
                (),
                f"step '{step_id}': a loop with no way out to an end "
                f"({' -> '.join([*members, members[0]])})",
            )

    def _report_unreachable(self, reachable: set[str]) -> None:
        never_entered: set[str] = set()
        for n, include in enumerate(self.flow.includes):
            prefix = f"{include.id}."
            members = [s for s in self.steps if s.startswith(prefix)]
            if members and not any(s in reachable for s in members):
                never_entered.update(members)
                self.at_top(
                    ("includes", n),
                    f"include '{include.id}': never entered (no step leads to '{include.id}')",
                )
        for index, step in self.step_items():
            if step.id not in reachable and step.id not in never_entered:
                self.at_step(
                    index, (), f"step '{step.id}': unreachable from the start '{self.flow.start}'"
                )

    def _roots(self) -> list[str]:
        """Where a path can begin: the start, and the refer-now route (open from any step)."""
        refer = self.flow.refer_now
        extra = [refer.to] if refer is not None and refer.to in self.steps else []
        return [self.flow.start, *extra]

    def check_conditions(self) -> None:
        graph = {step_id: self.successors(step) for step_id, step in self.steps.items()}
        dominators: dict[str, set[str]] = {}
        # Paths from the start first; a step only the refer-now route reaches is held
        # to the paths from that route. A refer-now skips steps on purpose: a condition
        # on a skipped step is false, so it is not held to the paths through the jump.
        for root in reversed(self._roots()):
            if root in graph:
                dominators.update(_dominators(graph, root))
        for index, step in self.step_items():
            for use in _condition_uses(step):
                for leaf, guarded in _leaves(use.condition):
                    message = self._condition_problem(step, use, leaf, guarded, dominators)
                    if message is not None:
                        self.at_step(index, use.loc, f"{use.label}: {message}")

    def _condition_problem(
        self,
        step: AnyStep,
        use: _Use,
        leaf: Condition,
        guarded: frozenset[str],
        dominators: dict[str, set[str]],
    ) -> str | None:
        tested_id = leaf.step
        assert tested_id is not None
        named = self._names_problem(leaf)
        if named is not None:
            return named
        if leaf.answered is not None or tested_id in guarded:
            return None  # asking whether a step was answered is how to test an optional one
        if step.id not in dominators:
            return None  # unreachable: reported already
        if tested_id == step.id:
            if use.may_test_itself:
                return None
            if use.loc[:1] == ("next",):
                return (
                    f"condition tests step '{tested_id}' itself, which its 'when' may skip "
                    "(this next is also where a skipped step goes)"
                )
            return f"condition tests step '{tested_id}' itself, which is not answered yet"
        if tested_id not in dominators[step.id]:
            return (
                f"condition tests step '{tested_id}', which is not answered on every path "
                f"to '{step.id}'"
            )
        if self.steps[tested_id].when is not None:
            return (
                f"condition tests step '{tested_id}', which its 'when' may skip on the way "
                f"to '{step.id}'"
            )
        return None

    def _names_problem(self, leaf: Condition) -> str | None:
        """Whether a single test names a step, choice, item or override that exists."""
        tested_id = leaf.step
        assert tested_id is not None
        tested = self.steps.get(tested_id)
        if tested is None:
            return f"condition tests unknown step '{tested_id}'"
        values: list[tuple[str, str]] = []
        if leaf.is_ is not None:
            values.append(("is", leaf.is_))
        if leaf.is_not is not None:
            values.append(("is_not", leaf.is_not))
        for value in leaf.in_ or []:
            values.append(("in", value))
        for test, value in values:
            if not isinstance(tested, ChoiceStep):
                return (
                    f"condition '{test}' needs a choice step, but '{tested_id}' is a "
                    f"{tested.kind} step"
                )
            if value not in {c.id for c in tested.choices}:
                return (
                    f"condition tests step '{tested_id}' for '{value}', which is not one of "
                    "its choices"
                )
        if leaf.includes is not None:
            if not isinstance(tested, ChecklistStep):
                return (
                    f"condition 'includes' needs a checklist step, but '{tested_id}' is a "
                    f"{tested.kind} step"
                )
            if leaf.includes not in {i.id for i in tested.items}:
                return (
                    f"condition tests step '{tested_id}' for '{leaf.includes}', which is not one "
                    "of its items"
                )
        if leaf.overridden is not None:
            overrides = {
                o.id
                for c in (tested.choices if isinstance(tested, ChoiceStep) else [])
                if c.interlock is not None
                for o in c.interlock.overrides
            }
            if leaf.overridden not in overrides:
                return (
                    f"condition tests step '{tested_id}' for override '{leaf.overridden}', "
                    "which is not an exception any of its choices allows"
                )
        return None

    # --- invariants -------------------------------------------------------------

    def check_invariants(self) -> None:
        seen: set[str] = set()
        for n, invariant in enumerate(self.flow.invariants):
            label = f"invariant '{invariant.id}'"
            if invariant.id in seen:
                self.at_top(("invariants", n, "id"), f"{label}: duplicate invariant id")
            seen.add(invariant.id)
            for k, ref in enumerate(invariant.sources):
                if ref.ref not in self.flow.sources:
                    self.at_top(
                        ("invariants", n, "sources", k),
                        f"{label}: source '{ref.ref}' is not declared under [sources]",
                    )
            parts = [("once", invariant.once), ("never", invariant.never)]
            parts.append(("unless", invariant.unless))
            for key, condition in parts:
                if condition is None:
                    continue
                for leaf, _ in _leaves(condition):
                    message = self._names_problem(leaf)
                    if message is not None:
                        self.at_top(("invariants", n, key), f"{label}, {key}: {message}")

    def check_parts(self) -> None:
        """Each part answered (a step's `role`) has its words under [parts.ROLE], a
        part handed to says what awaits it and what taking it over means, and no
        [parts] wording is left without a step of its own."""
        flow = self.flow
        if not flow.has_parts:
            return
        first: dict[str, tuple[int, AnyStep]] = {}
        for index, step in self.step_items():
            first.setdefault(flow.part_of(step.id), (index, step))
        starting = flow.part_of(flow.start) if flow.has_step(flow.start) else "staff"
        for role, (index, step) in first.items():
            words = flow.parts.get(role)  # type: ignore[call-overload]
            handed_to = role != starting
            needed = "title, done, awaiting and take_over" if handed_to else "title and done"
            in_fragment = self.loaded.origins[index].path != self.loaded.path
            if words is None and not in_fragment:  # a fragment's: said at its include
                loc: Loc = ("role",) if step.role is not None else ()
                self.at_step(
                    index,
                    loc,
                    f"step '{step.id}': role '{role}' has no [parts.{role}] wording "
                    f"(its {needed}, in the flow file)",
                )
            elif handed_to:
                missing = [k for k in ("awaiting", "take_over") if getattr(words, k) is None]
                if missing:
                    self.at_top(
                        ("parts", role),
                        f"[parts.{role}]: {' and '.join(missing)} needed: the {role} part "
                        f"is handed over to at step '{step.id}' (e.g. awaiting = "
                        '"AWAITING THE DSL")',
                    )
        for role in flow.parts:
            if role not in first:
                self.at_top(("parts", role), f"[parts.{role}]: no step has role '{role}'")
        for n, include in enumerate(flow.includes):
            if include.role is not None and include.role not in flow.parts:
                self.at_top(
                    ("includes", n, "role"),
                    f"include '{include.id}': role '{include.role}' has no "
                    f"[parts.{include.role}] wording",
                )


def _goes_on(choice: Choice) -> bool:
    """Whether picking this choice can lead on through the choice's own (or default) next.

    An interlock with no overrides is a hard stop: the only way on is to choose
    differently, so the choice needs no next; an override with its own next
    does not use the choice's.
    """
    if choice.interlock is None:
        return True
    return any(o.next is None for o in choice.interlock.overrides)


def _placeholder_problems(text: str, contacts: frozenset[str]) -> Iterator[str]:
    for section, name in placeholders(text):
        names = contacts if section == "contacts" else SCHOOL_NAMES
        if name in names:
            continue
        if section == "contacts":
            yield f"unknown contact '{{contacts.{name}}}' (declare it under [contacts])"
        else:
            yield f"unknown school setting '{{school.{name}}}'"


def _reach(graph: dict[str, list[str]], roots: list[str]) -> set[str]:
    seen = set(roots)
    stack = list(roots)
    while stack:
        for target in graph.get(stack.pop(), []):
            if target not in seen:
                seen.add(target)
                stack.append(target)
    return seen


def _component(graph: dict[str, list[str]], step_id: str) -> set[str]:
    """The steps that can reach `step_id` and be reached from it."""
    forward = _reach(graph, [step_id])
    return {s for s in forward if step_id in _reach(graph, [s])}


def _dominators(graph: dict[str, list[str]], start: str) -> dict[str, set[str]]:
    """For each reachable step, the steps on every path from the start to it (itself included)."""
    reachable = _reach(graph, [start])
    preds: dict[str, list[str]] = {s: [] for s in reachable}
    for source in reachable:
        for target in graph[source]:
            preds[target].append(source)
    dom = {s: set(reachable) for s in reachable}
    dom[start] = {start}
    changed = True
    while changed:
        changed = False
        for step_id in reachable:
            if step_id == start:
                continue
            incoming = [dom[p] for p in preds[step_id]]
            new = set.intersection(*incoming) | {step_id} if incoming else {step_id}
            if new != dom[step_id]:
                dom[step_id] = new
                changed = True
    return dom
