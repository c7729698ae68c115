"""The gpufleet policy pack. Only this file constructs the PolicyPack (it serves gRPC and blocks)."""

from pulumi_policy import PolicyPack

from gpufleet_policies import DESCRIPTION, ENFORCEMENT_LEVEL, PACK_NAME, POLICIES

PolicyPack(name=PACK_NAME, policies=POLICIES, enforcement_level=ENFORCEMENT_LEVEL, description=DESCRIPTION)
