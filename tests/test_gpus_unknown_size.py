"""GPU capacity of unknown size (a resource type gpufleet does not read: its node count is unknown) is shown as
such by `preview`, `report` and `diff`, never as "No GPU capacity" or 0 GPUs (review14c, #14)."""

from pathlib import Path

from gpufleet.cli import main
from gpufleet.report import fmt

POOL = Path(__file__).parent / "policies" / "programs" / "azure_batch_pool_h100"  # 80 × ND96isr_H100_v5, not read
LISTED = ("GPU capacity of unknown size: 1 resource(s) whose GPU count is not known: train "
          "(Standard_ND96isr_H100_v5 in azure swedencentral); the GPU totals leave them out.")


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_preview_report_and_diff_say_gpu_capacity_of_unknown_size(tmp_path, capsys):
    plan = tmp_path / "plan.json"
    assert main(["preview", "prod", "--program", str(POOL), "--no-policies", "--json", str(plan)]) == 0
    screen = _flat(capsys.readouterr().out)
    assert "No GPU capacity" not in screen and "0 GPUs" not in screen
    assert LISTED in screen
    assert "Total: unknown GPUs · unknown USD/month" in screen
    # the row (the instance type wraps): nodes, GPUs, USD, kgCO2e all unknown
    assert "azure swedencentral Standard_ND96isr_ unknown unknown unknown unknown H100_v5" in screen

    assert main(["report", str(plan)]) == 0
    screen = _flat(capsys.readouterr().out)
    assert "0 GPUs" not in screen
    assert screen.startswith("Total: unknown USD/month · unknown tCO2e/month · unknown GPUs · no mandatory")
    assert "Stack prod: unknown GPUs · unknown USD/month" in screen and "GPUs unknown USD/month" in screen
    assert LISTED in screen

    assert main(["diff", str(plan), str(plan)]) == 0
    screen = _flat(capsys.readouterr().out)
    assert "GPUs unknown unknown 0 USD/month" in screen  # base, head, and no change in what is counted
    assert LISTED.replace("size:", "size (head):") in screen and LISTED.replace("size:", "size (base):") in screen


def test_gpus_beside_capacity_of_unknown_size():
    assert fmt.gpus_with_unknown("8", True, True) == "8 + unknown"
    assert fmt.gpus_with_unknown("0–32", True, True) == "0–32 + unknown"
    assert fmt.gpus_with_unknown("0", False, True) == "unknown"
    assert fmt.gpus_with_unknown("0", False, False) == "0"
