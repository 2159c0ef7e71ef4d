"""Opening the app itself: `incident-tui` with no command, or `incident-tui app`."""

from __future__ import annotations

import argparse

THEMES = ["textual-dark", "textual-light", "ansi-dark", "ansi-light"]


def add_app_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--training",
        action="store_true",
        help="practise in the separate training record (every screen says TRAINING)",
    )
    parser.add_argument(
        "--theme",
        choices=THEMES,
        help="colours; ansi-dark / ansi-light suit a 16-colour terminal (NO_COLOR is respected)",
    )


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("app", help="open the app (the same as no command)")
    add_app_options(parser)
    parser.set_defaults(handler=open_app)


def open_app(args: argparse.Namespace) -> int:
    from incident_tui.tui.app import IncidentApp

    training = bool(getattr(args, "training", False))
    app = IncidentApp(mode="training" if training else "live", theme=getattr(args, "theme", None))
    app.run()
    return 0
