"""`incident-tui list|show|verify|checkpoint|export`, as the DSL uses them."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from incident_tui.cli import main
from incident_tui.record.events import Actor, Event, FlowRef
from incident_tui.record.keys import load_or_create_key
from incident_tui.record.store import IndexRow, Store, shard_path

FLOW = FlowRef(id="searching", version="1.0", hash="cd" * 32)
TEACHER = Actor(name="Jane Smith", role="teacher")
DSL = Actor(name="Sam Patel", role="DSL")


class Record:
    """A temporary data and config dir, and the CLI run against them."""

    def __init__(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.data = tmp_path / "data"
        self.config = tmp_path / "config"
        self.capsys = capsys
        self.key = load_or_create_key(self.config / "record.key")

    def root(self, training: bool = False) -> Path:
        return self.data / ("training" if training else "live")

    def run(self, *args: str | Path) -> tuple[int, str, str]:
        self.capsys.readouterr()
        code = main(
            ["--data-dir", str(self.data), "--config-dir", str(self.config), *map(str, args)]
        )
        out, err = self.capsys.readouterr()
        assert "Traceback" not in out + err
        return code, out, err

    def incident(
        self,
        *,
        training: bool = False,
        pupil: str = "P-1001",
        override: bool = False,
        escalate: bool = False,
        amend: bool = False,
        seal: bool = True,
    ) -> IndexRow:
        mode = "training" if training else "live"
        with Store.open(self.root(training), key=self.key, mode=mode) as store:
            row = store.new_incident(
                flow=FLOW, actor=TEACHER, details={"pupil": pupil, "location": "Library"}
            )
            store.append(
                row.id,
                kind="answer",
                actor=TEACHER,
                step="who",
                prompt="Who is involved?",
                answer="pupils only",
                rationale="the pupil said so",
            )
            if override:
                store.append(
                    row.id,
                    kind="override",
                    actor=TEACHER,
                    step="witness",
                    prompt="Is a second member of staff present?",
                    answer="no",
                    rationale="no one else on site",
                    data={"override": "risk of serious harm if the search waits"},
                )
            if escalate:
                store.append(
                    row.id,
                    kind="escalation",
                    actor=TEACHER,
                    step="weapon",
                    prompt="Is there a weapon?",
                    answer="yes",
                    data={"contact": "police", "message": "Call 999 now"},
                )
            if seal:
                store.append(
                    row.id, kind="sealed", actor=TEACHER, step="end", answer="handled in school"
                )
            if amend:
                store.append(
                    row.id,
                    kind="amendment",
                    actor=DSL,
                    step="who",
                    answer="pupils and an adult",
                    data={"amends": 1, "reason": "misheard at the time"},
                )
            return store.row(row.id)

    def incident_file(self, row: IndexRow) -> Path:
        return self.root(row.mode == "training") / "incidents" / f"{row.id}.json"


@pytest.fixture
def record(tmp_path, capsys):
    return Record(tmp_path, capsys)


# --- list ---------------------------------------------------------------------


def test_list_of_an_empty_store_says_so_and_succeeds(record):
    code, out, _ = record.run("list")
    assert code == 0
    assert "no incidents recorded in" in out and str(record.root()) in out


def test_list_shows_one_line_per_incident_with_flags(record):
    plain = record.incident(pupil="P-1001")
    flagged = record.incident(pupil="P-2002", override=True, escalate=True, amend=True)
    code, out, _ = record.run("list")
    assert code == 0
    lines = out.splitlines()
    line = next(x for x in lines if flagged.reference in x)
    assert "searching" in line and "sealed" in line and "P-2002" in line
    assert "OVR ESC AMD" in line
    line = next(x for x in lines if plain.reference in x)
    assert "OVR" not in line and "P-1001" in line


def test_a_stop_shown_is_flagged_in_list_and_counted_in_show(record):
    row = record.incident(seal=False)
    with Store.open(record.root(), key=record.key, mode="live") as store:
        store.append(
            row.id,
            kind="note",
            actor=TEACHER,
            step="who",
            answer="STOP shown: 'Search alone' was chosen, which would break the rule",
            data={"stop": "alone"},
        )
    _, out, _ = record.run("list")
    line = next(x for x in out.splitlines() if row.reference in x)
    assert " STOP " in line and "OVR" not in line
    _, out, _ = record.run("show", row.reference)
    assert "STOPs shown 1, stop overrides 0" in out and "STOP SHOWN" in out


def test_list_json_is_an_array_of_index_rows(record):
    row = record.incident(escalate=True)
    code, out, _ = record.run("list", "--json")
    assert code == 0
    rows = json.loads(out)
    assert [r["reference"] for r in rows] == [row.reference]
    assert rows[0]["escalations"] == 1 and rows[0]["mode"] == "live"


def test_list_json_of_an_empty_store_is_an_empty_array(record):
    code, out, _ = record.run("list", "--json")
    assert code == 0 and json.loads(out) == []


def test_training_incidents_never_appear_in_the_live_list_and_vice_versa(record):
    live = record.incident(pupil="LIVE-1")
    training = record.incident(training=True, pupil="TRAIN-1")
    _, out, _ = record.run("list", "--json")
    assert [r["id"] for r in json.loads(out)] == [live.id]
    _, out, _ = record.run("list", "--json", "--training")
    assert [r["id"] for r in json.loads(out)] == [training.id]
    _, out, _ = record.run("list")
    assert "LIVE-1" in out and "TRAIN-1" not in out
    _, out, _ = record.run("list", "--training")
    assert "TRAIN-1" in out and "LIVE-1" not in out and "TRAINING" in out


def test_a_training_incident_cannot_be_shown_from_the_live_record(record):
    record.incident()  # so the live store exists
    training = record.incident(training=True)
    code, _, err = record.run("show", training.id)
    assert code == 1 and "--training" in err
    code, out, _ = record.run("show", training.id, "--training")
    assert code == 0 and "TRAINING" in out


def test_list_works_while_the_app_is_recording(record):
    row = record.incident()
    with Store.open(record.root(), key=record.key, mode="live"):
        code, out, _ = record.run("list")
    assert code == 0 and row.reference in out


# --- show ---------------------------------------------------------------------


def test_show_prints_the_chronology_and_ends_with_the_integrity_result(record):
    row = record.incident(override=True, amend=True)
    code, out, _ = record.run("show", row.reference)
    assert code == 0
    assert f"Incident {row.reference}" in out
    assert "Who is involved?" in out and "pupils only" in out
    assert "STOP OVERRIDE" in out
    assert "AMENDED by event" in out and "misheard at the time" in out
    integrity = out.index("Integrity")
    assert "Intact" in out[integrity:] and row.head_hash in out[integrity:]
    assert "**" not in out


def test_show_accepts_the_internal_id(record):
    row = record.incident()
    code, out, _ = record.run("show", row.id)
    assert code == 0 and row.reference in out


def test_show_of_an_unknown_reference_is_a_plain_error(record):
    record.incident()
    code, out, err = record.run("show", "2001-01-01-999")
    assert code == 1 and out == ""
    assert "2001-01-01-999" in err


# --- verify -------------------------------------------------------------------


def test_verify_of_an_intact_record_gives_a_summary_and_exit_0(record):
    first = record.incident()
    second = record.incident(override=True)
    code, out, _ = record.run("verify")
    assert code == 0
    events = first.event_count + second.event_count
    assert out.strip() == f"2 incidents, {events} events: intact"


def test_verify_names_the_incident_event_and_file_of_a_changed_answer(record):
    record.incident()
    damaged = record.incident()
    path = record.incident_file(damaged)
    path.write_text(path.read_text().replace("pupils only", "nobody"))
    code, out, _ = record.run("verify")
    assert code == 1
    finding = next(x for x in out.splitlines() if damaged.reference in x)
    assert "event 1" in finding and path.name in finding
    assert "DAMAGED" in out.splitlines()[-1]


def test_verify_of_one_incident_checks_only_that_one(record):
    good = record.incident()
    damaged = record.incident()
    path = record.incident_file(damaged)
    path.write_text(path.read_text().replace("pupils only", "nobody"))
    code, out, _ = record.run("verify", good.reference)
    assert code == 0 and "1 incident" in out
    code, out, _ = record.run("verify", damaged.reference)
    assert code == 1 and damaged.reference in out


def test_verify_json_lists_every_finding(record):
    damaged = record.incident()
    path = record.incident_file(damaged)
    path.write_text(path.read_text().replace("pupils only", "nobody"))
    code, out, _ = record.run("verify", "--json")
    assert code == 1
    result = json.loads(out)
    assert result["ok"] is False
    assert any(f["reference"] == damaged.reference and f["seq"] == 1 for f in result["findings"])


def test_a_deleted_incident_is_caught_by_a_checkpoint(record, tmp_path):
    record.incident()
    victim = record.incident()
    checkpoint = tmp_path / "elsewhere" / "checkpoint.json"
    checkpoint.parent.mkdir()
    code, out, _ = record.run("checkpoint", "-o", checkpoint)
    assert code == 0 and checkpoint.exists()
    assert str(checkpoint) in out and "away from this computer" in out

    record.incident_file(victim).unlink()
    _drop_index_row(record.root(), victim.id)
    code, out, _ = record.run("verify", "--checkpoint", checkpoint)
    assert code == 1
    finding = next(line for line in out.splitlines() if victim.reference in line)
    assert "deleted" in finding
    assert "DAMAGED" in out.splitlines()[-1]


def test_verify_with_a_checkpoint_of_an_unchanged_record_is_intact(record, tmp_path):
    record.incident()
    checkpoint = tmp_path / "checkpoint.json"
    record.run("checkpoint", "-o", checkpoint)
    code, out, _ = record.run("verify", "--checkpoint", checkpoint)
    assert code == 0 and "intact" in out


def _drop_index_row(root: Path, incident: str) -> None:
    """Remove an incident's row the way someone editing the index by hand would."""
    shard = shard_path(root, incident)
    document = json.loads(shard.read_text())
    table = document["incidents"]
    rows = [row for row in table.values() if row["id"] != incident]
    document["incidents"] = {str(n + 1): row for n, row in enumerate(rows)}
    shard.write_text(json.dumps(document))


