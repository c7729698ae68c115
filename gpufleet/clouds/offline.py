"""What a cloud adapter answers for the offline preview: its lookups (invokes) and the outputs a
preview knows of its resources beyond their inputs.

Offline there is no cloud to ask: answers follow only from the invoke's arguments and the provider's
configuration, so a preview never changes between runs. The offline engine (`gpufleet.offline`)
asks the adapters first (`CloudAdapter.offline_answers`, `CloudAdapter.preview_state`), then falls
back to answers shaped by the SDK's result type.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Callable

# What the invoke's provider is configured with: `region`, `location`, `subscriptionId`, …
ProviderConfig = dict[str, Any]
# (token, arguments in wire names, provider configuration) -> the result in wire names
Answer = Callable[[str, dict, ProviderConfig], dict]


class NotEmulated(Exception):
    """A specific answer does not cover these arguments: the generic answer stands in."""


class OfflineUnsupported(Exception):
    """Something the program asks of the cloud that cannot be answered offline."""


class MissingSetting(LookupError):
    """A lookup needs a provider setting (`setting`, e.g. `gcp:project`) the stack does not configure."""

    def __init__(self, message: str, setting: str) -> None:
        super().__init__(message)
        self.setting = setting


class UnansweredInvoke(OfflineUnsupported):
    """An invoke the offline preview cannot answer without the cloud; `setting`, when adding that
    stack setting would answer it (a configuration error, not the program's)."""

    def __init__(self, token: str, reason: str = "", setting: str | None = None) -> None:
        self.token, self.setting = token, setting
        detail = f": {reason}" if reason else ""
        # A missing setting's reason names the setting to add: that is the fix, not credentials.
        fix = "" if setting else ("; run `pulumi preview` with cloud credentials, or pass the value in through stack "
                                  "configuration")
        super().__init__(f"offline preview cannot answer invoke {token!r}{detail}{fix}")


def digest(*parts: object, length: int) -> str:
    """A hex digest of `parts`: ids derived from the query, the same on every run."""
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:length]
