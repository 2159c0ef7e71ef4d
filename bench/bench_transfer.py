"""Transfer to the next school: the size and time of a bundle for a pupil with 10
incidents, and the time to receive and verify it at the next school.

Prints figures; it is not a test and asserts nothing. Run from the repository root:

    .venv/bin/python bench/bench_transfer.py                  # 10 incidents, 5 rounds
    .venv/bin/python bench/bench_transfer.py --incidents 50 --rounds 3

The incidents are real ones: the shipped procedures run from the example answers
files (`examples/`, as `incident-tui run` does: searching, 20 events, and nudes
sharing, 37 events, in turn), each with a DSL review decision, all naming one
pupil. Each round writes a new bundle through `record.transfer.write_bundle`
(which checks each incident, writes the file fsynced and records a `transferred`
event on each) and receives it into a new, empty store at a second install
through `receive_bundle` (every chain, the heads, the hashes and the bytes
checked, then each incident written with its `received` event, and the receipt).
`read_bundle` alone (the check, nothing written) is timed too. Times are the
median of the rounds, in the same process (no start-up).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import statistics
import tempfile
import time
from pathlib import Path

from incident_tui.cli import main
from incident_tui.record.events import Actor
from incident_tui.record.keys import load_or_create_key
from incident_tui.record.store import Store
from incident_tui.record.transfer import read_bundle, receive_bundle, write_bundle
from incident_tui.review.catalogue import append_review

PUPIL = "P-BENCH"
DSL = Actor(name="Sam Patel", role="Designated Safeguarding Lead")
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
ANSWERS = ["search-confiscation", "nudes-sharing"]


def build_sender(folder: Path, incidents: int) -> tuple[Path, Path]:
    data, config = folder / "data", folder / "config"
    for flow in ANSWERS:
        answers = json.loads((EXAMPLES / f"{flow}.answers.json").read_text(encoding="utf-8"))
        answers["pupil"] = PUPIL
        (folder / f"{flow}.json").write_text(json.dumps(answers), encoding="utf-8")
    args = ["--data-dir", str(data), "--config-dir", str(config)]
    main([*args, "config", "school", "Oak Primary School"])
    for n in range(incidents):
        flow = ANSWERS[n % 2]
        code = main([*args, "run", flow, "--answers", str(folder / f"{flow}.json")])
        assert code == 0, f"run {flow} failed"
    key = load_or_create_key(config / "record.key")
    with Store.open(data / "live", key=key, mode="live") as store:
        for row in store.rows():
            append_review(store, row.id, DSL, "review-date", {"date": "2099-01-15"})
    return data, config


def main_bench() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=5)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-transfer-") as temp:
        folder = Path(temp)
        print(f"Building {options.incidents} incidents naming {PUPIL} ...", flush=True)
        with contextlib.redirect_stdout(io.StringIO()):  # `run` says what it recorded
            data, config = build_sender(folder, options.incidents)
        key = load_or_create_key(config / "record.key")
        write_times, read_times, receive_times = [], [], []
        size = events = 0
        for round_ in range(options.rounds):
            bundle = folder / f"bundle-{round_}.json"
            with Store.open(data / "live", key=key, mode="live") as store:
                started = time.perf_counter()
                sent = write_bundle(
                    store,
                    PUPIL,
                    to_school="Elm Secondary Academy",
                    from_school="Oak Primary School",
                    sender=DSL,
                    out=bundle,
                )
                write_times.append(time.perf_counter() - started)
            size, events = bundle.stat().st_size, sent.events
            started = time.perf_counter()
            read_bundle(bundle, sent.code)
            read_times.append(time.perf_counter() - started)
            other = folder / f"elm-{round_}"
            other_key = load_or_create_key(other / "config" / "record.key")
            receiver = Actor(name="Ruth Okafor", role="Designated Safeguarding Lead")
            with Store.open(other / "live", key=other_key, mode="live") as store:
                started = time.perf_counter()
                receive_bundle(
                    store,
                    bundle,
                    receiver=receiver,
                    school="Elm Secondary Academy",
                    expect_code=sent.code,
                )
                receive_times.append(time.perf_counter() - started)

        def ms(values: list[float]) -> str:
            return f"{statistics.median(values) * 1000:.1f} ms"

        print(f"Bundle for a pupil with {options.incidents} incidents ({events} events):")
        print(f"  size                     {size:,} bytes ({size / 1024:.1f} KiB)")
        print(f"  write (transfer)         {ms(write_times)} median of {options.rounds}")
        print(f"  check only (read_bundle) {ms(read_times)}")
        print(f"  receive and verify       {ms(receive_times)} (check, take in, receipt)")


if __name__ == "__main__":
    main_bench()