# --- a corrupt file -----------------------------------------------------------


def test_a_corrupt_incident_file_does_not_stop_the_others_being_listed_or_shown(record):
    good = record.incident(pupil="P-GOOD")
    broken = record.incident(pupil="P-BROKEN")
    record.incident_file(broken).write_bytes(b"\x00\x17not json at all{")
    code, out, _ = record.run("list")
    assert code == 0 and good.reference in out
    code, out, _ = record.run("show", good.reference)
    assert code == 0 and "Intact" in out
    code, out, _ = record.run("verify")
    assert code == 1 and broken.reference in out
    assert good.reference not in out


def test_a_corrupt_index_file_costs_only_its_own_incidents(record):
    rows = [record.incident(pupil=f"P-{n}") for n in range(3)]
    broken = rows[0]
    shard = shard_path(record.root(), broken.id)
    shard.write_text("{ torn")
    others = [row for row in rows if shard_path(record.root(), row.id) != shard]
    code, out, err = record.run("list")
    assert code == 1 and str(shard) in err
    # still listed, from its own file, and flagged as damage
    (line,) = [line for line in out.splitlines() if line.startswith(broken.reference)]
    assert "DAMAGED" in line
    for row in others:
        assert row.reference in out
        code, text, _ = record.run("show", row.reference)
        assert code == 0 and "Intact" in text
    code, out, _ = record.run("verify")
    assert code == 1 and str(shard) in out


