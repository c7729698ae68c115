"""Registers one resource, then fails: in a helper module, with a UserError of its own, or with
an error logged and `pulumi.RunError` raised (the Pulumi convention for "already reported")."""

import pulumi

import checks
from gpufleet.errors import Problem, UserError

pulumi.CustomResource("test:index:Thing", "before-failure", {})
if pulumi.Config().get("mistake") == "gpus":
    raise UserError([Problem(path="boom:gpus", message="must be at least 1", value=0)], heading="invalid stack configuration")
if pulumi.Config().get("mistake") == "logged":
    pulumi.log.info("checking capacity")
    pulumi.log.error("boom:gpus: must be at least 1 (got 0)")
    raise pulumi.RunError("invalid stack configuration")
checks.check_capacity()
