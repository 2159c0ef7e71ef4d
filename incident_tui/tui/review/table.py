"""The incident list: draws only the lines on screen, so 10,000 rows cost nothing.

A cell too long for its column wraps: the row takes as many lines as its longest
cell, so a name, a procedure or a flag is never cut short.

Rows, filtering and sorting are worked out by `incident_tui.review.listing`; this
widget only shows the rows it is given, keeps a cursor and says which row is
highlighted or chosen. Damage and flags are always in words (the Flags
column), with colour only as a second cue.
"""

from __future__ import annotations

import string
import textwrap
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import accumulate

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from incident_tui.record.references import local_short, parse_utc
from incident_tui.record.store import IndexRow
from incident_tui.review import Integrity, flags_text, is_damaged
from incident_tui.safe_text import printable


@dataclass(frozen=True)
class Column:
    key: str
    """What the column shows; also its sort key (`incident_tui.review.SORT_KEYS`)."""
    title: str
    width: int
    """Width at 80 columns (the list then fits in 78, beside a scroll bar)."""
    grow: int = 0
    """Share of any extra room on a wider screen."""


COLUMNS: tuple[Column, ...] = (
    Column("reference", "Reference", 14),
    Column("opened", "Opened", 12),
    Column("procedure", "Procedure", 9, grow=2),
    Column("staff", "Staff", 11, grow=2),
    Column("pupil", "Pupil", 10, grow=1),
    Column("status", "Status", 8),
    Column("flags", "Flags", 8, grow=3),
)


def opened_text(stamp: str | None) -> str:
    """ "24 Nov 09:15": when an incident was opened, in this machine's zone (the year is in
    its reference); a stamp that does not read as a time is shown as it is."""
    parsed = parse_utc(stamp) if stamp else None
    if parsed is None:
        return local_short(stamp)
    return parsed.astimezone().strftime(OPENED_FORMAT)


OPENED_FORMAT = "%d %b %H:%M"


_OPENED_LONGEST = max(
    len(datetime(2000, month, 28, 23, 59).strftime(OPENED_FORMAT)) for month in range(1, 13)
)
"""The longest an opened time can be (the month's name is the locale's)."""

_SHAPE = bytes.maketrans(
    string.digits.encode() + string.ascii_letters.encode(), b"0" * 10 + b"a" * 52
)


def _shape(text: str) -> bytes | str:
    """What a cell's wrapping depends on: every digit alike and every ASCII letter alike
    (textwrap breaks by the kind of character, never which one), so "2026-12-02-00002"
    and every other reference wrap the same way. Text that is not plain printable ASCII
    is its own shape."""
    if text.isascii() and text.isprintable():
        return text.encode("ascii").translate(_SHAPE)
    return text


def cells(
    row: IndexRow, integrity: Integrity, procedures: Mapping[str, str] | None = None
) -> tuple[str, ...]:
    """One row of the list as text, column by column (the procedure by the short name its
    flow gives); stored text with any control character shown as an escape, never raw to
    the terminal."""
    texts = (
        row.reference,
        opened_text(row.opened),
        (procedures or {}).get(row.flow_id, row.flow_id),
        row.actor,
        (row.pupil or "-") + (f" +{len(row.other_pupils)}" if row.other_pupils else ""),
        row.status,
        flags_text(row, integrity),
    )
    return tuple(printable(text, one_line=True) for text in texts)


def wrapped(text: str, width: int) -> list[str]:
    """A cell's lines: whole words where they fit, never cut short."""
    if len(text) <= width:
        return [text]
    return textwrap.wrap(text, max(width, 1)) or [""]


