"""A stand-in for the civicline layer: proves layers are importable from the functions."""

GREETING = "hello from the layer"
