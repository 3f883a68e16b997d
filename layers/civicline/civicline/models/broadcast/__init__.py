"""A segmented broadcast, one module per concept: message, segment, request, batch, report, checkpoint.

Nothing is re-exported here: import each shape from its own module.
"""
