"""`incident-tui config init|show|school|contact`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from incident_tui import locations
from incident_tui.errors import UserError
from incident_tui.safe_text import printable

if TYPE_CHECKING:
    from incident_tui.settings import LocalNumbers, Settings


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("config", help="the school's settings: names and local contacts")
    actions = parser.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    init = actions.add_parser("init", help="write the sample config to the config dir")
    init.add_argument("--force", action="store_true", help="replace an existing config file")
    init.set_defaults(handler=config_init)
    show = actions.add_parser("show", help="print the paths in use")
    show.set_defaults(handler=config_show)
    school = actions.add_parser("school", help="set the school's name, shown on every screen")
    school.add_argument("name", help='e.g. "St Example Academy"')
    school.set_defaults(handler=config_school)
    contact = actions.add_parser(
        "contact",
        help="set one of the school's own contacts: who to call and their number",
        description=(
            "Set a contact the procedures name: the DSL (dsl), the deputies (deputy_dsl), "
            "children's social care front door / MASH (mash, with --out-of-hours) and the "
            "police safer schools officer (safer_schools_officer). Give WHO and PHONE; "
            "for more than one person (deputies), give WHO PHONE again. "
            'Example: incident-tui config contact dsl "Ms A. Khan (DSL)" "01632 960001"'
        ),
    )
    contact.add_argument("contact", metavar="NAME", help="dsl, deputy_dsl, mash, ...")
    contact.add_argument("people", metavar="WHO PHONE", nargs="+", help="who, then their number")
    contact.add_argument("--out-of-hours", metavar="PHONE", help="the out-of-hours number")
    contact.set_defaults(handler=config_contact)


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
    print(
        f"Wrote {path}\nThe contacts in it are samples: set the school's own with "
        "`incident-tui config school` and `incident-tui config contact` before first use."
    )
    return 0


def config_school(args: argparse.Namespace) -> int:
    from incident_tui.settings import School

    name = _text("the school's name", args.name)
    settings = _current(args.locations.config_file)
    _write(args, settings.model_copy(update={"school": School(name=name)}))
    print(printable(f"School name set: {name}"))
    return 0


def config_contact(args: argparse.Namespace) -> int:
    from incident_tui.flow.available import available_flows
    from incident_tui.settings import declared_contacts, local_contact_names, with_contact

    paths = args.locations
    flows = available_flows(paths.local_flows_dir).flows.values()
    declared = declared_contacts(loaded.flow.contacts for loaded in flows)
    name = args.contact
    if name not in declared:
        local = ", ".join(local_contact_names(declared))
        raise UserError(
            f"contact '{printable(name, one_line=True)}': no procedure names this contact "
            f"(the school's own: {local}; all: {', '.join(sorted(declared))})"
        )
    if len(args.people) % 2:
        raise UserError(
            "give WHO and PHONE for each person, e.g. "
            '"Ms A. Khan (DSL)" "01632 960001"; the last one has no number'
        )
    people = list(zip(args.people[::2], args.people[1::2], strict=True))
    people = [(_text(f"who to call for {name}", who), phone) for who, phone in people]
    settings = with_contact(_current(paths.config_file), name, people, args.out_of_hours)
    _write(args, settings)
    value = settings.contacts[name]
    print(printable(f"{name} set: {value}"))
    return 0


def _text(what: str, text: str) -> str:
    from incident_tui.safe_text import control_problem

    if (problem := control_problem(text, one_line=True)) is not None:
        raise UserError(f"{what}: {problem}")
    text = " ".join(text.split())
    if not text:
        raise UserError(f"{what} is empty")
    return text


def _current(config: Path) -> Settings:
    from incident_tui.settings import load_settings

    return load_settings(config)


def _write(args: argparse.Namespace, settings: Settings) -> None:
    from incident_tui.settings import save_settings

    save_settings(args.locations.config_file, settings)


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
    numbers = _local_numbers(settings, paths.local_flows_dir)
    if not numbers.ready:
        print(printable(numbers.warning(ids=True)))
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


def _local_numbers(settings: Settings, local_flows: Path) -> LocalNumbers:
    from incident_tui.flow.available import available_flows
    from incident_tui.settings import declared_contacts, local_numbers

    flows = available_flows(local_flows).flows.values()
    return local_numbers(settings, declared_contacts(loaded.flow.contacts for loaded in flows))
