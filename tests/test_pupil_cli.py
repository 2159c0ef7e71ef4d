"""`incident-tui pupil REF`: a child's file from the command line, its exports, a mistyped
reference corrected, and the subject access copy with other children left out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from incident_tui.cli import main
from incident_tui.record.pupils import incidents_naming
from tests.pupil_fixtures import MISTYPED, OTHER, PUPIL, ChildFile, build_child_file


@pytest.fixture
def child(tmp_path: Path) -> ChildFile:
    return build_child_file(tmp_path)


def run(child: ChildFile, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["--data-dir", str(child.data), "--config-dir", str(child.config), *args])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def test_the_chronology_shows_every_incident_naming_the_pupil_oldest_first(child, capsys):
    code, out, _ = run(child, capsys, "pupil", PUPIL)
    assert code == 0
    search, nudes = child.search.reference, child.nudes.reference
    assert out.index(f"Incident {search}") < out.index(f"Incident {nudes}")
    assert child.later.reference not in out  # mistyped: not yet this pupil's
    assert "searching, version 2.1" in out and "sharing-nudes, version 1.0" in out
    for shown in (
        "Seen passing a vape",  # what was reported / decided
        "ESCALATION",  # flags in words
        "Vape confiscated; parents told",  # outcome
        "Review date: 2099-01-15",
        "Children's social care / MASH",  # the referral, its agency
        "MASH-55731",  # and its reference
    ):
        assert shown in out, shown
    assert f"Other pupils named: {OTHER}" in out


def test_an_unknown_pupil_is_said_plainly(child, capsys):
    code, _, err = run(child, capsys, "pupil", "P-9999")
    assert code != 0 and "no incident" in err and "P-9999" in err


def test_a_mistyped_reference_corrected_by_an_amendment_is_followed(child, capsys):
    code, out, _ = run(
        child,
        capsys,
        "pupil",
        MISTYPED,
        "--correct",
        child.later.reference,
        "--to",
        PUPIL,
        "--reason",
        "P-1001 typed as P-1010 at the time",
        "--actor",
        "Dev Patel",
    )
    assert code == 0 and "amendment" in out
    code, out, _ = run(child, capsys, "pupil", PUPIL)
    # now three incidents under two procedures, oldest first
    headings = [line for line in out.splitlines() if line.startswith("Incident 20")]
    assert headings == [
        f"Incident {child.search.reference}",
        f"Incident {child.nudes.reference}",
        f"Incident {child.later.reference}",
    ]
    assert "Incidents: 3, oldest first" in out
    assert "AMENDED by event 1" in out
    code, out, _ = run(child, capsys, "show", child.nudes.reference)
    assert f"Other pupils named: {PUPIL}" in out  # one incident's own record says so too
    with child.reader() as store:
        assert [r.id for r in incidents_naming(store, PUPIL)][-1] == child.later.id
        assert store.events(child.later.id)[0].data["pupil"] == MISTYPED  # nothing edited
    code, out, _ = run(child, capsys, "verify")
    assert code == 0 and "intact" in out


def test_a_correction_to_a_name_is_refused(child, capsys):
    code, _, err = run(
        child, capsys, "pupil", MISTYPED, "--correct", child.later.reference,
        "--to", "Tom Smith", "--reason", "typo", "--actor", "Dev Patel",
    )  # fmt: skip
    assert code != 0 and "never a name" in err


def test_the_chronology_exports_as_markdown_and_json(child, capsys, tmp_path):
    code, out, _ = run(child, capsys, "pupil", PUPIL, "-o", str(tmp_path / "p.md"))
    assert code == 0 and "2 incidents" in out
    text = (tmp_path / "p.md").read_text()
    assert text.startswith(f"# Chronology: pupil {PUPIL}")
    assert "MASH-55731" in text
    code, _, _ = run(child, capsys, "pupil", PUPIL, "-o", str(tmp_path / "p.json"))
    exported = json.loads((tmp_path / "p.json").read_text())
    assert [i["reference"] for i in exported["incidents"]] == [
        child.search.reference,
        child.nudes.reference,
    ]
    assert all(i["integrity_at_export"]["intact"] for i in exported["incidents"])
    code, _, err = run(child, capsys, "pupil", PUPIL, "-o", str(tmp_path / "p.md"))
    assert code != 0 and "--force" in err  # never written over


def _pdf_text(path: Path) -> str:
    import pypdf

    return "\n".join(page.extract_text() for page in pypdf.PdfReader(path).pages)


def test_the_chronology_exports_as_a_pdf_in_the_record_frame(child, capsys, tmp_path):
    out_file = tmp_path / "p.pdf"
    code, out, _ = run(child, capsys, "pupil", PUPIL, "-o", str(out_file), "--printed-by", "Dev")
    assert code == 0, out
    text = _pdf_text(out_file)
    assert f"Chronology: pupil {PUPIL}" in text
    assert child.search.reference in text and child.nudes.reference in text
    assert "MASH-55731" in text and "Printed by Dev" in text
    assert OTHER in text  # the DSL's own copy names the other pupils by reference


def test_a_subject_access_copy_leaves_out_other_children_and_what_the_dsl_withheld(
    child, capsys, tmp_path
):
    # the DSL withholds the answer naming what was reported about the other child
    code, out, err = run(
        child, capsys, "pupil", PUPIL, "--withhold", child.nudes.reference, "--entries", "1",
        "--exemption", "2", "--reason", "It describes another child", "--actor", "Dev Patel",
    )  # fmt: skip
    assert code == 0, err
    assert "withheld" in out
    with child.reader() as store:
        recorded = store.events(child.nudes.id)[-1]
    assert recorded.data["review"] == "subject-access-withhold"
    assert recorded.data["exemption"].startswith("Third-party data")

    sar = tmp_path / "sar.pdf"
    code, out, err = run(child, capsys, "pupil", PUPIL, "--subject-access", "-o", str(sar))
    assert code == 0, err
    assert "1 entries withheld" in out
    text = _pdf_text(sar)
    assert OTHER not in text  # another pupil's reference, in fields and in free text alike
    assert "[another pupil]" in text
    assert PUPIL in text
    assert "An image said to be of" not in text  # the entry withheld
    assert "WITHHELD" in text and "Third-party data" in text  # and the exemption named
    assert "It describes another child" not in text  # the DSL's own reasons stay in school
    assert "Seen passing a vape to [another pupil]" in text

    code, _, err = run(
        child, capsys, "pupil", PUPIL, "--subject-access", "-o", str(tmp_path / "s.json")
    )
    assert code != 0 and "PDF" in err


def test_withholding_names_only_entries_that_exist_and_an_exemption(child, capsys):
    code, _, err = run(
        child, capsys, "pupil", PUPIL, "--withhold", child.nudes.reference, "--entries", "99",
        "--exemption", "2", "--reason", "x", "--actor", "Dev Patel",
    )  # fmt: skip
    assert code != 0 and "no entry 99" in err
    code, _, err = run(
        child, capsys, "pupil", PUPIL, "--withhold", child.nudes.reference, "--entries", "1",
        "--reason", "x", "--actor", "Dev Patel",
    )  # fmt: skip
    assert code != 0 and "Third-party data" in err  # the list to choose from
