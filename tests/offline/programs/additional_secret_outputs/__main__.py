"""A plain input the program marks secret with `additional_secret_outputs`: the engine returns that
output as a secret, so an export of it (or of a value derived from it) is never shown."""
import pulumi
import pulumi_aws as aws

bucket = aws.s3.Bucket("b", tags={"token": "TAGSECRET-456", "team": "ml"},
                       opts=pulumi.ResourceOptions(additional_secret_outputs=["tags"]))
plain = aws.s3.Bucket("plain", tags={"team": "ml"})
pulumi.export("tags", bucket.tags)
pulumi.export("token", bucket.tags.apply(lambda tags: (tags or {}).get("token")))
pulumi.export("plainTags", plain.tags)
