"""Transfer to the next school (KCSIE): the child protection file sent as one bundle,
checked whole at the next school before anything is taken, received read-only, and
its receipt confirmed back at the sending school."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from incident_tui.cli import main
from incident_tui.errors import UserError
from incident_tui.record.events import Actor, EventKind, FlowRef
from incident_tui.record.keys import load_or_create_key
from incident_tui.record.store import IndexRow, Store
from incident_tui.record.verify import verify_store

FLOW = FlowRef(id="search-confiscation", version="1.0", hash="cd" * 32)
TEACHER = Actor(name="Jane Smith", role="teacher")
PUPIL = "P-1001"


class Install:
    """One school's install: its own data, config and record key."""

    def __init__(self, base: Path, name: str, capsys: pytest.CaptureFixture[str]) -> None:
        self.data = base / "data"
        self.config = base / "config"
        self.capsys = capsys
        self.key = load_or_create_key(self.config / "record.key")
        self.root = self.data / "live"
        code, _out, err = self.run("config", "school", name)
        assert code == 0, err

    def run(self, *args: str | Path) -> tuple[int, str, str]:
        self.capsys.readouterr()
        code = main(
            ["--data-dir", str(self.data), "--config-dir", str(self.config), *map(str, args)]
        )
        out, err = self.capsys.readouterr()
        assert "Traceback" not in out + err
        return code, out, err

    def writer(self) -> Store:
        return Store.open(self.root, key=self.key, mode="live")

    def incident(self, pupil: str = PUPIL, seal: bool = True, **details: str) -> IndexRow:
        with self.writer() as store:
            row = store.new_incident(
                flow=FLOW,
                actor=TEACHER,
                details={"pupil": pupil, "location": "Library", **details},
            )
            store.append(
                row.id,
                kind=EventKind.answer,
                actor=TEACHER,
                step="found",
                prompt="What was found?",
                answer="a vape in the blue bag",
            )
            if seal:
                store.append(
                    row.id,
                    kind=EventKind.sealed,
                    actor=TEACHER,
                    step="end",
                    prompt="Handled in school",
                    answer="Handled in school",
                    data={"outcome": "handled in school"},
                )
            return store.row(row.id)

    def rows(self) -> list[IndexRow]:
        with Store.open(self.root, key=self.key, mode="live", readonly=True) as store:
            return store.rows()


