"""The gpufleet policy pack. Only this file constructs the PolicyPack (it serves gRPC and blocks)."""

from pulumi_policy import PolicyPack

from gpufleet_policies import DESCRIPTION, ENFORCEMENT_LEVEL, PACK_NAME, POLICIES
from gpufleet_policies._process import (collector_for_one_preview, configure_runtime_once, parse_each_message_once,
                                        share_read_only_properties)

collector_for_one_preview()
parse_each_message_once()
share_read_only_properties()
configure_runtime_once()
PolicyPack(name=PACK_NAME, policies=POLICIES, enforcement_level=ENFORCEMENT_LEVEL, description=DESCRIPTION)
