"""The stack configuration key that holds the fleet (validated by `gpufleet.config`).

A module of its own so that what only looks for the key (a preview of any program) need not import the
fleet's models, which take a tenth of a small preview's run to build.
"""

CONFIG_KEY = "gpufleet:fleet"