@pytest.mark.parametrize(
    "edit",
    [
        {"event_count": "many"},
        {"status": "bogus"},
        {"opened": None, "reference": 7},
    ],
    ids=["count", "status", "opened"],
)
def test_one_invalid_index_row_costs_only_its_own_incident(record, edit):
    rows = [record.incident(pupil=f"P-{n}") for n in range(3)]
    bad = rows[1]
    shard = shard_path(record.root(), bad.id)
    document = json.loads(shard.read_text())
    for row in document["incidents"].values():
        if row["id"] == bad.id:
            row.update(edit)
    shard.write_text(json.dumps(document))
    good = [row for row in rows if row is not bad]

    code, out, err = record.run("list")
    assert code == 1
    assert f"{shard}: the index row of {bad.id} is not valid" in err
    assert bad.reference not in out
    for row in good:
        assert row.reference in out
    code, out, _ = record.run("list", "--json")
    assert code == 1
    assert sorted(row["id"] for row in json.loads(out)) == sorted(row.id for row in good)
    code, out, _ = record.run("show", good[0].reference)
    assert code == 0 and "Intact" in out

    code, out, _ = record.run("verify")
    assert code == 1
    assert any(
        str(shard) in line and bad.id in line and "not valid" in line for line in out.splitlines()
    )
    assert "DAMAGED" in out.splitlines()[-1]


def test_an_incident_the_index_has_lost_can_still_be_shown_by_its_id(record):
    row = record.incident(override=True)
    _drop_index_row(record.root(), row.id)
    code, out, _ = record.run("show", row.id)
    assert code == 0
    assert "STOP OVERRIDE" in out and "DAMAGED RECORD" in out and "no-index-row" in out


