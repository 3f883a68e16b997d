"""The local stack: a SAM template and its LINE bot on a laptop without Docker, derived from the template."""
