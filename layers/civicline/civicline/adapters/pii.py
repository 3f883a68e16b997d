"""Applicants' PII sealed by intake and opened by export: AWS Encryption SDK messages under the PII key.

The PII key is a KMS key of its own: intake's role may only encrypt with it (GenerateDataKey), the export
role may only decrypt. Both sides raise the one hierarchy of civicline.domain.applications.errors:
`PiiUnavailable` (KMS said no for now: retry) and `PiiUnreadable` (this message does not open here).

Sealing (`PiiSealer`, intake) goes through Powertools DataMasking with data-key caching on (one provider
per container). The Encryption SDK caches data keys per encryption context, so the context names only
the form (`{"purpose", "formId"}`): applications sealed within a few minutes share a data key (at most
1,000 messages, 5 minutes). The binding of a ciphertext to its item is inside the sealed payload
(`{"applicationId", "answers"}`), authenticated with it, and checked on opening: a `pii` value copied
onto another item does not open there.

Survey responses' typed answers (ご意見) are sealed the same way (`seal_free_text`), under the same
key and `purpose` (the key policy knows one purpose), bound to the response inside the payload
(`{"responseId", "freeText"}`): `PiiReader` refuses them as applications (no `applicationId`).

Opening (`PiiReader`, export) uses the SDK directly: Powertools' `DataMasking.decrypt` hands the SDK the
bare key provider, not its caching materials manager, so every decrypt would be a KMS Decrypt call
(100,000 applications, 100,000 calls). Through a `CachingCryptoMaterialsManager` a data key seen once
is reused for every message sealed under it: about one KMS Decrypt per 1,000 applications. Messages
whose context names the application (`{"applicationId", "formId"}`, intake's first scheme) are accepted
too, so applications sealed before the change still export.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Any

import botocore.session
from aws_encryption_sdk import (
    CachingCryptoMaterialsManager,
    EncryptionSDKClient,
    LocalCryptoMaterialsCache,
    StrictAwsKmsMasterKeyProvider,
)
from aws_encryption_sdk.exceptions import AWSEncryptionSDKClientError
from aws_lambda_powertools.utilities.data_masking import DataMasking
from aws_lambda_powertools.utilities.data_masking.exceptions import DataMaskingError
from aws_lambda_powertools.utilities.data_masking.provider.kms.aws_encryption_sdk import (
    AWSEncryptionSDKProvider,
)
from botocore.exceptions import BotoCoreError, ClientError
from pydantic import ValidationError

from civicline.adapters.aws_errors import error_code
from civicline.domain.applications.errors import PiiUnavailable, PiiUnreadable
from civicline.models.forms import ApplicantAnswers

PURPOSE = "applicant-pii"
# Sealing: a data key serves at most 1,000 messages or 5 minutes (what export's cache then finds).
SEAL_CACHE_CAPACITY = 100
SEAL_CACHE_MAX_AGE_SECONDS = 300.0
MAX_MESSAGES_PER_DATA_KEY = 1000
# Opening: one entry per data key; a day's applications use a few dozen, 1,000 cover far more than one
# export needs, and one export (Lambda's timeout is 300 s) never outlives its entries.
OPEN_CACHE_CAPACITY = 1000
OPEN_CACHE_MAX_AGE_SECONDS = 900.0
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


class PiiSealer:
    """Seals ApplicantAnswers for one application, or a survey response's typed answers (intake's
    PiiSealer and FreeTextSealer ports). Build one per container:
    its data-key cache is what keeps KMS calls (and export's) few."""

    def __init__(self, key_arn: str) -> None:
        # Powertools' provider builds its own botocore session; no client of ours to hand it.
        provider = AWSEncryptionSDKProvider(
            keys=[key_arn],
            local_cache_capacity=SEAL_CACHE_CAPACITY,
            max_cache_age_seconds=SEAL_CACHE_MAX_AGE_SECONDS,
            max_messages_encrypted=MAX_MESSAGES_PER_DATA_KEY,
        )
        self._masking = DataMasking(provider=provider)

    def seal(self, answers: ApplicantAnswers, application_id: str, form_id: str) -> str:
        sealed = {"applicationId": application_id, "answers": answers.model_dump(mode="json")}
        try:
            return self._masking.encrypt(sealed, purpose=PURPOSE, formId=form_id)
        except (DataMaskingError, AWSEncryptionSDKClientError, ClientError, BotoCoreError) as error:
            raise PiiUnavailable(f"encrypt for {application_id} failed: {type(error).__name__}") from None

    def seal_free_text(self, texts: Mapping[str, str], response_id: str, form_id: str) -> str:
        sealed = {"responseId": response_id, "freeText": dict(texts)}
        try:
            return self._masking.encrypt(sealed, purpose=PURPOSE, formId=form_id)
        except (DataMaskingError, AWSEncryptionSDKClientError, ClientError, BotoCoreError) as error:
            raise PiiUnavailable(f"encrypt for {response_id} failed: {type(error).__name__}") from None


def _transient(error: BaseException) -> bool:
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, ClientError):
            return error_code(seen) in _TRANSIENT_CODES
        if isinstance(seen, BotoCoreError):  # connection refused, timeouts
            return True
        seen = seen.__cause__ or seen.__context__
    return False


