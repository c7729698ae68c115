"""GCP coverage of the safety policies: labels, Cloud Storage IAM and ACLs, VPC firewall rules, GKE
endpoints. A compliant resource, then one field changed per case, each with its exact verdict."""

import json

import pytest

from pack_helpers import UNKNOWN, build_run, res, verdicts

CANT = "can't run policy '{}' from policy pack 'gpufleet@v0.0.1' during preview: cannot verify "
LABELS = {"team": "ml", "cost-center": "cc-1", "environment": "prod"}
BUCKET = "gcp:storage/bucket:Bucket"

# --- gpufleet-required-tags: GCP labels -----------------------------------------------------------------------
TAGGED = "gpufleet-required-tags"
LABEL_FIX = ("or once for all resources on the provider (gcp:defaultLabels); label values are lower-case "
             "letters, digits, '_' and '-'.")


@pytest.mark.parametrize("run", [
    build_run(res(BUCKET, "b", {"labels": LABELS})),
    build_run(res(BUCKET, "b"), provider_inputs={"gcp": {"defaultLabels": json.dumps(LABELS)}}),
    build_run(res(BUCKET, "b", {"labels": {"team": "ml"}}),
              provider_inputs={"gcp": {"defaultLabels": {"cost-center": "cc-1", "environment": "prod"}}}),
    build_run(res("gcp:container/cluster:Cluster", "gke", {"resourceLabels": LABELS})),
    build_run(res("gcp:container/nodePool:NodePool", "pool", {"nodeConfig": {"resourceLabels": LABELS}})),
    build_run(res("gcp:lustre/instance:Instance", "lustre", {"capacityGib": "18000", "labels": LABELS})),
    build_run(res("gcp:compute/network:Network", "net", {"mtu": 8244})),
    build_run(res("gcp:compute/firewall:Firewall", "fw", {"network": "net"})),
], ids=["own-labels", "provider-default-labels-from-stack-config", "own-and-provider-labels", "gke-cluster",
        "gke-node-pool-node-labels", "managed-lustre", "network-takes-no-labels", "firewall-takes-no-labels"])
def test_labels_compliant(run):
    assert verdicts(run, TAGGED) == []


@pytest.mark.parametrize("resource, path", [
    (res(BUCKET, "v", {"labels": {k: v for k, v in LABELS.items() if k != "environment"}}), "labels"),
    (res("gcp:container/cluster:Cluster", "v", {"resourceLabels": {"team": "ml", "cost-center": "cc-1"}}),
     "resourceLabels"),
    # Kubernetes node labels are not GCE labels: the nodes' billing needs resourceLabels
    (res("gcp:container/nodePool:NodePool", "v", {"nodeConfig": {"labels": LABELS, "resourceLabels": {
        "team": "ml", "cost-center": "cc-1"}}}), "nodeConfig.resourceLabels"),
], ids=["bucket", "gke-cluster", "gke-node-pool"])
def test_labels_environment_missing(resource, path):
    assert verdicts(build_run(resource), TAGGED) == [(
        TAGGED, "mandatory", "v", f"missing required label(s) environment ({path} present: cost-center, team). "
        f"Fix: add environment=… to {path}, {LABEL_FIX}")]


def test_labels_network_tags_of_an_instance_are_not_labels():
    run = build_run(res("gcp:compute/instance:Instance", "vm", {"machineType": "n2-standard-4", "tags": ["ssh"]}))
    assert verdicts(run, TAGGED) == [(
        TAGGED, "mandatory", "vm", "missing required label(s) team, cost-center, environment (labels present: none). "
        f"Fix: add team=…, cost-center=…, environment=… to labels, {LABEL_FIX}")]


def test_labels_unknown_are_an_advisory_note():
    run = build_run(res("gcp:container/nodePool:NodePool", "pool", {"nodeConfig": {"resourceLabels": UNKNOWN}}))
    assert verdicts(run, TAGGED) == [
        (TAGGED, "advisory", "pool", CANT.format(TAGGED) + "nodeConfig.resourceLabels: not known at preview")]


