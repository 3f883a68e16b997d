"""The export file's upload (S3ExportFiles over template.yaml's ExportBucket in moto): whatever the
chunks, the object in the bucket is exactly the bytes streamed, in parts of S3's minimum size."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

import pytest
from tests.integration.aws_from_template import TemplateAws

from civicline.adapters.s3_export import PART_BYTES, S3ExportFiles
from civicline.adapters.s3_part_buffer import PartBuffer
from civicline.domain.export.errors import ExportStoreFailed

KEY = "exports/koho_delivery/2026/11/29/test.csv"


def _chunks(total: int, chunk: int) -> Iterator[bytes]:
    """Deterministic, position-dependent bytes: a part written twice or out of order would show."""
    for start in range(0, total, chunk):
        size = min(chunk, total - start)
        yield hashlib.shake_256(start.to_bytes(8, "big")).digest(size)


@pytest.fixture
def part_sizes() -> list[int]:
    return []


@pytest.fixture
def files(aws: TemplateAws, part_sizes: list[int]) -> S3ExportFiles:
    client = aws.client("s3")

    def seen(params: dict[str, Any], **_: Any) -> None:
        part_sizes.append(len(params["Body"]))

    client.meta.events.register("provide-client-params.s3.UploadPart", seen)
    return S3ExportFiles(client, aws.bucket("ExportBucket"))


def _stored(aws: TemplateAws, key: str = KEY) -> bytes:
    body: bytes = aws.client("s3").get_object(Bucket=aws.bucket("ExportBucket"), Key=key)["Body"].read()
    return body


@pytest.mark.parametrize(
    ("total", "chunk"),
    [
        (200 * 1024, 64 * 1024),  # a small file: one PutObject
        (PART_BYTES, 64 * 1024),  # exactly one part's worth: still one PutObject
        (PART_BYTES + 1, 64 * 1024),  # one byte more: two parts, the last of one byte
        (2 * PART_BYTES + 123_457, 100_003),  # chunks straddling the parts' edges
        (PART_BYTES + 10, 3 * PART_BYTES),  # one chunk larger than a part
    ],
)
def test_the_file_in_the_bucket_is_exactly_what_was_streamed(
    aws: TemplateAws, files: S3ExportFiles, part_sizes: list[int], total: int, chunk: int
) -> None:
    # Given chunks of a CSV (any sizes) / When they are uploaded
    size = files.upload(KEY, _chunks(total, chunk), "text/csv; charset=utf-8")

    # Then the object holds exactly those bytes, in parts no smaller than S3 allows but the last
    assert size == total
    assert _stored(aws) == b"".join(_chunks(total, chunk))
    if total <= PART_BYTES:
        assert part_sizes == []
    else:
        assert part_sizes[:-1] == [PART_BYTES] * (len(part_sizes) - 1)
        assert sum(part_sizes) == total


def test_a_failed_upload_leaves_no_object_and_no_unfinished_upload(
    aws: TemplateAws, files: S3ExportFiles
) -> None:
    # Given a file whose rows fail after its first part went up
    def failing() -> Iterator[bytes]:
        yield from _chunks(PART_BYTES + 64 * 1024, 64 * 1024)
        raise ExportStoreFailed("the rows could not be read")

    # When it is uploaded / Then the failure reaches the caller
    with pytest.raises(ExportStoreFailed):
        files.upload(KEY, failing(), "text/csv; charset=utf-8")

    # And nothing is left: no object, no multipart upload waiting for its parts
    s3 = aws.client("s3")
    bucket = aws.bucket("ExportBucket")
    assert s3.list_objects_v2(Bucket=bucket).get("KeyCount", 0) == 0
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []


def test_the_part_buffer_reads_back_what_was_written_and_can_be_read_again() -> None:
    # Given a buffer of 10 bytes filled with 12 / When it is read, then read again after a seek
    buffer = PartBuffer(10)
    rest = buffer.fill(memoryview(b"0123456789ab"))
    reader = buffer.reader()
    first = reader.read()
    reader.seek(0)
    second = reader.read(4)

    # Then it holds the first 10 and gives back the rest; a retry (seek to 0) reads the same bytes
    assert buffer.full
    assert bytes(rest) == b"ab"
    assert first == b"0123456789"
    assert second == b"0123"
    assert len(reader) == 10
