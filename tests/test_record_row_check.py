"""The plain check of an index row says yes only to a row `IndexRow` takes, with
the same values: whatever a hand edit does to a row, the model's verdict stands."""

from __future__ import annotations

import random
from typing import Any

import pytest
from pydantic import ValidationError

from incident_tui.record.index_row import IndexRow
from incident_tui.record.layout import ROW_FIELDS
from incident_tui.record.row_check import FIELDS, NAMES, plain_row
from incident_tui.record.store import ROW_DEFAULTS

ROW: dict[str, Any] = {
    "id": "0005c709700b47b38ac03652bc378c21",
    "reference": "2026-12-02-00001",
    "flow_id": "searching-pupils",
    "flow_version": "1.0.0",
    "flow_hash": "f" * 64,
    "mode": "live",
    "status": "open",
    "opened": "2026-12-02T14:25:07.274130Z",
    "sealed": None,
    "event_count": 5,
    "head_hash": "a" * 64,
    "hmac": "b" * 64,
    "actor": "Ann Smith (teacher)",
    "pupil": "P-1",
    "last_step": "s",
    "last_time": "2026-12-02T14:25:07.827473Z",
    "overrides": 0,
    "escalations": 1,
    "amendments": 0,
    "review_date": None,
    **ROW_DEFAULTS,
}

ODD_VALUES: list[Any] = [
    None, True, False, 0, 1, -1, 2**70, 1.0, 0.5, "", "0", "1", "open", "sealed",
    "live", "training", "x\ud800", "\x1b[2J", [], ["a"], ["a", 1], ("a",), {},
    {"a": "b"}, {"a": 1}, {1: "a"}, {"count": 1, "head": "h"}, {"count": "1", "head": "h"},
    {"count": True, "head": "h"}, {"count": 1, "head": "h", "x": 1}, {"count": 1},
    b"bytes", 2.0,
]  # fmt: skip


def model_verdict(row: dict[str, Any]) -> tuple[dict[str, Any], set[str]] | None:
    try:
        valid = IndexRow.model_validate(row)
    except ValidationError:
        return None
    return valid.model_dump(mode="json"), set(valid.model_fields_set)


def plain_verdict(row: dict[str, Any]) -> tuple[dict[str, Any], set[str]] | None:
    checked = plain_row(row)
    if checked is None:
        return None
    values, unset = checked
    return dict(zip(NAMES, values, strict=True)), set(NAMES) - set(unset)


def test_the_fields_are_the_models_in_order_with_its_defaults() -> None:
    assert NAMES == tuple(IndexRow.model_fields) == ROW_FIELDS
    for name, _, default in FIELDS:
        info = IndexRow.model_fields[name]
        assert info.is_required() == (name not in ROW_DEFAULTS)
        if not info.is_required():
            assert default == info.default


def test_a_row_as_the_store_writes_it_is_taken_as_the_model_takes_it() -> None:
    assert plain_verdict(ROW) is not None
    assert plain_verdict(ROW) == model_verdict(ROW)
    older = {k: v for k, v in ROW.items() if k not in ROW_DEFAULTS}
    assert plain_verdict(older) == model_verdict(older)
    assert plain_verdict(older) is not None


@pytest.mark.parametrize("seed", range(4))
def test_whatever_an_edit_does_the_plain_check_never_takes_what_the_model_refuses(
    seed: int,
) -> None:
    rng = random.Random(seed)
    taken = 0
    for _ in range(3000):
        row = dict(ROW)
        for _ in range(rng.randint(1, 3)):
            what = rng.random()
            name = rng.choice(NAMES)
            if what < 0.15:
                row.pop(name, None)
            elif what < 0.2:
                row[rng.choice(["extra", "Id", ""])] = "x"
            else:
                row[name] = rng.choice(ODD_VALUES)
        plain = plain_verdict(row)
        if plain is not None:
            taken += 1
            assert plain == model_verdict(row), row
    assert taken > 50  # the fuzzing does reach rows the plain check takes
