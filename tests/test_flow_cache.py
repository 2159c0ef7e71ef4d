"""Flows already checked are not read and linted again, but only for identical bytes:
a flow file or fragment changed after it passed is linted again and its problem
shown; a damaged, foreign or exposed cache entry is ignored, never an error."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from incident_tui.flow import cache, linter
from incident_tui.flow.available import available_flows
from incident_tui.flow.cache import FORMAT, FlowCache, cache_folder
from incident_tui.flow.loader import LoadedFlow, load_flow
from tests.tui_helpers import Dirs

FIXTURES = Path(__file__).parent / "fixtures" / "flows"


@pytest.fixture
def local(dirs: Dirs) -> Path:
    """The school's flows folder holding the good flow and its fragments."""
    folder = dirs.config / "flows"
    shutil.copytree(FIXTURES / "fragments", folder / "fragments")
    shutil.copy(FIXTURES / "good.toml", folder / "good.toml")
    return folder


@pytest.fixture
def linted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ids of the flows the linter is run on, in turn."""
    seen: list[str] = []
    real = linter.lint

    def lint(loaded: LoadedFlow) -> Any:
        seen.append(loaded.flow.id)
        return real(loaded)

    monkeypatch.setattr(linter, "lint", lint)
    return seen


def entries() -> list[Path]:
    return sorted(cache_folder().glob("*.json"))


def entry_for(path: Path) -> Path:
    """The one cache entry kept for the flow file `path`."""
    found = [e for e in entries() if str(path.absolute()) in e.read_text(encoding="utf-8")]
    assert len(found) == 1
    return found[0]


def rewrite(entry: Path, change: Any) -> None:
    """Change an entry's JSON and give it a checksum that holds (a hand-made entry)."""
    data = json.loads(entry.read_bytes().partition(b"\n")[2])
    change(data)
    body = json.dumps(data).encode()
    entry.write_bytes(f"{FORMAT} {hashlib.sha256(body).hexdigest()}\n".encode() + body)


def test_a_flow_that_passed_is_not_linted_again_and_is_the_same_flow(
    local: Path, linted: list[str]
) -> None:
    first = available_flows()
    assert "good" in linted
    linted.clear()

    again = available_flows()

    assert linted == []
    assert sorted(again.flows) == sorted(first.flows)
    for flow_id, loaded in first.flows.items():
        kept = again.flows[flow_id]
        assert kept.flow == loaded.flow
        assert kept.content_hash == loaded.content_hash
        assert kept.path == loaded.path
    # where things are written is still there for whoever asks (read again on demand)
    good = again.flows["good"]
    assert good.line_of("consent") == first.flows["good"].line_of("consent")
    assert good.file_of("device.off") == local / "fragments" / "secure.toml"


def test_the_cache_is_private_to_the_user(local: Path) -> None:
    available_flows()
    assert entries()
    assert cache_folder().stat().st_mode & 0o777 == 0o700
    for entry in entries():
        assert entry.stat().st_mode & 0o777 == 0o600


def test_a_flow_changed_after_it_passed_is_linted_again_and_its_problem_shown(
    local: Path, linted: list[str]
) -> None:
    assert "good" in available_flows().flows
    good = local / "good.toml"
    good.write_text(
        good.read_text(encoding="utf-8").replace('next = "done"', 'next = "nowhere"', 1),
        encoding="utf-8",
    )
    linted.clear()

    after = available_flows()

    assert "good" in linted
    assert "good" not in after.flows
    assert any(
        p.path == good and "next 'nowhere' is not a step" in p.message for p in after.problems
    )


def test_a_fragment_changed_after_the_flow_passed_is_read_and_linted_again(
    local: Path, linted: list[str]
) -> None:
    assert "good" in available_flows().flows
    fragment = local / "fragments" / "secure.toml"
    fragment.write_text(
        fragment.read_text(encoding="utf-8").replace('next = "bag"', 'next = "shelf"'),
        encoding="utf-8",
    )
    linted.clear()

    after = available_flows()

    assert "good" in linted
    assert "good" not in after.flows
    assert any(p.path == fragment and "'device.shelf'" in p.message for p in after.problems)


def test_a_fragment_gone_after_the_flow_passed_is_a_problem_again(local: Path) -> None:
    assert "good" in available_flows().flows
    (local / "fragments" / "secure.toml").unlink()

    after = available_flows()

    assert "good" not in after.flows
    assert any("no fragment 'secure'" in p.message for p in after.problems)


