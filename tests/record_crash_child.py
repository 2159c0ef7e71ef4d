"""Helper for tests/test_record_crash.py: records events until it is killed.

Run as `python record_crash_child.py ROOT`. It imports the record once, then
obeys lines on stdin:

    run SEED   fork a recorder; answer "pid N"
    wait N     wait for recorder N to end; answer "dead N"
    quit

A recorder opens the store at ROOT and appends notes to a few incidents (now
and then opening a new one) for ever. Only after `append` or `new_incident`
returns does it report the event on stdout, one line each:

    ack ID SEQ HASH

so every line the parent reads is an event that must survive a kill -9.
Forking from one process that has already imported everything makes each
kill cheap, so a test can afford hundreds of them.
"""

from __future__ import annotations

import os
import random
import sys
from pathlib import Path

from incident_tui.record import Actor, EventKind, FlowRef, Store

KEY = bytes(range(32))
ACTOR = Actor(name="Crash Test", role="teacher")
FLOW = FlowRef(id="searching-pupils", version="1.0.0", hash="f" * 64)
INCIDENTS = 4


def say(line: str) -> None:
    os.write(1, (line + "\n").encode("ascii"))


def record(root: Path, seed: int) -> None:
    rng = random.Random(seed)
    with Store.open(root, key=KEY, mode="live") as store:
        ids = [row.id for row in store.rows()]
        while True:
            if len(ids) < INCIDENTS or rng.random() < 0.05:
                row = store.new_incident(flow=FLOW, actor=ACTOR, details={"pupil": "P-1"})
                ids.append(row.id)
                say(f"ack {row.id} 0 {row.head_hash}")
            else:
                incident = rng.choice(ids)
                event = store.append(
                    incident,
                    kind=EventKind.note,
                    actor=ACTOR,
                    data={"text": "x" * rng.randrange(500)},
                )
                say(f"ack {incident} {event.seq} {event.hash}")


def main() -> None:
    root = Path(sys.argv[1])
    for line in sys.stdin:
        command, _, argument = line.strip().partition(" ")
        if command == "run":
            pid = os.fork()
            if pid == 0:
                try:
                    record(root, int(argument))
                finally:
                    os._exit(1)
            say(f"pid {pid}")
        elif command == "wait":
            os.waitpid(int(argument), 0)
            say(f"dead {argument}")
        elif command == "quit":
            return


if __name__ == "__main__":
    main()
