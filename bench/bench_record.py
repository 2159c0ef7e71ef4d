"""Record benchmarks: append at 10 vs 10,000 incidents, verify throughput, list.

Prints figures; it is not a test and asserts nothing. See bench/README.md for
the targets. Run from the repository root:

    .venv/bin/python bench/bench_record.py                 # 10,000 incidents
    .venv/bin/python bench/bench_record.py --incidents 1000  # a quicker run

The large store is built quickly: one incident of 50 events is recorded
through the Store API, then its file is copied with a fresh id (and its chain
recomputed for that id) and the index rebuilt. Every append that is timed goes
through `Store.append`, the same path the app uses.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from incident_tui.record.events import GENESIS, Actor, FlowRef, event_hash
from incident_tui.record.keys import load_or_create_key
from incident_tui.record.storage import dump_record_json
from incident_tui.record.store import (
    ROWS_TABLE,
    SHARD_PREFIX,
    Store,
    fold_event,
    incident_file_bytes,
    incident_path,
    index_dir,
    sign_row,
)
from incident_tui.record.verify import verify_store

FLOW = FlowRef(id="bench", version="1.0", hash="ab" * 32)
ACTOR = Actor(name="Bench Mark", role="teacher")


def record_incident(store: Store, events: int, flow: FlowRef = FLOW) -> str:
    row = store.new_incident(
        flow=flow, actor=ACTOR, details={"pupil": "P-0001", "location": "Library"}
    )
    for n in range(1, events):
        store.append(
            row.id,
            kind="answer",
            actor=ACTOR,
            step=f"step-{n}",
            prompt=f"Question {n}: what happened next, in a sentence of ordinary length?",
            answer=f"answer {n}",
            rationale="because the guidance says so",
        )
    return row.id


def rechain(events: list[dict[str, Any]], incident: str, reference: str) -> list[dict[str, Any]]:
    """The same events under a new incident id and reference, hashes recomputed."""
    out: list[dict[str, Any]] = []
    prev = GENESIS
    for event in events:
        copy = {**event, "incident": incident, "prev": prev}
        if copy["seq"] == 0:
            copy["data"] = {**copy["data"], "reference": reference}
        copy.pop("hash")
        copy["hash"] = event_hash(copy)
        out.append(copy)
        prev = copy["hash"]
    return out


def write_private(path: Path, payload: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(payload)


def build_store(
    root: Path,
    key: bytes,
    incidents: int,
    events: int,
    *,
    flow: FlowRef = FLOW,
    open_incidents: int | None = None,
) -> None:
    """`incidents` incidents of `events` events each: one recorded through the
    Store API, the rest copies of it under fresh ids, with the index rebuilt.
    With `open_incidents`, only that many are left open; the others are sealed
    (a sealed copy ends with the template's own `sealed` event)."""
    with Store.open(root, key=key, mode="live") as store:
        template_id = record_incident(store, events, flow)
        template = [event.model_dump(mode="json") for event in store.events(template_id)]
        reference = store.row(template_id).reference
        sealed_template = template
        if open_incidents is not None:
            store.append(template_id, kind="sealed", actor=ACTOR)
            sealed_template = [e.model_dump(mode="json") for e in store.events(template_id)]
    day = reference.rsplit("-", 1)[0]
    shards: dict[str, dict[str, dict[str, Any]]] = {}

    def add_row(chain: list[dict[str, Any]]) -> None:
        row = None
        for event in chain:
            row = fold_event(row, event)
        assert row is not None
        table = shards.setdefault(row["id"][:SHARD_PREFIX], {})
        table[str(len(table) + 1)] = sign_row(row, key)

    add_row(sealed_template)  # the template as it is on disk
    for n in range(2, incidents + 1):
        incident = uuid.uuid4().hex
        sealed = open_incidents is not None and n > open_incidents + 1
        chain = rechain(sealed_template if sealed else template, incident, f"{day}-{n:05d}")
        write_private(incident_path(root, incident), incident_file_bytes(chain))
        add_row(chain)
    for prefix, table in shards.items():
        write_private(index_dir(root) / f"{prefix}.json", dump_record_json({ROWS_TABLE: table}))
    os.sync()


def time_appends(root: Path, key: bytes, appends: int, spread: int) -> list[float]:
    """Seconds per `Store.append`, round-robin over the first `spread` incidents."""
    with Store.open(root, key=key, mode="live") as store:
        targets = [row.id for row in store.rows()[:spread]]
        timings = []
        for n in range(appends):
            start = time.perf_counter()
            store.append(targets[n % len(targets)], kind="note", actor=ACTOR, answer=f"note {n}")
            timings.append(time.perf_counter() - start)
    return timings


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=10_000, help="size of the large store")
    parser.add_argument("--small", type=int, default=10, help="size of the small store")
    parser.add_argument("--events", type=int, default=50, help="events per incident")
    parser.add_argument("--appends", type=int, default=300, help="timed appends per store")
    parser.add_argument("--keep", type=Path, help="build the stores here and keep them")
    args = parser.parse_args()

    work = args.keep or Path(tempfile.mkdtemp(prefix="incident-tui-bench-"))
    try:
        key = load_or_create_key(work / "config" / "record.key")
        data = {"small": work / "small", "large": work / "large"}
        sizes = {"small": args.small, "large": args.incidents}
        for name, root in data.items():
            started = time.perf_counter()
            build_store(root / "live", key, sizes[name], args.events)
            print(
                f"built {sizes[name]:>6} incidents x {args.events} events "
                f"in {time.perf_counter() - started:.1f} s"
            )

        print("\nappend (Store.append, fsynced), round-robin over 10 incidents:")
        medians = {}
        for name, root in data.items():
            timings = time_appends(root / "live", key, args.appends, spread=10)
            medians[name] = statistics.median(timings)
            print(
                f"  {sizes[name]:>6} incidents: median {medians[name] * 1000:7.2f} ms, "
                f"p99 {p99(timings) * 1000:7.2f} ms  ({len(timings)} appends)"
            )
        ratio = medians["large"] / medians["small"]
        print(f"  ratio {sizes['large']}/{sizes['small']}: {ratio:.2f}x  (target <= 1.5x)")

        large = data["large"] / "live"
        started = time.perf_counter()
        report = verify_store(large, key)
        elapsed = time.perf_counter() - started
        state = "intact" if report.ok else f"{len(report.findings)} findings"
        print(
            f"\nverify: {report.incidents} incidents, {report.events} events in {elapsed:.2f} s "
            f"= {report.events / elapsed:,.0f} events/s, {state}  (target >= 20,000 events/s)"
        )

        command = shutil.which("incident-tui", path=str(Path(sys.executable).parent))
        argv = [command] if command else [sys.executable, "-m", "incident_tui"]
        argv += ["--data-dir", str(data["large"]), "--config-dir", str(work / "config")]
        runs = []
        for _ in range(3):
            started = time.perf_counter()
            done = subprocess.run([*argv, "list", "--json"], capture_output=True, env=os.environ)
            runs.append(time.perf_counter() - started)
            if done.returncode != 0:
                print(f"list --json failed: {done.stderr.decode(errors='replace')}")
                return 1
        print(
            f"\nlist --json over {sizes['large']} incidents (whole process): best "
            f"{min(runs):.2f} s, median {statistics.median(runs):.2f} s, "
            f"{len(done.stdout) // 1024} KiB  (target < 1 s)"
        )
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
