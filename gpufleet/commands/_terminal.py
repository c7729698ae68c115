"""Tables that fit the terminal: every figure whole, names wrapped, the least important columns left
out (and said so) when the width cannot hold them all.

The width is the terminal's, or `COLUMNS` when set (rich reads it), never less than 80. Output to a
pipe or a file gets no colour and no cursor tricks, at `COLUMNS` or 80 columns. Every value is shown
as text, never parsed as markup: a resource name like `[bold]x` prints as written, and with its
control characters and bidirectional marks escaped (`gpufleet.terminal_text`): by `safe_text`/`shown`
where a value enters a line, and by a render hook on every console made here for anything else.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import IO, Iterator, Literal, Sequence

from rich import box
from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, ConsoleRenderable, RenderHook
from rich.markup import escape
from rich.padding import Padding
from rich.segment import Segment
from rich.table import Table
from rich.text import Text

from gpufleet.terminal_text import inert

MIN_WIDTH = 80
# Narrowest a wrapped column gets before a less important column is left out instead.
_MIN_NAME, _MIN_TEXT = 14, 16
# Names up to this wide are kept whole when there is room at all (regions, instance types, ids).
_SHORT_NAME = 24
# Where a long name (a resource type, a URN part) may break: after these characters.
_BREAK_AFTER = set("-_:/.,$@= ")

Kind = Literal["figure", "name", "text"]


def console(*, stderr: bool = False) -> Console:
    """A console for a command's output (stdout) or progress (stderr)."""
    out = Console(stderr=stderr, highlight=False, emoji=False)
    if out.width < MIN_WIDTH:
        out = Console(stderr=stderr, highlight=False, emoji=False, width=MIN_WIDTH)
    out.push_render_hook(_InertHook())
    return out


def text_console(file: IO[str], width: int) -> Console:
    """A console that renders plain text (no colour, no markup) into `file`, for output built as a string."""
    out = Console(file=file, width=max(width, MIN_WIDTH), color_system=None, highlight=False, emoji=False,
                  markup=False)
    out.push_render_hook(_InertHook())
    return out


@dataclass(frozen=True)
class Column:
    """A table column. `figure`: never wrapped or cut; `name`: wrapped at separators; `text`: wrapped
    at spaces. `keep` columns are never left out; otherwise a higher `drop_order` goes first."""

    header: str
    kind: Kind = "name"
    drop_order: int = 0
    keep: bool = False

    @property
    def justify(self) -> str:
        return "right" if self.kind == "figure" else "left"


def fold_name(text: str, width: int) -> str:
    """`text` in lines of at most `width` cells, broken at a space if there is one, else after a
    separator in the second half of the line, else inside the word."""
    lines = []
    for line in text.split("\n"):
        while cell_len(line) > width:
            cut = width
            while cell_len(line[:cut]) > width:
                cut -= 1
            spaces = [i + 1 for i in range(1, cut + 1) if i < len(line) and line[i] == " "]
            separators = [i + 1 for i in range(cut) if line[i] in _BREAK_AFTER]
            if spaces and spaces[-1] - 1 <= cut:
                at = spaces[-1]
            elif separators and separators[-1] >= cut // 2:
                at = separators[-1]
            else:
                at = cut
            lines.append(line[:at].rstrip())
            line = line[at:].lstrip()
        lines.append(line)
    return "\n".join(lines)


def _widest_line(value: str) -> int:
    return max((cell_len(line) for line in value.split("\n")), default=0)


def _widest_word(value: str) -> int:
    return max((cell_len(w) for w in value.split()), default=0)


def _overhead(columns: int) -> int:
    """Padding (one cell each side, none at the table's edges) and one separator between columns."""
    return 3 * columns - 3 if columns else 0


def _minimum(column: Column, cells: list[str]) -> int:
    head = _widest_word(column.header)
    natural = max([_widest_line(c) for c in cells] + [head])
    if column.kind == "figure":
        return natural
    floor = _MIN_NAME if column.kind == "name" else _MIN_TEXT
    return max(head, min(natural, floor))