@pytest.fixture
def oak(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Install:
    return Install(tmp_path / "oak", "Oak Primary School", capsys)


@pytest.fixture
def elm(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Install:
    return Install(tmp_path / "elm", "Elm Secondary Academy", capsys)


def send(oak: Install, out: Path, pupil: str = PUPIL) -> tuple[int, str, str]:
    return oak.run(
        "transfer", pupil, "--to", "Elm Secondary Academy", "-o", out, "--dsl", "Sam Patel"
    )


def receive(elm: Install, bundle: Path, *extra: str | Path) -> tuple[int, str, str]:
    return elm.run("receive", bundle, "--dsl", "Ruth Okafor", *extra)


def code_in(out: str) -> str:
    return out.split("Transfer code: ")[1][:11]


def test_a_bundle_is_received_and_verified_in_a_second_store(
    oak: Install, elm: Install, tmp_path: Path
) -> None:
    first, second = oak.incident(), oak.incident(other_pupils=[PUPIL], pupil="P-2002")
    oak.incident(pupil="P-3003")  # not this pupil's
    bundle = tmp_path / "p1001.json"
    code, out, err = send(oak, bundle)
    assert code == 0, err
    assert "2 incident(s)" in out and first.reference in out and second.reference in out
    sent_rows = {r.id: r for r in oak.rows()}
    assert sent_rows[first.id].transfer_to == "Elm Secondary Academy"
    assert sent_rows[first.id].transfer_checkpoint
    assert sent_rows[first.id].transfer_confirmed is None

    code, out, err = receive(elm, bundle, "--code", code_in(out))
    assert code == 0, err
    assert "every chain and the checkpoint verified" in out
    assert "matches the code read out" in out
    receipt = tmp_path / "p1001.receipt.json"
    assert f"Receipt: {receipt}" in out and receipt.exists()
    rows = {r.id: r for r in elm.rows()}
    assert set(rows) == {first.id, second.id}
    got = rows[first.id]
    assert got.origin == "Oak Primary School" and got.received
    assert got.reference == f"IN-{first.reference}"
    assert verify_store(elm.root, elm.key).complete
    # the events are the sending school's own, hash for hash
    with Store.open(elm.root, key=elm.key, mode="live", readonly=True) as store:
        here = store.events(first.id)
    with Store.open(oak.root, key=oak.key, mode="live", readonly=True) as store:
        there = store.events(first.id)
    assert [e.hash for e in here[:-1]] == [e.hash for e in there[:-1]]
    assert here[-1].kind == EventKind.received
    assert there[-1].kind == EventKind.transferred


def test_the_child_file_is_found_here_by_the_pupils_reference_at_this_school(
    oak: Install, elm: Install, tmp_path: Path
) -> None:
    oak.incident()
    bundle = tmp_path / "b.json"
    assert send(oak, bundle)[0] == 0
    code, _out, err = receive(elm, bundle, "--pupil", "E-77")
    assert code == 0, err
    code, out, err = elm.run("pupil", "E-77")
    assert code == 0, err
    assert "IN-" in out


@pytest.mark.parametrize("position", [0.02, 0.1, 0.25, 0.4, 0.5, 0.6, 0.75, 0.9, 0.98, 1.0])
def test_one_byte_altered_and_the_bundle_is_refused(
    oak: Install, elm: Install, tmp_path: Path, position: float
) -> None:
    oak.incident()
    oak.incident()
    bundle = tmp_path / "b.json"
    assert send(oak, bundle)[0] == 0
    raw = bytearray(bundle.read_bytes())
    at = min(int(len(raw) * position), len(raw) - 1)
    raw[at] = ord("x") if raw[at] != ord("x") else ord("y")
    bundle.write_bytes(bytes(raw))
    code, _out, err = receive(elm, bundle)
    assert code != 0
    assert str(bundle) in err
    assert "nothing was taken" in err or "is not" in err
    assert elm.rows() == []


def test_an_event_changed_in_transit_is_named(oak: Install, elm: Install, tmp_path: Path) -> None:
    row = oak.incident()
    bundle = tmp_path / "b.json"
    assert send(oak, bundle)[0] == 0
    text = bundle.read_text(encoding="utf-8")
    bundle.write_text(text.replace("a vape in the blue bag", "a vape in the red bag"))
    code, _out, err = receive(elm, bundle)
    assert code == 1
    assert f"incident {row.reference}: event 1 has been changed" in err
    assert "REFUSED, nothing was taken" in err


def test_an_event_cut_from_the_end_is_named(oak: Install, elm: Install, tmp_path: Path) -> None:
    row = oak.incident()
    bundle = tmp_path / "b.json"
    assert send(oak, bundle)[0] == 0
    data = json.loads(bundle.read_text(encoding="utf-8"))
    data["incidents"][0]["events"].pop()
    bundle.write_text(json.dumps(data, sort_keys=True, indent=1, ensure_ascii=False) + "\n")
    code, _out, err = receive(elm, bundle)
    assert code == 1
    assert f"incident {row.reference} holds 2 events but the checkpoint says 3" in err


def test_a_bundle_rewritten_with_hashes_recomputed_fails_the_code_read_out(
    oak: Install, elm: Install, tmp_path: Path
) -> None:
    from incident_tui.record.transfer import read_bundle

    oak.incident()
    bundle = tmp_path / "b.json"
    code, out, _err = send(oak, bundle)
    real = code_in(out)
    data = json.loads(bundle.read_text(encoding="utf-8"))
    data["to_school"] = "Someone Else"  # a forger who recomputes every hash
    from incident_tui.record import transfer

    data["checkpoint"] = transfer._checkpoint_of(data)
    data["checkpoint_hash"] = transfer._sha(data["checkpoint"])
    bundle.write_bytes(transfer.bundle_bytes(data))
    read_bundle(bundle)  # the hashes alone cannot tell
    code, _out, err = receive(elm, bundle, "--code", real)
    assert code == 1
    assert f"not {real} as the sending school read it out" in err


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"", "is empty"),
        (b"{not json", "not valid JSON (line 1"),
        (b"\xff\xfe", "not UTF-8 text"),
        (b'{"format": "something"}', "is not an incident-tui transfer bundle"),
        (b"[1, 2]", "is not an incident-tui transfer bundle"),
        (b'{"a": 1.5}', "not allowed"),
    ],
)
def test_a_garbled_bundle_gives_a_clear_message_naming_the_file(
    elm: Install, tmp_path: Path, content: bytes, says: str
) -> None:
    bundle = tmp_path / "garbled.json"
    bundle.write_bytes(content)
    code, _out, err = receive(elm, bundle)
    assert code == 1
    assert str(bundle) in err and says in err


