"""Issue 15's table: every figure with its ratio to a reference measured in the same run.

    .venv/bin/python bench/bench_perf.py                      # 10 runs, 10,000 incidents
    .venv/bin/python bench/bench_perf.py --runs 3 --incidents 2000   # a quicker look
    .venv/bin/python bench/bench_perf.py --only verify,list --profile /tmp/prof

Figures, not a test: nothing is asserted. Each figure is printed with its
reference, measured in the same run and interleaved with it where it can be:

- start     cold start to the home screen as a user gets there (`incident-tui`
            through cli.main, a config with the school's numbers, a record of
            1,000 incidents of which 3 are open; whole process, wall and CPU)
            against a bare Textual app (Header, Static, Footer, exiting on its
            first refresh) that this file ships; medians of --runs taken in turn.
- key       key to next step: the key press until the first frame drawn with the
            next step, checked to come after the durable append; median and p99
            over --runs procedures (bench_tui.key_to_step, the search procedure
            through Pilot, a fresh app each).
- append    `Store.append` at --incidents incidents against the floor: the same
            two fsynced atomic replaces (incident file, index shard; same sizes,
            same file system) by plain `os` calls, interleaved one for one, each
            going first every other time.
- verify    `verify_store` events/s on one core against the floor: a plain pass
            over the same files reading, `json.loads` and re-hashing every event
            with `hashlib` (the least any hash check can do).
- list      `incident-tui list --json` over --incidents incidents, whole
            process, median of --runs, against a plain script that reads every
            index shard with `json.loads` and prints the rows as JSON; once of an
            unchanged record, once with one event appended (Store.append) to one
            incident before each run, as when a DSL lists after recording.
- review    review list ready (app start to the first frame drawn with the rows,
            turned into terminal output) with --incidents incidents, against
            reading the index (`Store.rows`).

`--profile DIR` writes one cProfile per figure (DIR/<figure>.prof; for whole
processes, one extra run under `python -m cProfile`). Read them with
`python -m pstats DIR/verify.prof` then `sort cumtime` and `stats 30`.

The store is built as bench_record.py builds it: one incident recorded through
the Store API, copied under fresh ids with its chain recomputed, index rebuilt.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import hashlib
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_record import build_store, p99  # noqa: E402
from bench_tui import START_INCIDENTS, START_OPEN, START_SCRIPT, school_setup  # noqa: E402

KEY = b""  # the record key of the bench store, set in main()

FIGURES = ("start", "key", "append", "verify", "list", "review")

BARE_APP = """
import time
t0 = time.perf_counter()
from textual.app import App
from textual.widgets import Footer, Header, Static

class Bare(App):
    def compose(self):
        yield Header()
        yield Static("Bare Textual app")
        yield Footer()

    def on_mount(self):
        self.call_after_refresh(lambda: self.exit(time.perf_counter() - t0))

print(Bare().run(headless=True, size=(80, 24)))
"""

LIST_FLOOR = """
import json, os, sys
folder = os.path.join(sys.argv[1], "index")
rows = []
for name in sorted(os.listdir(folder)):
    if name.endswith(".json") and not name.startswith("."):
        with open(os.path.join(folder, name), "rb") as fh:
            rows.extend(json.loads(fh.read())["incidents"].values())
sys.stdout.write(json.dumps(rows, ensure_ascii=False))
"""


def median_ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:.1f} ms"


def ratio(value: float, reference: float) -> str:
    return f"{value / reference:.2f}x" if reference else "n/a"


@contextmanager
def profiled(profile: Path | None, name: str) -> Iterator[None]:
    if profile is None:
        yield
        return
    prof = cProfile.Profile()
    prof.enable()
    try:
        yield
    finally:
        prof.disable()
        prof.dump_stats(profile / f"{name}.prof")


CHILD_ENV = dict(os.environ)
"""The environment of every timed process: compiled bytecode is kept (under a cache
folder of the run, set in main), as for an installed app. With
PYTHONDONTWRITEBYTECODE set, as on some development machines, this package would be
compiled from source on every start while Textual's bytecode came with its install:
that would be measured against the app and not the bare app."""
CHILD_ENV.pop("PYTHONDONTWRITEBYTECODE", None)


def run_process(argv: list[str], cwd: Path = ROOT) -> tuple[float, bytes]:
    """Wall seconds of one whole process, and its stdout."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        argv, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=CHILD_ENV
    )
    out, err = proc.communicate()
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{argv[:3]} failed: {err.decode(errors='replace')}")
    return wall, out