def fit(columns: Sequence[Column], rows: Sequence[Sequence[str]], width: int) -> tuple[list[int], list[int]]:
    """(indices of the columns shown, their content widths) for a table of at most `width` cells."""
    cells = [[str(r[i]) for r in rows] for i in range(len(columns))]
    shown = list(range(len(columns)))
    minimum = {i: _minimum(columns[i], cells[i]) for i in shown}
    droppable = sorted((i for i in shown if not columns[i].keep), key=lambda i: (-columns[i].drop_order, -i))
    while sum(minimum[i] for i in shown) + _overhead(len(shown)) > width and droppable:
        shown.remove(droppable.pop(0))
    widths = {i: minimum[i] for i in shown}
    spare = width - _overhead(len(shown)) - sum(widths.values())
    # Spare width goes first to short names (regions, instance types, ids) so they stay whole, then
    # is shared evenly among the other wrapped columns, each up to its natural width.
    wrapped = [i for i in shown if columns[i].kind != "figure"]
    needs = {i: max([_widest_line(c) for c in cells[i]] + [cell_len(columns[i].header)]) for i in wrapped}
    short = sorted((i for i in wrapped if columns[i].kind == "name" and needs[i] <= _SHORT_NAME),
                   key=lambda i: needs[i] - widths[i])
    for i in short:
        give = max(0, min(needs[i] - widths[i], spare))
        widths[i] += give
        spare -= give
    rest = sorted((i for i in wrapped if i not in short), key=lambda i: needs[i] - widths[i])
    for n, i in enumerate(rest):
        give = max(0, min(needs[i] - widths[i], spare // (len(rest) - n)))
        widths[i] += give
        spare -= give
    return shown, [widths[i] for i in shown]


def table(columns: Sequence[Column], rows: Sequence[Sequence[str]], width: int, *, title: str | None = None,
          row_styles: Sequence[str | None] | None = None, lines: bool = False) -> tuple[Table, list[str]]:
    """A rich table of `rows` that fits `width`, and the headers of the columns left out."""
    rows = [[inert(str(value)) for value in row] for row in rows]  # cells carry names and values from the plan
    shown, widths = fit(columns, rows, width)
    out = Table(title=None if title is None else Text(inert(title), style="bold"), title_justify="left", show_edge=False, pad_edge=False, box=box.SIMPLE_HEAD,
                expand=False, show_lines=lines)
    for i, w in zip(shown, widths):
        c = columns[i]
        out.add_column(Text("\n".join(textwrap.wrap(c.header, w)) or c.header), justify=c.justify, width=w, no_wrap=c.kind != "text",  # type: ignore[arg-type]
                       overflow="fold")
    for n, row in enumerate(rows):
        texts = []
        for i, w in zip(shown, widths):
            value = str(row[i])
            texts.append(Text(fold_name(value, w) if columns[i].kind == "name" else value))
        out.add_row(*texts, style=row_styles[n] if row_styles else None)
    left_out = [columns[i].header for i in range(len(columns)) if i not in shown]
    return out, left_out


def print_table(out: Console, columns: Sequence[Column], rows: Sequence[Sequence[str]], *, title: str | None = None,
                row_styles: Sequence[str | None] | None = None, hint: str | None = "--json", lines: bool = False) -> None:
    """Print a fitted table, then which columns did not fit (and where to find them)."""
    rendered, left_out = table(columns, rows, out.width, title=title, row_styles=row_styles, lines=lines)
    out.print(rendered)
    if left_out:
        where = f"in a wider terminal or with {hint}" if hint else "in a wider terminal"
        out.print(Text(f"Not shown at {out.width} columns: {', '.join(left_out)} (shown {where})."), style="dim")


def safe_text(text: str, style: str = "") -> Text:
    """A line of output built from values (names, messages, paths): shown as text, control characters
    escaped. Escaped here, before rich lays the line out, so widths are right and CR, BEL and form feed
    (which rich would silently drop) show too."""
    return Text(inert(text), style=style)


def shown(value: object) -> str:
    """A value inside a line written with rich markup: control characters escaped, `[` never a tag."""
    return escape(inert(str(value)))


class _InertHook(RenderHook):
    """The last line of defence: whatever gpufleet prints through its consoles, a control character that
    reached the output unescaped (a value printed without `line`/`shown`/`inert`) is shown escaped.
    Cursor and colour codes rich adds itself are not text and pass."""

    def process_renderables(self, renderables: list[ConsoleRenderable]) -> list[ConsoleRenderable]:
        return [_Inert(r) for r in renderables]


@dataclass(frozen=True)
class _Inert:
    renderable: ConsoleRenderable

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Segment]:
        for segment in console.render(self.renderable, options):
            yield segment if segment.control else Segment(inert(segment.text), segment.style)


def print_violations(out: Console, title: str, rows: Sequence[tuple[str, str, str, str]]) -> None:
    """Policy results as a list, readable at any width: "level  policy  (resource)", then the message
    indented. Policy and resource names stay whole on their line (they are what people search for)."""
    out.print(Text(inert(title), style="bold"))
    styles = {"mandatory": "red", "remediate": "yellow", "advisory": "yellow"}
    for level, policy, resource, message in rows:
        # A summary row ("… 12 more") names no resource: no empty "()" after it.
        named = ("  ", (f"({inert(resource)})", "dim")) if resource else ()
        head = Text.assemble((level, styles.get(level, "")), "  ", inert(policy), *named)
        out.print(head, overflow="fold")
        out.print(Padding(Text(inert(" ".join(message.split()))), (0, 0, 0, 4)))
