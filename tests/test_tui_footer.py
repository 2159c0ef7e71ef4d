"""The footer of the live step screen: rebuilt when the keys it shows change, kept as it
is while they stay the same (focus moving between widgets that bring no key of their own)."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Button, Input
from textual.widgets._footer import FooterKey

from incident_tui.tui.widgets.footer import SteadyFooter


class Boxes(App[None]):
    BINDINGS = [Binding("ctrl+n", "note", "Note")]

    def compose(self) -> ComposeResult:
        yield Input(id="one")
        yield Input(id="two")
        yield Button("Go", id="go")
        yield SteadyFooter()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "note":  # the key is shown only while the second box has the focus
            return self.focused is not None and self.focused.id == "two"
        return True


def shown(app: App[None]) -> list[str]:
    return [key.description for key in app.screen.query(FooterKey)]


async def test_the_footer_changes_with_the_keys_and_is_kept_while_they_do_not():
    app = Boxes()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "Note" not in shown(app)
        app.screen.set_focus(app.screen.query_one("#two"))
        await pilot.pause()
        assert "Note" in shown(app)
        app.screen.set_focus(app.screen.query_one("#one"))
        await pilot.pause()
        assert "Note" not in shown(app)
        keys = list(app.screen.query(FooterKey))
        app.screen.set_focus(app.screen.query_one("#go"))
        await pilot.pause()
        assert list(app.screen.query(FooterKey)) == keys  # the same keys: not rebuilt
