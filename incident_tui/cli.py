"""The one entry point, `incident-tui`, and its sub-commands.

Each sub-command lives in `incident_tui/commands/` and registers itself here;
heavy imports (Textual, the store) happen inside the handlers, so `--help`
and the plain commands start fast.
"""

from __future__ import annotations

import argparse
import atexit
import os
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from incident_tui import __version__, locations
from incident_tui.commands import app_cmd, command_modules
from incident_tui.errors import UserError
from incident_tui.safe_text import printable
from incident_tui.startup import pause_collector, resume_collector


def build_parser(*, commands: bool = True) -> argparse.ArgumentParser:
    """The command line; without `commands`, its top-level options only (no help)."""
    parser = argparse.ArgumentParser(
        prog="incident-tui",
        add_help=commands,
        exit_on_error=commands,
        description=(
            "Step-by-step safeguarding procedures for schools in England "
            "(sharing nudes and semi-nudes; searching, screening and confiscation), "
            "with a tamper-evident record of every decision. "
            "With no command, opens the app."
        ),
    )
    parser.add_argument("--version", action="version", version=f"incident-tui {__version__}")
    parser.add_argument(
        "--data-dir",
        type=Path,
        help=f"where the record is kept (default: platform data dir; env {locations.DATA_ENV})",
    )
    parser.add_argument(
        "--config-dir",
        type=Path,
        help=f"where settings, the record key and local flows live (env {locations.CONFIG_ENV})",
    )
    app_cmd.add_app_options(parser, top_level=True)
    if not commands:
        return parser
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in command_modules():
        module.register(sub)
    return parser


def _report_crash(exc: BaseException) -> str:
    """Keep the traceback for the developers; the user gets one plain line."""
    import traceback  # here: a crash is the only use
    from datetime import UTC, datetime

    try:
        log_dir = locations.ensure_private_dir(locations.log_dir())
        log_file = log_dir / "crash.log"
        fd = os.open(log_file, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o600)
        os.fchmod(fd, 0o600)  # a traceback may quote the record: owner only
        with os.fdopen(fd, "a", encoding="utf-8") as fh:
            fh.write(f"--- {datetime.now(UTC).isoformat()} incident-tui {__version__}\n")
            fh.write("".join(traceback.format_exception(exc)))
        where = f"details written to {log_file}"
    except OSError:
        where = "the details could not be written to the log"
    return printable(f"incident-tui: unexpected error ({type(exc).__name__}: {exc}); {where}")


_prints_only = False
"""Whether the command run by `main` only printed (`prints_only` in its defaults)."""


def run() -> NoReturn:
    """The installed command and `python -m incident_tui`: `main`, then out.

    A command that only prints (`list`: every file it writes, it writes whole and
    closes) ends the process at once once its output is flushed, if nothing else is
    left to finish (no other thread, no exit handler): tearing every module down
    and collecting them one last time cost `list --json` a sixth of its time. Under a
    profiler or a tracer (cProfile, coverage), it exits as ever, for them to report."""
    code = main()
    quiet = sys.getprofile() is None and sys.gettrace() is None
    if _prints_only and quiet and threading.active_count() == 1 and not atexit._ncallbacks():
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except (OSError, ValueError):
            pass  # Python's own exit reports it, as ever
        else:
            os._exit(code)
    sys.exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    pause_collector()  # the app resumes it once its first screen is drawn
    try:
        return _main(argv)
    finally:
        resume_collector()


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line read as the full parser reads it. Words that are only top-level
    options (opening the app) are read by those options alone: building every
    sub-command's parser cost the app's start ~6 ms. Anything else (a command, help, a
    word or an error the options alone do not take) goes to the full parser, as ever."""
    words = sys.argv[1:] if argv is None else list(argv)
    try:
        args, rest = build_parser(commands=False).parse_known_args(words)
    except argparse.ArgumentError:
        rest = ["the full parser says what is wrong"]
    if not rest:
        args.command = None
        return args
    return build_parser().parse_args(words)


def _main(argv: Sequence[str] | None) -> int:
    args = parse_args(argv)
    args.locations = locations.Paths.from_environment(args.data_dir, args.config_dir)
    args.person = None  # one computer; `session LOGIN` runs a command for a signed-in person
    global _prints_only
    _prints_only = bool(getattr(args, "prints_only", False))
    if getattr(args, "global_training", False) and hasattr(args, "training"):
        args.training = True
    handler = getattr(args, "handler", None)
    if handler is None:
        handler = app_cmd.open_app
    if handler is not app_cmd.open_app and not getattr(args, "opens_app", False):
        resume_collector()  # only an app's start is worth it: it resumes at its first frame
    try:
        return int(handler(args) or 0)
    except UserError as exc:
        # A message may quote the user's input or the record: never raw to the terminal.
        print(f"incident-tui: {printable(exc.message)}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:
        # The reader went away (e.g. `| head`): not an error worth a message.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("incident-tui: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # the last line of defence: never a traceback to a user
        print(_report_crash(exc), file=sys.stderr)
        return 70