# --- gpufleet-storage-no-public-access: Cloud Storage IAM and ACLs ---------------------------------------------
PUBLIC = "gpufleet-storage-no-public-access"
FIX = ("Fix: grant named principals (users, groups, service accounts), and set the bucket's "
       "public_access_prevention to 'enforced'.")
MEMBER = "gcp:storage/bucketIAMMember:BucketIAMMember"
SA = "serviceAccount:trainer@p.iam.gserviceaccount.com"


@pytest.mark.parametrize("resource", [
    res(BUCKET, "v", {"uniformBucketLevelAccess": True, "publicAccessPrevention": "enforced"}),
    res(MEMBER, "v", {"bucket": "b", "role": "roles/storage.objectViewer", "member": SA}),
    res("gcp:storage/bucketIAMBinding:BucketIAMBinding", "v", {"bucket": "b", "role": "roles/storage.objectViewer",
                                                                "members": [SA, "group:ml@example.com"]}),
    res("gcp:storage/bucketACL:BucketACL", "v", {"bucket": "b", "predefinedAcl": "projectPrivate"}),
    res("gcp:storage/bucketAccessControl:BucketAccessControl", "v", {"bucket": "b", "role": "READER",
                                                                      "entity": "group-ml@example.com"}),
], ids=["bucket", "iam-member-sa", "iam-binding-named", "acl-project-private", "access-control-group"])
def test_gcs_private(resource):
    assert verdicts(build_run(resource), PUBLIC) == []


@pytest.mark.parametrize("resource, message", [
    (res(MEMBER, "v", {"bucket": "b", "role": "roles/storage.objectViewer", "member": "allUsers"}),
     f"member grants roles/storage.objectViewer to allUsers: anyone can reach the data. {FIX}"),
    (res("gcp:storage/bucketIAMBinding:BucketIAMBinding", "v", {
        "bucket": "b", "role": "roles/storage.objectViewer", "members": [SA, "allAuthenticatedUsers"]}),
     "members[1] grants roles/storage.objectViewer to allAuthenticatedUsers: anyone with a Google account can reach "
     f"the data. {FIX}"),
    (res("gcp:storage/bucketIAMPolicy:BucketIAMPolicy", "v", {"bucket": "b", "policyData": json.dumps(
        {"bindings": [{"role": "roles/storage.admin", "members": [SA]},
                      {"role": "roles/storage.objectViewer", "members": ["allUsers"]}]})}),
     f"policyData.bindings[1].members[0] grants roles/storage.objectViewer to allUsers: anyone can reach the data. {FIX}"),
    (res("gcp:storage/bucketACL:BucketACL", "v", {"bucket": "b", "predefinedAcl": "publicRead"}),
     f"predefinedAcl is 'publicRead': anyone can read the data. {FIX}"),
    (res("gcp:storage/bucketACL:BucketACL", "v", {"bucket": "b", "roleEntities": ["OWNER:user-a@example.com",
                                                                                 "READER:allUsers"]}),
     f"roleEntities[1] grants READER to allUsers: anyone can reach the data. {FIX}"),
    (res("gcp:storage/defaultObjectAccessControl:DefaultObjectAccessControl", "v", {
        "bucket": "b", "role": "READER", "entity": "allUsers"}),
     f"entity grants READER to allUsers: anyone can reach the data. {FIX}"),
    (res("gcp:storage/bucketObject:BucketObject", "v", {"bucket": "b", "name": "o", "predefinedAcl": "publicRead"}),
     f"predefinedAcl is 'publicRead': anyone can read the data. {FIX}"),
], ids=["iam-member-all-users", "iam-binding-all-authenticated", "iam-policy", "acl-predefined", "acl-role-entity",
        "default-object-access", "object-acl"])
def test_gcs_public(resource, message):
    assert verdicts(build_run(resource), PUBLIC) == [(PUBLIC, "mandatory", "v", message)]


