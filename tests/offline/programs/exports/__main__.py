"""Stack outputs of every kind `pulumi preview` shows under "Outputs:" (a new stack): ids unknown at
preview, known values, secrets, nested values, JSON text, and the empty ones it leaves out."""
import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
gpu = aws.ec2.Instance("gpu", ami="ami-0abcdef1234567890", instance_type="g6.xlarge")
address = aws.ec2.Eip("ip", instance=gpu.id, domain="vpc")

pulumi.export("ip", address.public_ip)
pulumi.export("instanceType", gpu.instance_type)
pulumi.export("summary", pulumi.Output.all(gpu.id, address.public_ip).apply(lambda a: f"{a[0]} at {a[1]}"))
pulumi.export("dbPassword", config.require_secret("dbPassword"))
pulumi.export("token", pulumi.Output.secret("not-shown-either"))
pulumi.export("nodes", {"count": 2, "ratio": 0.5, "spot": False, "zones": ["eu-north-1a", "eu-north-1b"],
                        "id": gpu.id, "tags": {}, "note": None})
pulumi.export("policy", json.dumps({"Version": "2012-10-17", "Statement": []}))
pulumi.export("quoted", 'say "hi"\tthen\nleave \u202e')
pulumi.export("empty", "")
pulumi.export("nothing", None)
pulumi.export("none", [])
