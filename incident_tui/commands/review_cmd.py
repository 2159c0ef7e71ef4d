"""`incident-tui review`: the DSL's review screens on their own.

The review screens only read the record; a decision is appended through a
writable store opened for that one append, so the list can stay open beside
a copy that is recording a live incident.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from incident_tui import locations
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


def _settings() -> Settings:
    from incident_tui.settings import load_settings

    return load_settings(locations.config_file())


def _root(training: bool) -> Path:
    root = locations.store_dir(training=training)
    if not root.exists() or not _holds_incidents(root):
        hint = "" if training else " (training incidents are reviewed with --training)"
        raise UserError(f"no incidents recorded in {root}{hint}")
    return root


def _holds_incidents(root: Path) -> bool:
    from incident_tui.record.store import holds_incidents

    return holds_incidents(root)


def _key() -> bytes:
    """The record key; never created here (the review only adds to incidents it signed)."""
    from incident_tui.record.keys import load_key

    return load_key(locations.key_file(), store_has_data=True)


def _readonly_store(root: Path, training: bool, key: bytes) -> Store:
    from incident_tui.record.store import Store

    return Store.open(root, key=key, mode="training" if training else "live", readonly=True)


def review_app(store: Store, settings: Settings, key: bytes):  # -> App[None]
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
            self.push_screen(ReviewScreen(store, settings, key))

    return ReviewApp()


def open_review(args: argparse.Namespace) -> int:
    settings = _settings()
    root = _root(args.training)
    key = _key()
    store = _readonly_store(root, args.training, key)
    review_app(store, settings, key).run()
    return 0
