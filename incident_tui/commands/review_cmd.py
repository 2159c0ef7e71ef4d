"""`incident-tui review`: the DSL's review screens on their own.

The review screens only read the record; a decision is appended through a
writable store opened for that one append, so the list can stay open beside
a copy that is recording a live incident.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from incident_tui.errors import UserError

if TYPE_CHECKING:
    from incident_tui.record.store import Store
    from incident_tui.settings import Settings


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "review",
        help="the DSL's review: every incident, its chronology, decisions and export",
    )
    parser.add_argument(
        "--training", action="store_true", help="review the training record, not the live one"
    )
    parser.set_defaults(handler=open_review)


def review_app(store: Store, settings: Settings):  # -> App[None]
    """A minimal App that hosts the review screens (also used by the tests)."""
    import os

    from textual.app import App
    from textual.binding import Binding

    from incident_tui.tui.review import ReviewScreen

    class ReviewApp(App[None]):
        TITLE = "incident-tui review"
        BINDINGS = [Binding("ctrl+q", "quit", "Quit", id="quit")]

        def on_mount(self) -> None:
            if os.environ.get("NO_COLOR"):
                self.theme = "ansi-dark"
            self.push_screen(ReviewScreen(store, settings))

    return ReviewApp()


def open_review(args: argparse.Namespace) -> int:
    from incident_tui.commands import mode_of
    from incident_tui.record.access import open_record, record_exists
    from incident_tui.settings import load_settings

    paths, mode = args.locations, mode_of(args)
    settings = load_settings(paths.config_file)
    if not record_exists(paths, mode):
        hint = "" if mode == "training" else " (training incidents are reviewed with --training)"
        raise UserError(f"no incidents recorded in {paths.store_dir(mode)}{hint}")
    # Read-only: the key is never created here (the review only adds to incidents it signed).
    review_app(open_record(paths, mode), settings).run()
    return 0
