"""Export files in S3: streamed up as a multipart upload (SSE-KMS), handed out as presigned SigV4 links.

- Streaming: chunks fill one fixed part buffer (s3_part_buffer.py: written once, read without a copy);
  each full buffer goes up as a part (S3's minimum part is 5 MiB), so memory holds one part whatever the
  file's size. A file no larger than a part is one PutObject. A failed upload is aborted (and the
  bucket's lifecycle removes any part left over).
- Encryption: every write asks for `aws:kms` explicitly (the bucket policy refuses any other); the
  bucket's default key, the data key, is used.
- Links: SigV4 on the regional virtual-hosted endpoint (`<bucket>.s3.ap-northeast-1.amazonaws.com`).
  boto3's default for S3 can still produce a SigV2 URL on the global host, which S3 refuses for
  KMS-encrypted objects. Expiry is short (15 minutes by default) with a hard ceiling of an hour,
  whatever is asked. The response's Content-Disposition gives a readable Japanese file name (RFC 6266
  with an RFC 5987 `filename*`, and an ASCII `filename` for old clients).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from civicline.adapters.aws_errors import domain_error, is_not_found
from civicline.adapters.s3_part_buffer import PartBuffer
from civicline.domain.export.errors import ExportStoreFailed
from civicline.models.export import LINK_EXPIRY_CEILING_SECONDS

PART_BYTES = 5 * 1024 * 1024  # S3's minimum part size: the least memory a multipart upload can hold
DEFAULT_REGION = "ap-northeast-1"


def export_s3_client(region: str = DEFAULT_REGION) -> Any:
    """The client S3ExportFiles needs: SigV4 on the regional virtual-hosted endpoint (see above)."""
    return boto3.client(
        "s3",
        region_name=region,
        config=Config(
            signature_version="s3v4",
            s3={"addressing_style": "virtual"},
            retries={"mode": "standard", "max_attempts": 4},
            connect_timeout=3,
            read_timeout=30,
        ),
    )


def content_disposition(download_name: str, ascii_name: str) -> str:
    """`attachment; filename="koho.csv"; filename*=UTF-8''%E5%BA%83...` (RFC 6266 / RFC 5987)."""
    fallback = ascii_name.replace("\\", "_").replace('"', "_")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(download_name, safe='')}"


def _failed(error: ClientError | BotoCoreError, operation: str) -> ExportStoreFailed:
    return domain_error(error, f"S3 {operation}", ExportStoreFailed)


class S3ExportFiles:
    """ExportFiles over the export bucket, through a client made by `export_s3_client`."""

    def __init__(self, client: Any, bucket: str, part_bytes: int = PART_BYTES) -> None:
        self._bucket = bucket
        self._client = client
        self._part_bytes = part_bytes

    def upload(self, key: str, chunks: Iterable[bytes], content_type: str) -> int:
        buffer = PartBuffer(self._part_bytes)
        parts: list[dict[str, Any]] = []
        upload_id: str | None = None
        size = 0
        try:
            for chunk in chunks:
                size += len(chunk)
                rest = memoryview(chunk)
                while rest:
                    if buffer.full:  # more follows a full buffer: it is a part, not the whole file
                        if upload_id is None:
                            upload_id = self._start(key, content_type)
                        parts.append(self._part(key, upload_id, len(parts) + 1, buffer))
                    rest = buffer.fill(rest)
            if upload_id is None:
                self._client.put_object(
                    Bucket=self._bucket,
                    Key=key,
                    Body=buffer.reader(),
                    ContentType=content_type,
                    ServerSideEncryption="aws:kms",
                    BucketKeyEnabled=True,
                )
                return size
            if buffer.filled:
                parts.append(self._part(key, upload_id, len(parts) + 1, buffer))
            self._client.complete_multipart_upload(
                Bucket=self._bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": parts}
            )
        except (ClientError, BotoCoreError) as error:
            self._abort(key, upload_id)
            raise _failed(error, "upload") from error
        except BaseException:
            self._abort(key, upload_id)
            raise
        return size

    def _start(self, key: str, content_type: str) -> str:
        answer = self._client.create_multipart_upload(
            Bucket=self._bucket,
            Key=key,
            ContentType=content_type,
            ServerSideEncryption="aws:kms",
            BucketKeyEnabled=True,
        )
        return str(answer["UploadId"])

    def _part(self, key: str, upload_id: str, number: int, buffer: PartBuffer) -> dict[str, Any]:
        answer = self._client.upload_part(
            Bucket=self._bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=buffer.reader()
        )
        buffer.clear()  # sent: the same memory takes the next part
        return {"PartNumber": number, "ETag": answer["ETag"]}

    def _abort(self, key: str, upload_id: str | None) -> None:
        if upload_id is None:
            return
        # Should the abort fail too, the lifecycle rule removes incomplete uploads after a day.
        with contextlib.suppress(ClientError, BotoCoreError):
            self._client.abort_multipart_upload(Bucket=self._bucket, Key=key, UploadId=upload_id)

    def presign(self, key: str, *, download_name: str, ascii_name: str, expiry_seconds: int) -> str:
        if not 1 <= expiry_seconds <= LINK_EXPIRY_CEILING_SECONDS:
            raise ValueError(f"link expiry must be 1–{LINK_EXPIRY_CEILING_SECONDS} s")
        try:
            url: str = self._client.generate_presigned_url(
                "get_object",
                Params={
                    "Bucket": self._bucket,
                    "Key": key,
                    "ResponseContentDisposition": content_disposition(download_name, ascii_name),
                },
                ExpiresIn=expiry_seconds,
            )
        except (ClientError, BotoCoreError) as error:
            raise _failed(error, "presign") from error
        return url

    def exists(self, key: str) -> bool:
        try:
            self._client.head_object(Bucket=self._bucket, Key=key)
        except ClientError as error:
            if is_not_found(error):
                return False
            raise _failed(error, "head") from error
        except BotoCoreError as error:
            raise _failed(error, "head") from error
        return True
