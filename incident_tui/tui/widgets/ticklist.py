"""A list of items to tick, each shown as `[x]` or `[ ]` (words, not colour alone)."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

OPTION_KEYS = "123456789abcdefghijklmnopqrstuvwxyz"
"""The key of each option, in order: 1-9, then a-z."""


def option_key(number: int) -> str:
    """The key shown before option `number` (from 1), or '' beyond the last key."""
    return OPTION_KEYS[number - 1] if 1 <= number <= len(OPTION_KEYS) else ""


def keyed(number: int, label: str) -> str:
    """'a. label': the option's key before its label (spaces where it has none)."""
    key = option_key(number)
    return f"{key}. {label}" if key else f"   {label}"


@dataclass(frozen=True)
class TickItem:
    id: str
    label: str
    exclusive: bool = False
    """Cannot be ticked with any other item (e.g. 'Nothing found')."""


class TickList(OptionList):
    """Enter or Space ticks the highlighted item; its key (1-9, then a-z) ticks any item."""

    BINDINGS = [Binding("space", "select", "Tick", show=False)]

    class Changed(Message):
        def __init__(self, tick_list: TickList) -> None:
            super().__init__()
            self.tick_list = tick_list

    def __init__(self, items: list[TickItem], *, id: str | None = None) -> None:
        self.items = items
        self.ticked: set[str] = set()
        super().__init__(*self._tick_options(), id=id)

    def _tick_options(self) -> list[Option]:
        options = []
        for number, item in enumerate(self.items, start=1):
            box = "[x]" if item.id in self.ticked else "[ ]"
            options.append(Option(Text(f"{box} {keyed(number, item.label)}"), id=item.id))
        return options

    def toggle(self, item_id: str) -> None:
        item = next(i for i in self.items if i.id == item_id)
        if item_id in self.ticked:
            self.ticked.discard(item_id)
        elif item.exclusive:
            self.ticked = {item_id}
        else:
            exclusive = {i.id for i in self.items if i.exclusive}
            self.ticked = (self.ticked - exclusive) | {item_id}
        highlighted = self.highlighted
        self.set_options(self._tick_options())
        self.highlighted = highlighted
        self.post_message(self.Changed(self))

    def toggle_number(self, number: int) -> None:
        if 1 <= number <= len(self.items):
            self.highlighted = number - 1
            self.toggle(self.items[number - 1].id)

    def values(self) -> list[str]:
        """Ticked item ids, in the list's order."""
        return [i.id for i in self.items if i.id in self.ticked]

    def all_ticked(self) -> bool:
        return len(self.ticked) == len(self.items)

    def _on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        # Ticking is this widget's own business: the screen hears `Changed`.
        event.stop()
        if event.option.id is not None:
            self.toggle(event.option.id)
