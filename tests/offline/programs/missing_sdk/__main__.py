"""A program using a provider whose SDK gpufleet's environment does not have (pulumi-random, not pinned)."""

import pulumi
import pulumi_random as random

password = random.RandomPassword("pw", length=20)
pulumi.export("password", password.result)
