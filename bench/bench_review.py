"""Review list with 10,000 incidents: time until the list is ready, and a filter applied.

    .venv/bin/python bench/bench_review.py [--incidents 10000]

Targets: list ready under 1 s; a filter applied under 100 ms. The record is built
once in a temporary folder through the real store (fsync skipped while building
only, to keep set-up short); the timings use the real store and screens.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path

from incident_tui.record.events import Actor, EventKind, FlowRef
from incident_tui.record.store import Store
from incident_tui.review import IncidentList, ListQuery
from incident_tui.settings import Settings

KEY = b"b" * 32
FLOWS = [
    FlowRef(id="sharing-nudes", version="1.0", hash="ab" * 32),
    FlowRef(id="searching", version="2.1", hash="cd" * 32),
]
STAFF = [Actor(name=n, role="teacher") for n in ("Jane Smith", "Ali Khan", "Sam Patel")]


def build(root: Path, count: int) -> None:
    real_fsync = os.fsync
    os.fsync = lambda fd: None  # set-up only: durability is not what is measured
    try:
        with Store.open(root, key=KEY, mode="live") as store:
            for n in range(count):
                row = store.new_incident(
                    flow=FLOWS[n % 2], actor=STAFF[n % 3], details={"pupil": f"P-{n:05d}"}
                )
                if n % 3:
                    if n % 7 == 0:
                        store.append(
                            row.id,
                            kind=EventKind.escalation,
                            actor=STAFF[0],
                            step="risk",
                            data={"message": "call", "contact": "police"},
                        )
                    store.append(
                        row.id, kind=EventKind.sealed, actor=STAFF[0], step="end", answer="nfa"
                    )
    finally:
        os.fsync = real_fsync


async def time_screen(root: Path) -> tuple[float, list[float]]:
    from incident_tui.tui.review import ReviewScreen
    from incident_tui.tui.review.app import ReviewApp

    store = Store.open(root, key=KEY, mode="live", readonly=True)
    app = ReviewApp(store, Settings())
    start = time.perf_counter()
    async with app.run_test(size=(100, 30)) as pilot:
        while not isinstance(app.screen, ReviewScreen) or not app.screen.shown:
            await pilot.pause()
        ready = time.perf_counter() - start
        screen = app.screen
        await app.workers.wait_for_complete()  # the background integrity check
        verified = time.perf_counter() - start
        await pilot.pause()
        filters = []
        for changes in (
            {"flagged_only": True},
            {"flagged_only": False, "text": "p-0123"},
            {"text": ""},
            {"statuses": frozenset({"open"})},
            {"statuses": frozenset({"open", "sealed", "reviewed"}), "sort": "staff"},
        ):
            t = time.perf_counter()
            screen.set_query(**changes)
            await pilot.pause()
            filters.append(time.perf_counter() - t)
    return ready, filters, verified


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--incidents", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "live"
        t = time.perf_counter()
        build(root, args.incidents)
        print(f"built {args.incidents} incidents in {time.perf_counter() - t:.1f} s (set-up)")

        store = Store.open(root, key=KEY, mode="live", readonly=True)
        t = time.perf_counter()
        rows = store.rows()
        read = time.perf_counter() - t
        listing = IncidentList(rows)
        pure = []
        for query in (ListQuery(flagged_only=True), ListQuery(text="p-0123"), ListQuery()):
            t = time.perf_counter()
            listing.select(query)
            pure.append(time.perf_counter() - t)
        print(f"index read ({len(rows)} rows): {read * 1000:.0f} ms")
        print(f"filter+sort, logic only: median {statistics.median(pure) * 1000:.1f} ms")

        ready, filters, verified = asyncio.run(time_screen(root))
        print(
            f"review list ready (app start to rows on screen): {ready * 1000:.0f} ms"
            f" (target < 1000 ms)"
        )
        print(
            f"filter applied and drawn: median {statistics.median(filters) * 1000:.1f} ms,"
            f" worst {max(filters) * 1000:.1f} ms (target < 100 ms)"
        )
        print(f"integrity check of every incident (background): {verified * 1000:.0f} ms")


if __name__ == "__main__":
    main()