def test_a_flow_fixed_after_it_was_refused_is_offered(local: Path) -> None:
    good = local / "good.toml"
    text = good.read_text(encoding="utf-8")
    good.write_text(text.replace('next = "done"', 'next = "nowhere"', 1), encoding="utf-8")
    assert "good" not in available_flows().flows
    good.write_text(text, encoding="utf-8")

    assert "good" in available_flows().flows


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda e: e.write_bytes(b""), id="empty"),
        pytest.param(lambda e: e.write_bytes(e.read_bytes()[:-200]), id="cut short"),
        pytest.param(lambda e: e.write_bytes(b"\x00\xff" * 50), id="not text"),
        pytest.param(
            lambda e: e.write_bytes(e.read_bytes().replace(b"Does the pupil", b"Does THE pupil")),
            id="one word changed",
        ),
        pytest.param(
            lambda e: rewrite(e, lambda d: d["flow"].update(steps="none")), id="not a flow"
        ),
        pytest.param(lambda e: rewrite(e, lambda d: d.update(files=[])), id="no files"),
        pytest.param(lambda e: rewrite(e, lambda d: d.clear()), id="empty object"),
        pytest.param(lambda e: rewrite(e, lambda d: d.update(code="older")), id="other code"),
        pytest.param(lambda e: e.write_text("[1, 2]\n[3]"), id="foreign"),
    ],
)
def test_a_damaged_or_foreign_entry_is_ignored_and_written_anew(
    local: Path, linted: list[str], damage: Any
) -> None:
    first = available_flows().flows["good"]
    entry = entry_for(local / "good.toml")
    damage(entry)
    linted.clear()

    after = available_flows()

    assert "good" in linted  # read and linted again, as if never cached
    assert after.flows["good"].flow == first.flow
    assert after.flows["good"].content_hash == first.content_hash
    linted.clear()
    assert available_flows().flows["good"].flow == first.flow
    assert linted == []  # the entry was written anew, sound


def test_an_entry_someone_else_could_have_written_is_not_read(
    local: Path, linted: list[str]
) -> None:
    available_flows()
    entry = entry_for(local / "good.toml")
    rewrite(entry, lambda d: d["flow"].update(title="Not the school's flow"))
    os.chmod(entry, 0o666)
    linted.clear()

    after = available_flows()

    assert after.flows["good"].flow.title == "A good flow"
    assert "good" in linted


def test_a_cache_folder_open_to_others_is_not_read(local: Path) -> None:
    available_flows()
    good = local / "good.toml"
    assert FlowCache().get(good) is not None
    os.chmod(cache_folder(), 0o777)

    assert FlowCache().get(good) is None
    assert available_flows().flows["good"].flow.title == "A good flow"


def test_a_cache_that_cannot_be_written_is_no_error(local: Path, linted: list[str]) -> None:
    folder = cache_folder()
    folder.parent.mkdir(parents=True, exist_ok=True)
    folder.write_text("a file where the folder would be")

    assert "good" in available_flows().flows
    linted.clear()
    assert "good" in available_flows().flows
    assert "good" in linted  # nothing was cached: linted every time


def test_a_changed_app_reads_and_lints_every_flow_again(
    local: Path, linted: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    available_flows()
    monkeypatch.setattr(cache, "code_fingerprint", lambda: "the next version")
    linted.clear()

    assert "good" in available_flows().flows
    assert "good" in linted


def test_without_the_cache_every_flow_is_linted(local: Path, linted: list[str]) -> None:
    available_flows()
    linted.clear()
    available_flows(cache=False)
    assert "good" in linted


def test_one_entry_is_kept_per_flow_file(local: Path) -> None:
    good = local / "good.toml"
    available_flows()
    good.write_text(good.read_text(encoding="utf-8").replace("A good flow", "Good"))
    assert available_flows().flows["good"].flow.title == "Good"
    entry_for(good)  # the entry for the old bytes is gone


def test_a_fresh_load_and_a_cached_one_agree_for_every_shipped_flow(dirs: Dirs) -> None:
    fresh = available_flows(cache=False).flows
    available_flows()
    kept = available_flows().flows
    assert sorted(kept) == sorted(fresh)
    for flow_id, loaded in fresh.items():
        assert kept[flow_id].flow == loaded.flow
        assert kept[flow_id].content_hash == loaded.content_hash
        assert loaded.content_hash == load_flow(loaded.path).content_hash
        assert kept[flow_id].inputs == loaded.inputs
