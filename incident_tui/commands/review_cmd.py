"""`incident-tui review`: the DSL's review screens on their own.

The review screens only read the record; a decision is appended through a
writable store opened for that one append, so the list can stay open beside
a copy that is recording a live incident.
"""

from __future__ import annotations

import argparse
import sys

from incident_tui.errors import UserError
from incident_tui.safe_text import printable


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "review",
        help="the DSL's review: every incident, its chronology, decisions and export",
    )
    parser.add_argument(
        "--training", action="store_true", help="review the training record, not the live one"
    )
    parser.set_defaults(handler=open_review, opens_app=True)  # see cli._main


def open_review(args: argparse.Namespace) -> int:
    from incident_tui.commands import mode_of
    from incident_tui.flow.available import available_flows, short_titles
    from incident_tui.permissions import Can, require, require_signed_in
    from incident_tui.record.access import open_record, record_exists
    from incident_tui.settings import load_settings
    from incident_tui.tui.review.app import ReviewApp

    paths, mode = args.locations, mode_of(args)
    person = getattr(args, "person", None)
    require_signed_in(paths.config, person, "the review opens")
    require(person, Can.review)
    if mode == "training":
        require(person, Can.training_results)
    settings = load_settings(paths.config_file)
    if not record_exists(paths, mode):
        hint = "" if mode == "training" else " (training incidents are reviewed with --training)"
        raise UserError(f"no incidents recorded in {paths.store_dir(mode)}{hint}")
    # Read-only: the key is never created here (the review only adds to incidents it signed).
    store = open_record(paths, mode)
    if store.key_problem:
        print(f"incident-tui: warning: {printable(store.key_problem)}", file=sys.stderr)
    procedures = short_titles(available_flows(paths.local_flows_dir).flows)
    ReviewApp(store, settings, person=person, procedures=procedures).run()
    return 0
