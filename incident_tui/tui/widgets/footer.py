"""The key bar at the foot of a screen, rebuilt only when what it shows changes."""

from __future__ import annotations

from collections.abc import Hashable

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey


class SteadyFooter(Footer):
    """A `Footer` that keeps its keys while the keys it would show stay the same.

    Textual's footer is rebuilt (every key removed and mounted again) on each change of
    focus, even where the screen's keys are the same before and after, as when one step
    of a procedure gives way to the next. This one compares what it would show (each
    shown key, its display, description, enabled state and tooltip, and the command
    palette's key) with what it shows, and is rebuilt only when they differ."""

    _shown: Hashable | None = None
    """What the keys on screen were built from; None until they are built."""

    def _showing(self) -> Hashable:
        app = self.app
        bindings = self.screen.active_bindings
        keys = tuple(
            (binding, enabled, tooltip, app.get_key_display(binding))
            for (_, binding, enabled, tooltip) in bindings.values()
            if binding.show
        )
        palette = bindings.get(app.COMMAND_PALETTE_BINDING)
        shown_palette = (
            (palette[1], palette[2], app.get_key_display(palette[1]))
            if palette is not None and self.show_command_palette and app.ENABLE_COMMAND_PALETTE
            else None
        )
        return keys, shown_palette

    def compose(self) -> ComposeResult:
        self._shown = self._showing() if self._bindings_ready else None
        for widget in super().compose():
            if isinstance(widget, FooterKey) and "compact" in (widget._reactive_connect or {}):
                # Textual's keys start compact and are restyled on mount twice: to be so,
                # then to be as the footer they are bound to. These start as the footer.
                widget.set_reactive(FooterKey.compact, self.compact)
                widget.set_class(self.compact, "-compact", update=False)
            yield widget

    def bindings_changed(self, screen: Screen) -> None:
        if (
            self._shown is not None
            and self.is_attached
            and screen is self.screen
            and self._showing() == self._shown
        ):
            return
        super().bindings_changed(screen)
