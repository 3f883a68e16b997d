"""Field encryption of applicants' personal data: Powertools DataMasking over the AWS Encryption SDK.

The PII key is a KMS key of its own: intake's role may only encrypt with it (GenerateDataKey), the export
role may only decrypt.

Data-key caching is on (one provider per container and key). The Encryption SDK caches data keys per
encryption context, so the context names only the form (`{"purpose", "formId"}`): applications sealed
within a few minutes share a data key (at most 1,000 messages, 5 minutes), and export, decrypting them,
finds that key in its own cache: a large export makes a handful of KMS calls, not one per record.
The binding of a ciphertext to its item moves into the sealed payload instead: it carries its
applicationId, checked on opening, so a `pii` value copied onto another item does not open there.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_encryption_sdk.exceptions import AWSEncryptionSDKClientError
from aws_lambda_powertools.utilities.data_masking import DataMasking
from aws_lambda_powertools.utilities.data_masking.exceptions import DataMaskingError
from aws_lambda_powertools.utilities.data_masking.provider.kms.aws_encryption_sdk import (
    AWSEncryptionSDKProvider,
)
from botocore.exceptions import BotoCoreError, ClientError
from pydantic import ValidationError

from civicline.domain.errors import CivicLineError, RetryableError
from civicline.models.forms import ApplicantAnswers

CACHE_CAPACITY = 100
CACHE_MAX_AGE_SECONDS = 300.0
MAX_MESSAGES_PER_DATA_KEY = 1000
PURPOSE = "applicant-pii"


class PiiUnavailable(RetryableError):
    """KMS could not be reached or refused for now: the record should be tried again."""


class PiiUnreadable(CivicLineError):
    """A ciphertext does not decrypt with this key and context (tampered, moved, or another key)."""


@cache
def _data_masking(key_arn: str) -> DataMasking:
    provider = AWSEncryptionSDKProvider(
        keys=[key_arn],
        local_cache_capacity=CACHE_CAPACITY,
        max_cache_age_seconds=CACHE_MAX_AGE_SECONDS,
        max_messages_encrypted=MAX_MESSAGES_PER_DATA_KEY,
    )
    return DataMasking(provider=provider)


class PiiCipher:
    """Seals (intake) and opens (export) ApplicantAnswers with the PII key."""

    def __init__(self, key_arn: str) -> None:
        self._key_arn = key_arn

    def seal(self, answers: ApplicantAnswers, application_id: str, form_id: str) -> str:
        sealed = {"applicationId": application_id, "answers": answers.model_dump(mode="json")}
        try:
            return _data_masking(self._key_arn).encrypt(sealed, purpose=PURPOSE, formId=form_id)
        except (DataMaskingError, AWSEncryptionSDKClientError, ClientError, BotoCoreError) as error:
            raise PiiUnavailable(f"encrypt for {application_id} failed: {type(error).__name__}") from None

    def open(self, ciphertext: str, application_id: str, form_id: str) -> ApplicantAnswers:
        """For export only: intake's role has no kms:Decrypt on the PII key."""
        try:
            plain: Any = _data_masking(self._key_arn).decrypt(ciphertext, purpose=PURPOSE, formId=form_id)
        except (ClientError, BotoCoreError) as error:
            raise PiiUnavailable(f"decrypt of {application_id} failed: {type(error).__name__}") from None
        except (DataMaskingError, AWSEncryptionSDKClientError) as error:
            raise PiiUnreadable(f"pii of {application_id} does not decrypt: {type(error).__name__}") from None
        if not isinstance(plain, dict) or plain.get("applicationId") != application_id:
            raise PiiUnreadable(f"pii of {application_id} was sealed for another item")
        try:
            return ApplicantAnswers.model_validate(plain.get("answers"))
        except ValidationError:  # its message would quote the values
            raise PiiUnreadable(f"pii of {application_id} is not ApplicantAnswers") from None


def decrypt(ciphertext: str, application_id: str, form_id: str, key_arn: str) -> ApplicantAnswers:
    """The answers of one Applications item's `pii` (export's entry point)."""
    return PiiCipher(key_arn).open(ciphertext, application_id, form_id)
