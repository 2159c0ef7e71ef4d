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
from incident_tui.record.access import open_record
from incident_tui.settings import settings_toml
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
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def start_in_tmux(server: Server, login: str, tmux: Tmux) -> str:
    """The person's session in tmux: the app, signed in; a new incident started."""
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
    tmux.stop()
    return screen


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
        forward.terminate()
        forward.wait(timeout=10)
    log = (server.root / "sshd.log").read_text(encoding="utf-8", errors="replace")
    assert "refused local port forward" in log or "administratively prohibited" in (
        forward.stderr.read().decode(errors="replace") if forward.stderr else ""
    )
