"""Keep what the keyboard is on visible at 80x24."""

from __future__ import annotations

from textual.widget import Widget


def focus_in_view(widget: Widget) -> None:
    """Focus a widget and scroll it into view once laid out: a widget shown in the same
    moment has no place on screen yet, so scrolling to it at once would do nothing."""
    widget.focus(scroll_visible=False)
    widget.call_after_refresh(widget.scroll_visible, animate=False)