class PiiReader:
    """Opens the `pii` of Applications items (export's PiiOpener port); KMS is called through `session`,
    whose calls it counts (`kms_calls`, for the export's metrics and the bench)."""

    def __init__(self, key_arn: str, session: botocore.session.Session) -> None:
        self.kms_calls = 0
        # Before the provider exists: each client copies the session's handlers when it is created.
        session.register("before-call.kms", self._count)
        provider = StrictAwsKmsMasterKeyProvider(key_ids=[key_arn], botocore_session=session)
        self._materials = CachingCryptoMaterialsManager(
            master_key_provider=provider,
            cache=LocalCryptoMaterialsCache(OPEN_CACHE_CAPACITY),
            max_age=OPEN_CACHE_MAX_AGE_SECONDS,
        )
        self._client = EncryptionSDKClient()

    def _count(self, **_: Any) -> None:
        self.kms_calls += 1

    def open(self, ciphertext: str, application_id: str, form_id: str) -> ApplicantAnswers:
        try:
            message = base64.b64decode(ciphertext, validate=True)
        except (binascii.Error, ValueError):
            raise PiiUnreadable(f"pii of {application_id} is not a sealed message") from None
        try:
            plaintext, header = self._client.decrypt(source=message, materials_manager=self._materials)
        except (AWSEncryptionSDKClientError, ClientError, BotoCoreError) as error:
            if _transient(error):
                raise PiiUnavailable(f"decrypt of {application_id}: {type(error).__name__}") from None
            raise PiiUnreadable(f"pii of {application_id} does not decrypt: {type(error).__name__}") from None
        context = {k: v for k, v in header.encryption_context.items() if k != _SIGNING_KEY_CONTEXT}
        return _answers(plaintext, context, application_id, form_id)


def _answers(
    plaintext: bytes, context: dict[str, str], application_id: str, form_id: str
) -> ApplicantAnswers:
    if context.get("formId") != form_id or context.get("purpose", PURPOSE) != PURPOSE:
        raise PiiUnreadable(f"pii of {application_id} was sealed for another form or purpose")
    try:
        value: Any = json.loads(plaintext)
    except ValueError:
        raise PiiUnreadable(f"pii of {application_id} is not JSON") from None
    if "applicationId" in context:
        if context["applicationId"] != application_id:
            raise PiiUnreadable(f"pii of {application_id} was sealed for another application")
    elif isinstance(value, dict) and value.get("applicationId") == application_id and "answers" in value:
        value = value["answers"]
    else:
        raise PiiUnreadable(f"pii of {application_id} is not bound to it")
    try:
        return ApplicantAnswers.model_validate(value)
    except ValidationError:  # its message would quote the values
        raise PiiUnreadable(f"pii of {application_id} is not ApplicantAnswers") from None
