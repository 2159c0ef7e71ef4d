"""`incident-tui config init|show`: a school's own names and numbers."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from incident_tui.cli import main
from incident_tui.settings import load_settings


@pytest.fixture
def dirs(tmp_path: Path) -> list[str]:
    return ["--data-dir", str(tmp_path / "data"), "--config-dir", str(tmp_path / "config")]


def test_init_writes_the_sample_privately_and_never_over_an_edited_file(
    dirs: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config" / "config.toml"
    assert main([*dirs, "config", "init"]) == 0
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert load_settings(config).school.name == "Example Academy"
    config.write_text('[school]\nname = "St Example"\n', encoding="utf-8")
    assert main([*dirs, "config", "init"]) == 1
    assert "already exists" in capsys.readouterr().err
    assert load_settings(config).school.name == "St Example"
    assert main([*dirs, "config", "init", "--force"]) == 0
    assert load_settings(config).school.name == "Example Academy"


def test_show_prints_every_path_in_use(
    dirs: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*dirs, "config", "show"]) == 0
    out = capsys.readouterr().out
    assert str(tmp_path / "config" / "config.toml") in out
    assert "not yet written" in out
    assert str(tmp_path / "data" / "live") in out
    assert str(tmp_path / "data" / "training") in out


def test_a_bad_config_names_the_file_and_the_setting(
    dirs: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('[contacts]\nmash_line = "0300"\n', encoding="utf-8")
    assert main([*dirs, "config", "show"]) == 1
    err = capsys.readouterr().err
    assert str(config) in err and "contacts.mash_line" in err
    assert "Traceback" not in err
    config.write_text("[school\n", encoding="utf-8")
    assert main([*dirs, "config", "show"]) == 1
    assert f"{config}: not valid TOML" in capsys.readouterr().err


def test_the_school_numbers_reach_the_procedures(dirs: list[str], tmp_path: Path) -> None:
    from incident_tui.settings import fill

    assert main([*dirs, "config", "init"]) == 0
    settings = load_settings(tmp_path / "config" / "config.toml")
    assert "0300 000 0000" in fill("Call {contacts.mash} now", settings)


def test_a_contact_the_school_has_not_set_shows_the_flows_own_words(
    dirs: list[str], tmp_path: Path
) -> None:
    from incident_tui.flow.available import get_flow
    from incident_tui.settings import fill

    config = tmp_path / "config" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('[contacts]\nmash = "MASH, 0300 111 2222"\n', encoding="utf-8")
    flow = get_flow("search-confiscation").flow
    settings = load_settings(config).with_defaults(flow.contacts)
    text = "Call {contacts.mash} or {contacts.dsl}"
    assert fill(text, settings) == f"Call MASH, 0300 111 2222 or {flow.contacts['dsl']}"


def test_show_names_a_contact_in_the_config_that_no_procedure_declares(
    dirs: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*dirs, "config", "init"]) == 0
    assert main([*dirs, "config", "show"]) == 0  # the sample names only declared contacts
    config = tmp_path / "config" / "config.toml"
    config.write_text('[contacts]\nmahs = "0300"\n', encoding="utf-8")
    assert main([*dirs, "config", "show"]) == 1
    err = capsys.readouterr().err
    assert f"{config}: contacts.mahs: no procedure declares this contact" in err
    assert "mash" in err


def test_a_contact_declared_by_the_schools_own_flow_may_be_set_in_the_config(
    dirs: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import shutil

    fixtures = Path(__file__).parent / "fixtures" / "flows"
    local = tmp_path / "config" / "flows"
    shutil.copytree(fixtures / "fragments", local / "fragments")
    text = (fixtures / "good.toml").read_text(encoding="utf-8")
    ours = text.replace("[contacts]\n", '[contacts]\nschool_nurse = "the school nurse"\n', 1)
    (local / "ours.toml").write_text(ours, "utf-8")
    (tmp_path / "config" / "config.toml").write_text(
        '[contacts]\nschool_nurse = "Nurse Example, ext. 250"\n', encoding="utf-8"
    )
    assert main([*dirs, "config", "show"]) == 0, capsys.readouterr().err


def test_no_test_reads_the_developers_own_folders(tmp_path: Path) -> None:
    from incident_tui.locations import Paths

    paths = Paths.from_environment()  # what a command run by this test would use
    assert paths.config.is_relative_to(tmp_path) and paths.data.is_relative_to(tmp_path)
