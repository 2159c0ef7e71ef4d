"""Every folder the app owns is 0700 and every file 0600, whatever the umask."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from incident_tui.cli import main
from incident_tui.record.events import Actor, FlowRef
from incident_tui.record.keys import load_or_create_key
from incident_tui.record.store import Store

FLOW = FlowRef(id="searching", version="1.0", hash="cd" * 32)
ANN = Actor(name="Ann Smith", role="teacher")


@pytest.fixture
def umask_000():
    old = os.umask(0)
    yield
    os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_under_umask_000_every_folder_is_0700_and_every_file_0600(
    tmp_path: Path, umask_000: None
) -> None:
    base = tmp_path / "school"
    data, config = base / "new" / "data", base / "new" / "config"
    key = load_or_create_key(config / "record.key")
    with Store.open(data / "live", key=key, mode="live") as store:
        store.new_incident(flow=FLOW, actor=ANN, details={"pupil": "P-1"})
    for path in [base, *base.rglob("*")]:
        expected = 0o700 if path.is_dir() else 0o600
        assert mode(path) == expected, path


def test_an_existing_0777_data_folder_is_tightened(tmp_path: Path, umask_000: None) -> None:
    data = tmp_path / "data"
    (data / "live").mkdir(parents=True)
    for folder in (data, data / "live"):
        folder.chmod(0o777)
    with Store.open(data / "live", key=bytes(range(32)), mode="live"):
        pass
    assert mode(data) == 0o700 and mode(data / "live") == 0o700


def test_the_crash_log_is_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from incident_tui import cli

    monkeypatch.setattr(cli.locations, "log_dir", lambda: tmp_path / "logs")
    os.umask(0o022)
    assert "details written to" in cli._report_crash(RuntimeError("boom"))
    assert mode(tmp_path / "logs" / "crash.log") == 0o600
    assert mode(tmp_path / "logs") == 0o700


def test_config_show_warns_of_a_folder_above_that_others_can_write(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shared = tmp_path / "shared"
    (shared / "config").mkdir(parents=True)
    shared.chmod(0o777)
    args = ["--data-dir", str(tmp_path / "data"), "--config-dir", str(shared / "config")]
    assert main([*args, "config", "show"]) == 0
    err = capsys.readouterr().err
    assert f"{shared} can be written by other users" in err
    assert f"chmod go-w {shared}" in err
    shared.chmod(0o755)
    assert main([*args, "config", "show"]) == 0
    assert "can be written by other users" not in capsys.readouterr().err
