"""`incident-tui people` and `incident-tui session LOGIN`: who may sign in on a school
server, the authorized_keys file written from the people file, and what each role may
run over `ssh incidents@server COMMAND` (SSH_ORIGINAL_COMMAND)."""

from __future__ import annotations

import base64
import json
import os
import stat
import sys
from pathlib import Path

import pytest

from incident_tui import locations
from incident_tui.cli import main
from incident_tui.people import Person, Role
from incident_tui.record.access import open_record
from incident_tui.record.events import FlowRef
from incident_tui.sshkeys import HEADER
from tests.tui_helpers import Dirs

FLOW = FlowRef(id="sharing-nudes", version="1.0", hash="ab" * 32)


def public_key(seed: int, comment: str = "someone@laptop") -> str:
    """An ed25519 public key line (a real key's shape; no private key is needed)."""
    name = b"ssh-ed25519"
    blob = len(name).to_bytes(4, "big") + name + (32).to_bytes(4, "big") + bytes([seed]) * 32
    return f"ssh-ed25519 {base64.b64encode(blob).decode()} {comment}"


@pytest.fixture
def keys(tmp_path: Path) -> dict[str, Path]:
    made = {}
    for n, login in enumerate(("akhan", "bsmith", "cjones", "dhead", "etrain", "fadmin"), 1):
        path = tmp_path / f"{login}.pub"
        path.write_text(public_key(n, f"{login}@laptop") + "\n", encoding="utf-8")
        made[login] = path
    return made


PEOPLE = [
    ("akhan", "Alice Khan", "dsl"),
    ("bsmith", "Bob Smith", "staff"),
    ("cjones", "Cara Jones", "staff"),
    ("dhead", "Dev Head", "head"),
    ("etrain", "Eve Trainer", "trainer"),
    ("fadmin", "Fay Admin", "admin"),
]