class ChildCPU:
    """CPU of each finished child, from the RUSAGE_CHILDREN totals before and after."""

    def __init__(self) -> None:
        import resource

        self.resource = resource
        self.last = self.total()

    def total(self) -> float:
        usage = self.resource.getrusage(self.resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    def take(self) -> float:
        now = self.total()
        spent, self.last = now - self.last, now
        return spent


def whole_process(
    label: str,
    argv: list[str],
    reference: tuple[str, list[str]],
    runs: int,
    profile: Path | None,
    name: str,
    before: Callable[[], None] | None = None,
) -> None:
    """`before`, if given, runs (untimed, in this process) before each run of `argv`."""
    run_process(reference[1])  # once each untimed: bytecode compiled and cached
    run_process(argv)
    cpu = ChildCPU()
    walls: dict[str, list[float]] = {"it": [], "ref": []}
    cpus: dict[str, list[float]] = {"it": [], "ref": []}
    for _ in range(runs):  # taken in turn, so a busy moment hits both
        for which, command in (("ref", reference[1]), ("it", argv)):
            if which == "it" and before is not None:
                before()
                cpu.take()  # nothing of it is the child's, but be sure
            wall, _ = run_process(command)
            walls[which].append(wall)
            cpus[which].append(cpu.take())
    it_wall, ref_wall = statistics.median(walls["it"]), statistics.median(walls["ref"])
    it_cpu, ref_cpu = statistics.median(cpus["it"]), statistics.median(cpus["ref"])
    print(
        f"{label}: median wall {it_wall * 1000:.0f} ms, CPU {it_cpu * 1000:.0f} ms"
        f"  | {reference[0]}: wall {ref_wall * 1000:.0f} ms, CPU {ref_cpu * 1000:.0f} ms"
        f"  | ratio wall {ratio(it_wall, ref_wall)}, CPU {ratio(it_cpu, ref_cpu)}"
        f"  ({runs} runs each, in turn)"
    )
    if profile is not None:
        out = profile / f"{name}.prof"
        if before is not None:
            before()
        run_process([argv[0], "-m", "cProfile", "-o", str(out), *argv[1:]])


def figure_start(work: Path, runs: int, profile: Path | None) -> None:
    data, config = school_setup(work)
    argv = [sys.executable, "-c", START_SCRIPT, str(data), str(config)]
    whole_process(
        f"cold start to home screen (incident-tui, {START_INCIDENTS:,} incidents,"
        f" {START_OPEN} open)",
        argv,
        ("bare Textual app", [sys.executable, "-c", BARE_APP]),
        runs,
        None,
        "start",
    )
    print("  target: ratio <= 1.3x")
    if profile is not None:
        script = work / "start_script.py"
        script.write_text(START_SCRIPT)
        run_process(
            [sys.executable, "-m", "cProfile", "-o", str(profile / "start.prof"), str(script)]
            + [str(data), str(config)]
        )


def figure_key(runs: int, profile: Path | None) -> None:
    from bench_tui import key_to_step

    with profiled(profile, "key"):
        work, _ = asyncio.run(key_to_step(runs))
    print(
        f"key to next step (durable append + next step drawn): median {median_ms(work)}, "
        f"p99 {p99(work) * 1000:.1f} ms over {len(work)} single-key steps"
        f"  | ratio to target: median {ratio(statistics.median(work), 0.020)},"
        f" p99 {ratio(p99(work), 0.050)}  (target <= 20 ms median, <= 50 ms p99)"
    )


def floor_replace(path: Path, payload: bytes) -> None:
    """One fsynced atomic replace by plain os calls: temp file, write, fsync, rename,
    fsync the folder."""
    temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    try:
        os.write(fd, payload)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(temp, path)
    folder = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


def figure_append(store_root: Path, work: Path, appends: int, profile: Path | None) -> None:
    from incident_tui.record.events import Actor
    from incident_tui.record.store import SHARD_PREFIX, Store, incident_path, index_dir

    actor = Actor(name="Bench Mark", role="teacher")
    floor_dir = work / "floor"
    (floor_dir / "incidents").mkdir(parents=True, exist_ok=True)
    (floor_dir / "index").mkdir(exist_ok=True)
    timed: list[float] = []
    floor: list[float] = []
    timed_cpu: list[float] = []
    floor_cpu: list[float] = []
    prof = cProfile.Profile() if profile is not None else None
    with Store.open(store_root, key=KEY, mode="live") as store:
        targets = [row.id for row in store.rows()[:10]]

        def one_append(n: int, target: str) -> None:
            cpu, start = time.thread_time(), time.perf_counter()
            if prof is not None:
                prof.enable()
            store.append(target, kind="note", actor=actor, answer=f"note {n}")
            if prof is not None:
                prof.disable()
            timed.append(time.perf_counter() - start)
            timed_cpu.append(time.thread_time() - cpu)

        def one_floor(target: str) -> None:
            # the same two writes, the sizes of the files as they are now, by plain os calls
            incident = incident_path(store_root, target).read_bytes()
            shard = (index_dir(store_root) / f"{target[:SHARD_PREFIX]}.json").read_bytes()
            cpu, start = time.thread_time(), time.perf_counter()
            floor_replace(floor_dir / "incidents" / f"{target}.json", incident)
            floor_replace(floor_dir / "index" / f"{target[:SHARD_PREFIX]}.json", shard)
            floor.append(time.perf_counter() - start)
            floor_cpu.append(time.thread_time() - cpu)

        for n in range(appends):
            target = targets[n % len(targets)]
            # in turn, each going first every other time: the first write after a
            # pause may pay for the file system's journal, whoever makes it
            if n % 2:
                one_floor(target)
                one_append(n, target)
            else:
                one_append(n, target)
                one_floor(target)
    if prof is not None and profile is not None:
        prof.dump_stats(profile / "append.prof")
    print(
        f"append (Store.append, fsynced) at {len(store.rows())} incidents: median "
        f"{median_ms(timed)}, p99 {p99(timed) * 1000:.2f} ms  | floor (2 fsynced atomic "
        f"replaces, plain os): median {median_ms(floor)}, p99 {p99(floor) * 1000:.2f} ms"
        f"  | ratio {ratio(statistics.median(timed), statistics.median(floor))}"
        f"; CPU median {median_ms(timed_cpu)} vs {median_ms(floor_cpu)}"
        f" ({ratio(statistics.median(timed_cpu), statistics.median(floor_cpu))})"
        f"  ({appends} each, interleaved; target <= 1.3x)"
    )


def verify_floor(store_root: Path) -> int:
    """Read every incident file, json.loads it, re-hash every event: the least a check
    of every hash can do. Returns the number of events."""
    events = 0
    folder = store_root / "incidents"
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".json") or name.startswith("."):
            continue
        with open(folder / name, "rb") as fh:
            table = json.loads(fh.read())["events"]
        for event in table.values():
            body = {k: v for k, v in event.items() if k != "hash"}
            text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
            if hashlib.sha256(text.encode("utf-8")).hexdigest() != event["hash"]:
                raise SystemExit(f"floor pass: {name} does not hash as built")
            events += 1
    return events