def test_a_hand_edited_bundle_is_refused_naming_the_file(
    oak: Install, elm: Install, tmp_path: Path
) -> None:
    oak.incident()
    bundle = tmp_path / "b.json"
    assert send(oak, bundle)[0] == 0
    data = json.loads(bundle.read_text(encoding="utf-8"))
    data["incidents"][0]["events"][1]["seq"] = "one"
    bundle.write_text(json.dumps(data, indent=2))
    code, _out, err = receive(elm, bundle)
    assert code == 1 and str(bundle) in err and "REFUSED" in err
    missing = tmp_path / "nowhere.json"
    code, _out, err = receive(elm, missing)
    assert code == 1 and f"{missing}: no such file" in err


def test_a_receipt_is_confirmed_and_the_attention_clears(
    oak: Install, elm: Install, tmp_path: Path
) -> None:
    first, second = oak.incident(), oak.incident()
    bundle = tmp_path / "b.json"
    assert send(oak, bundle)[0] == 0
    assert receive(elm, bundle)[0] == 0
    receipt = tmp_path / "b.receipt.json"
    code, out, err = oak.run("transfer", "--confirm", receipt, "--dsl", "Sam Patel")
    assert code == 0, err
    assert "Receipt confirmed: Elm Secondary Academy received" in out
    assert "Ruth Okafor" in out
    rows = {r.id: r for r in oak.rows()}
    assert rows[first.id].transfer_confirmed and rows[second.id].transfer_confirmed
    assert verify_store(oak.root, oak.key).complete
    code, _out, err = oak.run("transfer", "--confirm", receipt, "--dsl", "Sam Patel")
    assert code == 1 and "confirmed already" in err


def test_a_receipt_for_something_else_is_refused(
    oak: Install, elm: Install, tmp_path: Path
) -> None:
    oak.incident()
    oak.incident(pupil="P-2002")
    mine, other = tmp_path / "mine.json", tmp_path / "other.json"
    assert send(oak, mine)[0] == 0
    # another school's transfer of another pupil, received here: its receipt is not ours
    elm.incident(pupil="E-9")
    assert elm.run("transfer", "E-9", "--to", "Oak", "-o", other, "--dsl", "Ruth Okafor")[0] == 0
    assert receive(oak, other)[0] == 0
    foreign = tmp_path / "other.receipt.json"
    code, _out, err = oak.run("transfer", "--confirm", foreign, "--dsl", "Sam Patel")
    assert code == 1
    assert "a receipt for a transfer this school did not send" in err
    # a receipt altered after it was written
    assert receive(elm, mine)[0] == 0
    receipt = tmp_path / "mine.receipt.json"
    receipt.write_text(receipt.read_text().replace("Ruth Okafor", "Ruth Okafore"))
    code, _out, err = oak.run("transfer", "--confirm", receipt, "--dsl", "Sam Patel")
    assert code == 1 and str(receipt) in err and "REFUSED as a receipt" in err
    # the bundle given where the receipt is wanted
    code, _out, err = oak.run("transfer", "--confirm", mine, "--dsl", "Sam Patel")
    assert code == 1 and "is not an incident-tui transfer receipt" in err


def test_references_do_not_collide_with_the_schools_own(
    oak: Install, elm: Install, tmp_path: Path
) -> None:
    sent = oak.incident()
    own = elm.incident(pupil="E-1")  # opened the same day: the same reference
    assert own.reference == sent.reference
    bundle = tmp_path / "b.json"
    assert send(oak, bundle)[0] == 0
    assert receive(elm, bundle)[0] == 0
    refs = sorted(r.reference for r in elm.rows())
    assert refs == sorted([own.reference, f"IN-{sent.reference}"])
    code, out, _err = elm.run("show", own.reference)
    assert code == 0 and "E-1" in out and "TRANSFERRED IN" not in out
    code, out, _err = elm.run("show", f"IN-{sent.reference}")
    assert code == 0 and "TRANSFERRED IN from Oak Primary School" in out
    code, out, _err = elm.run("list")
    assert "TRANSFERRED-IN" in out
    # a new incident of the school's own still gets the next number of the day
    later = elm.incident(pupil="E-2")
    assert later.reference.endswith("-002")


