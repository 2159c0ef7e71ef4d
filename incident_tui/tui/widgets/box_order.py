"""Enter moves to the next box in the same moment the key is read, so typing ahead works.

An Input's own Enter posts Input.Submitted, a message handled after the keys already
queued behind it: focusing the next box there sent "Teacher⏎QR" all to the first box
when typed without a pause. A priority binding runs while the app dispatches the Enter
itself, before it forwards the next key, so the keys after Enter reach the next box and
the keys before it are already queued in the box they were typed into.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual.actions import SkipAction
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Input


class EnterToNextBox(Screen[Any]):
    """A base for a screen (or dialog) whose form has several boxes.

    Enter in a box that has a next one focuses it at once; in the last box (or anywhere
    else) the key goes on to the focused widget as usual, so the box submits after the
    keys typed into it. A screen can name the next box itself with `next_box`.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "next_box", "Next box", show=False, priority=True)
    ]

    def next_box(self, box: Input) -> Input | None:
        """The box Enter in `box` moves to: the next thing the keyboard reaches, if that is
        a box; None (Enter submits, as the box itself says) before a button or a list."""
        chain = self.focus_chain
        index = chain.index(box) if box in chain else -1
        after = chain[index + 1] if 0 <= index < len(chain) - 1 else None
        return after if isinstance(after, Input) else None

    def action_next_box(self) -> None:
        focused = self.focused
        target = self.next_box(focused) if isinstance(focused, Input) else None
        if target is None:
            raise SkipAction()
        # set_focus, not focus(): focus() waits for the app's queue, behind the next keys
        self.set_focus(target)
