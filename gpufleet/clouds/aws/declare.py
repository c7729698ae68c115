"""AWS, declared: VPC with EFA security group and endpoints, private EKS, managed GPU node groups,
FSx for Lustre + S3; and the region's provider.

Every child is created with `parent=parent`: the program's region provider (`provider`) reaches it
through the parent. Implements the `Declarer` interface of components/declarer.py.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pulumi
import pulumi_aws as aws

from gpufleet.clouds.aws.facts import DEFAULT_SYSTEM_NODE_SIZE, GPU_AMI_TYPE, LUSTRE_VERSION, ROOT_DEVICE, SYSTEM_AMI_TYPE
from gpufleet.clouds.plans import NetworkPlan, NodeGroupPlan, StoragePlan

from gpufleet.components.declarer import ControlPlaneOutputs, NetworkOutputs, NodeGroupOutputs, StorageOutputs
from gpufleet.components.tags import TAG_HOURS, TAG_OBJECT_TIB, TAG_UTILIZATION, label_value, number, workload_tags

SYSTEM_NODES = (2, 3)  # min, max: two for add-on availability
# The only policies a node needs (EKS docs, "Amazon EKS node IAM role"); Pull-only is narrower than ReadOnly.
NODE_POLICIES = {
    "worker": "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
    "cni": "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
    "ecr-pull": "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly",
}
CLUSTER_POLICY = "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"
# What private nodes reach without internet (EKS docs, "Deploy private clusters with limited internet access").
INTERFACE_ENDPOINTS = ("ec2", "ecr.api", "ecr.dkr", "sts", "eks", "eks-auth", "logs", "elasticloadbalancing")
LUSTRE_PORTS = ((988, 988), (1018, 1023))  # FSx for Lustre user guide, "File system access control with Amazon VPC"
GPU_TAINT = {"key": "nvidia.com/gpu", "value": "true", "effect": "NO_SCHEDULE"}
CONTROL_PLANE_ZONES = 2  # EKS needs subnets in at least two zones


def provider(region: str) -> pulumi.ProviderResource:
    """The explicit provider of one region, named `aws-<region>`."""
    return aws.Provider(f"aws-{region}", region=region)


def declare_scope(name: str, region: str, tags: Mapping[str, str], opts: pulumi.ResourceOptions) -> dict[str, Any]:
    """What a cluster's parts share beyond the provider: nothing on AWS."""
    return {}


def node_group_references(group: NodeGroupPlan, network: Any, control_plane: ControlPlaneOutputs) -> dict[str, Any]:
    """A cluster's references for one GPU node group: with EFA, the cluster and EFA security groups."""
    if group.fabric != "EFA":
        return {}
    return {"cluster_security_group_id": control_plane.cluster_security_group_id,
            "fabric_security_group_id": network.fabric_security_group_id}


def storage_references(store: StoragePlan, network: Any) -> dict[str, Any]:
    """A cluster's references for one storage tier: with a hot tier, the Lustre security group."""
    if store.product is None:
        return {}
    return {"file_system_security_group_id": network.file_system_security_group_id}


def _assume_role_policy(service: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]})


# --- network -------------------------------------------------------------------------------------------


def _security_group(parent: pulumi.Resource, name: str, vpc: aws.ec2.Vpc, description: str,
                    tags: dict[str, str]) -> aws.ec2.SecurityGroup:
    # No inline rules: the provider then removes AWS's default allow-all egress rule.
    return aws.ec2.SecurityGroup(name, vpc_id=vpc.id, description=description, tags={**tags, "Name": name},
                                 opts=pulumi.ResourceOptions(parent=parent))


