"""One export service and one private file writer: nothing half-written, nothing overwritten."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from incident_tui.errors import UserError
from incident_tui.files import FileExists, write_private_file
from incident_tui.record.storage import dump_record_json
from incident_tui.record.store import incident_path
from incident_tui.review.exports import export_incident
from tests.review_fixtures import Record


def test_a_new_file_write_refuses_an_existing_file_and_leaves_it(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    path = folder / "incident.md"
    path.write_text("keep me")
    with pytest.raises(FileExists, match="already exists: choose another name"):
        write_private_file(path, b"new export", replace=False)
    assert path.read_text() == "keep me"
    assert sorted(p.name for p in folder.iterdir()) == ["incident.md"]  # no temporary file


def test_a_replacing_write_replaces_the_file_whole_and_makes_it_private(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    path = folder / "incident.md"
    path.write_text("old export")
    path.chmod(0o644)
    write_private_file(path, "new export", replace=True)
    assert path.read_bytes() == b"new export"
    assert path.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in folder.iterdir()] == ["incident.md"]


def test_every_file_is_private_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        for replace in (False, True):
            path = tmp_path / f"file-{replace}.json"
            write_private_file(path, b"{}", replace=replace)
            assert path.stat().st_mode & 0o777 == 0o600
    finally:
        os.umask(old)


def test_a_write_into_a_missing_folder_is_a_user_error_naming_what(tmp_path: Path) -> None:
    for replace in (True, False):
        with pytest.raises(UserError, match="cannot write the export"):
            write_private_file(
                tmp_path / "nowhere" / "x.md", b"data", replace=replace, what="the export"
            )


def _cut_the_last_event(record: Record) -> None:
    """A clean cut: the chain that is left is intact; only the signed index knows."""
    path = incident_path(record.root, record.plain.id)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["events"].pop(str(len(data["events"])))
    path.write_bytes(dump_record_json(data))


def test_the_summary_screen_s_export_is_checked_against_the_signed_index(
    record: Record, tmp_path: Path
) -> None:
    # The summary screen used to check only the hash chain, which a clean cut passes.
    _cut_the_last_event(record)
    out = tmp_path / "incident.md"
    written = export_incident(
        record.readonly(), record.plain.id, "md", out, "Hillside", viewer=None
    )
    text = out.read_text(encoding="utf-8")
    assert written.problems and "DAMAGED RECORD" in text and "**Intact**" not in text


def test_an_export_never_writes_over_an_existing_file(record: Record, tmp_path: Path) -> None:
    out = tmp_path / "incident.md"
    out.write_text("an earlier export")
    with pytest.raises(FileExists):
        export_incident(record.readonly(), record.plain.id, "md", out, "Hillside", viewer=None)
    assert out.read_text() == "an earlier export"
    export_incident(
        record.readonly(), record.plain.id, "md", out, "Hillside", viewer=None, replace=True
    )
    assert out.read_text(encoding="utf-8").startswith(f"# Incident {record.plain.reference}")