class IncidentTable(ScrollView, can_focus=True):
    """Header line, then one line per incident; Enter opens the highlighted one."""

    COMPONENT_CLASSES = {
        "incident-table--header",
        "incident-table--cursor",
        "incident-table--damaged",
        "incident-table--flagged",
    }
    BINDINGS = [
        Binding("up", "cursor(-1)", "Up", show=False),
        Binding("down", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "jump(0)", "First", show=False),
        Binding("end", "jump(-1)", "Last", show=False),
        Binding("enter", "choose", "Open", id="review.open", tooltip="Open this incident"),
    ]

    cursor: reactive[int] = reactive(0)

    class Highlighted(Message):
        def __init__(self, row: IndexRow | None) -> None:
            super().__init__()
            self.row = row

    class Chosen(Message):
        def __init__(self, row: IndexRow) -> None:
            super().__init__()
            self.row = row

    class HeaderClicked(Message):
        def __init__(self, column: str) -> None:
            super().__init__()
            self.column = column

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: Sequence[IndexRow] = ()
        self.integrity: Integrity = None
        self.sort_column = "opened"
        self.descending = True
        self._widths: list[int] = [c.width for c in COLUMNS]
        self.procedures: Mapping[str, str] = {}
        """Each flow id's short name, as its flow gives it."""
        self._starts: list[int] = [0]
        """The first line of each row (after the header); the last entry is the total."""
        self._lines: dict[int, list[str]] = {}
        """The lines of the rows drawn so far, at the present widths."""
        self._heights: dict[str, int] = {}
        """Each incident's height in lines, kept while the widths and flags stay the same
        (a filter applied to 10,000 rows then works out no row again)."""
        self._heights_for: Integrity = None
        self._laid_out_width = 0
        self._counts: list[dict[bytes | str, int]] = [{} for _ in COLUMNS]
        """Each column's line counts by text (references by shape, `_shape`), at the
        present widths."""

    # --- data -----------------------------------------------------------------

    def show(
        self,
        rows: Sequence[IndexRow],
        integrity: Integrity,
        sort_column: str,
        descending: bool,
        keep: str | None = None,
    ) -> None:
        """Replace the rows; keep the cursor on incident `keep` if it is still shown."""
        self.rows = rows
        self.integrity = integrity
        self.sort_column = sort_column
        self.descending = descending
        index = 0
        if keep is not None:
            index = next((i for i, r in enumerate(rows) if r.id == keep), 0)
        self._layout()
        self.set_reactive(IncidentTable.cursor, min(index, max(len(rows) - 1, 0)))
        self._scroll_to_cursor()
        self.refresh()
        self.post_message(self.Highlighted(self.current))

    @property
    def current(self) -> IndexRow | None:
        return self.rows[self.cursor] if 0 <= self.cursor < len(self.rows) else None

    # --- layout and drawing -------------------------------------------------------

    def _layout(self) -> None:
        # before its first resize, at the screen's width (the list's, as it takes every
        # column): its first frame then shows the rows, and the resize has nothing to do
        width = self.size.width or self.app.size.width
        if not width:
            self._starts = [0]
            self._laid_out_width = 0
            return
        base = [c.width for c in COLUMNS]
        spare = width - (sum(base) + len(base) - 1)
        weights = sum(c.grow for c in COLUMNS)
        if spare > 0 and weights:
            given = 0
            for i, column in enumerate(COLUMNS):
                share = spare * column.grow // weights
                base[i] += share
                given += share
            base[-1] += spare - given
        if base != self._widths:
            self._counts = [{} for _ in COLUMNS]
        if base != self._widths:
            self._heights = {}  # a row's height depends on the widths and its flags
        elif self.integrity is not self._heights_for:
            for stale in (self._heights_for or {}, self.integrity or {}):
                for incident in stale:
                    self._heights.pop(incident, None)  # "DAMAGED" in its flags, or not now
        self._heights_for = self.integrity
        self._widths = base
        self._lines = {}
        self._starts = [0, *accumulate(self._heights_of(self.rows))]
        self._laid_out_width = width
        self.virtual_size = Size(width, self._starts[-1] + 1)

    def _heights_of(self, rows: Sequence[IndexRow]) -> list[int]:
        """Each row's height: its tallest cell, without building its cells (10,000 rows).
        A column's line count is kept by its text (a name or a procedure repeats), a
        reference's by its shape (`_shape`: every reference wraps alike), and the opened
        time always fits once it reads as a time."""
        known, widths, counts = self._heights, self._widths, self._counts
        procedures, integrity = self.procedures, self.integrity
        opened_fits = widths[1] >= _OPENED_LONGEST
        reference_width = widths[0]
        by_shape, _, procedure_counts, staff_counts, pupil_counts, status_counts, flag_counts = (
            counts
        )

        def count(column: int, text: str) -> int:
            n = counts[column].get(text)
            if n is None:
                n = len(wrapped(printable(text, one_line=True), widths[column]))
                counts[column][text] = n
            return n

        heights = []
        for row in rows:
            height = known.get(row.id)
            if height is None:
                reference = row.reference
                if len(reference) <= reference_width and reference.isprintable():
                    height = 1
                else:
                    key = _shape(reference)
                    height = by_shape.get(key)
                    if height is None:
                        height = count(0, reference)
                        by_shape[key] = height
                pupil = row.pupil or "-"
                if row.other_pupils:
                    pupil += f" +{len(row.other_pupils)}"
                procedure = procedures.get(row.flow_id, row.flow_id)
                flags = flags_text(row, integrity)
                height = max(  # a count is never 0: `or` asks `count` only for new texts
                    height,
                    1
                    if opened_fits and parse_utc(row.opened)
                    else count(1, opened_text(row.opened)),
                    procedure_counts.get(procedure) or count(2, procedure),
                    staff_counts.get(row.actor) or count(3, row.actor),
                    pupil_counts.get(pupil) or count(4, pupil),
                    status_counts.get(row.status) or count(5, row.status),
                    flag_counts.get(flags) or count(6, flags),
                )
                known[row.id] = height
            heights.append(height)
        return heights

    def _row_lines(self, index: int) -> list[str]:
        lines = self._lines.get(index)
        if lines is None:
            lines = self._wrapped_lines(cells(self.rows[index], self.integrity, self.procedures))
            self._lines[index] = lines
        return lines

    def _wrapped_lines(self, texts: Sequence[str]) -> list[str]:
        columns = [wrapped(t, w) for t, w in zip(texts, self._widths, strict=True)]
        height = max(len(c) for c in columns)
        return [
            " ".join(
                (c[n] if n < len(c) else "").ljust(w)
                for c, w in zip(columns, self._widths, strict=True)
            )
            for n in range(height)
        ]

    def _row_at(self, line: int) -> int:
        """The row drawn on content line `line` (0 is the line below the header)."""
        return bisect_right(self._starts, line) - 1

    def on_resize(self, event: events.Resize) -> None:
        if self.size.width != self._laid_out_width:
            self._layout()  # the rows' lines change with the width only
        self._scroll_to_cursor()

    def _header_texts(self) -> list[str]:
        texts = []
        for column in COLUMNS:
            title = column.title
            if column.key == self.sort_column:
                title += " v" if self.descending else " ^"
            texts.append(title)
        return texts

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if y == 0:
            style = self.get_component_rich_style("incident-table--header")
            header = self._wrapped_lines(self._header_texts())[0]
            return Strip([Segment(header, style)]).adjust_cell_length(width, style)
        line = self.scroll_offset.y + y - 1
        if line >= self._starts[-1]:
            return Strip.blank(width, self.rich_style)
        index = self._row_at(line)
        row = self.rows[index]
        style = self.rich_style
        if is_damaged(row, self.integrity):
            style += self.get_component_rich_style("incident-table--damaged")
        elif row.overrides or row.escalations:
            style += self.get_component_rich_style("incident-table--flagged")
        if index == self.cursor and self.has_focus:
            style += self.get_component_rich_style("incident-table--cursor")
        elif index == self.cursor:
            style += Style(reverse=True)
        text = self._row_lines(index)[line - self._starts[index]]
        return Strip([Segment(text, style)]).adjust_cell_length(width, style)

    # --- cursor -------------------------------------------------------------------

    @property
    def _page(self) -> int:
        return max(self.size.height - 2, 1)

    def _scroll_to_cursor(self) -> None:
        if self.cursor + 1 >= len(self._starts):
            return  # no rows, or not laid out yet
        top = self.scroll_offset.y
        first = self._starts[self.cursor]
        last = self._starts[self.cursor + 1] - 1
        if first < top:
            self.scroll_to(y=first, animate=False, immediate=True)
        elif last > top + self._page:
            self.scroll_to(y=last - self._page, animate=False, immediate=True)

    def watch_cursor(self, old: int, new: int) -> None:
        self._scroll_to_cursor()
        self.refresh()
        self.post_message(self.Highlighted(self.current))

    def _move_to(self, index: int) -> None:
        if not self.rows:
            return
        self.cursor = max(0, min(index, len(self.rows) - 1))

    def action_cursor(self, delta: int) -> None:
        self._move_to(self.cursor + delta)

    def action_page(self, direction: int) -> None:
        self._move_to(self.cursor + direction * self._page)

    def action_jump(self, where: int) -> None:
        self._move_to(0 if where == 0 else len(self.rows) - 1)

    def action_choose(self) -> None:
        if self.current is not None:
            self.post_message(self.Chosen(self.current))

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def on_click(self, event: events.Click) -> None:
        if event.y == 0:
            x = event.x
            for column, width in zip(COLUMNS, self._widths, strict=True):
                if x < width + 1:
                    self.post_message(self.HeaderClicked(column.key))
                    return
                x -= width + 1
            return
        line = self.scroll_offset.y + event.y - 1
        index = self._row_at(line) if 0 <= line < self._starts[-1] else -1
        if 0 <= index < len(self.rows):
            if index == self.cursor and event.chain >= 2:
                self.action_choose()
            self._move_to(index)
