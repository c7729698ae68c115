"""Short-lived GPU tasks: allocate exactly what a task needs, run it as a Kubernetes Job, always free it.

- `model`: the task file (TASK.yaml), typed and validated like the stack files.
- `sizing`: whole nodes for the task's GPUs, its workers, and the memory check per node.
- `plan`: placement of the task (the fleet MILP) and everything decided before a stack exists.
- `program`: the task stack's Pulumi program (cluster, GPU software stack, Job).
- `lifecycle`: up, wait, destroy in `finally`; expiry; listing and reaping task stacks.
- `automation`: the real Pulumi Automation API behind the lifecycle's interface.
- `dryrun`: the task stack through the offline preview, with one run's cost, energy and carbon.

See docs/tasks.md.
"""
