"""`incident-tui session LOGIN`: one person's SSH session on a school server.

`authorized_keys` forces this command for each person's key, so LOGIN is who
OpenSSH authenticated. With no SSH_ORIGINAL_COMMAND the app starts for them
(training for a trainer); with one (`ssh incidents@server list --json`) that
one sub-command runs under their rights, and anything else is refused.
"""

from __future__ import annotations

import argparse
import os
import sys

from incident_tui.errors import UserError
from incident_tui.safe_text import printable

ORIGINAL_COMMAND = "SSH_ORIGINAL_COMMAND"


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "session",
        help="(run by the server's authorized_keys) one signed-in person's session",
        description=(
            "Started by OpenSSH for each person's key (see `incident-tui people`). "
            "Opens the app for LOGIN, or runs the one command in SSH_ORIGINAL_COMMAND "
            "if the person's role allows it."
        ),
    )
    parser.add_argument("login", metavar="LOGIN")
    parser.set_defaults(handler=session)


def session(args: argparse.Namespace) -> int:
    from incident_tui.people import signed_in

    if getattr(args, "person", None) is not None:
        raise UserError("a session cannot start another session")
    person = signed_in(args.locations.config, args.login)
    command = os.environ.get(ORIGINAL_COMMAND, "").strip()
    if command:
        return run_remote(args, person, command)
    return open_for(args, person)


def open_for(args: argparse.Namespace, person: object) -> int:
    """The app for the signed-in person: training for a trainer, the live app for the rest."""
    from incident_tui.people import Person, Role

    assert isinstance(person, Person)
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UserError(
            "the app needs a terminal: connect with `ssh -t ACCOUNT@SERVER`, or give a "
            "command (e.g. `ssh ACCOUNT@SERVER list`)"
        )
    if person.role is Role.admin:
        raise UserError(
            printable(
                f"{person.name} is an administrator: people and settings, not incidents. "
                "Over ssh: `people list`, `config show`, `config school`, `config contact`; "
                "people are added on the server, as its service account "
                "(`incident-tui people --help`)."
            )
        )
    from incident_tui.commands.app_cmd import open_app

    args.person = person
    return open_app(args)


def run_remote(args: argparse.Namespace, person: object, command: str) -> int:
    """One sub-command, parsed with shlex, under the person's rights."""
    import shlex

    from incident_tui.cli import build_parser
    from incident_tui.people import Person
    from incident_tui.permissions import Refused, remote_refusal

    assert isinstance(person, Person)
    refused = remote_refusal(person, command)
    if refused is not None:
        raise Refused(f"refused: {refused}")
    words = shlex.split(command)
    try:
        sub = build_parser().parse_args(words)
    except SystemExit as exc:  # argparse has printed what is wrong, or --help
        return int(exc.code or 0)
    sub.locations = args.locations
    sub.person = person
    handler = getattr(sub, "handler", None)
    if handler is None:
        raise Refused("refused: give a command")
    if handler is session:
        raise Refused("refused: a session cannot start another session")
    return int(handler(sub) or 0)
