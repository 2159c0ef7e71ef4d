"""A real OpenSSH server on 127.0.0.1: two people added with `people add`, each
reaching the app only through their forced command.

sshd runs on a free high port with its own config, host key and authorized_keys
(the one `people add --authorized-keys` writes), and is stopped afterwards
whatever happens. StrictModes is off only because the test's files live under
/tmp, which others may write to; the app's own files are 0600 in 0700 folders.
"""

from __future__ import annotations

import getpass
import json
import os
import shlex
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from incident_tui import locations
from incident_tui.flow.available import get_flow
from incident_tui.flow.engine import Session
from incident_tui.record.access import open_record
from incident_tui.record.events import FlowRef
from incident_tui.settings import Settings, fill, settings_toml
from tests.test_e2e_tmux import Tmux
from tests.tools import require_tool
from tests.tui_helpers import SET_UP

pytestmark = [
    require_tool("sshd"),
    require_tool("ssh"),
    require_tool("ssh-keygen"),
    require_tool("tmux"),
]

COMMAND = Path(sys.executable).parent / "incident-tui"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until(check: Callable[[], bool], what: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"{what} did not happen within {timeout} s")


def listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


@dataclass
class Server:
    root: Path
    port: int
    user: str
    paths: locations.Paths

    def ssh_args(self, login: str, *options: str) -> list[str]:
        return [
            "ssh",
            "-F",
            "/dev/null",
            "-i",
            str(self.root / login),
            "-o",
            "IdentitiesOnly=yes",
            "-o",
            "BatchMode=yes",
            "-o",
            "StrictHostKeyChecking=no",
            "-o",
            f"UserKnownHostsFile={self.root / 'known_hosts'}",
            "-o",
            "LogLevel=ERROR",
            "-p",
            str(self.port),
            *options,
            f"{self.user}@127.0.0.1",
        ]

    def run(self, login: str, *command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*self.ssh_args(login), *command], capture_output=True, text=True, timeout=60
        )


