"""Many writers at once: appends per second with 8 writer processes on one store,
against one writer, in the same run.

Prints figures; it is not a test and asserts nothing. Run from the repository root:

    .venv/bin/python bench/bench_writers.py                 # 8 writers, 200 appends each
    .venv/bin/python bench/bench_writers.py --writers 4 --appends 500

Each writer is its own process with the store open (as each ssh session is on a
school server) and adds notes through `Store.append`, the path the app uses:
half of them to incidents of its own, half to incidents every writer shares, so
the incident locks, the index locks and the fsyncs are all in play. Every
append is durable (fsynced file, index and folders) before it returns.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import tempfile
import time
from pathlib import Path
from typing import Any

from incident_tui.record.events import Actor, FlowRef
from incident_tui.record.store import Store

KEY = bytes(range(32))
FLOW = FlowRef(id="bench", version="1.0", hash="ab" * 32)
SHARED = 3
OWN = 3


def _writer(root: Path, number: int, shared: list[str], appends: int, start: Any) -> None:
    rng = random.Random(number)
    actor = Actor(name=f"Writer {number}", role="teacher", login=f"w{number}")
    with Store.open(root, key=KEY, mode="live") as store:
        own = [
            store.new_incident(flow=FLOW, actor=actor, details={"pupil": f"P-{number}"}).id
            for _ in range(OWN)
        ]
        start.wait()
        for _ in range(appends):
            incident = rng.choice(shared) if rng.random() < 0.5 else rng.choice(own)
            store.append(incident, kind="note", actor=actor, data={"text": "a note of some length"})


def appends_per_second(folder: Path, writers: int, appends: int) -> tuple[float, float]:
    """(appends per second across all writers, seconds) for `writers` at once."""
    root = folder / f"store-{writers}"
    opener = Actor(name="Opener", role="DSL")
    with Store.open(root, key=KEY, mode="live") as store:
        shared = [
            store.new_incident(flow=FLOW, actor=opener, details={"pupil": "P-0"}).id
            for _ in range(SHARED)
        ]
    context = multiprocessing.get_context("fork")
    start = context.Barrier(writers + 1)
    processes = [
        context.Process(target=_writer, args=(root, number, shared, appends, start))
        for number in range(writers)
    ]
    for process in processes:
        process.start()
    start.wait()
    began = time.perf_counter()
    for process in processes:
        process.join()
    elapsed = time.perf_counter() - began
    if any(process.exitcode != 0 for process in processes):
        raise SystemExit("a writer failed")
    return writers * appends / elapsed, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--appends", type=int, default=200, help="per writer")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-writers-") as tmp:
        folder = Path(tmp)
        one, one_time = appends_per_second(folder, 1, args.appends)
        many, many_time = appends_per_second(folder, args.writers, args.appends)
    print(f"CPUs: {os.cpu_count()}; every append fsynced (file, index, folders)")
    print(f"1 writer:   {one:7.1f} appends/s  ({args.appends} appends in {one_time:.2f} s)")
    print(
        f"{args.writers} writers:  {many:7.1f} appends/s  "
        f"({args.writers * args.appends} appends in {many_time:.2f} s)"
    )
    print(f"ratio:      {many / one:.2f}x the one writer")


if __name__ == "__main__":
    main()
