"""Sub-commands of `incident-tui`. Each module has `register(subparsers)`."""

from incident_tui.commands import (
    app_cmd,
    config_cmd,
    flows_cmd,
    record_cmd,
    review_cmd,
    run_cmd,
    train_cmd,
)

COMMAND_MODULES = [flows_cmd, config_cmd, run_cmd, train_cmd, record_cmd, review_cmd, app_cmd]

__all__ = ["COMMAND_MODULES"]