def incident_tui(paths: locations.Paths, *args: str) -> None:
    subprocess.run(
        [str(COMMAND), "--data-dir", str(paths.data), "--config-dir", str(paths.config), *args],
        check=True,
        capture_output=True,
        text=True,
    )


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    root = tmp_path / "sshd"
    root.mkdir(mode=0o700)
    paths = locations.Paths(data=tmp_path / "data", config=tmp_path / "config")
    locations.ensure_private_dir(paths.config)
    paths.config_file.write_text(settings_toml(SET_UP), encoding="utf-8")
    keygen = ["ssh-keygen", "-q", "-t", "ed25519", "-N", ""]
    subprocess.run([*keygen, "-f", str(root / "host_key")], check=True)
    for login, name, role in (("bsmith", "Bob Smith", "staff"), ("akhan", "Alice Khan", "dsl")):
        subprocess.run([*keygen, "-C", f"{login}@laptop", "-f", str(root / login)], check=True)
        incident_tui(
            paths,
            "people",
            "add",
            login,
            "--name",
            name,
            "--role",
            role,
            "--key",
            str(root / f"{login}.pub"),
            "--authorized-keys",
            str(root / "authorized_keys"),
        )
    port = free_port()
    user = getpass.getuser()
    (root / "sshd_config").write_text(
        "\n".join(
            [
                f"Port {port}",
                "ListenAddress 127.0.0.1",
                f"HostKey {root / 'host_key'}",
                f"PidFile {root / 'sshd.pid'}",
                f"AuthorizedKeysFile {root / 'authorized_keys'}",
                "StrictModes no",
                "PubkeyAuthentication yes",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "PermitRootLogin prohibit-password",
                "UsePAM no",
                f"AllowUsers {user}",
                "Subsystem sftp internal-sftp",  # as on a real server: the forced command wins
                "LogLevel VERBOSE",
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    if os.geteuid() == 0:
        os.makedirs("/run/sshd", mode=0o755, exist_ok=True)  # sshd's privilege separation
    sshd = shutil.which("sshd")
    assert sshd is not None
    log = (root / "sshd.log").open("w")
    process = subprocess.Popen(
        [sshd, "-D", "-e", "-f", str(root / "sshd_config")], stdout=log, stderr=log
    )
    try:
        wait_until(lambda: listening(port) or process.poll() is not None, "sshd listening")
        assert process.poll() is None, (root / "sshd.log").read_text()
        yield Server(root, port, user, paths)
    finally:
        stop(process)
        log.close()


def stop(process: subprocess.Popen[bytes]) -> None:
    """Ask a process to end; kill it if it has not within 10 s."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def start_in_tmux(server: Server, login: str, tmux: Tmux, *, stop: bool = True) -> str:
    """The person's session in tmux: the app, signed in; a new incident started (of
    the first procedure, nudes-sharing); the session stopped unless `stop` is False."""
    tmux.start(shlex.join([*server.ssh_args(login, "-t")]))
    tmux.wait_for("Signed in:", timeout=30)
    tmux.keys("Enter")  # the first procedure
    tmux.wait_for("Signed in as")
    tmux.text("AB")
    tmux.keys("Enter")
    tmux.text("Room 4")
    tmux.keys("Enter")
    tmux.wait_for("answered")
    screen = tmux.screen()
    if stop:
        tmux.stop()
    return screen


def awaiting(server: Server) -> list[dict[str, object]]:
    """`list --awaiting --json`, over ssh, as the DSL."""
    listed = server.run("akhan", "list", "--awaiting", "--json")
    assert listed.returncode == 0, listed.stderr
    rows: list[dict[str, object]] = json.loads(listed.stdout)
    return rows


def new_incident_as(server: Server, login: str) -> str:
    """An incident opened by `login` directly in the record (no screen needed)."""
    from incident_tui.people import signed_in

    person = signed_in(server.paths.config, login)
    loaded = get_flow("nudes-sharing")
    ref = FlowRef(id=loaded.flow.id, version=loaded.flow.version, hash=loaded.content_hash)
    with open_record(server.paths, "live", write=True) as store:
        return store.new_incident(flow=ref, actor=person.actor(), details={"pupil": "CD"}).reference


def opened_by(server: Server) -> dict[str, str]:
    """Each incident's reference and the login of whoever opened it."""
    with open_record(server.paths, "live") as store:
        return {row.reference: str(store.events(row.id)[0].actor.login) for row in store.rows()}


def test_each_person_reaches_only_the_app_as_themselves(server: Server) -> None:
    listed = server.run("bsmith", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout) == []

    tmux = Tmux("incident-tui-sshd")
    try:
        screen = start_in_tmux(server, "bsmith", tmux)
        assert "LIVE" in screen and "0 answered" in screen
        start_in_tmux(server, "akhan", tmux)
    finally:
        tmux.stop()
    owners = opened_by(server)
    assert sorted(owners.values()) == ["akhan", "bsmith"]
    bobs = next(ref for ref, login in owners.items() if login == "bsmith")
    alices = next(ref for ref, login in owners.items() if login == "akhan")

    # the staff member lists and reads only their own
    listed = server.run("bsmith", "list", "--json")
    assert [row["reference"] for row in json.loads(listed.stdout)] == [bobs]
    shown = server.run("bsmith", "show", bobs)
    assert shown.returncode == 0 and "Bob Smith" in shown.stdout
    refused = server.run("bsmith", "show", alices)
    assert refused.returncode == 3 and alices not in refused.stdout
    assert "cannot read incident" in refused.stderr
    # and notes their own, as themselves, never another's
    noted = server.run("bsmith", "note", bobs, "'Pupil came back to see me at 3pm'")
    assert noted.returncode == 0 and f"a note on incident {bobs}" in noted.stdout, noted.stderr
    refused = server.run("bsmith", "note", alices, "'A note'")
    assert refused.returncode == 3 and "cannot add a note to incident" in refused.stderr
    with open_record(server.paths, "live") as store:
        note = store.events(store.row(bobs).id)[-1]
        assert (note.actor.login, note.answer) == ("bsmith", "Pupil came back to see me at 3pm")
        assert [e.kind.value for e in store.events(store.row(alices).id)][-1] != "note"

    # the DSL reads every one
    listed = server.run("akhan", "list", "--json")
    assert {row["reference"] for row in json.loads(listed.stdout)} == {bobs, alices}


def test_a_shell_another_command_file_copying_and_port_forwarding_are_refused(
    server: Server,
) -> None:
    for command in (["bash"], ["sh", "-c", "id"], ["people", "list"], [" --data-dir / list"]):
        result = server.run("bsmith", *command)
        assert result.returncode == 3, (command, result.stdout, result.stderr)
        assert "refused" in result.stderr and "uid=" not in result.stdout

    # scp and sftp: the files (the record, the people file) cannot be copied out
    copied = server.root / "copied.toml"
    scp = server.ssh_args("bsmith")
    scp[0] = "scp"
    scp[scp.index("-p")] = "-P"
    target = scp.pop()
    scp += ["-O", f"{target}:{server.paths.config / 'people.toml'}", str(copied)]
    result = subprocess.run(scp, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and not copied.exists()
    sftp = [*server.ssh_args("bsmith", "-s"), "sftp"]
    result = subprocess.run(sftp, capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
    assert result.returncode == 3  # refused: SSH_ORIGINAL_COMMAND is "sftp"

    # -W: a forwarded connection straight to a port, refused by `restrict`
    result = subprocess.run(
        [*server.ssh_args("bsmith", "-W", f"127.0.0.1:{server.port}")],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode != 0 and "SSH-2.0" not in result.stdout

    # -L: the client listens, but the server opens no channel: no banner comes back
    local = free_port()
    forward = subprocess.Popen(
        [*server.ssh_args("bsmith", "-N", "-L", f"{local}:127.0.0.1:{server.port}")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_until(lambda: listening(local) or forward.poll() is not None, "ssh -L listening")
        received = b""
        if forward.poll() is None:
            with socket.create_connection(("127.0.0.1", local), timeout=10) as conn:
                conn.settimeout(10)
                try:
                    received = conn.recv(100)
                except (TimeoutError, ConnectionResetError):
                    received = b""
        assert not received.startswith(b"SSH-")
    finally:
        stop(forward)
    log = (server.root / "sshd.log").read_text(encoding="utf-8", errors="replace")
    assert "refused local port forward" in log or "administratively prohibited" in (
        forward.stderr.read().decode(errors="replace") if forward.stderr else ""
    )


def drive_part(tmux: Tmux, session: Session, settings: Settings, part: str) -> None:
    """Answer the steps of `part` in the tmux session, keeping the model `session` in
    step: each step's prompt is waited for before its keys are pressed."""
    from tests.test_e2e_tmux import answer_keys, prompt_line

    for _ in range(80):
        if session.ended or session.part != part:
            return
        tmux.wait_for(f" {len(session.decisions)} answered ", timeout=20)
        tmux.wait_for(f"┃ {prompt_line(fill(session.current.prompt, settings))}", timeout=20)
        session.answer(answer_keys(tmux, session, {}))
    raise AssertionError(f"the {part} part did not end within 80 steps")


def test_a_member_of_staff_hands_over_and_the_dsl_takes_it_over_and_finishes_it(
    server: Server,
) -> None:
    """Issue 13's scenario, over real ssh: Bob (staff) starts a nudes-sharing incident
    and answers his part; it is handed over; Alice (DSL) sees it awaiting her at the
    top of her home screen, takes it over and finishes it. The record's actors are the
    two logins; Bob cannot read or continue it afterwards, nor get a shell."""
    started = time.monotonic()
    loaded = get_flow("nudes-sharing")
    settings = SET_UP.with_defaults(loaded.flow.contacts)
    session = Session(loaded.flow)
    tmux = Tmux("incident-tui-sshd-handover")
    try:
        start_in_tmux(server, "bsmith", tmux, stop=False)
        drive_part(tmux, session, settings, "staff")
        assert session.part == "dsl"
        screen = tmux.wait_for("Your part is done", timeout=20)
        assert "The DSL has been told" in screen and "Handed over to" in screen
        tmux.stop()
        [row] = awaiting(server)
        reference = row["reference"]

        tmux.start(shlex.join(server.ssh_args("akhan", "-t")))
        screen = tmux.wait_for("AWAITING THE DSL", timeout=30)
        assert reference in screen and "handed over by Bob Smith" in screen
        tmux.keys("Enter")  # the awaiting list has the focus: take it over
        screen = tmux.wait_for(f"Take over incident {reference}")
        assert "Taken over as Alice Khan" in screen
        tmux.keys("Enter")
        drive_part(tmux, session, settings, "dsl")
        assert session.ended, "the DSL's part should end the procedure (a referral)"
        tmux.wait_for("Tab to 'Seal the record'", timeout=20)
        tmux.keys("Tab")
        tmux.wait_for("Seal the record ")
        tmux.keys("Enter")
        tmux.wait_for("Seal code:", timeout=20)
    finally:
        tmux.stop()

    with open_record(server.paths, "live") as store:
        row_ = next(r for r in store.rows() if r.reference == reference)
        events = store.events(row_.id)
    logins = {event.actor.login for event in events}
    assert logins == {"bsmith", "akhan"}
    kinds = [event.kind for event in events]
    assert "handover" in kinds and "takeover" in kinds and "sealed" in kinds
    handed = kinds.index("handover")
    assert {e.actor.login for e in events[: handed + 1]} == {"bsmith"}
    assert {e.actor.login for e in events[kinds.index("takeover") :]} == {"akhan"}
    assert server.run("akhan", "verify").returncode == 0

    # Bob: his part is done; a shell and someone else's incident are refused
    assert server.run("bsmith", "bash").returncode == 3
    alices = new_incident_as(server, "akhan")
    refused = server.run("bsmith", "show", alices)
    assert refused.returncode == 3 and "cannot read incident" in refused.stderr
    assert time.monotonic() - started < 90
