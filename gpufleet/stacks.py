"""A stack's fleet: the project's stack file read as the CLI would, then `gpufleet:fleet` validated."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from gpufleet.config_key import CONFIG_KEY
from gpufleet.errors import Problem, UserError, did_you_mean
from gpufleet.files import parse_json
from gpufleet.offline.project import StackSettings, load_stack

if TYPE_CHECKING:
    from gpufleet.config import Fleet


def fleet_from_settings(settings: StackSettings) -> Fleet:
    """Parse the stack's `gpufleet:fleet`; a missing key or invalid value raises `UserError`."""
    where = f"stack {settings.stack!r}"
    raw = settings.config.get(CONFIG_KEY)
    if raw is None:
        near = did_you_mean(CONFIG_KEY, settings.config)
        raise UserError(
            [Problem(CONFIG_KEY, f"missing from the configuration of {where}", suggestion=near,
                     allowed=tuple(sorted(settings.config)) or ("(no keys set)",))],
            heading="invalid stack configuration",
        )
    # Structured values arrive as JSON text; a plain string is left for parse_fleet to refuse.
    value = (parse_json(raw, where, heading=f"invalid stack configuration ({where})", prefix=(CONFIG_KEY,))
             if raw.lstrip().startswith(("{", "[")) else raw)
    from gpufleet.config import parse_fleet  # the fleet's models, only for a stack that has one

    try:
        return parse_fleet(value)
    except UserError as e:
        e.heading = f"invalid stack configuration ({where})"
        raise UserError(e.problems, heading=e.heading) from None


def load_fleet(project_dir: Path, stack: str) -> tuple[StackSettings, Fleet]:
    settings = load_stack(Path(project_dir), stack)
    return settings, fleet_from_settings(settings)
