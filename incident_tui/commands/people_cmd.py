"""`incident-tui people add|list|remove|set-role`: who may sign in on a school server.

The people file (config folder, 0600) gives each login a name, a role and a
public key; every change rewrites the service account's `authorized_keys` from
it, one forced-command line a person (see `incident_tui.sshkeys`). Run these on
the server, as the service account.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from incident_tui.errors import UserError
from incident_tui.roles import Role
from incident_tui.safe_text import printable

if TYPE_CHECKING:
    from incident_tui.locations import Paths
    from incident_tui.people import PeopleFile


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "people",
        help="who may sign in on a school server (and their SSH keys)",
        description=(
            "On a school server: each person gets a login, a role and their SSH public key. "
            "Every change rewrites the account's authorized_keys, so that person can run "
            "only the app, as themselves. Run these on the server as its service account."
        ),
    )
    actions = parser.add_subparsers(dest="people_command", metavar="ACTION", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--authorized-keys",
        type=Path,
        metavar="PATH",
        help="the authorized_keys file to write (default: ~/.ssh/authorized_keys; "
        "remembered in the people file)",
    )
    common.add_argument(
        "--program",
        type=Path,
        metavar="PATH",
        help="the incident-tui each person's session runs (default: this one; remembered)",
    )
    common.add_argument(
        "--take-over",
        action="store_true",
        help="replace an authorized_keys file that holds lines incident-tui did not write "
        "(those keys lose access)",
    )
    roles = [role.value for role in Role]

    add = actions.add_parser("add", parents=[common], help="add a person and their key")
    add.add_argument("login", metavar="LOGIN", help="short, lower-case, e.g. akhan")
    add.add_argument(
        "--name", required=True, help='their name as the record shows it, e.g. "Alice Khan"'
    )
    add.add_argument("--role", required=True, choices=roles, help="what they may do")
    add.add_argument(
        "--key", required=True, type=Path, metavar="FILE", help="their public key (e.g. alice.pub)"
    )
    add.set_defaults(handler=people_add)

    listing = actions.add_parser("list", help="everyone who may sign in")
    listing.set_defaults(handler=people_list)

    remove = actions.add_parser(
        "remove", parents=[common], help="remove a person: their access ends at once"
    )
    remove.add_argument("login", metavar="LOGIN")
    remove.set_defaults(handler=people_remove)

    set_role = actions.add_parser("set-role", parents=[common], help="change a person's role")
    set_role.add_argument("login", metavar="LOGIN")
    set_role.add_argument("role", metavar="ROLE", choices=roles, help=", ".join(roles))
    set_role.set_defaults(handler=people_set_role)


def _current(paths: Paths) -> PeopleFile:
    from incident_tui.people import PeopleFile, load_people

    return load_people(paths.config) or PeopleFile()


def _unknown(paths: Paths, login: str) -> UserError:
    from incident_tui.people import people_file_path

    return UserError(
        f"{printable(login, one_line=True)}: no such person in "
        f"{people_file_path(paths.config)} (`incident-tui people list` shows everyone)"
    )


def people_add(args: argparse.Namespace) -> int:
    from incident_tui.people import PersonEntry, login_problem, name_problem
    from incident_tui.sshkeys import read_key_file

    paths = args.locations
    if (problem := login_problem(args.login)) is not None:
        raise UserError(problem)
    if (problem := name_problem(args.name)) is not None:
        raise UserError(f"--name: {problem}")
    key = read_key_file(args.key)
    people = _current(paths)
    if people.find(args.login) is not None:
        raise UserError(
            f"{args.login} is already in the people file: `incident-tui people remove "
            f"{args.login}` first to give them a new key, or `people set-role` to change "
            "their role"
        )
    for entry in people.person:
        if entry.key.split()[:2] == key.identity.split():
            raise UserError(
                f"{args.key}: this key is already {entry.login}'s: each person signs in "
                "with their own key (the key says who they are)"
            )
    entry = PersonEntry(login=args.login, name=args.name, role=Role(args.role), key=key.line)
    updated = people.model_copy(update={"person": [*people.person, entry]})
    where = _save(args, updated)
    print(
        printable(
            f"Added {entry.login}: {entry.name} ({entry.role.value}), key {key.fingerprint()}. "
            f"{where}"
        )
    )
    print(printable(f"They connect with: ssh {_account()}@THIS-SERVER"))
    return 0


def people_list(args: argparse.Namespace) -> int:
    from incident_tui.people import load_people, people_file_path
    from incident_tui.sshkeys import parse_public_key

    people = load_people(args.locations.config)
    if people is None or not people.person:
        print(
            printable(
                f"No people in {people_file_path(args.locations.config)}: this install is "
                "one computer (typed names). Add people with `incident-tui people add`."
            )
        )
        return 0
    rows = [("LOGIN", "ROLE", "KEY", "NAME")]
    rows += [
        (e.login, e.role.value, parse_public_key(e.key).fingerprint(), e.name)
        for e in people.person
    ]
    widths = [max(len(row[n]) for row in rows) for n in range(3)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        print(printable("  ".join([*cells, row[3]]), one_line=False))
    return 0


def people_remove(args: argparse.Namespace) -> int:
    paths = args.locations
    people = _current(paths)
    entry = people.find(args.login)
    if entry is None:
        raise _unknown(paths, args.login)
    updated = people.model_copy(
        update={"person": [e for e in people.person if e.login != args.login]}
    )
    where = _save(args, updated)
    print(
        printable(
            f"Removed {entry.login} ({entry.name}): they can no longer sign in. "
            f"What they recorded stays theirs in the record. {where}"
        )
    )
    return 0


def people_set_role(args: argparse.Namespace) -> int:
    paths = args.locations
    people = _current(paths)
    entry = people.find(args.login)
    if entry is None:
        raise _unknown(paths, args.login)
    changed = entry.model_copy(update={"role": Role(args.role)})
    updated = people.model_copy(
        update={"person": [changed if e.login == args.login else e for e in people.person]}
    )
    where = _save(args, updated)
    print(printable(f"{entry.login} ({entry.name}) is now {changed.role.value}. {where}"))
    return 0


# --- writing ------------------------------------------------------------------------------


def _save(args: argparse.Namespace, people: PeopleFile) -> str:
    """authorized_keys first (a person removed loses access even if the people file
    could not then be written; one added is refused at sign-in until it is), then the
    people file. Returns what was written, in words."""
    from incident_tui.people import people_file_path, save_people
    from incident_tui.sshkeys import authorized_keys_text, forced_command, write_authorized_keys

    paths = args.locations
    server = people.server
    keys_path = _absolute(args.authorized_keys) if args.authorized_keys else None
    if keys_path is None and server.authorized_keys:
        keys_path = Path(server.authorized_keys)
    program = _absolute(args.program) if args.program else None
    if program is None and server.program:
        program = Path(server.program)
    program = program or _installed_program()
    keys_path = keys_path or _default_keys()
    settings = server.model_copy(
        update={"authorized_keys": str(keys_path), "program": str(program)}
    )
    people = people.model_copy(update={"server": settings})
    extra = _folder_options(paths)
    lines = [
        (entry.login, forced_command(program, entry.login, extra), entry.key)
        for entry in people.person
    ]
    write_authorized_keys(keys_path, authorized_keys_text(lines), take_over=args.take_over)
    save_people(paths.config, people)
    return f"Rewrote {keys_path} from {people_file_path(paths.config)}."


def _absolute(path: Path) -> Path:
    return path.expanduser().absolute()


def _default_keys() -> Path:
    from incident_tui.sshkeys import default_authorized_keys

    return default_authorized_keys()


def _installed_program() -> Path:
    """The `incident-tui` installed beside the Python running this one (a venv, pipx),
    else the one on PATH: each person's session runs it by its absolute path."""
    beside = Path(sys.executable).parent / "incident-tui"
    if beside.is_file():
        return beside.absolute()
    found = shutil.which("incident-tui")
    if found:
        return Path(found).absolute()
    raise UserError(
        "cannot find the installed incident-tui program for the sessions to run: "
        "give it with --program PATH"
    )


def _folder_options(paths: Paths) -> list[str]:
    """`--data-dir` / `--config-dir` for each session when this install does not use
    the service account's defaults (sshd starts sessions with a clean environment)."""
    from incident_tui.locations import Paths

    default = Paths.from_environment(environ={})
    options = []
    if paths.data.absolute() != default.data:
        options += ["--data-dir", str(paths.data.absolute())]
    if paths.config.absolute() != default.config:
        options += ["--config-dir", str(paths.config.absolute())]
    return options


def _account() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "ACCOUNT"
