"""Keep what the keyboard is on visible at 80x24."""

from __future__ import annotations

from textual.css.query import NoMatches
from textual.dom import NoScreen
from textual.widget import Widget


def focus_in_view(widget: Widget) -> None:
    """Focus a widget now, and scroll it into view once laid out: a widget shown in the
    same moment has no place on screen yet, so scrolling to it at once would do nothing.

    Now, not as `Widget.focus()` does (once the app's queue reaches it): a key typed
    next must reach this widget (see box_order)."""
    try:
        widget.screen.set_focus(widget, scroll_visible=False)
    except (NoScreen, NoMatches):
        widget.focus(scroll_visible=False)
    widget.call_after_refresh(widget.scroll_visible, animate=False)
