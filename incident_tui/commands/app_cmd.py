"""Opening the app itself: `incident-tui` with no command, or `incident-tui app`."""

from __future__ import annotations

import argparse

THEMES = ["textual-dark", "textual-light", "ansi-dark", "ansi-light"]


def add_app_options(parser: argparse.ArgumentParser, *, top_level: bool = False) -> None:
    parser.add_argument(
        "--training",
        action="store_true",
        # At the top level a separate name, so that a sub-command's own --training
        # default cannot silently undo `incident-tui --training COMMAND`.
        dest="global_training" if top_level else "training",
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
    from incident_tui.commands import mode_of
    from incident_tui.people import Role
    from incident_tui.permissions import Can, require, require_signed_in
    from incident_tui.tui.app import IncidentApp
    from incident_tui.tui.screens.home import SWITCH_TO_TRAINING

    theme = getattr(args, "theme", None)
    person = getattr(args, "person", None)
    require_signed_in(args.locations.config, person, "the app opens")
    mode = mode_of(args)
    if person is not None and person.role is Role.trainer:
        mode = "training"  # a trainer never opens the live record
    require(person, Can.training if mode == "training" else Can.live)
    if mode == "training" and person is not None:
        from incident_tui.tui.training.app import TrainingApp

        TrainingApp(paths=args.locations, theme=theme, person=person).run()
        return 0
    app = IncidentApp(paths=args.locations, mode=mode, theme=theme, person=person)
    if app.run() == SWITCH_TO_TRAINING:
        from incident_tui.tui.training.app import TrainingApp

        TrainingApp(paths=args.locations, theme=theme, person=person).run()
    return 0
