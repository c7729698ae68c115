"""The pulumi-aws `sagemaker.Space` example, with a GPU: a JupyterLab space whose default instance is
ml.p4d.24xlarge (8 A100) in us-east-1 (396.25 gCO2e/kWh). gpufleet has no reader for the type: it was
"not assessed" and passed prod (found by review14c)."""

import pulumi_aws as aws

aws.sagemaker.Space(
    "lab",
    domain_id="d-0123456789ab",
    space_name="research",
    ownership_settings={"owner_user_profile_name": "alice"},
    space_sharing_settings={"sharing_type": "Private"},
    space_settings={
        "app_type": "JupyterLab",
        "jupyter_lab_app_settings": {"default_resource_spec": {"instance_type": "ml.p4d.24xlarge"}},
    },
)
