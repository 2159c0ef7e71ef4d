"""Stored text on screen: control characters shown as escapes, Textual markup shown as typed."""

from __future__ import annotations

import pytest

from incident_tui.record import store as store_module
from incident_tui.record.events import Actor, FlowRef
from incident_tui.record.keys import load_or_create_key
from incident_tui.record.store import Store
from incident_tui.tui.review.list_screen import ReviewScreen
from tests.tui_helpers import make_app, visible_text

PUPIL = "\x1b]0;OWNED\x07[red]Y9[/red]\u202eAB"


async def test_the_resume_and_review_lists_show_stored_text_as_typed_and_escapes_visibly(
    dirs, toy_flows, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = load_or_create_key(dirs.config / "record.key")
    loaded = next(iter(toy_flows.values()))
    flow = FlowRef(id=loaded.flow.id, version=loaded.flow.version, hash=loaded.content_hash)
    # as an older version (or a hand edit) could have left it
    with monkeypatch.context() as patch:
        patch.setattr(store_module, "unsafe_text", lambda *args: None)
        with Store.open(dirs.store_root(), key=key, mode="live") as store:
            store.new_incident(
                flow=flow, actor=Actor(name="Ann", role="teacher"), details={"pupil": PUPIL}
            )
    app = make_app(dirs, flows=toy_flows)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        home = visible_text(app)
        assert "pupil \\x1b]0;OWNED\\x07[red]Y9[/red]\\u202eAB" in home
        for char in "\x1b\x07\u202e":
            assert char not in home
        await pilot.press("v")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        listed = visible_text(app)
        assert "\\x1b]0" in listed
        for char in "\x1b\x07\u202e":
            assert char not in listed


async def test_the_palette_offers_no_screenshot_and_none_is_ever_written(
    dirs, toy_flows, tmp_path
) -> None:
    from incident_tui.record.access import open_record
    from incident_tui.settings import Settings
    from incident_tui.tui.review.app import ReviewApp

    live = make_app(dirs, flows=toy_flows)
    async with live.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        load_or_create_key(dirs.config / "record.key")
        titles = [command.title for command in live.get_system_commands(live.screen)]
        assert "Screenshot" not in titles and "Help" in titles
        await live.run_action("screenshot")
        await pilot.pause()
    review = ReviewApp(open_record(live.paths, "live"), Settings())
    async with review.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        titles = [command.title for command in review.get_system_commands(review.screen)]
        assert "Screenshot" not in titles
        await review.run_action("screenshot")
        await pilot.pause()
    written = [p for p in tmp_path.rglob("*.svg")]
    assert written == []


async def test_the_review_list_says_plainly_when_the_signed_index_could_not_be_checked(
    dirs, toy_flows
) -> None:
    from incident_tui.locations import Paths
    from incident_tui.record.access import open_record
    from incident_tui.settings import Settings
    from incident_tui.tui.review.app import ReviewApp

    key_file = dirs.config / "record.key"
    key = load_or_create_key(key_file)
    with Store.open(dirs.store_root(), key=key, mode="live") as store:
        store.new_incident(
            flow=FlowRef(id="f", version="1", hash="a" * 64),
            actor=Actor(name="Ann", role="teacher"),
            details={"pupil": "Y9"},
        )
    key_file.unlink()
    review = ReviewApp(open_record(Paths(data=dirs.data, config=dirs.config), "live"), Settings())
    async with review.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await review.workers.wait_for_complete()
        await pilot.pause()
        shown = visible_text(review)
        assert "SIGNED INDEX NOT CHECKED" in shown and "is missing" in shown