def test_gcs_unknown_member_is_an_advisory_note():
    run = build_run(res(MEMBER, "v", {"bucket": "b", "role": "roles/storage.objectViewer", "member": UNKNOWN}))
    assert verdicts(run, PUBLIC) == [(PUBLIC, "advisory", "v", CANT.format(PUBLIC) + "member: not known at preview")]


# --- gpufleet-storage-no-public-access: project IAM and Cloud SQL ------------------------------------------------
PROJECT_FIX = ("Fix: grant the role to named principals (users, groups, service accounts) on the resources they need, "
               "never to allUsers or allAuthenticatedUsers on the project.")
PROJECT = "every resource of project 'p' the role covers"
SQL = "gcp:sql/databaseInstance:DatabaseInstance"
SQL_FIX = ("Fix: authorize only the networks that need it, or set ipv4_enabled=False and connect through "
           "private_network (private IP) or the Cloud SQL Auth Proxy.")


def _sql(ip_configuration):
    return res(SQL, "v", {"databaseVersion": "POSTGRES_16", "settings": {"tier": "db-custom-2-7680",
                                                                          "ipConfiguration": ip_configuration}})


@pytest.mark.parametrize("resource", [
    res("gcp:projects/iAMMember:IAMMember", "v", {"project": "p", "role": "roles/viewer", "member": SA}),
    res("gcp:projects/iAMBinding:IAMBinding", "v", {"project": "p", "role": "roles/viewer",
                                                     "members": [SA, "group:ml@example.com"]}),
    res("gcp:projects/iAMPolicy:IAMPolicy", "v", {"project": "p", "policyData": json.dumps(
        {"bindings": [{"role": "roles/editor", "members": [SA]}]})}),
    _sql({"ipv4Enabled": True, "authorizedNetworks": [{"name": "office", "value": "203.0.113.0/24"}]}),
    _sql({"ipv4Enabled": False, "privateNetwork": "projects/p/global/networks/n",
          "authorizedNetworks": [{"value": "0.0.0.0/0"}]}),  # no public IP: nothing is authorized from outside
    _sql({"privateNetwork": "projects/p/global/networks/n"}),
], ids=["project-member-sa", "project-binding-named", "project-policy-named", "sql-office-range",
        "sql-private-ip-only", "sql-no-authorized-networks"])
def test_project_iam_and_cloud_sql_private(resource):
    assert verdicts(build_run(resource), PUBLIC) == []


@pytest.mark.parametrize("resource, message", [
    (res("gcp:projects/iAMMember:IAMMember", "v", {"project": "p", "role": "roles/storage.objectViewer",
                                                    "member": "allUsers"}),
     f"member grants roles/storage.objectViewer to allUsers: anyone can reach {PROJECT}. {PROJECT_FIX}"),
    (res("gcp:projects/iAMBinding:IAMBinding", "v", {"project": "p", "role": "roles/viewer",
                                                      "members": [SA, "allAuthenticatedUsers"]}),
     f"members[1] grants roles/viewer to allAuthenticatedUsers: anyone with a Google account can reach {PROJECT}. "
     f"{PROJECT_FIX}"),
    (res("gcp:projects/iAMPolicy:IAMPolicy", "v", {"project": "p", "policyData": json.dumps(
        {"bindings": [{"role": "roles/editor", "members": [SA]}, {"role": "roles/viewer", "members": ["allUsers"]}]})}),
     f"policyData.bindings[1].members[0] grants roles/viewer to allUsers: anyone can reach {PROJECT}. {PROJECT_FIX}"),
    (_sql({"authorizedNetworks": [{"name": "office", "value": "203.0.113.0/24"}, {"value": "0.0.0.0/0"}]}),
     "settings.ipConfiguration.authorizedNetworks[1].value is '0.0.0.0/0': the database's public IP accepts "
     f"connections from any address. {SQL_FIX}"),
    (_sql({"ipv4Enabled": True, "authorizedNetworks": [{"value": "::/0"}]}),
     "settings.ipConfiguration.authorizedNetworks[0].value is '::/0': the database's public IP accepts "
     f"connections from any address. {SQL_FIX}"),
], ids=["project-member-all-users", "project-binding-all-authenticated", "project-policy", "sql-any-ipv4",
        "sql-any-ipv6"])
