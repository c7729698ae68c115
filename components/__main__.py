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


def serve(components: list, args: list[str]) -> None:
    """Serve `components` over the provider protocol, as the SDK's `component_provider_host` does, with
    `PerPropertyErrors` as the provider."""
    from pulumi.provider import main

    main(per_property_errors_provider()(components, PACKAGE_NAME, None, package_version()), args)


def per_property_errors_provider() -> type:
    """The SDK's component provider, letting a component's `pulumi.InputPropertiesError` through.

    The SDK (pulumi 3.272, experimental) wraps whatever a component's `__init__` raises in
    `ComponentInitError`; its `Construct` then answers an opaque error with a Python stack. Unwrapped,
    `Construct` answers gRPC INVALID_ARGUMENT with one `InputPropertiesError.PropertyError` (path,
    reason) per property, which every language's SDK shows per property.
    """
    from pulumi import InputPropertiesError, InputPropertyError
    from pulumi.provider.experimental.component import ComponentProvider
    from pulumi.provider.server import ComponentInitError

    class PerPropertyErrors(ComponentProvider):
        def construct(self, name, resource_type, inputs, options=None):
            try:
                return super().construct(name, resource_type, inputs, options)
            except ComponentInitError as e:
                if isinstance(e.inner, (InputPropertiesError, InputPropertyError)):
                    raise e.inner from None
                raise

    return PerPropertyErrors


if __name__ == "__main__":
    _put_repository_on_path()
    from gpufleet.components import COMPONENTS

    # The SDK's host: the engine passes the plugin folder, then its address and flags.
    serve(list(COMPONENTS), sys.argv[1:])
