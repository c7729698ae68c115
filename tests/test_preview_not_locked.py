"""The preview's placement lines tell the user the exact command for their stack."""

import io

from rich.console import Console

from gpufleet.commands.preview import render_placement


def test_the_not_locked_line_names_the_stack_to_lock():
    buffer = io.StringIO()
    render_placement({"catalog": {"version": "a52ea79b8063", "data": "shipped data"}, "not_locked": ["tune", "serve"],
                      "recommendation": None}, Console(file=buffer, width=300, no_color=True), "mine")
    assert buffer.getvalue().splitlines() == [
        "Catalog: a52ea79b8063 (shipped data)",
        "Not locked: tune, serve (placed at this run; they may move when the catalog changes: lock with "
        "`gpufleet place mine --lock`)"]


def test_a_placement_not_proven_optimal_is_said_under_the_catalog():
    buffer = io.StringIO()
    note = ("Not proven optimal (balanced objective): the solver stopped at its node limits; the carbon total is at "
            "most 3.809 kgCO2e/month above the optimum")
    render_placement({"catalog": {"version": "a52ea79b8063", "data": "shipped data"}, "not_proven": [note],
                      "not_locked": [], "recommendation": None}, Console(file=buffer, width=300, no_color=True), "mine")
    assert buffer.getvalue().splitlines() == ["Catalog: a52ea79b8063 (shipped data)", note]