def test_project_iam_and_cloud_sql_public(resource, message):
    assert verdicts(build_run(resource), PUBLIC) == [(PUBLIC, "mandatory", "v", message)]


def test_cloud_sql_unknown_authorized_network_is_an_advisory_note():
    run = build_run(_sql({"authorizedNetworks": [{"value": UNKNOWN}]}))
    assert verdicts(run, PUBLIC) == [(PUBLIC, "advisory", "v", CANT.format(PUBLIC) +
                                      "settings.ipConfiguration.authorizedNetworks[0].value: not known at preview")]


# --- gpufleet-security-group-no-open-ingress: VPC firewall rules ----------------------------------------------
OPEN = "gpufleet-security-group-no-open-ingress"
FIREWALL = "gcp:compute/firewall:Firewall"
SSH = [{"protocol": "tcp", "ports": ["22"]}]
OPEN_FIX = ("only port(s) 443 may be open to the internet here. Fix: restrict the source to known CIDRs or security "
            "groups, or document the port in allowed_public_ports.")


@pytest.mark.parametrize("inputs", [
    {"allows": SSH, "sourceRanges": ["10.0.0.0/8"]},
    {"allows": SSH, "sourceTags": ["bastion"]},
    {"allows": [{"protocol": "tcp", "ports": ["443"]}], "sourceRanges": ["0.0.0.0/0"]},
    {"allows": SSH, "sourceRanges": ["0.0.0.0/0"], "disabled": True},
    {"allows": SSH, "direction": "EGRESS", "destinationRanges": ["0.0.0.0/0"]},
    {"denies": [{"protocol": "all"}], "sourceRanges": ["0.0.0.0/0"]},
], ids=["internal-source", "source-tags", "documented-port", "disabled", "egress", "deny-rule"])
def test_firewall_compliant(inputs):
    assert verdicts(build_run(res(FIREWALL, "fw", {"network": "net", **inputs})), OPEN) == []


@pytest.mark.parametrize("inputs, message", [
    ({"allows": SSH, "sourceRanges": ["0.0.0.0/0"]}, f"sourceRanges allows inbound 22 from 0.0.0.0/0 (the whole "
                                                     f"internet); {OPEN_FIX}"),
    ({"allows": SSH}, f"sourceRanges allows inbound 22 from 0.0.0.0/0 (no source given) (the whole internet); "
                      f"{OPEN_FIX}"),
    ({"allows": [{"protocol": "tcp", "ports": ["443", "8000-8080"]}], "sourceRanges": ["::/0"]},
     f"sourceRanges allows inbound 8000-8080 from ::/0 (the whole internet); {OPEN_FIX}"),
    ({"allows": [{"protocol": "all"}], "sourceRanges": ["0.0.0.0/0"]},
     f"sourceRanges allows inbound all ports from 0.0.0.0/0 (the whole internet); {OPEN_FIX}"),
], ids=["ssh-world", "no-source-means-world", "port-range-ipv6", "all-protocols"])
def test_firewall_open(inputs, message):
    assert verdicts(build_run(res(FIREWALL, "fw", {"network": "net", **inputs})), OPEN) == [
        (OPEN, "mandatory", "fw", message)]


def test_firewall_unknown_source_is_an_advisory_note():
    run = build_run(res(FIREWALL, "fw", {"network": "net", "allows": SSH, "sourceRanges": UNKNOWN}))
    assert verdicts(run, OPEN) == [(OPEN, "advisory", "fw", CANT.format(OPEN) + "sourceRanges: source address not "
                                                            "known at preview")]


# --- gpufleet-kubernetes-private-endpoint: GKE ------------------------------------------------------------------
PRIVATE = "gpufleet-kubernetes-private-endpoint"
GKE = "gcp:container/cluster:Cluster"


