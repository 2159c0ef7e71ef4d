"""Small TOML files read into pydantic models, with a message naming the file."""

from __future__ import annotations

import tomllib
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from incident_tui.errors import UserError

M = TypeVar("M", bound=BaseModel)


def parse_toml_model(model: type[M], text: str, source: object) -> M:
    """`text` as a `model`; UserError `SOURCE: what is wrong` (every problem) otherwise."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{source}: not valid TOML: {exc}") from None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'file'}: {err['msg']}"
            for err in exc.errors()
        )
        raise UserError(f"{source}: {problems}") from None
