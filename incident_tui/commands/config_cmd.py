"""`incident-tui config init|show`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from incident_tui import locations
from incident_tui.errors import UserError
from incident_tui.safe_text import printable

if TYPE_CHECKING:
    from incident_tui.settings import Settings


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("config", help="the school's settings: names and local contacts")
    actions = parser.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    init = actions.add_parser("init", help="write the sample config to the config dir")
    init.add_argument("--force", action="store_true", help="replace an existing config file")
    init.set_defaults(handler=config_init)
    show = actions.add_parser("show", help="print the paths in use")
    show.set_defaults(handler=config_show)


def config_init(args: argparse.Namespace) -> int:
    from incident_tui.files import write_private_file
    from incident_tui.settings import sample_config_text

    path = args.locations.config_file
    if path.exists() and not args.force:
        raise UserError(f"{path} already exists; edit it, or use --force to replace it")
    try:
        locations.ensure_private_dir(path.parent)
    except OSError as exc:
        raise UserError(f"{path.parent}: cannot create the folder: {exc.strerror}") from None
    write_private_file(
        path,
        sample_config_text(),
        replace=args.force,
        what="the config file",
        exists_hint="edit it, or use --force to replace it",
    )
    print(f"Wrote {path}\nEdit the school name and local contacts before first use.")
    return 0


def config_show(args: argparse.Namespace) -> int:
    from incident_tui.settings import load_settings

    paths = args.locations
    config = paths.config_file
    settings = load_settings(config)
    _check_contacts(config, settings, paths.local_flows_dir)
    rows = [
        ("config file", f"{config}{'' if config.exists() else '  (not yet written: defaults)'}"),
        ("local flows", str(paths.local_flows_dir)),
        ("record key", str(paths.key_file)),
        ("live record", str(paths.store_dir("live"))),
        ("training record", str(paths.store_dir("training"))),
        ("logs", str(locations.log_dir())),
        ("school", settings.school.name),
    ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(printable(f"{name.ljust(width)}  {value}"))
    warned = set()
    for what, folder in (("the record", paths.data), ("the settings and key", paths.config)):
        for loose in locations.loose_folders(folder):
            if loose not in warned:
                warned.add(loose)
                print(
                    printable(
                        f"incident-tui: warning: {loose} can be written by other users, "
                        f"who could replace {what} inside it: `chmod go-w {loose}`"
                    ),
                    file=sys.stderr,
                )
    return 0


def _check_contacts(config: Path, settings: Settings, local_flows: Path) -> None:
    """A contact set in the config file that no procedure declares is most likely misspelt."""
    from incident_tui.flow.available import available_flows

    flows = available_flows(local_flows).flows.values()
    declared = {name for loaded in flows for name in loaded.flow.contacts}
    unknown = settings.undeclared_contacts(declared)
    if unknown:
        names = ", ".join(f"contacts.{name}" for name in unknown)
        raise UserError(
            f"{config}: {names}: no procedure declares this contact "
            f"(declared: {', '.join(sorted(declared)) or 'none'})"
        )
