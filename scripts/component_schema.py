"""Write (or check) components/schema.json: the component package's schema, generated offline.

    .venv/bin/python scripts/component_schema.py           # regenerate after changing a component's args or outputs
    .venv/bin/python scripts/component_schema.py --check   # exit 1 and show the difference when it is out of date

The schema is what the component provider host serves to `pulumi package add`: the SDK's analyzer
infers it from the components' annotated args classes and class-level `pulumi.Output[T]` attributes.
Committing it makes every change of the components' interface visible in review.
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SCHEMA = REPO_ROOT / "components" / "schema.json"


def generate() -> str:
    """The schema as the provider host serves it, as stable JSON text."""
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    from pulumi.provider.experimental.component import ComponentProvider

    from gpufleet.components import COMPONENTS
    from gpufleet.components.__main__ import PACKAGE_NAME, package_version

    provider = ComponentProvider(list(COMPONENTS), PACKAGE_NAME, version=package_version())
    return json.dumps(json.loads(provider.schema), indent=2, sort_keys=True) + "\n"


def difference(expected: str, actual: str) -> str:
    return "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True),
                                        "components/schema.json (committed)", "components/schema.json (generated)"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare with the committed schema instead of writing")
    args = parser.parse_args(argv)
    try:
        schema = generate()
    except ModuleNotFoundError as e:  # run with a Python that lacks the project's dependencies
        print(f"error: {e.name} is not installed in {sys.executable}: run `make setup`, then "
              "`.venv/bin/python scripts/component_schema.py`", file=sys.stderr)
        return 2
    if not args.check:
        SCHEMA.write_text(schema)
        print(f"wrote {SCHEMA.relative_to(REPO_ROOT)}")
        return 0
    committed = SCHEMA.read_text() if SCHEMA.is_file() else ""
    if committed == schema:
        print("components/schema.json is up to date")
        return 0
    print("components/schema.json is out of date: run `.venv/bin/python scripts/component_schema.py` and commit it\n",
          file=sys.stderr)
    print(difference(committed, schema), file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