def test_gke_private_endpoint_compliant():
    run = build_run(res(GKE, "gke", {"privateClusterConfig": {"enablePrivateNodes": True,
                                                              "enablePrivateEndpoint": True}}))
    assert verdicts(run, PRIVATE) == []


@pytest.mark.parametrize("inputs, shown", [
    ({}, "not set (GKE default: public)"),
    ({"privateClusterConfig": {"enablePrivateNodes": True, "enablePrivateEndpoint": False}}, "False"),
], ids=["unset", "private-nodes-public-endpoint"])
def test_gke_public_endpoint(inputs, shown):
    assert verdicts(build_run(res(GKE, "gke", inputs)), PRIVATE) == [(
        PRIVATE, "mandatory", "gke", f"the Kubernetes API endpoint is public: privateClusterConfig.enablePrivateEndpoint "
        f"is {shown}. Fix: privateClusterConfig.enablePrivateEndpoint True.")]


# --- GPU capacity policies see GKE pools: their own, a cluster's default pool, zones counted ------------------
POOL = res("gcp:container/nodePool:NodePool", "mega", {
    "location": "us-central1", "nodeLocations": ["us-central1-a", "us-central1-b"], "nodeCount": 1,
    "autoscaling": {"minNodeCount": 0, "maxNodeCount": 2},
    "nodeConfig": {"machineType": "a3-highgpu-8g", "resourceLabels": LABELS}})
DEFAULT_POOL = res("gcp:container/cluster:Cluster", "gke", {
    "location": "us-central1-a", "initialNodeCount": 1, "nodeConfig": {"machineType": "a3-highgpu-8g"},
    "resourceLabels": LABELS})
CLEANER = "e.g. europe-west9 (16.3 g/kWh), europe-north1 (39.32 g/kWh), northamerica-northeast2 (58.56 g/kWh)"


def test_gke_pools_in_a_dirty_grid():
    grid = "gpufleet-gpu-region-max-grid-intensity"
    tail = (", whose grid emits 412.72 gCO2e/kWh (2024), over the limit of 300 gCO2e/kWh. Fix: place the capacity "
            f"in a cleaner region ({CLEANER}).")
    assert verdicts(build_run(POOL, DEFAULT_POOL), grid) == [
        (grid, "mandatory", "gke", "gke.nodePools[default-pool] puts 8 GPUs (a3-highgpu-8g) in gcp us-central1" + tail),
        (grid, "mandatory", "mega", "mega puts 16–32 GPUs (a3-highgpu-8g) in gcp us-central1" + tail)]


def test_gke_pools_over_pue():
    pue = "gpufleet-gpu-region-max-pue"
    tail = (" in gcp us-central1, whose PUE is 1.1 (2023/2024), over the limit of 1.05. Fix: place the capacity in a "
            "more efficient region (no catalog region offering a3-highgpu-8g meets the limit).")
    assert verdicts(build_run(POOL, DEFAULT_POOL), pue, max_pue=1.05) == [
        (pue, "mandatory", "gke", "gke.nodePools[default-pool] puts 8 GPUs (a3-highgpu-8g)" + tail),
        (pue, "mandatory", "mega", "mega puts 16–32 GPUs (a3-highgpu-8g)" + tail)]


def test_gke_pools_scale_over_the_quota_counting_every_zone():
    quota = "gpufleet-stack-gpu-quota"
    assert verdicts(build_run(POOL, DEFAULT_POOL), quota, max_gpus=16) == [(
        quota, "mandatory", None, "the stack can scale to 40 GPUs at maximum node counts, over the quota of 16 GPUs "
        "(policy config max_gpus). Largest: mega 32 (4 nodes of a3-highgpu-8g (8 GPUs each)), "
        "gke.nodePools[default-pool] 8 (1 node of a3-highgpu-8g (8 GPUs each)). Fix: lower maximum node counts, or "
        "raise the quota.")]
    group = "gpufleet-node-group-max-gpus"
    assert verdicts(build_run(POOL), group, max_gpus_per_node_group=16) == [(
        group, "mandatory", "mega", "mega can scale to 32 GPUs (autoscaling.maxNodeCount × 2 zones = 4 nodes of "
        "a3-highgpu-8g (8 GPUs each)), over the limit of 16 GPUs per node group. Fix: lower autoscaling.maxNodeCount "
        "× 2 zones to at most 2, or split the capacity.")]


