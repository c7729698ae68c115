"""Written as the project IAM examples are (pulumi-gcp docs, projects.IAMMember / IAMBinding / IAMPolicy),
with "everyone" as the principal: every bucket and object of the project becomes readable by anyone."""

import pulumi_gcp as gcp

gcp.projects.IAMMember("public-object-viewer", project="ml-platform-prod", role="roles/storage.objectViewer",
                       member="allUsers")
gcp.projects.IAMBinding("any-google-account-viewer", project="ml-platform-prod", role="roles/viewer",
                        members=["group:ml-platform@example.com", "allAuthenticatedUsers"])
admin = gcp.organizations.get_iam_policy(bindings=[
    {"role": "roles/editor", "members": ["group:ml-platform@example.com"]},
    {"role": "roles/storage.objectViewer", "members": ["allUsers"]},
])
gcp.projects.IAMPolicy("project-policy", project="ml-platform-prod", policy_data=admin.policy_data)
