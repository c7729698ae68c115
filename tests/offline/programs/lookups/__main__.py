import pulumi
import pulumi_aws as aws
import pulumi_azure as azure

network = pulumi.StackReference("acme/network/prod")
zone = aws.route53.get_zone(name="example.com.")
client = azure.core.get_client_config()
cluster = aws.eks.get_cluster_output(name="shared")  # no written answer: shaped by GetClusterResult

record = aws.route53.Record("api", zone_id=zone.zone_id, name="api.example.com", type="CNAME", ttl=300,
                            records=[cluster.endpoint])
pulumi.export("vpcId", network.get_output("vpcId"))
pulumi.export("tenant", client.tenant_id)
pulumi.export("endpoint", cluster.endpoint)
if pulumi.Config().get_bool("fail"):
    pulumi.export("region", network.get_output("vpcId").apply(lambda vpc_id: vpc_id.split("-")[2]))