def test_gke_pools_over_the_cost_budget():
    budget = "gpufleet-stack-monthly-cost-budget"
    assert verdicts(build_run(POOL, DEFAULT_POOL), budget, monthly_usd=100000) == [(
        # the cluster's management fee (0.10 USD/h × 730 h) is priced and counted
        budget, "mandatory", None, "estimated $193,866.10/month for 24 GPUs exceeds the budget of $100,000.00/month "
        # the pools' boot disks (GKE's default 100 GB each) have no sourced Persistent Disk price
        "(policy config monthly_usd) by $93,866.10; 2 more resource(s) have no price and are not counted. Largest: mega $129,195.40, gke.nodePools[default-pool] "
        "$64,597.70, gke $73.00. Fix: lower node counts or hours, use spot or scale to zero, choose cheaper regions, "
        "or raise the budget.")]


def test_gke_default_pool_always_on_is_idle_waste_and_a_scale_to_zero_pool_is_not():
    idle = "gpufleet-gpu-always-on-idle-waste"
    assert verdicts(build_run(POOL, DEFAULT_POOL), idle) == [(
        idle, "mandatory", "gke", "gke.nodePools[default-pool] keeps 1 node of a3-highgpu-8g (8 GPUs each) on all "
        "month (initialNodeCount = 1, 730 h) on on-demand capacity without a reservation: paid whether busy or idle. "
        "Fix: let it scale to zero (initialNodeCount 0) and schedule it (tag gpufleet-hours-per-month), or run it in "
        "reserved capacity.")]


# --- gpufleet-storage-protected-or-retained: Managed Lustre, buckets, disks ----------------------------------
PROTECTED = "gpufleet-storage-protected-or-retained"
LUSTRE = "gcp:lustre/instance:Instance"


@pytest.mark.parametrize("resource", [
    res(LUSTRE, "hot", {"capacityGib": "18000"}, protect=True),
    res(LUSTRE, "hot", {"capacityGib": "18000", "deletionPolicy": "PREVENT"}),
    res(BUCKET, "data", {"forceDestroy": True, "deletionPolicy": "ABANDON"}),
    res(BUCKET, "data", {}),  # Cloud Storage refuses to delete a bucket that holds objects
], ids=["protected", "deletion-policy-prevent", "bucket-abandoned", "bucket-without-force-destroy"])
def test_gcp_data_protected(resource):
    assert verdicts(build_run(resource), PROTECTED) == []


@pytest.mark.parametrize("resource, kind, alternative", [
    (res(LUSTRE, "v", {"capacityGib": "18000", "deletionPolicy": "DELETE"}), "file system", "or deletionPolicy 'PREVENT'"),
    (res("gcp:compute/disk:Disk", "v", {"size": 500}), "disk", "or deletionPolicy 'PREVENT'"),
    (res(BUCKET, "v", {"forceDestroy": True}), "bucket", "or leave forceDestroy unset, or deletionPolicy 'PREVENT'"),
], ids=["lustre", "disk", "bucket-force-destroy"])
def test_gcp_data_unprotected(resource, kind, alternative):
    assert verdicts(build_run(resource), PROTECTED, "advisory") == [(
        PROTECTED, "advisory", "v", f"this {kind} holds data but is not protected: a destroy or replacement deletes "
        f"it. Fix: opts=ResourceOptions(protect=True) {alternative}. (retain_on_delete alone is not visible to "
        "policy packs: the Analyzer protocol carries protect, not retainOnDelete.)")]
