"""Reading resources: views of resources from any plan format (`views`) and the reader interface
every resource type gpufleet understands implements once (`base`). Readers are registered by the
cloud adapters (`gpufleet.clouds`)."""
