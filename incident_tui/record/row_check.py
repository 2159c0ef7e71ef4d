"""A plain check of one index row, for a list that meets an index file it has not
seen (after an append, say): an exact-typed row, as the store writes every row, is
taken without importing pydantic; anything else is left to `IndexRow` itself.

It only ever says yes to a row that `IndexRow.model_validate` takes, with the same
values (every value already of its field's type, nothing to convert, no field
unknown or missing): a row it does not take is checked by the model, which reports
it as it always has. So a hand-edited row is judged exactly as before. The fields
here are the model's (tests/test_record_row_check.py compares them with it).
"""

from __future__ import annotations

from typing import Any

_STR = "str"
_OPT = "str|None"
_INT = "int"
_BOOL = "bool"
_STRS = "tuple[str, ...]"
_DICT = "dict[str, str]"
_VIEWINGS = "ViewingsClaim|None"

_REQUIRED = object()
"""No default: the field must be in the row."""

FIELDS: tuple[tuple[str, Any, Any], ...] = (
    # (name, kind: one of the above or a frozenset of allowed strings, default)
    ("id", _STR, _REQUIRED),
    ("reference", _STR, _REQUIRED),
    ("flow_id", _STR, _REQUIRED),
    ("flow_version", _STR, _REQUIRED),
    ("flow_hash", _STR, _REQUIRED),
    ("mode", frozenset({"live", "training"}), _REQUIRED),
    ("status", frozenset({"open", "sealed", "reviewed", "disposed"}), _REQUIRED),
    ("opened", _STR, _REQUIRED),
    ("sealed", _OPT, _REQUIRED),
    ("event_count", _INT, _REQUIRED),
    ("head_hash", _STR, _REQUIRED),
    ("hmac", _STR, _REQUIRED),
    ("actor", _STR, _REQUIRED),
    ("pupil", _STR, _REQUIRED),
    ("last_step", _OPT, _REQUIRED),
    ("last_time", _STR, _REQUIRED),
    ("overrides", _INT, _REQUIRED),
    ("escalations", _INT, _REQUIRED),
    ("amendments", _INT, _REQUIRED),
    ("review_date", _OPT, _REQUIRED),
    ("stops", _INT, 0),
    ("other_pupils", _STRS, ()),
    ("dates_of_birth", _DICT, {}),
    ("retention_hold", _BOOL, False),
    ("disposed", _OPT, None),
    ("transfer_to", _OPT, None),
    ("transfer_sent", _OPT, None),
    ("transfer_checkpoint", _OPT, None),
    ("transfer_confirmed", _OPT, None),
    ("origin", _OPT, None),
    ("received", _OPT, None),
    ("viewings", _VIEWINGS, None),
    ("awaiting", _OPT, None),
    ("handed_by", _OPT, None),
    ("handed_at", _OPT, None),
)
NAMES = tuple(name for name, _, _ in FIELDS)
_NAMES = frozenset(NAMES)


def _plain(kind: Any, value: Any) -> Any:
    """`value` as the model's JSON dump has it, if it is exactly of the field's type;
    `_REQUIRED` (no) otherwise."""
    cls = type(value)
    if kind is _STR:
        return value if cls is str else _REQUIRED
    if kind is _OPT:
        return value if value is None or cls is str else _REQUIRED
    if kind is _INT:
        return value if cls is int else _REQUIRED
    if kind is _BOOL:
        return value if cls is bool else _REQUIRED
    if kind is _STRS:
        if cls is list and all(type(item) is str for item in value):
            return list(value)
        return _REQUIRED
    if kind is _DICT:
        if cls is dict and all(type(k) is str and type(v) is str for k, v in value.items()):
            return dict(value)
        return _REQUIRED
    if kind is _VIEWINGS:
        if value is None:
            return None
        if cls is dict and value.keys() == {"count", "head"}:
            count, head = value["count"], value["head"]
            if type(count) is int and type(head) is str:
                return {"count": count, "head": head}
        return _REQUIRED
    return value if cls is str and value in kind else _REQUIRED  # a Literal


def plain_row(row: dict[str, Any]) -> tuple[list[Any], list[str]] | None:
    """(every field's value in order, as `model_dump(mode="json")` gives it; the fields
    the row leaves to their defaults) if the row is one `IndexRow` takes as it is;
    None: let the model judge it."""
    if not _NAMES.issuperset(row):
        return None  # a field the model does not know: it forbids extras
    values = []
    unset = []
    for name, kind, default in FIELDS:
        if name in row:
            value = _plain(kind, row[name])
            if value is _REQUIRED:
                return None
        elif default is _REQUIRED:
            return None
        else:
            unset.append(name)
            value = [] if kind is _STRS else {} if kind is _DICT else default
        values.append(value)
    return values, unset
