"""Findings of an independent new user's review (review6): programs written as users copy them from the
providers' registry docs, previewed as the README says, with what `pulumi preview` would show."""

def test_what_the_program_logs_is_shown_as_pulumi_preview_shows_its_diagnostics(summary) -> None:
    lines = summary("logs_an_error")  # exit 0: an error the program logs does not fail a preview (pulumi#5085)
    at = lines.index("Diagnostics (the program's log): 3 message(s)")
    assert lines[at:at + 5] == [
        "Diagnostics (the program's log): 3 message(s)",
        "  info: sizing for 1 GPU",
        "  warning: no gpufleet-hours-per-month tag: assuming always on",
        "  error: quota request \\u001b[31mnot approved\\u001b[0m for g6 in eu-north-1",  # escaped, never a colour
        "Policies: not run (--no-policies)"]