def test_a_bundle_received_twice_is_not_taken_twice(
    oak: Install, elm: Install, tmp_path: Path
) -> None:
    oak.incident()
    bundle = tmp_path / "b.json"
    assert send(oak, bundle)[0] == 0
    assert receive(elm, bundle)[0] == 0
    code, _out, err = receive(elm, bundle)
    assert code == 1 and "already exists" in err  # the receipt is there
    code, out, err = receive(elm, bundle, "--receipt", tmp_path / "again.json")
    assert code == 0, err
    assert "received before" in out and len(elm.rows()) == 1


def test_a_transferred_in_incident_can_be_reviewed_but_never_continued(
    oak: Install, elm: Install, tmp_path: Path
) -> None:
    from incident_tui.incident import Incident
    from incident_tui.record.store import AppendRefused
    from incident_tui.review import append_review
    from incident_tui.settings import Settings

    row = oak.incident()
    bundle = tmp_path / "b.json"
    assert send(oak, bundle)[0] == 0
    assert receive(elm, bundle)[0] == 0
    dsl = Actor(name="Ruth Okafor", role="Designated Safeguarding Lead")
    with elm.writer() as store:
        append_review(store, row.id, dsl, "review-date", {"date": "2099-01-15"})
        with pytest.raises(AppendRefused, match="transferred in from Oak Primary School"):
            store.append(row.id, kind=EventKind.answer, actor=dsl, step="found", answer="x")
        with pytest.raises(UserError, match="transferred in from Oak Primary School"):
            Incident.resume(store, None, row.id, Settings(), dsl)  # type: ignore[arg-type]
    assert verify_store(elm.root, elm.key).complete


def test_a_transfer_is_refused_with_a_clear_message(oak: Install, tmp_path: Path) -> None:
    out = tmp_path / "b.json"
    oak.incident(pupil="P-2002")
    code, _o, err = send(oak, out)
    assert code == 1 and "no incident" in err and "names the pupil P-1001" in err
    oak.incident(seal=False)
    code, _o, err = send(oak, out)
    assert code == 1 and "is still open" in err
    assert not out.exists()
    code, _o, err = oak.run("transfer", PUPIL, "-o", out, "--dsl", "Sam Patel")
    assert code == 2 and "--to" in err
    code, _o, err = oak.run("transfer", PUPIL, "--to", "Elm", "-o", out)
    assert code == 2 and "--dsl" in err


def test_a_training_record_is_never_transferred(tmp_path: Path) -> None:
    from incident_tui.record.transfer import transfer_problem

    key = load_or_create_key(tmp_path / "record.key")
    with Store.open(tmp_path / "training", key=key, mode="training") as store:
        store.new_incident(flow=FLOW, actor=TEACHER, details={"pupil": PUPIL, "location": "x"})
        problem = transfer_problem(store, PUPIL)
    assert problem is not None and "training records are never transferred" in problem


