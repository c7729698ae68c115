"""A one-rule pack: an EKS node group may not run more nodes than the environment allows."""

from pulumi_policy import EnforcementLevel, PolicyConfigSchema, PolicyPack, ReportViolation, ResourceValidationArgs, ResourceValidationPolicy


def _max_nodes(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type != "aws:eks/nodeGroup:NodeGroup":
        return
    limit = int(args.get_config()["maxNodes"])  # config numbers arrive as floats
    desired = (args.props.get("scalingConfig") or {}).get("desiredSize")
    if isinstance(desired, (int, float)) and desired > limit:
        report_violation(f"{int(desired)} nodes; this environment allows {limit}")


PolicyPack(
    name="report-test",
    enforcement_level=EnforcementLevel.ADVISORY,
    policies=[
        ResourceValidationPolicy(
            name="aws-eks-node-group-max-nodes",
            description="Node groups stay within the environment's node limit.",
            validate=_max_nodes,
            config_schema=PolicyConfigSchema(properties={"maxNodes": {"type": "integer"}}, required=["maxNodes"]),
        )
    ],
)