def test_a_checkpoint_of_a_damaged_record_is_refused(record, tmp_path):
    row = record.incident()
    path = record.incident_file(row)
    path.write_text(path.read_text().replace("pupils only", "nobody"))
    checkpoint = tmp_path / "checkpoint.json"
    code, _, err = record.run("checkpoint", "-o", checkpoint)
    assert code == 1 and "does not verify" in err
    assert not checkpoint.exists()


def test_a_corrupt_incident_can_still_be_shown_with_the_damage_stated(record):
    broken = record.incident()
    record.incident_file(broken).write_text("")
    code, out, _ = record.run("show", broken.reference)
    assert code == 0
    assert "DAMAGED RECORD" in "\n".join(out.splitlines()[:6])


# --- checkpoint and export ----------------------------------------------------


def test_export_markdown_has_chronology_flags_amendment_and_integrity(record, tmp_path):
    row = record.incident(override=True, escalate=True, amend=True)
    out_file = tmp_path / "incident.md"
    code, out, _ = record.run("export", row.reference, "--format", "md", "-o", out_file)
    assert code == 0 and str(out_file) in out
    text = out_file.read_text()
    assert (out_file.stat().st_mode & 0o777) == 0o600
    assert text.startswith(f"# Incident {row.reference}")
    assert "- Prompt: Who is involved?" in text
    assert "**STOP OVERRIDE RECORDED**" in text
    assert "**ESCALATION - immediate risk flagged**" in text
    amended, amendment, following = (
        text.index("### 1. "),
        text.index("**AMENDED by event"),
        text.index("### 2. "),
    )
    assert amended < amendment < following
    assert "misheard at the time" in text[amendment:following]
    integrity = text[text.index("## Integrity") :]
    assert "**Intact**" in integrity and row.head_hash in integrity
    assert "Seal code" in integrity


def test_export_json_re_checks_alone(record, tmp_path):
    from incident_tui.record.verify import verify_events

    row = record.incident(override=True, amend=True)
    out_file = tmp_path / "incident.json"
    code, _, _ = record.run("export", row.reference, "-o", out_file)
    assert code == 0
    document = json.loads(out_file.read_text())
    events = [Event.model_validate(e) for e in document["events"]]
    assert verify_events(events) == []
    assert len(events) == document["index_row"]["event_count"] == row.event_count

    prev = "0" * 64
    for event in document["events"]:
        body = {k: v for k, v in event.items() if k != "hash"}
        canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert hashlib.sha256(canonical.encode("utf-8")).hexdigest() == event["hash"]
        assert event["prev"] == prev
        prev = event["hash"]
    assert prev == row.head_hash


def test_exporting_a_damaged_incident_works_and_says_so_at_the_top(record, tmp_path):
    row = record.incident()
    path = record.incident_file(row)
    path.write_text(path.read_text().replace("pupils only", "nobody"))
    out_file = tmp_path / "damaged.md"
    code, _, err = record.run("export", row.reference, "-o", out_file)
    assert code == 0 and "damaged" in err
    top = "\n".join(out_file.read_text().splitlines()[:6])
    assert "DAMAGED RECORD" in top


def test_export_as_pdf_from_the_command_line(record, tmp_path):
    import io

    import pypdf

    row = record.incident(override=True)
    out_file = tmp_path / "incident.pdf"
    code, out, _ = record.run("export", row.reference, "--format", "pdf", "-o", out_file)
    assert code == 0 and "(pdf," in out
    reader = pypdf.PdfReader(io.BytesIO(out_file.read_bytes()))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert row.reference in text and "STOP OVERRIDE RECORDED" in text
    assert f"INTACT: all {row.event_count} events check" in text
    assert (out_file.stat().st_mode & 0o777) == 0o600


def test_export_onto_an_existing_file_is_refused_unless_forced(record, tmp_path):
    row = record.incident()
    out_file = tmp_path / "incident.md"
    out_file.write_text("an older export")
    out_file.chmod(0o644)
    code, _, err = record.run("export", row.reference, "-o", out_file)
    assert code == 1
    assert f"{out_file} already exists" in err and "--force" in err
    assert out_file.read_text() == "an older export"
    code, _, _ = record.run("export", row.reference, "-o", out_file, "--force")
    assert code == 0
    assert out_file.read_text().startswith(f"# Incident {row.reference}")
    assert (out_file.stat().st_mode & 0o777) == 0o600


