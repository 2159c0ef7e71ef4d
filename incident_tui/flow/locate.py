"""Find the line of a key in a TOML file, so that errors can say `FILE:LINE`.

`tomllib` keeps no positions, so this scanner reads the text once and records
the line of every table header (`[[steps]]`, `[[steps.choices]]`,
`[sources.kcsie]`, ...) and every `key =` inside them, as a path like
`("steps", 3, "choices", 1, "next")` — the same shape as a pydantic error's
`loc`. Insides of multi-line strings, arrays and inline tables are skipped:
an error inside them points at the key that holds them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

Path_ = tuple[str | int, ...]
TRIPLE_BASIC = '"""'
TRIPLE_LITERAL = "'''"


class Locator:
    """Lines of the keys and tables of one TOML text."""

    def __init__(self, text: str) -> None:
        self.lines: dict[Path_, int] = {}
        self._prefixes: set[Path_] = set()
        self._scan(text)

    def line_of(self, loc: Sequence[str | int], default: int = 1) -> int:
        """The line of the deepest known prefix of `loc` (elements not found are skipped)."""
        return self.resolve(loc)[1] or default

    def resolve(self, loc: Sequence[str | int]) -> tuple[Path_, int | None]:
        """The deepest known path matching `loc`, and its line.

        Elements of `loc` that do not continue a known path (a pydantic union
        tag such as 'choice', or a key missing from the file) are skipped.
        """
        current: Path_ = ()
        for elem in loc:
            candidate = (*current, elem)
            if candidate in self._prefixes:
                current = candidate
        line = self.lines.get(current)
        while line is None and current:
            current = current[:-1]
            line = self.lines.get(current)
        return current, line

    # --- scanning ---------------------------------------------------------

    def _record(self, path: Path_, line: int) -> None:
        for n in range(1, len(path) + 1):
            self._prefixes.add(path[:n])
            self.lines.setdefault(path[:n], line)

    def _scan(self, text: str) -> None:
        table: Path_ = ()
        arrays: dict[Path_, int] = {}  # concrete path of an array of tables -> entries seen
        state = _ValueState(self._record)
        for number, raw in enumerate(text.splitlines(), start=1):
            if state.busy:
                state.feed(raw, number)
                continue
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("["):
                is_array = line.startswith("[[")
                inner = line[2:] if is_array else line[1:]
                keys, _rest = _split_key(inner, "]")
                if keys is None:
                    continue
                table = _concrete(keys, arrays, is_array)
                self._record(table, number)
                continue
            keys, rest = _split_key(line, "=")
            if keys is None:
                continue
            self._record((*table, *keys), number)
            state.start((*table, *keys), rest, number)


def _concrete(keys: list[str], arrays: dict[Path_, int], is_array: bool) -> Path_:
    """Turn a header's dotted key into a path with the index of each array of tables."""
    path: Path_ = ()
    for n, key in enumerate(keys):
        path = (*path, key)
        last = n == len(keys) - 1
        if last and is_array:
            arrays[path] = arrays.get(path, 0) + 1
        if path in arrays:
            path = (*path, arrays[path] - 1)
    return path


def _split_key(text: str, stop: str) -> tuple[list[str] | None, str]:
    """Read a dotted key (bare or quoted parts) up to `stop`; return the parts and the rest."""
    parts: list[str] = []
    i = 0
    n = len(text)
    while True:
        while i < n and text[i] in " \t":
            i += 1
        if i >= n:
            return None, ""
        if text[i] in "\"'":
            quote = text[i]
            end = text.find(quote, i + 1)
            if quote == '"':
                while end != -1 and text[end - 1] == "\\":
                    end = text.find(quote, end + 1)
            if end == -1:
                return None, ""
            parts.append(text[i + 1 : end])
            i = end + 1
        else:
            start = i
            while i < n and (text[i].isalnum() or text[i] in "_-"):
                i += 1
            if i == start:
                return None, ""
            parts.append(text[start:i])
        while i < n and text[i] in " \t":
            i += 1
        if i < n and text[i] == ".":
            i += 1
            continue
        if i < n and text[i] == stop:
            return parts, text[i + 1 :]
        return None, ""


class _ValueState:
    """Tracks whether a value continues on the next line (open string or bracket).

    While inside an array value, the line where each element starts is
    recorded as `(*key, index)`, so that one route of a multi-line `next = [...]`
    has a line of its own.
    """

    def __init__(self, record: Callable[[Path_, int], None]) -> None:
        self.depth = 0
        self.in_string: str | None = None  # the triple quote while inside one
        self._record = record
        self._key: Path_ = ()
        self._array = False
        self._index = 0
        self._expect = False

    @property
    def busy(self) -> bool:
        return self.depth > 0 or self.in_string is not None

    def start(self, key: Path_, text: str, number: int) -> None:
        self._key = key
        self._array = False
        self.feed(text, number)

    def _element(self, ch: str, number: int) -> None:
        if self._array and self.depth == 1 and self._expect and ch not in " \t]":
            self._record((*self._key, self._index), number)
            self._index += 1
            self._expect = False

    def feed(self, text: str, number: int) -> None:
        i = 0
        n = len(text)
        while i < n:
            if self.in_string is not None:
                end = text.find(self.in_string, i)
                if self.in_string == TRIPLE_BASIC:
                    while end > 0 and _escaped(text, end):
                        end = text.find(self.in_string, end + 1)
                if end == -1:
                    return
                i = end + 3
                # a closing delimiter may be followed by up to two more quotes
                while i < n and text[i] == self.in_string[0]:
                    i += 1
                self.in_string = None
                continue
            ch = text[i]
            if ch == "#":
                return
            self._element(ch, number)
            if text.startswith(TRIPLE_BASIC, i) or text.startswith(TRIPLE_LITERAL, i):
                self.in_string = text[i : i + 3]
                i += 3
                continue
            if ch in "\"'":
                end = text.find(ch, i + 1)
                if ch == '"':
                    while end != -1 and _escaped(text, end):
                        end = text.find(ch, end + 1)
                if end == -1:
                    return  # unterminated: tomllib reports it
                i = end + 1
                continue
            if ch in "[{":
                if self.depth == 0 and ch == "[":
                    self._array, self._index, self._expect = True, 0, True
                self.depth += 1
            elif ch in "]}":
                self.depth = max(0, self.depth - 1)
            elif ch == "," and self.depth == 1:
                self._expect = True
            i += 1


def _escaped(text: str, index: int) -> bool:
    backslashes = 0
    j = index - 1
    while j >= 0 and text[j] == "\\":
        backslashes += 1
        j -= 1
    return backslashes % 2 == 1
