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


def batch_number(index: int, scan_segment: int, scan_segments: int) -> int:
    """The broadcast-wide number of a scan segment's `index`-th full batch (unique, stable on resume)."""
    return index * scan_segments + scan_segment


def tail_batch_number(index: int, longest_segment: int, scan_segments: int) -> int:
    """The number of the `index`-th batch cut from the scan segments' merged remainders.

    `longest_segment` is the most full batches any scan segment cut: every scan segment's numbers are
    below `longest_segment * scan_segments`, so the tail's numbers start there and never collide.
    """
    return longest_segment * scan_segments + index
