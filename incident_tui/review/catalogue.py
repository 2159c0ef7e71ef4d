"""The decisions a DSL can record, as data, and the one way they are appended.

The decisions (referral made, parents not told, sign-off...) and the fields
each one asks for are data, in `review_actions.toml` beside this module, so
their wording lives in one place and the screens only render it. Every
decision is appended through `append_review`, which checks the fields against
that data and writes one `reviewed` event; nothing already recorded changes.

`review_labels()` gives the chronology (`incident_tui.record.chronology`) the
words for each decision and field, so every output names them the same way.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from importlib.resources import files
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from incident_tui import dates
from incident_tui.errors import UserError
from incident_tui.record.events import REVIEW_DATE, SIGN_OFF, Actor, DataValue, Event, EventKind
from incident_tui.tomlfile import parse_toml_model

if TYPE_CHECKING:
    from incident_tui.record.store import Store

DECISIONS_FILE = "review_actions.toml"
DSL_ROLE = "Designated Safeguarding Lead"


# --- decisions as data --------------------------------------------------------


class ReviewField(BaseModel):
    """One thing a decision asks for; stored as data[key] on the event."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str = Field(min_length=1)
    kind: Literal["text", "date", "datetime", "choice", "numbers"] = "text"
    """"numbers": whole numbers separated by commas or spaces, kept as "3, 5"."""
    required: bool = False
    help: str = ""
    choices: tuple[str, ...] = ()
    future: bool = False
    """For a date: one already past is refused (a review date)."""

    @model_validator(mode="after")
    def _choices_only_for_choice(self) -> ReviewField:
        if self.kind == "choice" and not self.choices:
            raise ValueError(f"field {self.key!r} is a choice with no choices")
        if self.kind != "choice" and self.choices:
            raise ValueError(f"field {self.key!r} has choices but is not a choice")
        if self.future and self.kind not in ("date", "datetime"):
            raise ValueError(f"field {self.key!r}: 'future' is for a date or datetime field")
        return self

    @property
    def hint(self) -> str:
        if self.kind == "date" or self.kind == "datetime":
            return dates.formats(self.kind)
        return ""


class ReviewDecision(BaseModel):
    """One kind of review decision (data["review"] == id on the event)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    label: str = Field(min_length=1)
    help: str = ""
    reason: Literal["none", "optional", "required"] = "optional"
    reason_label: str = "Reason"
    reason_if_open: bool = False
    """The reason becomes required when the incident was never sealed."""
    fields: tuple[ReviewField, ...] = ()

    @model_validator(mode="after")
    def _unique_keys(self) -> ReviewDecision:
        keys = [f.key for f in self.fields]
        reserved = {"review"} & set(keys)
        if reserved:
            raise ValueError(f"decision {self.id!r} uses the reserved field key 'review'")
        if len(keys) != len(set(keys)):
            raise ValueError(f"decision {self.id!r} has two fields with the same key")
        return self

    def reason_needed(self, sealed: bool) -> bool:
        return self.reason == "required" or (self.reason_if_open and not sealed)


class ReviewCatalogue(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    format: Literal[1]
    decisions: tuple[ReviewDecision, ...]
    recorded_elsewhere: dict[str, str] = {}
    """What review events written by their own screens and commands (not offered as
    decisions here) are called in a chronology, by their data["review"] id."""

    @model_validator(mode="after")
    def _ids(self) -> ReviewCatalogue:
        ids = [d.id for d in self.decisions]
        if len(ids) != len(set(ids)):
            raise ValueError("two decisions share an id")
        for needed in (SIGN_OFF, REVIEW_DATE):
            if needed not in ids:
                raise ValueError(f"the decision {needed!r} is missing")
        review_date = next(d for d in self.decisions if d.id == REVIEW_DATE)
        if not any(f.key == "date" and f.kind == "date" for f in review_date.fields):
            raise ValueError(f"{REVIEW_DATE!r} needs a date field with key 'date'")
        return self

    def get(self, decision_id: str) -> ReviewDecision:
        for decision in self.decisions:
            if decision.id == decision_id:
                return decision
        raise UserError(f"no review decision called {decision_id!r}")


def parse_catalogue(text: str, source: str = DECISIONS_FILE) -> ReviewCatalogue:
    """Read review decisions from TOML text; UserError naming the problem."""
    return parse_toml_model(ReviewCatalogue, text, source)


@lru_cache(maxsize=1)
def review_decisions() -> ReviewCatalogue:
    """The shipped review decisions."""
    text = files("incident_tui.review").joinpath(DECISIONS_FILE).read_text(encoding="utf-8")
    return parse_catalogue(text)


def decision_label(decision_id: object) -> str:
    """A decision's label for display; an unknown id (an older record) as itself."""
    for decision in review_decisions().decisions:
        if decision.id == decision_id:
            return decision.label
    return str(decision_id)


