"""The record key: made atomically once, checked against the record before any write."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

import pytest

from incident_tui.cli import main
from incident_tui.record.events import Actor, EventKind, FlowRef
from incident_tui.record.keys import (
    EmptyKey,
    WrongKey,
    key_check_path,
    load_or_create_key,
    read_key,
)
from incident_tui.record.store import Store

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
FLOW = FlowRef(id="searching", version="1.0", hash="cd" * 32)
ANN = Actor(name="Ann Smith", role="teacher")


def _create_many(folder: str, rounds: int, start, failures) -> None:  # type: ignore[no-untyped-def]
    start.wait()
    for n in range(rounds):
        try:
            load_or_create_key(Path(folder) / f"k{n}" / "record.key")
        except Exception as exc:  # noqa: BLE001 - counted, the test says which
            failures.put(f"{n}: {exc}")


def test_two_processes_creating_the_key_at_once_500_times_never_fail(tmp_path: Path) -> None:
    context = multiprocessing.get_context("fork")
    start = context.Barrier(2)
    failures = context.Queue()
    workers = [
        context.Process(target=_create_many, args=(str(tmp_path), 500, start, failures))
        for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    found = []
    while not failures.empty():
        found.append(failures.get())
    assert found == []
    for n in range(500):
        assert read_key(tmp_path / f"k{n}" / "record.key") is not None
        leftovers = [p.name for p in (tmp_path / f"k{n}").iterdir() if p.name != "record.key"]
        assert leftovers == []


def test_an_empty_key_with_nothing_recorded_is_replaced_with_a_message(tmp_path: Path) -> None:
    path = tmp_path / "record.key"
    path.write_bytes(b"")
    notices: list[str] = []
    key = load_or_create_key(path, store_has_data=False, notices=notices)
    assert read_key(path) == key
    assert notices and f"the record key {path} was empty" in notices[0]


def test_an_empty_key_is_never_replaced_once_incidents_are_recorded(tmp_path: Path) -> None:
    path = tmp_path / "record.key"
    path.write_bytes(b"")
    with pytest.raises(EmptyKey, match="is empty. Restore it from a backup"):
        load_or_create_key(path, store_has_data=True)
    assert path.read_bytes() == b""


def test_the_run_command_replaces_an_empty_key_on_a_fresh_install(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config"
    config.mkdir()
    (config / "record.key").write_bytes(b"")
    args = ["--data-dir", str(tmp_path / "data"), "--config-dir", str(config)]
    answers = EXAMPLES / "search-confiscation.answers.json"
    assert main([*args, "run", "search-confiscation", "--answers", str(answers)]) == 0
    assert "was empty" in capsys.readouterr().err
    assert read_key(config / "record.key") is not None


def test_a_writer_refuses_a_key_that_is_not_the_records_own(tmp_path: Path) -> None:
    root, key_file = tmp_path / "live", tmp_path / "config" / "record.key"
    key = load_or_create_key(key_file)
    with Store.open(root, key=key, mode="live", key_file=key_file) as store:
        row = store.new_incident(flow=FLOW, actor=ANN, details={"pupil": "P-1"})
    assert json.loads(key_check_path(root).read_text())["check"]
    before = sorted(p.name for p in (root / "incidents").iterdir())
    other = bytes(32)
    with pytest.raises(WrongKey) as refused:
        Store.open(root, key=other, mode="live", key_file=key_file)
    message = refused.value.message
    assert f"the record key {key_file} is not the key the record in {root} was made with" in message
    assert f"Restore this record's own key into {key_file} from your backup" in message
    assert sorted(p.name for p in (root / "incidents").iterdir()) == before
    with Store.open(root, key=key, mode="live", key_file=key_file) as store:  # the right one
        store.append(row.id, kind=EventKind.note, actor=ANN, answer="still recording")


def test_a_store_made_before_the_key_check_gets_one_from_a_key_that_signs_it(
    tmp_path: Path,
) -> None:
    root, key = tmp_path / "live", bytes(range(32))
    with Store.open(root, key=key, mode="live") as store:
        store.new_incident(flow=FLOW, actor=ANN, details={"pupil": "P-1"})
    key_check_path(root).unlink()  # as an older version left it
    with pytest.raises(WrongKey):
        Store.open(root, key=bytes(32), mode="live")
    assert not key_check_path(root).exists()
    Store.open(root, key=key, mode="live").close()
    assert key_check_path(root).exists()
    with pytest.raises(WrongKey):
        Store.open(root, key=bytes(32), mode="live")


def test_run_with_a_swapped_key_records_nothing_and_says_how_to_restore(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config"
    args = ["--data-dir", str(tmp_path / "data"), "--config-dir", str(config)]
    answers = EXAMPLES / "search-confiscation.answers.json"
    run = [*args, "run", "search-confiscation", "--answers", str(answers)]
    assert main(run) == 0
    (config / "record.key").write_text("cd" * 32 + "\n")
    capsys.readouterr()
    assert main(run) == 1
    err = capsys.readouterr().err
    assert f"the record key {config / 'record.key'} is not the key" in err
    assert "nothing was written" in err and "from your backup" in err
    assert main([*args, "list"]) == 0
    assert len(capsys.readouterr().out.strip().splitlines()) == 2  # header and one