def test_a_school_without_a_name_cannot_send(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    oak = Install(tmp_path / "oak", "Oak", capsys)
    oak.incident()
    (oak.config / "config.toml").unlink()
    code, _o, err = send(oak, tmp_path / "b.json")
    assert code == 1 and "has no name yet" in err


# --- "sent, receipt not confirmed": the 5 school days ---------------------------------

MONDAY = "2026-11-30T10:00:00.000000Z"


def transfer_reasons(row: IndexRow, today: str, days_off: frozenset = frozenset()) -> list[str]:  # type: ignore[type-arg]
    from datetime import UTC, date, datetime

    from incident_tui.review.attention import ChildFiles, attention_reasons

    day = date.fromisoformat(today)
    now = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
    files = ChildFiles(days_off=days_off)
    reasons = attention_reasons(row, None, now, day, files=files)
    return [r for r in reasons if "receipt" in r]


def sent_row(oak: Install, sent: str = MONDAY, confirmed: str | None = None) -> IndexRow:
    row = oak.incident()
    return row.model_copy(
        update={
            "status": "reviewed",
            "transfer_to": "Elm Secondary Academy",
            "transfer_sent": sent,
            "transfer_checkpoint": "ab" * 32,
            "transfer_confirmed": confirmed,
        }
    )


def test_a_transfer_awaits_its_receipt_until_5_school_days_then_is_overdue(oak: Install) -> None:
    row = sent_row(oak)
    assert transfer_reasons(row, "2026-11-30") == [
        "sent to Elm Secondary Academy on 2026-11-30: receipt not yet confirmed "
        "(0 of 5 school days)"
    ]
    assert "(4 of 5 school days)" in transfer_reasons(row, "2026-12-04")[0]  # Friday
    assert "(4 of 5 school days)" in transfer_reasons(row, "2026-12-06")[0]  # Sunday
    overdue = transfer_reasons(row, "2026-12-07")  # the next Monday: 5 school days
    assert overdue == [
        "OVERDUE: sent to Elm Secondary Academy on 2026-11-30, receipt not confirmed "
        "within 5 school days (5 so far)"
    ]
    assert "(7 so far)" in transfer_reasons(row, "2026-12-09")[0]


def test_the_schools_holidays_are_not_school_days(oak: Install) -> None:
    from incident_tui.settings import Calendar

    row = sent_row(oak)
    off = Calendar(holidays=["2026-12-01..2026-12-02"]).days_off()
    assert "(3 of 5 school days)" in transfer_reasons(row, "2026-12-07", off)[0]
    assert transfer_reasons(row, "2026-12-09", off)[0].startswith("OVERDUE")


def test_the_attention_clears_once_the_receipt_is_confirmed(oak: Install) -> None:
    row = sent_row(oak, confirmed="2026-12-01T09:00:00.000000Z")
    assert transfer_reasons(row, "2026-12-01") == []
    assert transfer_reasons(row, "2026-12-20") == []


def test_needs_attention_follows_the_transfer_from_sending_to_confirmation(
    oak: Install, elm: Install, tmp_path: Path
) -> None:
    from incident_tui.review.attention import needs_attention

    row = oak.incident()
    bundle = tmp_path / "b.json"
    assert send(oak, bundle)[0] == 0
    found = {r.id: reasons for r, reasons in needs_attention(oak.rows(), None)}
    assert any("receipt not yet confirmed" in reason for reason in found[row.id])
    assert receive(elm, bundle)[0] == 0
    receipt = tmp_path / "b.receipt.json"
    assert oak.run("transfer", "--confirm", receipt, "--dsl", "Sam Patel")[0] == 0
    found = {r.id: reasons for r, reasons in needs_attention(oak.rows(), None)}
    assert not any("receipt" in reason for reason in found.get(row.id, []))


def test_holidays_in_the_settings_are_read_and_a_wrong_one_is_named(oak: Install) -> None:
    from incident_tui.settings import load_settings, save_settings

    path = oak.config / "config.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text + '\n[calendar]\nholidays = ["2026-12-19..2027-01-04", "2027-02-15"]\n')
    settings = load_settings(path)
    assert len(settings.calendar.days_off()) == 12  # 11 weekdays of Christmas, 1 INSET day
    save_settings(path, settings)  # written back by `config`, kept
    assert load_settings(path).calendar == settings.calendar
    path.write_text(text + '\n[calendar]\nholidays = ["2027-01-04..2026-12-19"]\n')
    with pytest.raises(UserError, match="ends before it begins") as caught:
        load_settings(path)
    assert str(path) in caught.value.message


def test_a_transferred_in_incident_shows_its_origin_in_list_show_and_every_export(
    oak: Install, elm: Install, tmp_path: Path
) -> None:
    import io

    import pypdf

    row = oak.incident()
    bundle = tmp_path / "b.json"
    assert send(oak, bundle)[0] == 0
    assert receive(elm, bundle)[0] == 0
    here = f"IN-{row.reference}"
    code, out, _err = elm.run("list")
    assert code == 0 and here in out and "TRANSFERRED-IN" in out
    code, out, _err = elm.run("list", "--json")
    assert json.loads(out)[0]["origin"] == "Oak Primary School"
    origin = "TRANSFERRED IN from Oak Primary School"
    assert origin in elm.run("show", here)[1]
    for fmt in ("md", "json", "pdf"):
        out_file = tmp_path / f"export.{fmt}"
        code, _out, err = elm.run("export", here, "-o", out_file)
        assert code == 0, err
        if fmt == "md":
            assert origin in out_file.read_text(encoding="utf-8")
        elif fmt == "json":
            exported = json.loads(out_file.read_text(encoding="utf-8"))
            assert exported["index_row"]["origin"] == "Oak Primary School"
            assert exported["index_row"]["reference"] == here
        else:
            reader = pypdf.PdfReader(io.BytesIO(out_file.read_bytes()))
            text = " ".join((page.extract_text() or "") for page in reader.pages)
            assert origin in " ".join(text.split())
    # at the sending school, the transfer shows on the incident too
    assert "Transferred: sent to Elm Secondary Academy" in oak.run("show", row.reference)[1]


def test_a_file_transferred_in_is_sent_on_when_the_pupil_moves_again(
    oak: Install, elm: Install, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ash = Install(tmp_path / "ash", "Ash College", capsys)
    first = oak.incident()
    to_elm, to_ash = tmp_path / "to-elm.json", tmp_path / "to-ash.json"
    assert send(oak, to_elm)[0] == 0
    assert receive(elm, to_elm)[0] == 0
    own = elm.incident()  # Elm's own incident about the pupil
    code, _out, err = elm.run(
        "transfer", PUPIL, "--to", "Ash College", "-o", to_ash, "--dsl", "Ruth Okafor"
    )
    assert code == 0, err
    code, out, err = ash.run("receive", to_ash, "--dsl", "Lee Chan")
    assert code == 0, err
    rows = {r.id: r for r in ash.rows()}
    assert rows[first.id].origin == "Elm Secondary Academy"  # who sent it here
    assert rows[first.id].reference == f"IN-{first.reference}"  # the first school's own
    assert rows[own.id].reference in (f"IN-{own.reference}", f"IN-{own.reference}/2")
    assert len({r.reference for r in rows.values()}) == 2
    assert verify_store(ash.root, ash.key).complete
    assert "Note: it was addressed to" not in out
    receipt = tmp_path / "to-ash.receipt.json"
    code, out, err = elm.run("transfer", "--confirm", receipt, "--dsl", "Ruth Okafor")
    assert code == 0, err


def test_a_bundle_for_another_school_is_taken_with_a_note_saying_so(
    oak: Install, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    birch = Install(tmp_path / "birch", "Birch Academy", capsys)
    oak.incident()
    bundle = tmp_path / "b.json"
    assert send(oak, bundle)[0] == 0
    code, out, err = receive(birch, bundle)
    assert code == 0, err
    assert "it was addressed to Elm Secondary Academy, and this school is Birch Academy" in out


def test_training_is_never_sent_or_received_from_the_command_line(
    oak: Install, tmp_path: Path
) -> None:
    oak.incident()
    code, _out, err = oak.run(
        "--training", "transfer", PUPIL, "--to", "Elm", "-o", tmp_path / "b.json", "--dsl", "S"
    )
    assert code == 2 and "never transferred" in err


async def test_the_home_screen_never_offers_a_transferred_in_incident_to_resume(
    dirs, toy_flows, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from incident_tui.incident import flow_ref
    from incident_tui.record.store import read_incident
    from tests.tui_helpers import make_app

    toy = flow_ref(next(iter(toy_flows.values())))
    other_key = load_or_create_key(tmp_path / "other" / "record.key")
    with Store.open(tmp_path / "other" / "live", key=other_key, mode="live") as there:
        sent = there.new_incident(flow=toy, actor=TEACHER, details={"pupil": PUPIL})
        events = read_incident(there.root, sent.id)  # left open there
    key = load_or_create_key(dirs.config / "record.key")
    dsl = Actor(name="Ruth Okafor", role="Designated Safeguarding Lead")
    with Store.open(dirs.store_root(), key=key, mode="live") as store:
        got = store.adopt_transferred(
            events, actor=dsl, data={"from_school": "Oak"}, reference=f"IN-{sent.reference}"
        )
        own = store.new_incident(flow=toy, actor=TEACHER, details={"pupil": "P-2"})
    assert got.status == "open" and got.origin == "Oak"
    app = make_app(dirs, flows=toy_flows)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        listed = app.screen.query_one("#open-incidents")
        offered = [str(listed.get_option_at_index(i).prompt) for i in range(listed.option_count)]
    assert any(own.reference in text for text in offered)
    assert not any("IN-" in text for text in offered)
    with pytest.raises(UserError, match="transferred in from Oak"):
        app.resume_incident(got.reference, dsl)
