"""A helper module, as programs split theirs."""

import pulumi_aws as aws


def zone_names():
    # no aws:region in the stack: the lookup cannot be answered offline
    return aws.get_availability_zones_output(state="available").names
