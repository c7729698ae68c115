"""Never run: `gpufleet place` reads the stack's configuration only."""
