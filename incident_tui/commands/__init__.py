"""Sub-commands of `incident-tui`. Each module has `register(subparsers)`.

Every handler gets `args.locations`, the `Paths` of this run, built once by
`cli.main` from the command line and the environment.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from incident_tui.commands import (
    app_cmd,
    config_cmd,
    flows_cmd,
    people_cmd,
    pupil_cmd,
    record_cmd,
    retention_cmd,
    review_cmd,
    run_cmd,
    session_cmd,
    train_cmd,
    transfer_cmd,
)

if TYPE_CHECKING:
    from incident_tui.locations import Mode


def mode_of(args: argparse.Namespace) -> Mode:
    """The record a command works on: training with `--training`, else live."""
    training = getattr(args, "training", False) or getattr(args, "global_training", False)
    return "training" if training else "live"


COMMAND_MODULES = [
    flows_cmd,
    config_cmd,
    run_cmd,
    train_cmd,
    record_cmd,
    pupil_cmd,
    retention_cmd,
    transfer_cmd,
    review_cmd,
    app_cmd,
    people_cmd,
    session_cmd,
]

__all__ = ["COMMAND_MODULES", "mode_of"]
