"""gpufleet-stack-monthly-carbon-budget: the stack's estimated monthly emissions stay within budget."""

from __future__ import annotations

from pulumi_policy import Severity

from gpufleet_policies._define import stack_policy
from gpufleet_policies._stack import budget, stack_plan
from gpufleet_policies._values import join

NAME = "gpufleet-stack-monthly-carbon-budget"
SCOPES = ("operational", "operational+embodied")


def check(args, config, findings) -> None:
    limit = budget(config, "monthly_tco2e", "monthly_tco2e")
    if limit is None:
        return
    embodied = config.get("scope", SCOPES[0]) == "operational+embodied"
    est = stack_plan(args.resources).estimate
    figures = ("monthly_kgco2e", "monthly_embodied_kgco2e") if embodied else ("monthly_kgco2e",)
    tonnes = sum(est.total(f) for f in figures) / 1000
    unknown = sorted({u.rsplit("::", 1)[-1] for f in figures for u in est.unknown(f) if est.resources[u].gpus})

    def kg(e) -> float:
        return sum(getattr(e, f) or 0.0 for f in figures)

    scope = "operational + embodied" if embodied else "operational"
    if tonnes > limit.value:
        largest = sorted((e for e in est.resources.values() if kg(e)), key=lambda e: -kg(e))[:3]
        top = join(f"{e.urn.rsplit('::', 1)[-1]} {kg(e) / 1000:,.2f} t ({e.region})" for e in largest)
        extra = f"; {len(unknown)} GPU resource(s) with unknown emissions are not counted" if unknown else ""
        findings.violation(
            f"estimated {tonnes:,.2f} tCO2e/month ({scope}) exceeds the carbon budget of {limit.value:g} "
            f"tCO2e/month ({limit.source}){extra}. Largest: {top}. Fix: move GPUs to cleaner regions, lower node "
            "counts, hours or utilisation, or raise the budget."
        )
    elif unknown:
        findings.cannot_verify(f"emissions of {join(unknown)} (energy or grid intensity unknown); the known "
                               f"part is {tonnes:,.2f} of {limit.value:g} tCO2e/month ({scope})")


POLICY = stack_policy(
    NAME,
    "The stack's estimated monthly emissions (energy × PUE × grid intensity, plus embodied emissions when "
    "scope is operational+embodied) stay within its carbon budget; gpufleet:fleet budgets.monthly_tco2e takes "
    "precedence over monthly_tco2e here.",
    check,
    area="sustainability",
    severity=Severity.HIGH,
    remediation="Move GPU capacity to cleaner regions, lower node counts, hours or utilisation, or raise "
                "the carbon budget.",
    properties={"monthly_tco2e": {"type": "number", "exclusiveMinimum": 0, "default": 50,
                                  "description": "monthly carbon budget in tCO2e when the stack sets none"},
                "scope": {"type": "string", "enum": list(SCOPES), "default": SCOPES[0],
                          "description": "what the budget covers: operational emissions (energy × grid "
                                         "intensity), or those plus embodied (manufacturing, amortised)"}},
)
