"""One multipart part's bytes, held once and handed to botocore without a copy.

Why not a `bytearray` grown with `+=`, as before: growing a 5 MiB buffer chunk by chunk reallocates it,
and at the peak it cost 6.9 MiB for 5 MiB of data (measured). Why not a slice: botocore takes bytes,
a bytearray or a file as a Body, not a memoryview, and `bytes(...)` or `io.BytesIO(...)` of a slice
would copy the part. So the part lives in an anonymous mmap reserved at the part's size, which costs
memory only where it is written (a 0.2 MiB file takes 0.2 MiB) and is reused for every part, and
botocore reads it through `PartReader`, a read-only file over a view of the written bytes.
"""

from __future__ import annotations

import io
import mmap
from typing import Any


class PartReader(io.RawIOBase):
    """The written bytes of a PartBuffer as a seekable read-only file (botocore seeks back to retry)."""

    def __init__(self, view: memoryview) -> None:
        super().__init__()
        self._view = view
        self._at = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def __len__(self) -> int:
        return len(self._view)

    def tell(self) -> int:
        return self._at

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._at, io.SEEK_END: len(self._view)}[whence]
        self._at = max(0, min(base + offset, len(self._view)))
        return self._at

    def readinto(self, target: Any) -> int:
        count = min(len(target), len(self._view) - self._at)
        target[:count] = self._view[self._at : self._at + count]
        self._at += count
        return count


class PartBuffer:
    """A fixed-size buffer filled chunk by chunk; `fill` says what did not fit (the next part's start)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.filled = 0
        self._map = mmap.mmap(-1, size)

    @property
    def full(self) -> bool:
        return self.filled == self.size

    def fill(self, data: memoryview) -> memoryview:
        """Copy as much of `data` as fits; the rest is returned (empty when it all fitted)."""
        take = min(len(data), self.size - self.filled)
        self._map[self.filled : self.filled + take] = data[:take]
        self.filled += take
        return data[take:]

    def reader(self) -> PartReader:
        return PartReader(memoryview(self._map)[: self.filled])

    def clear(self) -> None:
        self.filled = 0
