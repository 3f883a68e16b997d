"""Cutting a stream of recipients into multicast-sized batches without holding the stream."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice

from civicline.models.broadcast.base import MULTICAST_MAX_RECIPIENTS


def batched(user_ids: Iterable[str], size: int = MULTICAST_MAX_RECIPIENTS) -> Iterator[list[str]]:
    """Consecutive batches of at most `size` ids; only one batch is in memory at a time."""
    if not 1 <= size <= MULTICAST_MAX_RECIPIENTS:
        raise ValueError(f"batch size must be within 1..{MULTICAST_MAX_RECIPIENTS}")
    iterator = iter(user_ids)
    while batch := list(islice(iterator, size)):
        yield batch


def batch_number(
    index: int, scan_segment: int, scan_segments: int, version: int = 0, versions: int = 1
) -> int:
    """The broadcast-wide number of a scan segment's `index`-th full batch of its `version`-th version
    (of `versions`): unique, stable on resume, and for a broadcast in one language the number it
    always was (so a batch keeps its retry key)."""
    return (index * scan_segments + scan_segment) * versions + version


def tail_batch_number(
    index: int, longest_segment: int, scan_segments: int, version: int = 0, versions: int = 1
) -> int:
    """The number of the `index`-th batch of one version cut from the scan segments' merged remainders.

    `longest_segment` is the most full batches any scan segment cut in any version: every scan
    segment's numbers are below `longest_segment * scan_segments * versions`, so the tails' numbers
    start there and never collide (each version's tail on its own residue modulo `versions`).
    """
    return (longest_segment * scan_segments + index) * versions + version
