"""Every incident of one store exported to a folder, for a school's own archive.

`incident-tui export --all --format json|md|pdf -o DIR` writes one file per
incident (each through the same dispatch as a single export) and a
`manifest.json` listing every file with its head hash and whether it was
intact. A damaged incident is exported with its damage stated; it never stops
the others. Nothing is written over: the folder must be new or empty.

Plain Python: nothing here imports Textual.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from incident_tui.errors import UserError
from incident_tui.files import write_private_file
from incident_tui.record.export import Printing, render_export, suffix_of

if TYPE_CHECKING:
    from incident_tui.record.chronology import ReviewLabels
    from incident_tui.record.store import IndexRow, Store

MANIFEST = "manifest.json"


def export_all(
    store: Store,
    out_dir: Path,
    fmt: str,
    school: str,
    labels: ReviewLabels | None = None,
    printing: Callable[[IndexRow], Printing] | None = None,
) -> tuple[int, list[str]]:
    """Every incident in `store` to its own file in `out_dir` (created 0700).

    Returns (files written, references of damaged incidents). JSON files re-check
    with the hash rule they carry (`read_json_export` then `verify_events`).
    """
    from incident_tui.record.verify import verify_store

    suffix = suffix_of(fmt)  # refuses an unknown format before anything is written
    root, out_dir, mode = store.root, Path(out_dir), store.mode
    if not root.exists():
        raise UserError(f"no incidents recorded in {root}")
    _prepare(out_dir)
    damaged: list[str] = []
    manifest: list[dict[str, Any]] = []
    report = verify_store(root, store.key)
    for row in store.rows():
        findings = report.damaged(row.id)
        try:
            events = store.events(row.id)
        except UserError:
            events = []  # the findings say why; the export states it
        if findings:
            damaged.append(row.reference)
        name = f"incident-{row.reference}{suffix}"
        extra = printing(row) if printing is not None else None
        data = render_export(fmt, row, events, findings, school, labels, extra)
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
    listed = {entry["id"] for entry in manifest}
    others = [f for f in report.damage() if f.incident not in listed]
    summary = {
        "mode": mode,
        "format": fmt,
        "incidents": len(manifest),
        "files": manifest,
        "problems_outside_the_list": [
            {"incident": f.incident, "kind": f.kind, "message": f.message} for f in others
        ],
    }
    write_private_file(
        out_dir / MANIFEST,
        (json.dumps(summary, indent=2, ensure_ascii=False) + "\n").encode("utf-8"),
        replace=False,
    )
    return len(manifest), damaged


def _prepare(out_dir: Path) -> None:
    """A new or empty folder, readable by its owner only."""
    if out_dir.exists() and not out_dir.is_dir():
        raise UserError(f"{out_dir} is a file: with --all, -o names a new or empty folder")
    try:
        if out_dir.exists() and any(out_dir.iterdir()):
            raise UserError(f"{out_dir} is not empty: export into a new or empty folder")
        out_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise UserError(f"{out_dir}: cannot create the folder: {exc.strerror or exc}") from None


__all__ = ["MANIFEST", "export_all"]