def declare_network(parent: pulumi.ComponentResource, name: str, plan: NetworkPlan,
                    args: Mapping[str, Any]) -> NetworkOutputs:
    tags = dict(args["tags"])
    opts = pulumi.ResourceOptions(parent=parent)
    vpc = aws.ec2.Vpc(f"{name}-vpc", cidr_block=str(plan.cidr), enable_dns_support=True, enable_dns_hostnames=True,
                      tags={**tags, "Name": f"{name}-vpc"}, opts=opts)
    zones = list(plan.zones)
    for letter in "abcdef":  # EKS needs two zones; the extra one only carries the control plane's interfaces
        if len(zones) >= CONTROL_PLANE_ZONES:
            break
        if f"{plan.region}{letter}" not in zones:
            zones.append(f"{plan.region}{letter}")
    blocks = plan.cidr.subnets(new_prefix=plan.cidr.prefixlen + 3)
    subnets = {
        zone: aws.ec2.Subnet(f"{name}-private-{zone}", vpc_id=vpc.id, cidr_block=str(next(blocks)), availability_zone=zone,
                             map_public_ip_on_launch=False,
                             tags={**tags, "Name": f"{name}-private-{zone}", "kubernetes.io/role/internal-elb": "1"},
                             opts=opts)
        for zone in zones
    }  # fmt: skip

    endpoints_sg = _security_group(parent, f"{name}-endpoints-sg", vpc, "HTTPS from the VPC to interface endpoints", tags)
    aws.vpc.SecurityGroupIngressRule(f"{name}-endpoints-sg-https", security_group_id=endpoints_sg.id,
                                     cidr_ipv4=str(plan.cidr), ip_protocol="tcp", from_port=443, to_port=443,
                                     description="HTTPS from the VPC", tags=tags, opts=opts)
    aws.ec2.VpcEndpoint(f"{name}-endpoint-s3", vpc_id=vpc.id, service_name=f"com.amazonaws.{plan.region}.s3",
                        vpc_endpoint_type="Gateway", route_table_ids=[vpc.main_route_table_id], tags=tags, opts=opts)
    for service in INTERFACE_ENDPOINTS:
        aws.ec2.VpcEndpoint(f"{name}-endpoint-{service.replace('.', '-')}", vpc_id=vpc.id,
                            service_name=f"com.amazonaws.{plan.region}.{service}", vpc_endpoint_type="Interface",
                            subnet_ids=[s.id for s in subnets.values()], security_group_ids=[endpoints_sg.id],
                            private_dns_enabled=True, tags=tags, opts=opts)

    fabric_sg = None
    if plan.fabric == "EFA":
        # EFA needs all traffic to and from the group itself, and nothing else (EC2 user guide, "Get started
        # with EFA": "Prepare an EFA-enabled security group").
        fabric_sg = _security_group(parent, f"{name}-efa-sg", vpc, "EFA: all traffic within this group only", tags)
        aws.vpc.SecurityGroupIngressRule(f"{name}-efa-sg-ingress-self", security_group_id=fabric_sg.id,
                                         referenced_security_group_id=fabric_sg.id, ip_protocol="-1",
                                         description="all traffic from this group", tags=tags, opts=opts)
        aws.vpc.SecurityGroupEgressRule(f"{name}-efa-sg-egress-self", security_group_id=fabric_sg.id,
                                        referenced_security_group_id=fabric_sg.id, ip_protocol="-1",
                                        description="all traffic to this group", tags=tags, opts=opts)

    lustre_sg = None
    if plan.enable_file_system_subnet:
        lustre_sg = _security_group(parent, f"{name}-lustre-sg", vpc, "FSx for Lustre from the VPC", tags)
        for low, high in LUSTRE_PORTS:
            aws.vpc.SecurityGroupIngressRule(f"{name}-lustre-sg-ingress-{low}-{high}", security_group_id=lustre_sg.id,
                                             cidr_ipv4=str(plan.cidr), ip_protocol="tcp", from_port=low, to_port=high,
                                             description="Lustre from the VPC", tags=tags, opts=opts)
        aws.vpc.SecurityGroupEgressRule(f"{name}-lustre-sg-egress-vpc", security_group_id=lustre_sg.id,
                                        cidr_ipv4=str(plan.cidr), ip_protocol="-1", description="Lustre to the VPC",
                                        tags=tags, opts=opts)

    node_subnets = {zone: subnets[zone].id for zone in plan.zones}
    return NetworkOutputs(
        network_id=vpc.id,
        node_subnet_ids=node_subnets,
        control_plane_subnet_ids=[s.id for s in subnets.values()],
        file_system_subnet_ids=node_subnets if plan.enable_file_system_subnet else {},
        fabric_security_group_id=fabric_sg.id if fabric_sg else None,
        file_system_security_group_id=lustre_sg.id if lustre_sg else None,
        proximity_placement_group_ids={},  # Feature.PROXIMITY_PLACEMENT_GROUPS
        fabric_network_configs={},  # Feature.FABRIC_NETWORKS
    )


# --- nodes ---------------------------------------------------------------------------------------------


