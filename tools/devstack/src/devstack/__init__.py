"""The local stack: civicline on a laptop without Docker, derived from template.yaml."""
