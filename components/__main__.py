"""The component provider host: gpufleet's components for every Pulumi language.

Another team runs `pulumi package add <repo>/components` (see docs/teams.md). The Python language host
then starts this folder as a plugin, `python components/ <engine address>`, and the engine asks it for
the schema (inferred by the SDK from the components' annotated args classes and `Output` attributes)
and to construct components. Python programs import the package directly: `import gpufleet.components`
never runs this file.

The SDK's component provider is experimental: pulumi is pinned in pyproject.toml and requirements.txt.
"""

import sys
import tomllib
from pathlib import Path

PACKAGE_NAME = "gpufleet"  # the `<pkg>` of the components' type tokens `gpufleet:index:<Class>`
REPO_ROOT = Path(__file__).resolve().parent.parent


def package_version() -> str:
    """The package's semantic version: gpufleet's (pyproject.toml), so SDKs and CHANGELOG agree."""
    with (REPO_ROOT / "pyproject.toml").open("rb") as f:
        return tomllib.load(f)["project"]["version"]


def _put_repository_on_path() -> None:
    # `python components/` puts this folder first on sys.path; the code imports `gpufleet.components.…`
    # (gpufleet/components links to this folder) from the repository root, and module names here
    # (args, storage, …) must not shadow other top-level modules.
    here = str(Path(__file__).resolve().parent)
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(here)]
    sys.path.insert(0, str(REPO_ROOT))


if __name__ == "__main__":
    _put_repository_on_path()
    from pulumi.provider.experimental import component_provider_host

    from gpufleet.components import COMPONENTS

    component_provider_host(list(COMPONENTS), name=PACKAGE_NAME, version=package_version())