def _node_role(parent: pulumi.Resource, name: str, tags: dict[str, str]) -> tuple[aws.iam.Role, list[pulumi.Resource]]:
    opts = pulumi.ResourceOptions(parent=parent)
    role = aws.iam.Role(f"{name}-node-role", assume_role_policy=_assume_role_policy("ec2.amazonaws.com"),
                        description="EKS worker nodes: only the AWS-managed worker, CNI and ECR pull policies",
                        tags=tags, opts=opts)
    attachments = [aws.iam.RolePolicyAttachment(f"{name}-node-role-{key}", role=role.name, policy_arn=arn, opts=opts)
                   for key, arn in NODE_POLICIES.items()]
    return role, attachments


def _launch_template(parent: pulumi.Resource, name: str, root_volume_gib: int, tags: dict[str, str],
                     instance_tags: dict[str, str], **extra: Any) -> aws.ec2.LaunchTemplate:
    """`tags` are the template's own; `instance_tags` go to its instances, volumes and interfaces. A change
    of the latter is a new template version, which rolls every node: give them identity tags only."""
    return aws.ec2.LaunchTemplate(
        f"{name}-launch-template",
        description="gpufleet: IMDSv2 only, encrypted root volume",
        metadata_options={"http_endpoint": "enabled", "http_tokens": "required",
                          # 1 hop: pods (one hop further) cannot read the node role's credentials
                          "http_put_response_hop_limit": 1},
        block_device_mappings=[{"device_name": ROOT_DEVICE, "ebs": {
            "volume_size": root_volume_gib, "volume_type": "gp3", "encrypted": "true", "delete_on_termination": "true"}}],
        tag_specifications=[{"resource_type": kind, "tags": instance_tags}
                            for kind in ("instance", "volume", "network-interface")],
        update_default_version=True,
        tags=tags,
        opts=pulumi.ResourceOptions(parent=parent),
        **extra,
    )


def _version(template: aws.ec2.LaunchTemplate) -> pulumi.Output[str | None]:
    return template.latest_version.apply(lambda v: None if v is None else str(v))


def efa_interfaces(count: int, security_groups: list[Any]) -> list[dict[str, Any]]:
    """One interface per network card: the primary carries ENA and EFA, the others are EFA-only
    (EC2 user guide, "Maximize network bandwidth on accelerated computing instances")."""
    return [{"network_card_index": card, "device_index": 0 if card == 0 else 1,
             "interface_type": "efa" if card == 0 else "efa-only", "delete_on_termination": "true",
             "security_groups": security_groups} for card in range(count)]


def declare_node_group(parent: pulumi.ComponentResource, name: str, plan: NodeGroupPlan,
                       args: Mapping[str, Any]) -> NodeGroupOutputs:
    tags = workload_tags(args["tags"], plan.workload)
    capacity_tags = dict(tags)  # what cost estimates read from the capacity itself
    if plan.utilization_percent is not None:
        capacity_tags[TAG_UTILIZATION] = number(plan.utilization_percent)
    if plan.hours_per_month is not None:
        capacity_tags[TAG_HOURS] = number(plan.hours_per_month)

    role, attachments = _node_role(parent, name, tags)
    extra: dict[str, Any] = {}
    placement_group = None
    if plan.use_placement_group:
        placement_group = aws.ec2.PlacementGroup(f"{name}-placement-group", name=f"{name}-placement-group",
                                                 strategy="cluster", tags=tags, opts=pulumi.ResourceOptions(parent=parent))
        extra["placement"] = {"group_name": placement_group.name}
    if plan.fabric == "EFA":
        groups = [args["cluster_security_group_id"], args["fabric_security_group_id"]]
        extra["network_interfaces"] = efa_interfaces(plan.instance.max_efa_interfaces, groups)
    capacity_type = {"spot": "SPOT"}.get(plan.capacity_type, "ON_DEMAND")
    if plan.reservation is not None:
        extra["capacity_reservation_specification"] = {
            "capacity_reservation_target": {"capacity_reservation_id": plan.reservation.id}}
        if plan.reservation.kind == "capacity-block":
            capacity_type = "CAPACITY_BLOCK"
            extra["instance_market_options"] = {"market_type": "capacity-block"}
    template = _launch_template(parent, name, plan.root_volume_gib, capacity_tags, tags, **extra)

    labels = {
        "gpufleet.io/workload": label_value(plan.workload),
        "gpufleet.io/gpu": label_value(plan.instance.gpu_model),
        "gpufleet.io/fabric": label_value(plan.fabric.lower()),
        "gpufleet.io/capacity": plan.capacity_type,
    }
    node_group = aws.eks.NodeGroup(
        f"{name}-node-group",
        cluster_name=args["cluster_name"],
        node_role_arn=role.arn,
        subnet_ids=[args["node_subnet_id"]],
        # The instance type lives here, not in the launch template (EKS accepts it in one place only).
        instance_types=[plan.instance.name],
        ami_type=GPU_AMI_TYPE,
        capacity_type=capacity_type,
        scaling_config={"desired_size": plan.nodes, "min_size": plan.min_nodes, "max_size": plan.max_nodes},
        labels=labels,
        taints=[GPU_TAINT],
        launch_template={"id": template.id, "version": _version(template)},
        version=args.get("kubernetes_version"),  # unset: the cluster's when created, then kept
        update_config={"max_unavailable": 1},
        tags=capacity_tags,
        opts=pulumi.ResourceOptions(parent=parent, depends_on=attachments),
    )
    return NodeGroupOutputs(
        node_group_name=node_group.node_group_name,
        placement_group_name=placement_group.name if placement_group else None,
        fabric_interfaces_per_node=plan.instance.max_efa_interfaces if plan.fabric == "EFA" else 0,
    )


