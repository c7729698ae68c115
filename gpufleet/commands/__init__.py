"""One module per `gpufleet` command: `add_arguments(parser)` and `run(args) -> int`."""