def test_a_checkpoint_onto_an_existing_file_is_refused_unless_forced(record, tmp_path):
    record.incident()
    earlier = tmp_path / "checkpoint.json"
    assert record.run("checkpoint", "-o", earlier)[0] == 0
    kept = earlier.read_bytes()
    record.incident()
    code, _, err = record.run("checkpoint", "-o", earlier)
    assert code == 1 and "already exists" in err and "--force" in err
    assert earlier.read_bytes() == kept  # an earlier checkpoint is evidence: never lost by a typo
    assert record.run("checkpoint", "-o", earlier, "--force")[0] == 0
    assert json.loads(earlier.read_text())["incidents"] == 2


def test_export_all_writes_every_incident_and_each_re_checks_alone(record, tmp_path):
    from incident_tui.record.export import read_json_export
    from incident_tui.record.verify import verify_events

    rows = [record.incident(pupil=f"P-{n}", override=n == 1) for n in range(3)]
    training = record.incident(training=True)
    out_dir = tmp_path / "archive"
    code, out, _ = record.run("export", "--all", "--format", "json", "-o", out_dir)
    assert code == 0 and "3 files" in out
    manifest = json.loads((out_dir / "manifest.json").read_text())
    assert sorted(entry["reference"] for entry in manifest["files"]) == sorted(
        row.reference for row in rows
    )
    for row in rows:
        path = out_dir / f"incident-{row.reference}.json"
        exported_row, events = read_json_export(path.read_text())
        assert verify_events(events) == []
        assert exported_row.head_hash == events[-1].hash == row.head_hash
        assert (path.stat().st_mode & 0o777) == 0o600
    assert training.id not in (out_dir / "manifest.json").read_text()
    assert (out_dir.stat().st_mode & 0o777) == 0o700


def test_export_all_as_pdf_from_the_command_line(record, tmp_path):
    rows = [record.incident(pupil=f"P-{n}") for n in range(2)]
    out_dir = tmp_path / "pdfs"
    code, _, _ = record.run("export", "--all", "--format", "pdf", "-o", out_dir)
    assert code == 0
    assert sorted(p.name for p in out_dir.glob("*.pdf")) == sorted(
        f"incident-{row.reference}.pdf" for row in rows
    )


def test_export_all_never_writes_into_a_folder_that_holds_files(record, tmp_path):
    record.incident()
    out_dir = tmp_path / "used"
    out_dir.mkdir()
    (out_dir / "keep.txt").write_text("keep")
    code, _, err = record.run("export", "--all", "-o", out_dir)
    assert code == 1 and "not empty" in err
    assert [p.name for p in out_dir.iterdir()] == ["keep.txt"]


def test_export_needs_exactly_one_of_a_reference_and_all(record, tmp_path):
    row = record.incident()
    out = tmp_path / "out.json"
    code, _, err = record.run("export", row.reference, "--all", "-o", out)
    assert code == 2 and "not both" in err
    code, _, err = record.run("export", "-o", out)
    assert code == 2 and "reference" in err and "--all" in err
    assert not out.exists()


def test_export_needs_a_format_it_can_tell(record, tmp_path):
    row = record.incident()
    code, _, err = record.run("export", row.reference, "-o", tmp_path / "incident.txt")
    assert code == 2 and "--format" in err


def test_export_of_a_training_incident_is_marked_training(record, tmp_path):
    row = record.incident(training=True)
    out_file = tmp_path / "training.md"
    code, _, _ = record.run("export", row.reference, "--training", "-o", out_file)
    assert code == 0
    assert "TRAINING" in "\n".join(out_file.read_text().splitlines()[:4])