# --- control plane -------------------------------------------------------------------------------------


def declare_control_plane(parent: pulumi.ComponentResource, name: str, args: Mapping[str, Any],
                          network: Any) -> ControlPlaneOutputs:
    """`network` is the cluster's `HighBandwidthNetwork`."""
    tags = dict(args["tags"])
    opts = pulumi.ResourceOptions(parent=parent)
    role = aws.iam.Role(f"{name}-cluster-role", assume_role_policy=_assume_role_policy("eks.amazonaws.com"),
                        description="EKS control plane", tags=tags, opts=opts)
    attachment = aws.iam.RolePolicyAttachment(f"{name}-cluster-role-policy", role=role.name, policy_arn=CLUSTER_POLICY,
                                              opts=opts)
    cluster = aws.eks.Cluster(
        f"{name}-eks",
        name=name,
        role_arn=role.arn,
        version=args.get("kubernetes_version"),
        vpc_config={"subnet_ids": network.control_plane_subnet_ids,
                    "endpoint_private_access": True, "endpoint_public_access": False},
        access_config={"authentication_mode": "API"},
        enabled_cluster_log_types=["api", "audit", "authenticator"],
        tags=tags,
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[attachment]),
    )
    # A small node group for cluster add-ons, which do not tolerate the GPU taint.
    system = f"{name}-system"
    system_role, attachments = _node_role(parent, system, tags)
    template = _launch_template(parent, system, 50, tags, tags)
    low, high = SYSTEM_NODES
    aws.eks.NodeGroup(
        f"{system}-node-group",
        cluster_name=cluster.name,
        node_role_arn=system_role.arn,
        subnet_ids=network.node_subnet_ids.apply(lambda ids: list(ids.values())),
        instance_types=[args.get("system_node_size") or DEFAULT_SYSTEM_NODE_SIZE],
        ami_type=SYSTEM_AMI_TYPE,
        capacity_type="ON_DEMAND",
        scaling_config={"desired_size": low, "min_size": low, "max_size": high},
        labels={"gpufleet.io/role": "system"},
        launch_template={"id": template.id, "version": _version(template)},
        version=args.get("kubernetes_version"),
        update_config={"max_unavailable": 1},
        tags=tags,
        opts=pulumi.ResourceOptions(parent=parent, depends_on=attachments),
    )
    return ControlPlaneOutputs(
        cluster_name=cluster.name, cluster_id=cluster.arn,
        cluster_security_group_id=cluster.vpc_config.cluster_security_group_id,
        kubeconfig=pulumi.Output.all(cluster.name, cluster.endpoint, cluster.certificate_authority).apply(
            lambda parts: kubeconfig(*parts, region=args["region"])))