def cpu_time(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    wall, cpu = time.perf_counter(), time.thread_time()
    result = fn()
    return time.perf_counter() - wall, time.thread_time() - cpu, result


def figure_verify(store_root: Path, profile: Path | None) -> None:
    from incident_tui.record.verify import verify_store

    verify_floor(store_root)  # warm the page cache for both alike
    _, floor_cpu, floor_events = cpu_time(lambda: verify_floor(store_root))
    with profiled(profile, "verify"):
        _, cpu, report = cpu_time(lambda: verify_store(store_root, KEY))
    state = "intact" if report.complete else f"{len(report.findings)} findings"
    rate, floor_rate = report.events / cpu, floor_events / floor_cpu
    print(
        f"verify: {report.incidents} incidents, {report.events} events in {cpu:.2f} s CPU "
        f"= {rate:,.0f} events/s ({state})  | floor (read, json.loads, hashlib per event): "
        f"{floor_events} events in {floor_cpu:.2f} s = {floor_rate:,.0f} events/s"
        f"  | verify takes {ratio(cpu / report.events, floor_cpu / floor_events)} the floor's"
        f" time per event; {ratio(rate, 100_000)} of the target (>= 100,000 events/s)"
    )


def figure_list(data_dir: Path, config_dir: Path, runs: int, profile: Path | None) -> None:
    argv = [sys.executable, "-m", "incident_tui"]
    argv += ["--data-dir", str(data_dir), "--config-dir", str(config_dir), "list", "--json"]
    store_root = data_dir / "live"
    whole_process(
        f"list --json ({sum(1 for _ in (store_root / 'incidents').iterdir())} incidents)",
        argv,
        ("plain read of the index shards", [sys.executable, "-c", LIST_FLOOR, str(store_root)]),
        runs,
        profile,
        "list",
    )
    print("  target: whole process <= 400 ms wall")
    from incident_tui.record.events import Actor
    from incident_tui.record.store import Store

    actor = Actor(name="Bench Mark", role="teacher")
    with Store.open(store_root, key=KEY, mode="live") as store:
        targets = [row.id for row in store.rows()[-10:]]
        appended = 0

        def change() -> None:
            # one event on one incident, as the app records it: one index file and
            # one incident file replaced, the caches now out of date
            nonlocal appended
            store.append(
                targets[appended % len(targets)],
                kind="note",
                actor=actor,
                answer=f"list bench {appended}",
            )
            appended += 1

        whole_process(
            "list --json after a change (one event appended to one incident before each run)",
            argv,
            ("plain read of the index shards", [sys.executable, "-c", LIST_FLOOR, str(store_root)]),
            runs,
            profile,
            "list-changed",
            before=change,
        )
    print("  target: whole process <= 400 ms wall")


def figure_review(store_root: Path, profile: Path | None) -> None:
    from incident_tui.record.store import Store

    async def ready() -> float:
        from incident_tui.settings import Settings
        from incident_tui.startup import pause_collector
        from incident_tui.tui.review import ReviewScreen
        from incident_tui.tui.review.app import ReviewApp

        # as `incident-tui review` starts (cli.main): the collector held off until the
        # first screen is drawn, and what start-up built frozen out of its way
        pause_collector()
        store = Store.open(store_root, key=KEY, mode="live", readonly=True)
        app = ReviewApp(store, Settings())
        drawn: list[float] = []
        real_display = app._display

        def display(screen, renderable):  # type: ignore[no-untyped-def]
            # the first frame drawn with the rows, turned into what a terminal is sent
            real_display(screen, renderable)
            if drawn or renderable is None:
                return
            if isinstance(screen, ReviewScreen) and screen.shown:
                renderable.render_segments(app.console)
                drawn.append(time.perf_counter())

        app._display = display  # type: ignore[method-assign]
        start = time.perf_counter()
        async with app.run_test(size=(100, 30)) as pilot:
            while not drawn:
                await pilot.pause()
            took = drawn[0] - start
            await app.workers.wait_for_complete()  # the background integrity check
        return took

    store = Store.open(store_root, key=KEY, mode="live", readonly=True)
    start = time.perf_counter()
    rows = store.rows()
    read = time.perf_counter() - start
    with profiled(profile, "review"):
        took = asyncio.run(ready())
    print(
        f"review list ready (app start to rows on screen) with {len(rows)} incidents: "
        f"{took * 1000:.0f} ms  | index read (Store.rows): {read * 1000:.0f} ms"
        f"  | ratio {ratio(took, read)}; {ratio(took, 0.4)} of the target (<= 400 ms)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="runs per whole-process figure")
    parser.add_argument("--incidents", type=int, default=10_000, help="size of the store")
    parser.add_argument("--events", type=int, default=50, help="events per incident")
    parser.add_argument("--appends", type=int, default=200, help="timed appends")
    parser.add_argument("--only", help=f"comma-separated figures out of {','.join(FIGURES)}")
    parser.add_argument("--profile", type=Path, help="write a cProfile per figure into DIR")
    parser.add_argument("--keep", type=Path, help="build the store here and keep it (reused)")
    args = parser.parse_args()
    only = set(args.only.split(",")) if args.only else set(FIGURES)
    if only - set(FIGURES):
        parser.error(f"unknown figure(s): {', '.join(sorted(only - set(FIGURES)))}")
    if args.profile is not None:
        args.profile.mkdir(parents=True, exist_ok=True)

    work = args.keep or Path(tempfile.mkdtemp(prefix="incident-tui-perf-"))
    CHILD_ENV["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    CHILD_ENV["XDG_CACHE_HOME"] = str(work / "cache")  # the app's own cache: this run's
    try:
        data_dir, config_dir = work / "data", work / "config"
        store_root = data_dir / "live"
        config_dir.mkdir(parents=True, exist_ok=True)
        key_file = config_dir / "record.key"
        if not key_file.exists():
            from incident_tui.record.keys import load_or_create_key

            load_or_create_key(key_file)
        global KEY
        KEY = key_file_key(key_file)
        key = KEY
        if only & {"append", "verify", "list", "review"} and not store_root.exists():
            started = time.perf_counter()
            build_store(store_root, key, args.incidents, args.events)
            print(
                f"built {args.incidents} incidents x {args.events} events in "
                f"{time.perf_counter() - started:.1f} s (set-up)"
            )
        if "start" in only:
            figure_start(work, args.runs, args.profile)
        if "key" in only:
            figure_key(args.runs, args.profile)
        if "verify" in only:
            figure_verify(store_root, args.profile)
        if "list" in only:
            figure_list(data_dir, config_dir, args.runs, args.profile)
        if "review" in only:
            figure_review(store_root, args.profile)
        if "append" in only:  # last: it adds events to ten incidents
            figure_append(store_root, work, args.appends, args.profile)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


def key_file_key(path: Path) -> bytes:
    from incident_tui.record.keys import load_or_create_key

    return load_or_create_key(path)


if __name__ == "__main__":
    sys.exit(main())
