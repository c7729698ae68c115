"""gpufleet: place, declare, price and police GPU fleets for AI across clouds, on Pulumi."""