def kubeconfig(cluster_name: str, endpoint: str | None, certificate_authority: Any, region: str) -> str:
    """A kubeconfig that holds no credential: the client gets a token from `aws eks get-token` with the
    caller's own AWS credentials (EKS user guide, "Connect kubectl to an EKS cluster")."""
    ca = getattr(certificate_authority, "data", None) or ""
    return json.dumps({
        "apiVersion": "v1", "kind": "Config", "current-context": cluster_name,
        "clusters": [{"name": cluster_name, "cluster": {"server": endpoint or "", "certificate-authority-data": ca}}],
        "contexts": [{"name": cluster_name, "context": {"cluster": cluster_name, "user": cluster_name}}],
        "users": [{"name": cluster_name, "user": {"exec": {
            "apiVersion": "client.authentication.k8s.io/v1beta1", "command": "aws",
            "args": ["eks", "get-token", "--cluster-name", cluster_name, "--region", region]}}}],
    }, sort_keys=True)


# --- storage -------------------------------------------------------------------------------------------


def declare_storage(parent: pulumi.ComponentResource, name: str, plan: StoragePlan, args: Mapping[str, Any],
                    data_opts: pulumi.ResourceOptions) -> StorageOutputs:
    tags = workload_tags(args["tags"], plan.workload)
    opts = pulumi.ResourceOptions(parent=parent)
    bucket_tags = dict(tags)
    if plan.object_capacity_tib is not None:
        bucket_tags[TAG_OBJECT_TIB] = number(plan.object_capacity_tib)
    bucket = aws.s3.Bucket(f"{name}-objects", force_destroy=False, tags=bucket_tags, opts=data_opts)
    aws.s3.BucketPublicAccessBlock(f"{name}-objects-public-access-block", bucket=bucket.id, block_public_acls=True,
                                   block_public_policy=True, ignore_public_acls=True, restrict_public_buckets=True,
                                   opts=opts)
    aws.s3.BucketOwnershipControls(f"{name}-objects-ownership", bucket=bucket.id,
                                   rule={"object_ownership": "BucketOwnerEnforced"}, opts=opts)  # no ACLs
    aws.s3.BucketServerSideEncryptionConfiguration(
        f"{name}-objects-encryption", bucket=bucket.id,
        # SSE-S3: FSx data repository associations read it without a KMS key policy
        rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}], opts=opts)
    versioning = aws.s3.BucketVersioning(f"{name}-objects-versioning", bucket=bucket.id,
                                         versioning_configuration={"status": "Enabled"}, opts=opts)
    steps = [(plan.cool_after_days, "STANDARD_IA"), (plan.cold_after_days, "GLACIER_IR"),
             (plan.archive_after_days, "DEEP_ARCHIVE")]
    steps = [(days, storage_class) for days, storage_class in steps if days is not None]
    aws.s3.BucketLifecycleConfiguration(
        f"{name}-objects-lifecycle",
        bucket=bucket.id,
        rules=[{
            "id": "warm-to-cold-to-archive",
            "status": "Enabled",
            "filter": {"prefix": ""},
            "transitions": [{"days": days, "storage_class": storage_class} for days, storage_class in steps],
            "noncurrent_version_transitions": [{"noncurrent_days": days, "storage_class": storage_class}
                                               for days, storage_class in steps],
            "abort_incomplete_multipart_upload": {"days_after_initiation": 7},
        }],
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[versioning]),
    )
    file_system = None
    if plan.product is not None:
        file_system = aws.fsx.LustreFileSystem(
            f"{name}-lustre",
            deployment_type="PERSISTENT_2",  # encrypted at rest with KMS, always
            storage_type="SSD",
            storage_capacity=plan.hot_capacity_gib,
            per_unit_storage_throughput=plan.throughput_mb_s_per_tib,
            subnet_ids=args["file_system_subnet_id"],
            security_group_ids=[args["file_system_security_group_id"]],
            file_system_type_version=LUSTRE_VERSION,
            data_compression_type="LZ4",
            copy_tags_to_backups=True,
            tags=tags,
            opts=data_opts,
        )
        aws.fsx.DataRepositoryAssociation(
            f"{name}-lustre-s3-link",
            file_system_id=file_system.id,
            file_system_path="/data",
            data_repository_path=bucket.id.apply(lambda b: f"s3://{b}/data/"),
            batch_import_meta_data_on_create=True,
            delete_data_in_filesystem=False,
            s3={"auto_import_policy": {"events": ["NEW", "CHANGED", "DELETED"]},
                "auto_export_policy": {"events": ["NEW", "CHANGED", "DELETED"]}},
            tags=tags,
            opts=opts,
        )
    return StorageOutputs(object_store_name=bucket.id, object_store_id=bucket.arn,
                          object_container_name=None,  # Feature.OBJECT_CONTAINER
                          hot_file_system_id=file_system.id if file_system else None)
