"""The school's own numbers to call: a UK phone number looks like one, the sample
contacts are never mistaken for the school's, and `incident-tui config` sets them."""

from __future__ import annotations

from pathlib import Path

import pytest

from incident_tui.cli import main
from incident_tui.flow.available import available_flows
from incident_tui.flow.model import Escalation
from incident_tui.settings import (
    Settings,
    declared_contacts,
    load_settings,
    local_numbers,
    phone_problem,
    sample_settings,
)
from incident_tui.tui.present import escalation_banner_lines

SHIPPED = declared_contacts(
    loaded.flow.contacts for loaded in available_flows(Path("/nonexistent")).flows.values()
)


@pytest.mark.parametrize(
    "number", ["01632 960001", "+44 1632 960001", "+44 (0)1632 960001", "07700-900001", "999"]
)
def test_a_uk_phone_number_is_taken(number: str) -> None:
    assert phone_problem(number) is None


@pytest.mark.parametrize("number", ["12345", "ext. 201", "0163 29", "01632 9600011", ""])
def test_what_is_not_a_uk_phone_number_is_refused_in_words(number: str) -> None:
    problem = phone_problem(number)
    assert problem is not None and "UK phone number" in problem


def test_no_config_means_every_local_number_is_missing_and_the_national_ones_are_not() -> None:
    numbers = local_numbers(Settings(), SHIPPED)
    assert not numbers.ready
    assert set(numbers.missing) == {"dsl", "deputy_dsl", "mash", "safer_schools_officer"}
    warning = numbers.warning()
    assert "not set" in warning and "incident-tui config contact" in warning
    assert "police_emergency" not in warning and "report_remove" not in warning


def test_the_sample_config_is_called_the_sample_not_the_schools() -> None:
    numbers = local_numbers(sample_settings(), SHIPPED)
    assert set(numbers.sample) == {"dsl", "deputy_dsl", "mash", "safer_schools_officer"}
    assert "sample" in numbers.warning()


def test_config_contact_sets_the_schools_own_numbers_and_refuses_a_bad_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dirs = ["--data-dir", str(tmp_path / "d"), "--config-dir", str(tmp_path / "c")]
    config = tmp_path / "c" / "config.toml"
    assert main([*dirs, "config", "init"]) == 0
    assert main([*dirs, "config", "contact", "dsl", "Ms A. Khan (DSL)", "01632 96"]) == 1
    assert "does not look like a UK phone number" in capsys.readouterr().err
    assert load_settings(config) == sample_settings()  # nothing written
    assert main([*dirs, "config", "school", "St Example's"]) == 0
    for args in (
        ["dsl", "Ms A. Khan (DSL)", "01632 960001"],
        ["deputy_dsl", "Mr B. Okafor", "01632 960002", "Ms D. Ng", "07700 900003"],
        ["mash", "Front door", "0300 123 4567", "--out-of-hours", "0300 123 4568"],
        ["safer_schools_officer", "PC C. Jones", "01632 960005"],
    ):
        assert main([*dirs, "config", "contact", *args]) == 0
    settings = load_settings(config)
    assert settings.school.name == "St Example's"
    assert settings.contacts["deputy_dsl"] == "Mr B. Okafor, 01632 960002; Ms D. Ng, 07700 900003"
    assert settings.contacts["mash"] == "Front door, 0300 123 4567 (out of hours 0300 123 4568)"
    assert local_numbers(settings, SHIPPED).ready
    assert (config.stat().st_mode & 0o777) == 0o600
    assert main([*dirs, "config", "contact", "msah", "Front door", "0300 123 4567"]) == 1
    assert "no procedure names this contact" in capsys.readouterr().err


def test_the_banner_names_each_contact_once() -> None:
    settings = Settings(
        contacts={"safer_schools_officer": "PC C. Jones, 01632 960005", "police_emergency": "999"}
    )
    raised = [
        Escalation(
            message="Police asked to attend: {contacts.safer_schools_officer}, "
            "or {contacts.police_emergency} if anyone is in danger.",
            contact="safer_schools_officer",
        )
    ]
    (line,) = escalation_banner_lines(raised, settings)
    assert line.count("01632 960005") == 1
    assert sample_settings().contacts["police_non_emergency"] == "101"
