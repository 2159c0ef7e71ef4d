"""Keys typed without a pause land where the user meant them, however fast they come.

Textual hands each key to the focused widget through its message queue and reads the
next key at once; a key's binding (an Input's Enter, a list's Down) is looked up only
when the key has come back up to the app, against whatever is focused by then. So a
focus change made as a message is handled (Input.Submitted, OptionList.OptionSelected,
`Widget.focus()`) comes after the next keys were already sent to the widget being left
("Teacher⏎QR" typed fast gave the role "TeacherQR"), and a focus change made at once
sends the keys before it, still on their way, to the new widget.

So a key that moves the focus (Enter to the next box, Tab, a choice that opens its
reason box) is a priority binding, read the moment it arrives, and its work waits until
every key before it has been handled (`KeysInOrder.after_keys_sent`), holding the keys
after it until then: each key reaches the widget that is focused once the keys before
it have done their work.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

from textual import events
from textual.actions import SkipAction
from textual.app import App
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input

SETTLE_AT_MOST = 0.5
"""Seconds to hold keys at most: should the widget the keys went to be removed before
they come back, the held keys go on after this."""


class KeysSent(Message):
    """Sent after the keys already on their way: back at the app, they have all been
    handled, and `then` runs."""

    def __init__(self, then: Callable[[], object]) -> None:
        super().__init__()
        self.then = then
        self.done = False


ReturnT = TypeVar("ReturnT")


class KeysInOrder(App[ReturnT]):
    """An app whose screens can wait for the keys already typed (see the module)."""

    _held_keys: list[events.Key] | None = None
    """Keys that came while waiting, in the order typed; None when not waiting."""

    def after_keys_sent(self, then: Callable[[], object]) -> None:
        """Run `then` once every key already sent has been handled; keys that come
        meanwhile are held, then handled after it, in order."""
        if self._held_keys is None:
            self._held_keys = []
        sent = KeysSent(then)
        # the same way the keys went: to the focused widget, bubbling up to the app
        (self.focused or self.screen).post_message(sent)
        self.set_timer(SETTLE_AT_MOST, lambda: self._keys_sent(sent))

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded and self._held_keys is not None:
            self._held_keys.append(event)
            return
        await super().on_event(event)

    async def on_keys_sent(self, message: KeysSent) -> None:
        message.stop()
        await self._keys_sent(message)

    async def _keys_sent(self, sent: KeysSent) -> None:
        if sent.done:
            return
        sent.done = True
        sent.then()
        held, self._held_keys = self._held_keys or [], None
        while held:
            await super().on_event(held.pop(0))
            if self._held_keys is not None:  # that key waits in its turn: the rest after it
                self._held_keys[:0] = held
                return


def after_keys_sent(widget: Widget, then: Callable[[], object]) -> None:
    """`KeysInOrder.after_keys_sent` in an app that has it; otherwise `then` at once."""
    app = widget.app
    if isinstance(app, KeysInOrder):
        app.after_keys_sent(then)
    else:
        then()


class EnterToNextBox(Screen[Any]):
    """A base for a screen (or dialog) whose form has several boxes.

    Enter in a box that has a next one focuses it; in the last box (or anywhere else)
    the key goes on to the focused widget as usual, so the box submits after the keys
    typed into it. Tab and Shift+Tab move on in the same way. A screen can name the next
    box itself with `next_box`, and act on Enter elsewhere with `enter_on`.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "next_box", "Next box", show=False, priority=True),
        Binding("tab", "focus_in_order(1)", "Next", show=False, priority=True),
        Binding("shift+tab", "focus_in_order(-1)", "Previous", show=False, priority=True),
    ]

    def next_box(self, box: Input) -> Input | None:
        """The box Enter in `box` moves to: the next thing the keyboard reaches, if that is
        a box; None (Enter submits, as the box itself says) before a button or a list."""
        chain = self.focus_chain
        index = chain.index(box) if box in chain else -1
        after = chain[index + 1] if 0 <= index < len(chain) - 1 else None
        return after if isinstance(after, Input) else None

    def enter_on(self, widget: Widget | None) -> Callable[[], object] | None:
        """What Enter on `widget` (one with no next box) does, once the keys before it
        are handled, when that moves the focus; None: the widget takes the key as usual."""
        return None

    def action_next_box(self) -> None:
        focused = self.focused
        target = self.next_box(focused) if isinstance(focused, Input) else None
        if target is not None:
            after_keys_sent(self, lambda: self._focus_now(target))
        elif (work := self.enter_on(focused)) is not None:
            after_keys_sent(self, work)
        else:
            raise SkipAction()

    def action_focus_in_order(self, step: int) -> None:
        after_keys_sent(self, self.focus_next if step > 0 else self.focus_previous)

    def _focus_now(self, widget: Widget) -> None:
        if widget.is_attached:
            self.set_focus(widget)
