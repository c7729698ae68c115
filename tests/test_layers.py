"""The layers: catalog < readers and cloud adapters < estimate < placement < components (with the
clouds' declare modules) < program. No module imports from a layer above its own (not even lazily,
inside a function), and no import cycle exists between modules."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Folder -> module prefix: the repository's components/ is the package gpufleet.components (gpufleet/components
# links to it); rglob does not follow that link, so it is listed here once.
PACKAGES = {"gpufleet": "gpufleet", "components": "gpufleet.components",
            "policies/gpufleet_policies": "gpufleet_policies"}

# (module prefix, layer); the longest matching prefix decides.
LAYERS = [
    ("gpufleet.errors", 0),
    ("gpufleet.words", 0),
    ("gpufleet.secrets", 0),
    ("gpufleet.files", 0),
    ("gpufleet.catalog", 0),
    ("gpufleet.pulumi_private", 0),  # the Pulumi SDK's private hooks: used from every layer
    ("gpufleet.footprint", 1),
    ("gpufleet.readers", 1),
    ("gpufleet.clouds", 1),
    ("gpufleet.config", 1),
    ("gpufleet.config_key", 0),
    ("gpufleet.estimate", 2),
    ("gpufleet_policies", 2),  # the policy pack may import the low layers only
    ("gpufleet.placement", 3),
    ("gpufleet.components", 4),
    ("gpufleet", 5),
]



def layer(module: str) -> int:
    """A cloud's declare module (`gpufleet.clouds.<cloud>.declare`) is in the components' layer."""
    parts = module.split(".")
    if parts[:2] == ["gpufleet", "clouds"] and len(parts) >= 4 and parts[3] == "declare":
        return 4
    matches = [(len(prefix), n) for prefix, n in LAYERS if module == prefix or module.startswith(prefix + ".")]
    return max(matches)[1]


def modules() -> dict[str, Path]:
    out = {}
    for folder, prefix in PACKAGES.items():
        base = ROOT / folder
        for path in base.rglob("*.py"):
            parts = [prefix, *path.relative_to(base).with_suffix("").parts]
            if parts[-1] == "__init__":
                parts.pop()
            out[".".join(parts)] = path
    return out


def imports(path: Path, known: dict[str, Path]) -> set[str]:
    """The project modules `path` imports (anywhere in it), as the longest known module names."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # `from pkg import sub` depends on the submodule; `from pkg import name` on the package.
            names = [f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in known else node.module
                     for a in node.names]
        for name in names:
            parts = name.split(".")
            while parts and ".".join(parts) not in known:
                parts.pop()
            if parts:
                found.add(".".join(parts))
    return found


def test_no_module_imports_from_a_higher_layer():
    known = modules()
    upward = sorted(f"{m} ({layer(m)}) imports {i} ({layer(i)})" for m, path in known.items()
                    for i in imports(path, known) if layer(i) > layer(m))
    assert upward == []


def test_every_cloud_declare_module_is_in_the_components_layer():
    declares = [m for m in modules() if m.startswith("gpufleet.clouds.") and m.endswith(".declare")]
    assert declares and all(layer(m) == 4 for m in declares)


def test_no_import_cycles():
    known = modules()
    graph = {m: imports(path, known) - {m} for m, path in known.items()}
    # A package's __init__ importing its own submodules is not a cycle when they do not import it back.
    cycles = []
    state: dict[str, int] = {}

    def visit(m: str, stack: list[str]) -> None:
        state[m] = 1
        for dep in sorted(graph.get(m, ())):
            if state.get(dep) == 1:
                cycles.append(" -> ".join(stack[stack.index(dep):] + [dep]))
            elif dep not in state:
                visit(dep, stack + [dep])
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m, [m])
    assert cycles == []


GENERIC = ("gpufleet.components", "gpufleet.estimate", "gpufleet.placement", "gpufleet.config", "gpufleet.report.summary",
           "gpufleet.report.disruption",
           "gpufleet_policies._capacity", "gpufleet_policies._stack")


def test_generic_code_names_no_cloud():
    """Generic code asks the cloud adapters; it never compares with, or looks up by, a cloud's name."""
    from gpufleet.clouds import adapters

    names = {a.name for a in adapters()}
    found = []
    for m, path in modules().items():
        if not any(m == g or m.startswith(g + ".") for g in GENERIC):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and node.value in names:
                found.append(f"{m}:{node.lineno}: {node.value!r}")
    assert found == []


def test_nothing_imports_a_top_level_components_package():
    """The components are `gpufleet.components`; an installed gpufleet has no top-level `components`."""
    found = []
    for path in [*modules().values(), ROOT / "__main__.py", *(ROOT / "tests").rglob("*.py"),
                 *(ROOT / "examples").rglob("*.py"), *(ROOT / "scripts").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module] if isinstance(node, ast.ImportFrom) and node.module and node.level == 0 else []
            found += [f"{path.relative_to(ROOT)}:{node.lineno}: {n}" for n in names if n.split(".")[0] == "components"]
    assert found == []
