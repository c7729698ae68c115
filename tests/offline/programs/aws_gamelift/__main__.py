"""GameLift GPU capacity (AWS docs style): a managed fleet of g5.2xlarge, which declares no instance count,
and a FleetIQ game server group of g5.12xlarge between 2 and 6 instances."""

import pulumi
import pulumi_aws as aws

fleet = aws.gamelift.Fleet("render-fleet",
    build_id="build-0123456789abcdef0",
    ec2_instance_type="g5.2xlarge",
    fleet_type="ON_DEMAND",
    runtime_configuration=aws.gamelift.FleetRuntimeConfigurationArgs(
        server_processes=[aws.gamelift.FleetRuntimeConfigurationServerProcessArgs(
            concurrent_executions=1, launch_path="/local/game/server")]))
lt = aws.ec2.LaunchTemplate("game-lt", image_id="ami-0123456789abcdef0")
group = aws.gamelift.GameServerGroup("game-servers",
    game_server_group_name="game-servers",
    instance_definitions=[aws.gamelift.GameServerGroupInstanceDefinitionArgs(instance_type="g5.12xlarge")],
    launch_template=aws.gamelift.GameServerGroupLaunchTemplateArgs(id=lt.id),
    min_size=2, max_size=6,
    role_arn="arn:aws:iam::123456789012:role/gamelift")
pulumi.export("fleet", fleet.id)
