"""`incident-tui review`: the DSL's review screens on their own; and exporting
every incident for a school's own archive.

The review screens only read the record; a decision is appended through a
writable store opened for that one append, so the list can stay open beside
a copy that is recording a live incident.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from incident_tui import locations
from incident_tui.errors import UserError

if TYPE_CHECKING:
    from incident_tui.record.store import Store
    from incident_tui.settings import Settings


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "review",
        help="the DSL's review: every incident, its chronology, decisions and export",
    )
    parser.add_argument(
        "--training", action="store_true", help="review the training record, not the live one"
    )
    parser.set_defaults(handler=open_review)


def _settings() -> Settings:
    from incident_tui.settings import load_settings

    return load_settings(locations.config_file())


def _key() -> bytes:
    from incident_tui.record.keys import load_or_create_key

    return load_or_create_key(locations.key_file())


def _readonly_store(training: bool, key: bytes) -> Store:
    from incident_tui.record.store import Store

    root = locations.store_dir(training=training)
    if not root.exists():
        hint = "" if training else " (training incidents are reviewed with --training)"
        raise UserError(f"no incidents recorded in {root}{hint}")
    return Store.open(root, key=key, mode="training" if training else "live", readonly=True)


def review_app(store: Store, settings: Settings, key: bytes):  # -> App[None]
    """A minimal App that hosts the review screens (also used by the tests)."""
    import os

    from textual.app import App
    from textual.binding import Binding

    from incident_tui.tui.review import ReviewScreen

    class ReviewApp(App[None]):
        TITLE = "incident-tui review"
        BINDINGS = [Binding("ctrl+q", "quit", "Quit", id="quit")]

        def on_mount(self) -> None:
            if os.environ.get("NO_COLOR"):
                self.theme = "ansi-dark"
            self.push_screen(ReviewScreen(store, settings, key))

    return ReviewApp()


def open_review(args: argparse.Namespace) -> int:
    settings = _settings()
    key = _key()
    store = _readonly_store(args.training, key)
    review_app(store, settings, key).run()
    return 0


# --- export --all -------------------------------------------------------------


def export_all(
    root: Path, key: bytes, mode: str, out_dir: Path, fmt: str, school: str
) -> tuple[int, list[str]]:
    """Every incident in `root` to its own file in `out_dir` (created 0700).

    Returns (files written, references of damaged incidents). A damaged incident is
    exported with its damage stated; it never stops the others. JSON files re-check
    with the hash rule they carry (`read_json_export` then `verify_events`); a
    `manifest.json` lists every file with its head hash.
    """
    from incident_tui.record.export import render_export, suffix_of, write_private_file
    from incident_tui.record.store import Store
    from incident_tui.record.verify import verify_store

    suffix = suffix_of(fmt)  # refuses an unknown format before anything is written
    if not root.exists():
        raise UserError(f"no incidents recorded in {root}")
    if out_dir.exists() and any(out_dir.iterdir()):
        raise UserError(f"{out_dir} is not empty: export into a new or empty folder")
    try:
        out_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise UserError(f"{out_dir}: cannot create the folder: {exc.strerror}") from None
    store = Store.open(root, key=key, mode=mode, readonly=True)  # type: ignore[arg-type]
    report = verify_store(root, key)
    damaged: list[str] = []
    manifest = []
    for row in store.rows():
        findings = report.damaged(row.id)
        try:
            events = store.events(row.id)
        except UserError:
            events = []
        if findings:
            damaged.append(row.reference)
        name = f"incident-{row.reference}{suffix}"
        data = render_export(fmt, row, events, findings, school)
        write_private_file(out_dir / name, data, replace=False)
        manifest.append(
            {
                "file": name,
                "reference": row.reference,
                "id": row.id,
                "event_count": row.event_count,
                "head_hash": row.head_hash,
                "intact": not findings,
            }
        )
    others = [f for f in report.findings if f.incident not in {m["id"] for m in manifest}]
    summary = {
        "mode": mode,
        "incidents": len(manifest),
        "files": manifest,
        "problems_outside_the_list": [
            {"incident": f.incident, "kind": f.kind, "message": f.message} for f in others
        ],
    }
    write_private_file(
        out_dir / "manifest.json",
        (json.dumps(summary, indent=2, ensure_ascii=False) + "\n").encode("utf-8"),
        replace=False,
    )
    return len(manifest), damaged


def export_all_command(args: argparse.Namespace) -> int:
    """Handler for `incident-tui export --all --format FMT -o DIR`."""
    fmt = args.format or "json"
    training = bool(getattr(args, "training", False))
    count, damaged = export_all(
        locations.store_dir(training=training),
        _key(),
        "training" if training else "live",
        args.output,
        fmt,
        _settings().school.name,
    )
    print(f"Wrote {count} incident(s) as {fmt} to {args.output} (with manifest.json)")
    if damaged:
        print(
            f"incident-tui: warning: {len(damaged)} damaged incident(s), exported with the "
            f"damage stated: {', '.join(damaged)}",
            file=sys.stderr,
        )
    return 0
