"""Sub-commands of `incident-tui`. Each module has `register(subparsers)`.

Every handler gets `args.locations`, the `Paths` of this run, built once by
`cli.main` from the command line and the environment.
"""

from __future__ import annotations

import argparse
import importlib
from types import ModuleType
from typing import TYPE_CHECKING

from incident_tui.errors import UserError

if TYPE_CHECKING:
    from incident_tui.locations import Mode
    from incident_tui.record.events import Actor


def mode_of(args: argparse.Namespace) -> Mode:
    """The record a command works on: training with `--training`, else live."""
    training = getattr(args, "training", False) or getattr(args, "global_training", False)
    return "training" if training else "live"


COMMANDS = (
    "flows_cmd",
    "config_cmd",
    "run_cmd",
    "train_cmd",
    "record_cmd",
    "pupil_cmd",
    "note_cmd",
    "retention_cmd",
    "transfer_cmd",
    "review_cmd",
    "app_cmd",
    "people_cmd",
    "session_cmd",
)
"""The modules of the sub-commands, in the order `--help` lists them."""


def command_modules() -> list[ModuleType]:
    """Each sub-command's module, imported when the full command line is built: opening
    the app needs none of them but its own (importing them all cost ~6 ms of its start)."""
    return [importlib.import_module(f"{__name__}.{name}") for name in COMMANDS]


__all__ = ["COMMANDS", "command_modules", "mode_of", "recording_actor"]


def recording_actor(
    args: argparse.Namespace,
    typed: str | None,
    role: str,
    *,
    option: str,
    what: str,
    missing: str,
) -> Actor:
    """Who a command records as: on a school server the signed-in person (a name typed
    with `option` is refused there); on one computer the name typed, checked.
    `what` ends "... only for a signed-in person" ("notes are recorded"); `missing`
    is what to say when no name was typed."""
    from incident_tui.incident import checked_actor
    from incident_tui.people import server_mode
    from incident_tui.permissions import require_signed_in

    person = getattr(args, "person", None)
    if server_mode(args.locations.config) and typed:
        raise UserError(
            f"{option}: this is a school server, where every decision is recorded as the "
            "signed-in person; a typed name is refused"
        )
    require_signed_in(args.locations.config, person, what)
    if person is not None:
        return person.actor()
    if not typed:
        raise UserError(missing, exit_code=2)
    return checked_actor(typed, role, where=option)
