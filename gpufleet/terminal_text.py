"""Text for a terminal: whatever a value says, it prints as the text it is.

Values gpufleet prints come from plans, programs, stack files and policy packs it does not control:
a resource name, a tag, a warning, a policy message, a bad value echoed in an error. Control characters
in them would drive the reader's terminal, and bidirectional marks would reorder what a line shows;
`inert` shows each as its escape instead (`\\u001b`, `\\u202e`). The pull-request comment has its own
rules (`gpufleet.report.inert`); this module has no dependency, so the error path can use it.
"""

from __future__ import annotations

import re

# Control characters and bidirectional marks from plans, programs and config values would drive the
# reader's terminal (ESC starts a sequence that recolours, moves the cursor or clears the screen; CR
# returns to the start of the line and overwrites it) or reorder what a line shows (U+202E reverses the
# text after it). Line and paragraph separators (U+2028, U+2029) would start a line that is not one.
# Tab and newline stay: gpufleet's own lines use them.
CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")


def inert(text: str) -> str:
    """`text` with every control character shown as its escape (`\\u202e`), so it prints as it reads."""
    return CONTROLS.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
