"""Plan values made inert for a pull-request comment: whatever a resource name, input, policy message
or file name says, it renders as the text it is — no HTML, no Markdown structure, no @mention, no
#reference, no link. A plan is untrusted input (anyone can name a resource `<img src=…>` or `@org/team`).

- `text(v)`: prose. HTML's `& < > "` become entities; Markdown punctuation is backslash-escaped;
  a zero-width space breaks `@name`, `#123`, `GH-123`, `://` and `www.` so GitHub neither notifies,
  references nor links. Whitespace (newlines too) collapses to one space, so a value stays in its cell.
- `code(v)`: an identifier in a code span (literal by Markdown's rules; only `|` needs escaping in a table).
- `label(v)`: a Mermaid chart label: letters, digits and `._-` only.
- `fenced(text)`: a block shown verbatim, fenced by more backticks than it contains.
Long values are cut (with "…") so one value cannot push the rest out of the comment. Everywhere, control
characters and bidirectional marks are shown escaped (`\\u202e`), as in the terminal
(`gpufleet.terminal_text`): U+202E would show a message reversed, and the Markdown may be printed to a
terminal (`gpufleet report --output -`).
"""

from __future__ import annotations

import re

from gpufleet.terminal_text import inert as terminal_inert

ZWSP = "\u200b"
TEXT_LIMIT = 600
CODE_LIMIT = 120
_MARKDOWN = re.compile(r"([\\`*_\[\]|~$])")  # emphasis, code, links, tables, strike-through, math
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}
_BREAKS = [
    (re.compile(r"@(?=\w)"), "@" + ZWSP),  # @user, @org/team, e-mail addresses
    (re.compile(r"#(?=\w)"), "#" + ZWSP),  # #123, owner/repo#123
    (re.compile(r"\b(GH)-(?=\d)", re.IGNORECASE), r"\1" + ZWSP + "-"),  # GH-123
    (re.compile(r":(?=//)"), ":" + ZWSP),  # scheme://
    (re.compile(r"\b(www)\.", re.IGNORECASE), r"\1" + ZWSP + "."),  # www.example.com
]


def _one_line(value: object, limit: int) -> str:
    s = terminal_inert(" ".join(str(value).split()))
    return s if len(s) <= limit else s[: limit - 1].rstrip() + "…"


def _breaks(s: str) -> str:
    for pattern, replacement in _BREAKS:
        s = pattern.sub(replacement, s)
    return s


def text(value: object, limit: int = TEXT_LIMIT) -> str:
    s = _breaks(_one_line(value, limit))
    s = _MARKDOWN.sub(r"\\\1", s)
    return "".join(_ENTITIES.get(ch, ch) for ch in s)


def code(value: object, limit: int = CODE_LIMIT) -> str:
    s = _one_line(value, limit).replace("`", "'")
    return f"`{s.replace('|', chr(92) + '|')}`" if s else "` `"


def label(value: object, limit: int = 24) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", str(value))[:limit] or "_"


def fenced(body: str, info: str = "text") -> list[str]:
    body = terminal_inert(body)
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence + info, body, fence]
