"""A stack's fleet: the project's stack file read as the CLI would, then `gpufleet:fleet` validated."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from gpufleet.config_key import CONFIG_KEY
from gpufleet.errors import Problem, UserError, did_you_mean
from gpufleet.files import parse_json
from gpufleet.offline.project import SECRET_PLACEHOLDER, StackSettings, load_stack

if TYPE_CHECKING:
    from gpufleet.config import Fleet


def fleet_from_settings(settings: StackSettings) -> Fleet:
    """Parse the stack's `gpufleet:fleet`; a missing key or invalid value raises `UserError`."""
    where = f"stack {settings.stack!r}"
    raw = settings.config.get(CONFIG_KEY)
    if raw is None:
        near = did_you_mean(CONFIG_KEY, settings.config)
        keys = sorted(settings.config)
        # What the stack does set, so a misplaced fleet is found; these are not "allowed" values.
        sets = f" (it sets only {', '.join(keys[:12])}{', …' if len(keys) > 12 else ''})" if keys else \
            " (it sets no keys)"
        raise UserError([Problem(CONFIG_KEY, f"missing from the configuration of {where}{sets}", suggestion=near)],
                        heading="invalid stack configuration")
    heading = f"invalid stack configuration ({where})"
    if raw == SECRET_PLACEHOLDER and CONFIG_KEY in settings.secret_keys:
        raise UserError([_secret(CONFIG_KEY)], heading=heading)
    # Structured values arrive as JSON text; a plain string is left for parse_fleet to refuse.
    value = (parse_json(raw, where, heading=heading, prefix=(CONFIG_KEY,))
             if raw.lstrip().startswith(("{", "[")) else raw)
    if CONFIG_KEY in settings.secret_keys:
        raise UserError([_secret(path) for path in _secret_paths(value, CONFIG_KEY)], heading=heading)
    from gpufleet.config import parse_fleet  # the fleet's models, only for a stack that has one

    try:
        return parse_fleet(value)
    except UserError as e:
        e.heading = f"invalid stack configuration ({where})"
        raise UserError(e.problems, heading=e.heading) from None


def _secret(path: str) -> Problem:
    return Problem(path, "is a secret (`secure:`): the fleet is plain configuration (its values become resource names "
                         "and tags, which are never secret) and gpufleet cannot decrypt it offline; set it without "
                         "`--secret`")


def _secret_paths(value: object, path: str) -> list[str]:
    """Where the secrets inside the fleet were (each `secure:` value is the placeholder by now)."""
    if value == SECRET_PLACEHOLDER:
        return [path]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _secret_paths(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _secret_paths(v, f"{path}[{i}]")]
    return []


def load_fleet(project_dir: Path, stack: str) -> tuple[StackSettings, Fleet]:
    settings = load_stack(Path(project_dir), stack)
    return settings, fleet_from_settings(settings)
