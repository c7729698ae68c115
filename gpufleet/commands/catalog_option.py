"""`--catalog DIR`, shared by the commands that read the catalog: an overlay over the shipped data.

The option sets `GPUFLEET_CATALOG` for the whole process, so the program previewed in-process and
the policy pack (a child process) read the same catalog as the command itself.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
from pathlib import Path

from gpufleet.catalog import Catalog, load_catalog
from gpufleet.catalog.overlay import OVERLAY_ENV, CatalogOverlayError


def add_catalog_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--catalog", type=Path, metavar="DIR",
                        help=f"a folder of catalog CSVs whose rows override or add to the shipped catalog "
                             f"(negotiated prices, newer data); default: ${OVERLAY_ENV}")


def catalog_from_arguments(args: argparse.Namespace) -> Catalog:
    """The catalog in use; a bad overlay raises `UserError` (exit 2)."""
    if args.catalog is None:
        return load_catalog()
    os.environ[OVERLAY_ENV] = str(args.catalog.resolve())
    try:
        return load_catalog()
    except CatalogOverlayError as e:  # name the option the user gave, not the variable it sets
        raise CatalogOverlayError([dataclasses.replace(p, path=p.path.replace(OVERLAY_ENV, "--catalog", 1))
                                   for p in e.problems]) from None