class CatalogueLabels:
    """The catalogue's words for the chronology (`record.chronology.ReviewLabels`)."""

    def __init__(self, catalogue: ReviewCatalogue) -> None:
        self._decisions = {d.id: d for d in catalogue.decisions}
        self._elsewhere = catalogue.recorded_elsewhere

    def decision(self, decision_id: str) -> str:
        found = self._decisions.get(decision_id)
        return found.label if found else self._elsewhere.get(decision_id, decision_id)

    def field(self, decision_id: str, key: str) -> str | None:
        found = self._decisions.get(decision_id)
        if found is None:
            return None
        return next((f.label for f in found.fields if f.key == key), None)

    def reason(self, decision_id: str) -> str:
        found = self._decisions.get(decision_id)
        return found.reason_label if found else "Reason"

    def field_keys(self, decision_id: str) -> tuple[str, ...]:
        found = self._decisions.get(decision_id)
        return tuple(f.key for f in found.fields) if found else ()


def review_labels() -> CatalogueLabels:
    """The shipped decisions' words, for every chronology a person reads."""
    return CatalogueLabels(review_decisions())


# --- building and appending a decision --------------------------------------


def _clean(value: str | None) -> str:
    return (value or "").strip()


def _check_value(item: ReviewField, value: str) -> tuple[str | None, str | None]:
    """(normalised value, problem)."""
    if item.kind == "date" or item.kind == "datetime":
        try:
            return dates.normalised(value, item.kind, future=item.future), None
        except dates.DateProblem as exc:
            return None, f"{item.label}: {exc}"
    if item.kind == "choice" and value not in item.choices:
        return None, f"{item.label}: choose one of: {', '.join(item.choices)}"
    if item.kind == "numbers":
        numbers = numbers_in(value)
        if numbers is None:
            return None, f"{item.label}: give whole numbers separated by commas, e.g. 3, 5"
        return ", ".join(str(n) for n in numbers), None
    return value, None


def numbers_in(text: str) -> list[int] | None:
    """The whole numbers of a "numbers" field ("3, 5" -> [3, 5]); None if not such a list."""
    parts = [p for p in re.split(r"[,;\s]+", text.strip()) if p]
    if not parts or not all(p.isascii() and p.isdigit() for p in parts):
        return None
    return sorted({int(p) for p in parts})


def build_review(
    decision: ReviewDecision,
    values: Mapping[str, str | None],
    reason: str | None,
    *,
    sealed: bool = True,
) -> tuple[dict[str, DataValue], str | None]:
    """Check a decision's fields and reason; return (event data, rationale).

    Raises one UserError listing every problem, in the order of the form.
    """
    problems: list[str] = []
    data: dict[str, DataValue] = {"review": decision.id}
    known = {f.key for f in decision.fields}
    unknown = sorted(set(values) - known)
    if unknown:
        problems.append(f"{decision.label} has no field {', '.join(unknown)}")
    for item in decision.fields:
        value = _clean(values.get(item.key))
        if not value:
            if item.required:
                problems.append(f"{item.label}: required")
            continue
        checked, problem = _check_value(item, value)
        if problem:
            problems.append(problem)
        else:
            data[item.key] = checked
    rationale = _clean(reason) or None
    if rationale is None and decision.reason_needed(sealed):
        why = "" if decision.reason == "required" else " (the incident was never sealed)"
        problems.append(f"{decision.reason_label}: required{why}")
    if problems:
        raise UserError("; ".join(problems))
    return data, rationale


def append_review(
    store: Store,
    incident: str,
    actor: Actor,
    decision_id: str,
    values: Mapping[str, str | None],
    reason: str | None = None,
) -> Event:
    """Append one review decision as a `reviewed` event; the only way reviews are written."""
    decision = review_decisions().get(decision_id)
    row = store.row(incident)
    data, rationale = build_review(decision, values, reason, sealed=row.sealed is not None)
    return store.append(
        row.id,
        kind=EventKind.reviewed,
        actor=actor,
        prompt=decision.label,
        rationale=rationale,
        data=data,
    )