def add_everyone(keys: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    for login, name, role in PEOPLE:
        assert (
            main(
                ["people", "add", login, "--name", name, "--role", role, "--key", str(keys[login])]
            )
            == 0
        )
    capsys.readouterr()


def authorized_keys(isolated: Dirs) -> Path:
    return Path(os.environ["HOME"]) / ".ssh" / "authorized_keys"


def test_people_add_writes_the_people_file_and_one_forced_command_a_person(
    isolated: Dirs, keys: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(
            [
                "people",
                "add",
                "akhan",
                "--name",
                "Alice  Khan",
                "--role",
                "dsl",
                "--key",
                str(keys["akhan"]),
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "Added akhan: Alice Khan (dsl)" in out and "SHA256:" in out
    people_file = isolated.config / "people.toml"
    assert stat.S_IMODE(people_file.stat().st_mode) == 0o600
    keys_file = authorized_keys(isolated)
    assert stat.S_IMODE(keys_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(keys_file.parent.stat().st_mode) == 0o700
    lines = keys_file.read_text(encoding="utf-8").splitlines()
    assert lines[0] == HEADER
    blob = public_key(1).split()[1]
    program = Path(sys.executable).parent / "incident-tui"
    # the folders are not the account's defaults here, so each session is told them
    assert lines[1] == (
        f'command="{program} --data-dir {isolated.data} --config-dir {isolated.config} '
        f'session akhan",restrict,pty ssh-ed25519 {blob} akhan'
    )
    assert len(lines) == 2

    assert main(["people", "list"]) == 0
    listing = capsys.readouterr().out
    assert "akhan" in listing and "dsl" in listing and "Alice Khan" in listing


def test_set_role_and_remove_rewrite_the_keys_and_removal_ends_access_at_once(
    isolated: Dirs,
    keys: dict[str, Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    add_everyone(keys, capsys)
    bob = Person("bsmith", "Bob Smith", Role.staff)
    with open_record(isolated.paths, "live", write=True) as store:
        row = store.new_incident(flow=FLOW, actor=bob.actor(), details={"pupil": "AB"})
    assert main(["people", "set-role", "bsmith", "head"]) == 0
    assert "bsmith (Bob Smith) is now head" in capsys.readouterr().out
    assert main(["people", "remove", "bsmith"]) == 0
    assert "can no longer sign in" in capsys.readouterr().out
    text = authorized_keys(isolated).read_text(encoding="utf-8")
    assert "session bsmith" not in text and public_key(2).split()[1] not in text
    assert "session akhan" in text

    monkeypatch.setenv("SSH_ORIGINAL_COMMAND", "list")
    assert main(["session", "bsmith"]) == 1
    err = capsys.readouterr().err
    assert "cannot sign in as bsmith: no such person" in err
    # what they recorded stays theirs in the record
    monkeypatch.setenv("SSH_ORIGINAL_COMMAND", f"show {row.reference}")
    assert main(["session", "akhan"]) == 0
    assert "Bob Smith" in capsys.readouterr().out
    with open_record(isolated.paths, "live") as store:
        assert store.events(row.id)[0].actor.login == "bsmith"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('command="/bin/sh" ' + public_key(9), "options"),
        ('from="10.0.0.1" ' + public_key(9), "options"),
        ("no-pty " + public_key(9), "options"),
        ("restrict,pty " + public_key(9), "options"),
        (
            "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaA==\n-----END OPENSSH PRIVATE KEY-----",
            "PRIVATE",
        ),
        (public_key(9) + "\n" + public_key(10), "2 lines"),
        ("ssh-ed25519 not*base64", "not valid base64"),
        ("ssh-rsa " + public_key(9).split()[1], "not a ssh-rsa key"),
        ("ssh-dss AAAAB3NzaC1kc3MAAACBAP", "not an OpenSSH key type"),
        ("", "no public key"),
        (public_key(9).replace(" someone", " \x1b[31msomeone"), "control character"),
    ],
)
def test_a_key_file_that_is_not_one_plain_public_key_is_refused(
    isolated: Dirs, tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, words: str
) -> None:
    key = tmp_path / "bad.pub"
    key.write_text(text, encoding="utf-8")
    assert (
        main(["people", "add", "zed", "--name", "Zed", "--role", "staff", "--key", str(key)]) == 1
    )
    err = capsys.readouterr().err
    assert f"{key}:" in err and words in err and "Traceback" not in err
    assert not (isolated.config / "people.toml").exists()
    assert not authorized_keys(isolated).exists()


def test_a_bad_login_a_bad_name_and_another_persons_key_are_refused(
    isolated: Dirs, keys: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    add_everyone(keys, capsys)
    before = authorized_keys(isolated).read_text(encoding="utf-8")
    for login in ("Alice", "a b", "9lives", "x" * 33, "a.b"):
        assert main(
            ["people", "add", login, "--name", "X", "--role", "staff", "--key", str(keys["akhan"])]
        ) in (1, 2)
        assert "is not a login" in capsys.readouterr().err
    assert (
        main(
            [
                "people",
                "add",
                "zed",
                "--name",
                "Zed\x1b[2J",
                "--role",
                "staff",
                "--key",
                str(keys["akhan"]),
            ]
        )
        == 1
    )
    assert "--name: the name contains a control character" in capsys.readouterr().err
    assert (
        main(
            [
                "people",
                "add",
                "zed",
                "--name",
                "Zed",
                "--role",
                "staff",
                "--key",
                str(keys["akhan"]),
            ]
        )
        == 1
    )
    assert "this key is already akhan's" in capsys.readouterr().err
    assert (
        main(
            [
                "people",
                "add",
                "akhan",
                "--name",
                "Zed",
                "--role",
                "staff",
                "--key",
                str(keys["akhan"]),
            ]
        )
        == 1
    )
    assert "akhan is already in the people file" in capsys.readouterr().err
    assert main(["people", "remove", "nobody"]) == 1
    assert "nobody: no such person" in capsys.readouterr().err
    assert authorized_keys(isolated).read_text(encoding="utf-8") == before


def test_an_authorized_keys_file_with_lines_the_app_did_not_write_is_refused_unless_taken_over(
    isolated: Dirs, keys: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    keys_file = authorized_keys(isolated)
    keys_file.parent.mkdir(mode=0o700)
    keys_file.write_text("# mine\n" + public_key(50, "it@desk") + "\n", encoding="utf-8")
    add = [
        "people",
        "add",
        "akhan",
        "--name",
        "Alice",
        "--role",
        "dsl",
        "--key",
        str(keys["akhan"]),
    ]
    assert main(add) == 1
    err = capsys.readouterr().err
    assert (
        f"{keys_file}:2: this authorized_keys file holds a line incident-tui did not write" in err
    )
    assert "--take-over" in err
    assert public_key(50, "it@desk") in keys_file.read_text(encoding="utf-8")
    assert not (isolated.config / "people.toml").exists()
    assert main([*add, "--take-over"]) == 0
    text = keys_file.read_text(encoding="utf-8")
    assert public_key(50).split()[1] not in text and "session akhan" in text
    # a line added by hand to the app's own file is refused the same way
    keys_file.write_text(text + public_key(51) + "\n", encoding="utf-8")
    assert main(["people", "set-role", "akhan", "staff"]) == 1
    assert f"{keys_file}:3:" in capsys.readouterr().err


def test_the_authorized_keys_path_is_remembered_so_a_removal_revokes_where_it_was_added(
    isolated: Dirs, keys: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    elsewhere = tmp_path / "sshd" / "keys"
    add = [
        "people",
        "add",
        "akhan",
        "--name",
        "Alice",
        "--role",
        "dsl",
        "--key",
        str(keys["akhan"]),
    ]
    assert main([*add, "--authorized-keys", str(elsewhere)]) == 0
    assert "session akhan" in elsewhere.read_text(encoding="utf-8")
    assert main(["people", "remove", "akhan"]) == 0
    assert "session akhan" not in elsewhere.read_text(encoding="utf-8")
    assert not authorized_keys(isolated).exists()


def test_a_damaged_people_file_names_the_file_and_the_line(
    isolated: Dirs, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    people = isolated.config / "people.toml"
    people.parent.mkdir(parents=True)
    people.write_text(
        '[server]\n\n[[person]]\nlogin = "akhan"\nname = "A"\nrole = "dsl"\n'
        f'key = "{public_key(1)}"\n\n[[person]]\nlogin = "bsmith"\nname = "B"\n'
        f'role = "teacher"\nkey = "{public_key(2)}"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("SSH_ORIGINAL_COMMAND", "list")
    assert main(["session", "akhan"]) == 1
    err = capsys.readouterr().err
    assert f"{people}:9: person 2 (bsmith): role:" in err and "Traceback" not in err
    people.write_text("[[person]\n", encoding="utf-8")
    assert main(["people", "list"]) == 1
    err = capsys.readouterr().err
    assert f"{people}: not valid TOML" in err and "line 1" in err


# --- one command over SSH, by role -----------------------------------------------------------


@pytest.fixture
def server(
    isolated: Dirs, keys: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> dict[str, str]:
    """Everyone added; Bob and Cara (staff) have each started an incident."""
    add_everyone(keys, capsys)
    refs = {}
    with open_record(isolated.paths, "live", write=True) as store:
        for login, name in (("bsmith", "Bob Smith"), ("cjones", "Cara Jones")):
            actor = Person(login, name, Role.staff).actor()
            refs[login] = store.new_incident(
                flow=FLOW, actor=actor, details={"pupil": login}
            ).reference
    return refs


def isolated_paths() -> locations.Paths:
    return locations.Paths.from_environment()


def ssh(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], login: str, command: str
) -> tuple[int, str, str]:
    monkeypatch.setenv("SSH_ORIGINAL_COMMAND", command)
    code = main(["session", login])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_staff_list_and_read_only_their_own_incidents(
    server: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = ssh(monkeypatch, capsys, "bsmith", "list --json")
    assert code == 0
    assert [row["reference"] for row in json.loads(out)] == [server["bsmith"]]
    code, out, _ = ssh(monkeypatch, capsys, "bsmith", f"show {server['bsmith']}")
    assert code == 0 and server["bsmith"] in out
    code, out, err = ssh(monkeypatch, capsys, "bsmith", f"show {server['cjones']}")
    assert code == 3 and server["cjones"] not in out
    assert f"Bob Smith (member of staff, bsmith) cannot read incident {server['cjones']}" in err


@pytest.mark.parametrize(
    "command",
    [
        "bash",
        "sh -c id",
        "people list",
        "people add x --name X --role dsl --key /tmp/k",
        "session akhan",
        "config show",
        "--data-dir /tmp list",
        "--config-dir /tmp/other list",
        "run search-confiscation --answers /etc/passwd",
        "export --all -o /tmp/all",
        "checkpoint -o /tmp/cp",
        "verify",
        "review",
        "list --training",
        "'unclosed",
    ],
)
def test_staff_over_ssh_anything_else_is_refused_with_a_message(
    server: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: str,
) -> None:
    code, out, err = ssh(monkeypatch, capsys, "bsmith", command)
    assert code == 3 and out == ""
    assert err.startswith("incident-tui: refused: ") and "Traceback" not in err


def test_the_dsl_reads_and_checks_everything(
    server: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = ssh(monkeypatch, capsys, "akhan", "list --json")
    assert code == 0 and {r["reference"] for r in json.loads(out)} == set(server.values())
    code, out, _ = ssh(monkeypatch, capsys, "akhan", f"show {server['cjones']}")
    assert code == 0 and "Cara Jones" in out
    code, out, _ = ssh(monkeypatch, capsys, "akhan", "verify --json")
    assert code == 0 and json.loads(out)["incidents"] == 2
    code, _, err = ssh(monkeypatch, capsys, "akhan", "people list")
    assert code == 3 and "that is for administrator" in err


def test_the_head_reads_incidents_but_does_not_check_or_export(
    server: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = ssh(monkeypatch, capsys, "dhead", f"show {server['bsmith']}")
    assert code == 0 and "Bob Smith" in out
    code, out, _ = ssh(monkeypatch, capsys, "dhead", "list --json")
    assert code == 0 and len(json.loads(out)) == 2
    assert ssh(monkeypatch, capsys, "dhead", "verify")[0] == 3


def test_a_trainer_never_reads_the_live_record(
    server: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = ssh(monkeypatch, capsys, "etrain", "list --json")
    assert code == 3 and out == "" and "cannot read the live record" in err
    assert ssh(monkeypatch, capsys, "etrain", f"show {server['bsmith']}")[0] == 3
    with open_record(isolated_paths(), "training", write=True) as store:
        actor = Person("bsmith", "Bob Smith", Role.staff).actor()
        attempt = store.new_incident(flow=FLOW, actor=actor, details={"pupil": ""}).reference
    code, out, _ = ssh(monkeypatch, capsys, "etrain", "list --training --json")
    assert code == 0 and [row["reference"] for row in json.loads(out)] == [attempt]
    code, out, _ = ssh(monkeypatch, capsys, "etrain", f"show --training {attempt}")
    assert code == 0 and "Bob Smith" in out
    assert ssh(monkeypatch, capsys, "bsmith", f"show --training {attempt}")[0] == 3
    assert ssh(monkeypatch, capsys, "etrain", "train --results")[0] == 0


def test_an_administrator_sees_people_and_settings_never_incidents(
    server: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = ssh(monkeypatch, capsys, "fadmin", "people list")
    assert code == 0 and "akhan" in out and "Alice Khan" in out
    assert ssh(monkeypatch, capsys, "fadmin", "config show")[0] == 0
    assert ssh(monkeypatch, capsys, "fadmin", "config school 'St Example'")[0] == 0
    assert "St Example" in (Path(os.environ["INCIDENT_TUI_CONFIG_DIR"]) / "config.toml").read_text()
    assert ssh(monkeypatch, capsys, "fadmin", "config init --force")[0] == 3
    code, out, err = ssh(monkeypatch, capsys, "fadmin", "list")
    assert code == 3 and server["bsmith"] not in out
    assert ssh(monkeypatch, capsys, "fadmin", f"show {server['bsmith']}")[0] == 3
    code, _, err = ssh(monkeypatch, capsys, "fadmin", "people remove akhan")
    assert code == 3 and "changes are made on the server" in err
    code, _, err = ssh(monkeypatch, capsys, "fadmin", "")
    assert code == 1 and "needs a terminal" in err


def test_on_a_server_a_typed_name_is_refused(
    server: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = tmp_path / "answers.json"
    answers.write_text('{"actor": "Alice Khan", "answers": []}', encoding="utf-8")
    assert (
        main(["run", "search-confiscation", "--answers", str(answers), "--actor", "Alice Khan"])
        == 1
    )
    assert "a typed name is refused" in capsys.readouterr().err
    assert main(["run", "search-confiscation", "--answers", str(answers)]) == 3
    assert "only for a signed-in person" in capsys.readouterr().err
    assert main(["review"]) == 3
    assert "only for a signed-in person" in capsys.readouterr().err


def test_an_unknown_login_starts_nothing(
    server: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for login in ("mallory", "Bob Smith", "../akhan"):
        code, out, err = ssh(monkeypatch, capsys, login, "list")
        assert code == 1 and out == "" and "cannot sign in" in err


def test_a_pupils_chronology_is_for_the_dsl_and_the_head_and_never_written_on_the_server(
    server: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    assert ssh(monkeypatch, capsys, "bsmith", "pupil bsmith")[0] == 3
    code, out, _ = ssh(monkeypatch, capsys, "akhan", "pupil bsmith")
    assert code == 0 and server["bsmith"] in out
    assert ssh(monkeypatch, capsys, "dhead", "pupil bsmith")[0] == 0
    written = tmp_path / "out.md"
    code, _, err = ssh(monkeypatch, capsys, "akhan", f"pupil bsmith -o {written}")
    assert code == 3 and "writes a file on the server" in err and not written.exists()
    correct = f"pupil bsmith --correct {server['bsmith']} --to B-1 --reason typo"
    code, _, err = ssh(monkeypatch, capsys, "dhead", correct)
    assert code == 3 and "cannot record review decisions" in err
    code, _, err = ssh(monkeypatch, capsys, "akhan", f"{correct} --actor 'Someone Else'")
    assert code == 1 and "a typed name is refused" in err
    code, out, err = ssh(monkeypatch, capsys, "akhan", correct)
    assert code == 0, err
    with open_record(isolated_paths(), "live") as store:
        row = store.row(server["bsmith"])
        assert store.events(row.id)[-1].actor.login == "akhan"


# --- exports over ssh: to standard output, the DSL's only, each one in the access log -----


def _access_log(isolated: Dirs, reference: str) -> list[tuple[str | None, str]]:
    from incident_tui.record.access import find_incident
    from incident_tui.record.viewings import viewings

    with open_record(isolated.paths, "live") as store:
        row = find_incident(store, reference)
        found, problem = viewings(store.root, row.id)
    assert problem is None
    return [(v.viewer.login if v.viewer else None, v.via) for v in found]


@pytest.mark.parametrize("fmt", ["md", "json"])
def test_the_dsl_exports_over_ssh_to_standard_output_and_it_is_logged(
    server: dict[str, str],
    isolated: Dirs,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fmt: str,
) -> None:
    ref = server["cjones"]
    code, out, err = ssh(monkeypatch, capsys, "akhan", f"export {ref} --format {fmt}")
    assert code == 0, err
    if fmt == "json":
        document = json.loads(out)
        assert any("login akhan · via an export" in line for line in document["viewed_by"])
    else:
        assert out.startswith(f"# Incident {ref}") and "## Viewed by" in out
        assert "Alice Khan (DSL), login akhan · via an export" in out
    assert _access_log(isolated, ref) == [("akhan", "an export")]
    assert not list(Path.cwd().glob("incident-*"))  # nothing written on the server


def test_the_dsl_s_pdf_over_ssh_says_who_printed_it(
    server: dict[str, str],
    isolated: Dirs,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import io

    import pypdf

    class Piped(io.TextIOWrapper):
        def isatty(self) -> bool:
            return False

    piped = Piped(io.BytesIO(), encoding="utf-8")
    monkeypatch.setattr(sys, "stdout", piped)
    ref = server["bsmith"]
    code, _, err = ssh(
        monkeypatch, capsys, "akhan", f"export {ref} --format pdf --printed-by 'Someone Else'"
    )
    assert code == 0, err
    data = piped.buffer.getvalue()  # type: ignore[attr-defined]
    assert data.startswith(b"%PDF")
    text = pypdf.PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert "Printed by Alice Khan (DSL)" in text and "Someone Else" not in text
    assert _access_log(isolated, ref) == [("akhan", "a PDF export")]


@pytest.mark.parametrize("login", ["bsmith", "dhead", "etrain", "fadmin"])
def test_no_one_but_the_dsl_exports_over_ssh(
    server: dict[str, str],
    isolated: Dirs,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    login: str,
) -> None:
    ref = server["bsmith"]  # Bob's own incident: staff still never export
    code, out, err = ssh(monkeypatch, capsys, login, f"export {ref} --format md")
    assert code == 3 and out == ""
    assert err.startswith("incident-tui: refused: ") and "Traceback" not in err
    assert _access_log(isolated, ref) == []


@pytest.mark.parametrize(
    "command",
    [
        "export REF --format md -o /tmp/x.md",
        "export REF --format md --output=/tmp/x.md",
        "export REF --format md -o/tmp/x.md",
        "export --all --format json",
        "export REF --format md --force",
    ],
)
def test_over_ssh_an_export_never_writes_a_file_on_the_server(
    server: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: str,
) -> None:
    code, out, err = ssh(monkeypatch, capsys, "akhan", command.replace("REF", server["bsmith"]))
    assert code == 3 and out == ""
    assert "never to a file on the server" in err


def test_an_export_over_ssh_needs_its_format_and_a_pdf_never_goes_to_a_terminal(
    server: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = ssh(monkeypatch, capsys, "akhan", f"export {server['bsmith']}")
    assert code == 2 and out == "" and "give --format" in err
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    code, out, err = ssh(monkeypatch, capsys, "akhan", f"export {server['bsmith']} --format pdf")
    assert code == 2 and "not for the terminal" in err


def test_over_ssh_o_dash_is_standard_output_for_an_export_and_still_refused_for_pupil(
    server: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    ref = server["bsmith"]
    code, out, err = ssh(monkeypatch, capsys, "akhan", f"export {ref} --format md -o -")
    assert code == 0, err
    assert out.startswith(f"# Incident {ref}")
    code, out, err = ssh(monkeypatch, capsys, "akhan", "pupil bsmith -o -")
    assert code == 3 and "writes a file on the server" in err


def test_over_ssh_staff_note_their_own_incident_as_themselves_never_anothers(
    server: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    mine, theirs = server["bsmith"], server["cjones"]
    code, out, _ = ssh(monkeypatch, capsys, "bsmith", f"note {mine} 'Pupil asked to see me again'")
    assert code == 0 and f"Recorded: a note on incident {mine}" in out
    code, out, err = ssh(monkeypatch, capsys, "bsmith", f"note {theirs} 'A note'")
    assert code == 3
    assert f"Bob Smith (member of staff, bsmith) cannot add a note to incident {theirs}" in err
    code, _, err = ssh(monkeypatch, capsys, "bsmith", f"note {mine} 'x' --actor 'Alice Khan'")
    assert code != 0 and "a typed name is refused" in err
    code, _, err = ssh(monkeypatch, capsys, "dhead", f"note {mine} 'A note'")
    assert code == 3 and "cannot run 'note'" in err
    code, out, _ = ssh(monkeypatch, capsys, "akhan", f"note {theirs} 'Spoke to the pupil'")
    assert code == 0  # the DSL notes any incident
    with open_record(isolated_paths(), "live") as store:
        notes = [
            (e.actor.login, e.answer)
            for ref in (mine, theirs)
            for e in store.events(store.row(ref).id)
            if e.kind.value == "note"
        ]
    assert notes == [("bsmith", "Pupil asked to see me again"), ("akhan", "Spoke to the pupil")]
