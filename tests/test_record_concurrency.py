"""Many sessions recording in one store at once: nothing acknowledged is lost, no
reference is given out twice, and the record verifies."""

from __future__ import annotations

import json
import multiprocessing
import random
import time
from collections import Counter
from pathlib import Path

from incident_tui.record import Actor, EventKind, FlowRef, Store
from incident_tui.record.verify import verify_store

KEY = bytes(range(32))
FLOW = FlowRef(id="searching-pupils", version="1.0.0", hash="f" * 64)
WRITERS = 8
APPENDS = 200
SHARED = 3


def writer(root: Path, number: int, shared: list[str], start, out: Path) -> None:  # type: ignore[no-untyped-def]
    """One session: opens its own incidents now and then, and adds notes to its own
    and to the shared ones. Writes what was acknowledged to `out` at the end."""
    rng = random.Random(number)
    actor = Actor(name=f"Writer {number}", role="teacher", login=f"w{number}")
    acknowledged: list[tuple[str, int, str]] = []
    references: list[str] = []
    with Store.open(root, key=KEY, mode="live") as store:
        own: list[str] = []
        start.wait()
        while len(acknowledged) < APPENDS:
            if not own or rng.random() < 0.05:
                row = store.new_incident(flow=FLOW, actor=actor, details={"pupil": f"P-{number}"})
                own.append(row.id)
                references.append(row.reference)
                acknowledged.append((row.id, 0, row.head_hash))
                continue
            incident = rng.choice(shared) if rng.random() < 0.5 else rng.choice(own)
            event = store.append(
                incident, kind=EventKind.note, actor=actor, data={"text": f"{number}"}
            )
            acknowledged.append((incident, event.seq, event.hash))
    out.write_text(json.dumps({"acknowledged": acknowledged, "references": references}))


def run_writers(root: Path, tmp_path: Path, count: int) -> tuple[list[dict], float]:  # type: ignore[type-arg]
    """`count` writer processes at once; (what each acknowledged, seconds taken)."""
    opener = Actor(name="Opener", role="DSL")
    with Store.open(root, key=KEY, mode="live") as store:
        shared = [
            store.new_incident(flow=FLOW, actor=opener, details={"pupil": "P-0"}).id
            for _ in range(SHARED)
        ]
    context = multiprocessing.get_context("fork")
    start = context.Barrier(count + 1)
    outs = [tmp_path / f"writer-{number}.json" for number in range(count)]
    processes = [
        context.Process(target=writer, args=(root, number, shared, start, outs[number]))
        for number in range(count)
    ]
    for process in processes:
        process.start()
    start.wait()
    began = time.monotonic()
    for process in processes:
        process.join(timeout=600)
    elapsed = time.monotonic() - began
    assert [process.exitcode for process in processes] == [0] * count
    return [json.loads(out.read_text()) for out in outs], elapsed


def test_eight_writers_at_once_lose_nothing_and_never_share_a_reference(tmp_path: Path) -> None:
    root = tmp_path / "live"
    results, elapsed = run_writers(root, tmp_path, WRITERS)

    reader = Store.open(root, key=KEY, mode="live", readonly=True)
    rows = reader.rows()
    stored = {row.id: [event.hash for event in reader.events(row.id)] for row in rows}
    acknowledged = [tuple(ack) for result in results for ack in result["acknowledged"]]
    assert len(acknowledged) == WRITERS * APPENDS
    for incident, seq, digest in acknowledged:
        assert stored[incident][seq] == digest
    # every event is one that was acknowledged (and the shared ones' openings)
    per_incident = Counter(incident for incident, _, _ in acknowledged)
    for row in rows:
        assert row.event_count == len(stored[row.id])
        assert row.event_count - per_incident[row.id] in (0, 1)
    references = [row.reference for row in rows]
    assert len(set(references)) == len(references)
    opened = [ref for result in results for ref in result["references"]]
    assert len(set(opened)) == len(opened) == len(rows) - SHARED
    by_day: dict[str, list[int]] = {}
    for reference in references:
        day, _, number = reference.rpartition("-")
        by_day.setdefault(day, []).append(int(number))
    for numbers in by_day.values():
        assert sorted(numbers) == list(range(1, len(numbers) + 1)), "a reference was skipped"
    report = verify_store(root, KEY)
    assert report.ok and report.findings == [], [f.message for f in report.findings]
    print(f"{WRITERS} writers x {APPENDS} appends in {elapsed:.1f} s")
