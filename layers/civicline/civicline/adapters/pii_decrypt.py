"""Export's side of applicants' PII: decrypt with data-key caching (the export role alone may decrypt).

Intake seals answers with Powertools DataMasking (AWS Encryption SDK messages, see `adapters/pii.py`).
Powertools' `DataMasking.decrypt` hands the Encryption SDK the bare key provider, not its caching
materials manager, so every decrypt is a KMS Decrypt call: 100,000 applications would be 100,000 calls.
Here the same messages are opened through a `CachingCryptoMaterialsManager`: a data key seen once is
reused for every message sealed under it, while the cache entry lives.

This works because intake seals under a context shared by a form's applications (`{"purpose",
"formId"}`) and caches its data keys (up to 1,000 messages or 5 minutes each): the Encryption SDK caches
per context, so a context naming each application would give every message a data key of its own and
no cache could help. The binding of a ciphertext to its item is inside the sealed payload
(`{"applicationId", "answers"}`), authenticated with it, and checked here. The export makes about one
KMS Decrypt per 1,000 applications.

Messages whose context names the application (`{"applicationId", "formId"}`, intake's first scheme)
are accepted too, so applications sealed before the change still export.
"""

from __future__ import annotations

import base64
import binascii
import json
from functools import cache
from typing import Any

import botocore.session
from aws_encryption_sdk import (
    CachingCryptoMaterialsManager,
    EncryptionSDKClient,
    LocalCryptoMaterialsCache,
    StrictAwsKmsMasterKeyProvider,
)
from aws_encryption_sdk.exceptions import AWSEncryptionSDKClientError
from botocore.exceptions import BotoCoreError, ClientError
from pydantic import ValidationError

from civicline.adapters.pii import PURPOSE
from civicline.domain.export.errors import PiiUnavailableForExport, UnreadablePii
from civicline.models.forms import ApplicantAnswers

# One entry per data key: intake rotates data keys every 1,000 messages or 5 minutes, so a day's
# applications use a few dozen; 1,000 entries cover far more than one export needs.
CACHE_CAPACITY = 1000
CACHE_MAX_AGE_SECONDS = 900.0  # one export (Lambda's timeout is 300 s) never outlives its entries
_SIGNING_KEY_CONTEXT = "aws-crypto-public-key"  # added by the SDK's signing suites, not by intake
# KMS said no for now (throttled, unreachable), as opposed to "this key cannot open this message".
_TRANSIENT_CODES = {
    "ThrottlingException",
    "KMSInternalException",
    "DependencyTimeoutException",
    "KeyUnavailableException",
    "LimitExceededException",
    "ServiceUnavailable",
    "RequestLimitExceeded",
}


@cache
def kms_session() -> botocore.session.Session:
    """The botocore session KMS is called through (benchmarks count its calls with its events)."""
    return botocore.session.Session()


@cache
def _opener(key_arn: str) -> tuple[EncryptionSDKClient, CachingCryptoMaterialsManager]:
    provider = StrictAwsKmsMasterKeyProvider(key_ids=[key_arn], botocore_session=kms_session())
    materials = CachingCryptoMaterialsManager(
        master_key_provider=provider,
        cache=LocalCryptoMaterialsCache(CACHE_CAPACITY),
        max_age=CACHE_MAX_AGE_SECONDS,
    )
    return EncryptionSDKClient(), materials


def _transient(error: BaseException) -> bool:
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, ClientError):
            return seen.response.get("Error", {}).get("Code") in _TRANSIENT_CODES
        if isinstance(seen, BotoCoreError):  # connection refused, timeouts
            return True
        seen = seen.__cause__ or seen.__context__
    return False


class PiiDecryptor:
    """Opens the `pii` of Applications items (PiiOpener)."""

    def __init__(self, key_arn: str) -> None:
        self._key_arn = key_arn

    def open(self, ciphertext: str, application_id: str, form_id: str) -> ApplicantAnswers:
        client, materials = _opener(self._key_arn)
        try:
            message = base64.b64decode(ciphertext, validate=True)
        except (binascii.Error, ValueError):
            raise UnreadablePii(f"pii of {application_id} is not a sealed message") from None
        try:
            plaintext, header = client.decrypt(source=message, materials_manager=materials)
        except (AWSEncryptionSDKClientError, ClientError, BotoCoreError) as error:
            if _transient(error):
                raise PiiUnavailableForExport(
                    f"decrypt of {application_id}: {type(error).__name__}"
                ) from None
            raise UnreadablePii(f"pii of {application_id} does not decrypt: {type(error).__name__}") from None
        context = {k: v for k, v in header.encryption_context.items() if k != _SIGNING_KEY_CONTEXT}
        return _answers(plaintext, context, application_id, form_id)


def _answers(
    plaintext: bytes, context: dict[str, str], application_id: str, form_id: str
) -> ApplicantAnswers:
    if context.get("formId") != form_id or context.get("purpose", PURPOSE) != PURPOSE:
        raise UnreadablePii(f"pii of {application_id} was sealed for another form or purpose")
    try:
        value: Any = json.loads(plaintext)
    except ValueError:
        raise UnreadablePii(f"pii of {application_id} is not JSON") from None
    if "applicationId" in context:
        if context["applicationId"] != application_id:
            raise UnreadablePii(f"pii of {application_id} was sealed for another application")
    elif isinstance(value, dict) and value.get("applicationId") == application_id and "answers" in value:
        value = value["answers"]
    else:
        raise UnreadablePii(f"pii of {application_id} is not bound to it")
    try:
        return ApplicantAnswers.model_validate(value)
    except ValidationError:  # its message would quote the values
        raise UnreadablePii(f"pii of {application_id} is not ApplicantAnswers") from None
