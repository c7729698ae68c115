"""The pack's own process (`python -m pulumi.policy`, started by the engine for one preview)."""

import gc


def collector_for_one_preview() -> None:
    """pulumi-policy rebuilds every resource for every policy (tens of thousands of short-lived objects per
    `AnalyzeStack` at 1,000 node groups), so Python's cyclic collector would run hundreds of times, each time
    walking everything imported. In the pack's process it skips what exists now (frozen: the imports) and
    runs ~70× less often, as during gpufleet's own runs (gpufleet/offline/runner.py); cyclic garbage still
    goes. Never called in-process (gpufleet's fast path): the collector is that process's business."""
    gc.freeze()
    gc.set_threshold(50_000, 50, 100)
