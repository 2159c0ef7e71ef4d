"""`incident-tui train [--results]`: practise a scenario, or list past attempts.

Training runs through the same step screens and recorder as a live incident,
but only ever in the training store, and every screen says TRAINING.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from incident_tui.locations import Paths


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "train",
        help="practise a training scenario, or list past attempts (--results)",
        description=(
            "Open the training screens: pick a scenario, enter the trainee's name, read "
            "the narrative, then work through the procedure with feedback and a debrief. "
            "Attempts are recorded in the separate training store, never the live one."
        ),
    )
    parser.add_argument(
        "--results",
        action="store_true",
        help="list past attempts (trainee, scenario, score, date) instead of opening the screens",
    )
    parser.set_defaults(handler=train)


def train(args: argparse.Namespace) -> int:
    from incident_tui.permissions import Can, require, require_signed_in

    person = getattr(args, "person", None)
    if args.results:
        require(person, Can.training_results)
        return print_results(args.locations)
    require_signed_in(args.locations.config, person, "training opens")
    require(person, Can.training)
    from incident_tui.tui.training.app import TrainingApp

    TrainingApp(paths=args.locations, person=person).run()
    return 0


def results_table(paths: Paths) -> list[tuple[str, ...]]:
    """Past attempts, oldest first, as rows of text (the first row is the header)."""
    from incident_tui.record.access import open_record
    from incident_tui.training.attempts import past_attempts

    rows: list[tuple[str, ...]] = [("DATE", "TRAINEE", "SCENARIO", "SCORE", "TIME", "RECORD")]
    if not paths.store_dir("training").exists():
        return rows
    with open_record(paths, "training") as store:
        attempts = past_attempts(store)
    for attempt in attempts:
        if attempt.complete:
            verdict = "passed" if attempt.passed else "not yet passed"
            score = f"{attempt.score}/{attempt.max_score} ({attempt.percent}%) {verdict}"
        else:
            score = "not finished"
        minutes = attempt.minutes()
        rows.append(
            (
                attempt.started[:16].replace("T", " "),
                attempt.trainee,
                attempt.scenario,
                score,
                "-" if minutes is None else f"{minutes} min",
                attempt.reference,
            )
        )
    return rows


def print_results(paths: Paths) -> int:
    rows = results_table(paths)
    if len(rows) == 1:
        print("No training attempts yet.")
        return 0
    widths = [max(len(row[n]) for row in rows) for n in range(len(rows[0]) - 1)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        print("  ".join([*cells, row[-1]]))
    return 0
