"""Opening the app itself: `incident-tui` with no command."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("app", help="open the app (the same as no command)")
    parser.set_defaults(handler=open_app)


def open_app(args: argparse.Namespace) -> int:
    from incident_tui.errors import UserError

    raise UserError("the screens are not built yet")
