"""Write one configuration value into a stack file, keeping everything else in it byte for byte.

`gpufleet place STACK --lock` records the reviewed placement under `gpufleet:placement`. A stack
file is the team's: its comments, order and formatting stay, so the pull request shows the lock and
nothing else. The edit replaces the lines of that one key (or adds them at the end of `config:`),
then reads the file back the way the Pulumi CLI does and restores it if anything else changed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from gpufleet.errors import Problem, UserError
from gpufleet.offline.project import load_stack


def _last_line(node: yaml.Node) -> int:
    """The last line holding part of `node` (a block's own end mark may sit past trailing comments)."""
    if isinstance(node, yaml.MappingNode):
        return max((_last_line(v) for _, v in node.value), default=node.start_mark.line)
    if isinstance(node, yaml.SequenceNode):
        return max((_last_line(v) for v in node.value), default=node.start_mark.line)
    return node.end_mark.line


def _block(key: str, value: Any, indent: int, comment: str) -> list[str]:
    dumped = yaml.safe_dump({key: value}, sort_keys=False, default_flow_style=False, width=120)
    lines = dumped.splitlines()
    pad = " " * indent
    return [pad + lines[0], f"{pad}  # {comment}", *(pad + line for line in lines[1:])]


def set_config_value(project_dir: Path, stack: str, key: str, value: Any, comment: str) -> Path:
    """Set `key` (fully qualified, `ns:name`) of the stack's configuration to `value`; return the file."""
    settings = load_stack(project_dir, stack)
    path = settings.stack_file
    if path is None:  # a project with no stack file yet (gpufleet.offline.project.load_stack)
        raise UserError([Problem(path=f"stack {stack}", message=f"has no Pulumi.{stack}.yaml to write {key} into: "
                                 f"create it (`pulumi stack init {stack}`, then `pulumi config set`)")])
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    config = next((v for k, v in (root.value if isinstance(root, yaml.MappingNode) else [])
                   if k.value == "config"), None)
    namespace, name = key.split(":", 1)
    if isinstance(config, yaml.MappingNode) and config.value:
        indent = config.value[0][0].start_mark.column
        found = next(((k, v) for k, v in config.value
                      if k.value in (key, f"{namespace}:config:{name}") or (namespace == settings.project
                                                                               and k.value == name)), None)
        if found is not None:
            start, end = found[0].start_mark.line, _last_line(found[1]) + 1
        else:
            start = end = _last_line(config) + 1
        new = lines[:start] + _block(key, value, indent, comment) + lines[end:]
    else:
        if config is not None or (isinstance(root, yaml.MappingNode) and any(k.value == "config" for k, _ in root.value)):
            raise UserError([Problem(f"{path}: config", "must be a mapping of keys to values to add a key")],
                            heading="cannot write the stack file")
        new = lines + ["config:"] + _block(key, value, 2, comment)
    path.write_text("\n".join(new) + "\n", encoding="utf-8")

    after = load_stack(project_dir, stack).config
    expected = {**settings.config, key: json.dumps(value)}
    if {k: v for k, v in after.items() if k != key} != {k: v for k, v in expected.items() if k != key} \
            or json.loads(after.get(key, "null")) != value:
        path.write_text(text, encoding="utf-8")
        raise UserError([Problem(str(path), f"could not set {key} without changing other settings; the file "
                                 "is unchanged: set it by hand")], heading="cannot write the stack file")
    return path
