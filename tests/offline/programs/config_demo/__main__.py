"""Exports its configuration as the program reads it through `pulumi.Config`."""

import pulumi

config = pulumi.Config()
pulumi.export("replicas", config.require_int("replicas"))
pulumi.export("enablePublic", config.require("enablePublic"))
pulumi.export("debug", config.require_bool("debug"))
pulumi.export("ratio", config.require_float("ratio"))
pulumi.export("legacyName", config.require("legacyName"))
pulumi.export("sizes", config.require_object("sizes"))
pulumi.export("owner", config.require_secret_object("owner"))
pulumi.export("location", pulumi.Config("azure-native").require("location"))
pulumi.export("project", pulumi.get_project())
pulumi.export("stack", pulumi.get_stack())
