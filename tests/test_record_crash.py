"""kill -9 during appends, hundreds of times: nothing acknowledged is lost, nothing unreadable."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from incident_tui.record import Store
from incident_tui.record.verify import verify_store

CHILD = Path(__file__).with_name("record_crash_child.py")
KEY = bytes(range(32))
KILLS = 240


def test_killing_the_recorder_at_random_moments_loses_nothing_acknowledged(
    tmp_path: Path,
) -> None:
    root = tmp_path / "live"
    rng = random.Random(20261124)
    acknowledged: dict[tuple[str, int], str] = {}
    child = subprocess.Popen(
        [sys.executable, str(CHILD), str(root)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        bufsize=1,
    )
    assert child.stdin is not None and child.stdout is not None

    def ask(command: str) -> list[str]:
        child.stdin.write(command + "\n")  # type: ignore[union-attr]
        child.stdin.flush()  # type: ignore[union-attr]
        lines = []
        while not (line := child.stdout.readline()).startswith(("pid ", "dead ")):  # type: ignore[union-attr]
            assert line, "the helper process ended unexpectedly"
            lines.append(line)
        lines.append(line)
        return lines

    started = time.monotonic()
    torn = 0  # kills that left a half-written temporary file
    try:
        for kill in range(KILLS):
            pid = int(ask(f"run {kill}")[-1].split()[1])
            # Let it record a few events first, so the kill lands inside an append
            # however fast or slow the disk is; sometimes kill it while it opens.
            lines = [child.stdout.readline() for _ in range(rng.randrange(3))]
            time.sleep(rng.uniform(0, 0.01))
            os.kill(pid, signal.SIGKILL)
            for line in lines + ask(f"wait {pid}"):
                if line.startswith("ack "):
                    _, incident, seq, digest = line.split()
                    assert (incident, int(seq)) not in acknowledged, "a seq was reused"
                    acknowledged[(incident, int(seq))] = digest
            torn += any(path.name.endswith(".tmp") for path in root.glob("*/.*"))
            if kill % 60 == 59:
                assert verify_store(root, KEY).ok
        child.stdin.write("quit\n")
        child.stdin.flush()
    finally:
        child.kill()
        child.wait()
    elapsed = time.monotonic() - started

    assert len(acknowledged) > KILLS, "too few appends between kills to test anything"
    assert torn >= 10, "too few kills landed in the middle of a write"
    report = verify_store(root, KEY)
    assert report.ok, [f.message for f in report.findings if f.kind != "crash-leftover"]
    reader = Store.open(root, key=KEY, mode="live", readonly=True)
    stored = {row.id: [event.hash for event in reader.events(row.id)] for row in reader.rows()}
    for (incident, seq), digest in acknowledged.items():
        assert stored[incident][seq] == digest
    # The next writer tidies up: temporary files gone, index caught up.
    Store.open(root, key=KEY, mode="live").close()
    report = verify_store(root, KEY)
    assert report.ok
    assert {f.kind for f in report.findings} <= {"crash-leftover"}
    assert not list(root.rglob("*.tmp"))
    assert not [f for f in report.findings if "index was not updated" in f.message]
    print(f"{KILLS} kills ({torn} mid-write), {len(acknowledged)} acknowledged, {elapsed:.1f} s")


WRITERS = 4
MULTI_KILLS = 60


def test_several_writers_killed_at_random_lose_nothing_acknowledged(tmp_path: Path) -> None:
    """Four recorders at once on one store, sharing incidents; one of them killed at
    a random moment, and another started, again and again."""
    root = tmp_path / "live"
    rng = random.Random(20261202)
    acknowledged: dict[tuple[str, int], str] = {}
    child = subprocess.Popen(
        [sys.executable, str(CHILD), str(root)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        bufsize=1,
    )
    assert child.stdin is not None and child.stdout is not None

    def take(line: str) -> None:
        _, incident, seq, digest = line.split()
        assert acknowledged.get((incident, int(seq)), digest) == digest, "a seq was reused"
        acknowledged[(incident, int(seq))] = digest

    def ask(command: str) -> str:
        child.stdin.write(command + "\n")  # type: ignore[union-attr]
        child.stdin.flush()  # type: ignore[union-attr]
        while not (line := child.stdout.readline()).startswith(("pid ", "dead ")):  # type: ignore[union-attr]
            assert line, "the helper process ended unexpectedly"
            take(line)
        return line

    started = time.monotonic()
    running: list[int] = []
    try:
        for kill in range(MULTI_KILLS):
            while len(running) < WRITERS:
                running.append(int(ask(f"run {kill * WRITERS + len(running)}").split()[1]))
            for _ in range(rng.randrange(1, 8)):
                take(child.stdout.readline())
            victim = running.pop(rng.randrange(len(running)))
            os.kill(victim, signal.SIGKILL)
            ask(f"wait {victim}")
            if kill % 20 == 19:
                assert verify_store(root, KEY).ok  # while the others go on writing
        for victim in running:
            os.kill(victim, signal.SIGKILL)
            ask(f"wait {victim}")
        child.stdin.write("quit\n")
        child.stdin.flush()
        for line in child.stdout:
            take(line)
    finally:
        child.kill()
        child.wait()
    elapsed = time.monotonic() - started

    assert len(acknowledged) > MULTI_KILLS * 2
    report = verify_store(root, KEY)
    assert report.ok, [f.message for f in report.findings if f.kind != "crash-leftover"]
    reader = Store.open(root, key=KEY, mode="live", readonly=True)
    rows = reader.rows()
    stored = {row.id: [event.hash for event in reader.events(row.id)] for row in rows}
    for (incident, seq), digest in acknowledged.items():
        assert stored[incident][seq] == digest
    references = [row.reference for row in rows]
    assert len(set(references)) == len(references), "a reference was given out twice"
    Store.open(root, key=KEY, mode="live").close()  # the next writer tidies up
    report = verify_store(root, KEY)
    assert {f.kind for f in report.findings} <= {"crash-leftover"}
    assert not list(root.rglob("*.tmp"))
    assert not [f for f in report.findings if "index was not updated" in f.message]
    left = [
        p.name for p in (root / "locks").iterdir() if not p.name.startswith(("index-", "ref", "st"))
    ]
    assert left == [], "a dead session's incident lock was left behind"
    print(
        f"{MULTI_KILLS} kills of {WRITERS} writers, {len(acknowledged)} acknowledged, "
        f"{elapsed:.1f} s"
    )