def test_the_record_commands_never_import_textual(record):
    record.incident()
    code = (
        "import sys\n"
        "from incident_tui.cli import main\n"
        f"args = ['--data-dir', {str(record.data)!r}, '--config-dir', {str(record.config)!r}]\n"
        "for command in (['list'], ['list', '--json'], ['verify']):\n"
        "    assert main(args + command) == 0\n"
        "assert 'textual' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)


def test_list_as_a_whole_process_prints_all_and_exits_as_ever(record):
    """`python -m incident_tui list` (the installed command's path) ends the process
    at once after its output: every byte is printed, and the exit status kept."""
    record.incident()
    args = ["--data-dir", str(record.data), "--config-dir", str(record.config)]
    command = [sys.executable, "-m", "incident_tui", *args]
    code, out, _ = record.run("list", "--json")
    done = subprocess.run([*command, "list", "--json"], capture_output=True, text=True)
    assert (done.returncode, done.stdout, done.stderr) == (code, out, "")
    done = subprocess.run([*command, "list", "--training"], capture_output=True, text=True)
    assert done.returncode == 0 and "no incidents recorded" in done.stdout
    done = subprocess.run([*command, "show", "NO-SUCH"], capture_output=True, text=True)
    assert done.returncode != 0 and "no incident NO-SUCH" in done.stderr
    profile = record.data / "list.prof"  # the bench's --profile: written as ever
    profiled = [sys.executable, "-m", "cProfile", "-o", str(profile), *command[1:]]
    done = subprocess.run([*profiled, "list", "--json"], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout == out and profile.stat().st_size > 0


# --- a lost record key --------------------------------------------------------


@pytest.mark.parametrize("damage", ["missing", "garbage", "another key"])
def test_reading_works_without_the_key_and_says_the_signed_index_was_not_checked(
    record, tmp_path, damage
):
    row = record.incident()
    training = record.incident(training=True)
    key_file = record.config / "record.key"
    if damage == "missing":
        key_file.unlink()
        said = f"the record key {key_file} is missing"
    elif damage == "garbage":
        key_file.write_text("not a key at all")
        said = f"the record key {key_file} is damaged"
    else:
        key_file.write_text("ab" * 32 + "\n")
        said = f"the record key {key_file} is not the key this record was made with"
    before = key_file.read_bytes() if key_file.exists() else None
    commands = [
        ("list",),
        ("list", "--json"),
        ("show", row.reference),
        ("export", row.reference, "-o", tmp_path / "out.md"),
        ("export", "--all", "-o", tmp_path / "all"),
        ("show", "--training", training.reference),
    ]
    for command in commands:
        code, out, err = record.run(*command)
        assert code == 0, (command, err)
        assert said in err and "the signed index could not be checked" in err, command
        assert row.reference in out or training.reference in out or "Wrote" in out
        assert (key_file.read_bytes() if key_file.exists() else None) == before, command
    assert (tmp_path / "out.md").exists()
    code, out, err = record.run("verify")
    assert code == 1 and "the hash chains are intact" in out
    assert "recomputed" not in out  # another key is not taken for tampering
    # a checkpoint is signed: never without the record's own key
    code, _, err = record.run("checkpoint", "-o", tmp_path / "checkpoint.json")
    assert code == 1 and not (tmp_path / "checkpoint.json").exists()


def test_verify_without_the_key_still_checks_the_chains_and_says_what_it_could_not(record):
    good = record.incident()
    code, out, err = record.run("verify")
    assert code == 0
    key = (record.config / "record.key").read_bytes()
    (record.config / "record.key").unlink()

    code, out, err = record.run("verify")
    assert code == 1
    assert "the hash chains are intact" in out
    assert "index signatures could NOT be checked" in out and "record.key" in out
    assert "is missing" in err and "Restore the record's own key from your backup" in err
    assert not (record.config / "record.key").exists()
    code, out, _ = record.run("verify", "--json")
    result = json.loads(out)
    assert code == 1 and result["ok"] is False and result["signatures_checked"] is False

    path = record.incident_file(good)
    path.write_text(path.read_text().replace("pupils only", "nobody"))
    code, out, _ = record.run("verify")
    assert code == 1
    assert any(good.reference in line and "event 1" in line for line in out.splitlines())
    assert "DAMAGED" in out.splitlines()[-1] and "could NOT be checked" in out.splitlines()[-1]

    (record.config / "record.key").write_bytes(key)  # restored from the backup
    path.write_text(path.read_text().replace("nobody", "pupils only"))
    code, out, _ = record.run("verify")
    assert code == 0 and out.strip().endswith("intact")


def test_reading_an_empty_record_with_no_key_works_and_writes_no_key(record):
    (record.config / "record.key").unlink()
    for command in (("list",), ("verify",), ("train", "--results")):
        code, _, _ = record.run(*command)
        assert code == 0, command
    assert not (record.config / "record.key").exists()


# --- live and training never mix ---------------------------------------------


def test_training_incidents_in_the_live_folder_are_refused_not_mixed(record, tmp_path):
    training = record.incident(training=True)
    record.root(training=True).rename(record.root())  # e.g. a folder restored to the wrong place
    for command in (("list",), ("show", training.reference)):
        code, out, err = record.run(*command)
        assert code == 1, command
        assert f"{record.root()} holds training incidents" in err and "never mixed" in err
        assert training.reference not in out
