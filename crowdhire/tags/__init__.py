"""Cache tags: which objects and list partitions an answer read, and which a write changed."""
