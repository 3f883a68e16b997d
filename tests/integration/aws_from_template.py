"""The integration tests' AWS resources, made from template.yaml in moto (in-process, no server).

Every table (with its indexes and TTL), queue (with its dead-letter queue), KMS key and alias, bucket,
topic, secret, schedule group and the staff user pool (client, groups) of the translated template is created the way the local stack creates
it (`devstack.provision.Provisioner`), and the process gets the union of the functions' environments
resolved to those resources (`devstack.stack.function_environment`). The suites therefore test against
the template itself: a table, index or variable changed there changes here too.

    with template_aws(monkeypatch, {"LINE_API_HOST": fake_line.url}) as aws:
        aws.table("UsersTable")                # civicline-local-UsersTable
        aws.queue_url("ApplicationsQueue")
        aws.key_arn("PiiKey")

Each use starts from an empty moto: nothing is shared between tests but the translated template (read
only), the provisioning boto3 clients (stateless) and one spare RSA key (see `_symmetric_key_shortcut`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import boto3
import moto.kms.models
import pytest
from aws_lambda_powertools.utilities import parameters
from moto import mock_aws
from tests.support.repo import TEMPLATE_PATH

from devstack.cognito import install_revoke_token
from devstack.credentials import DEV_CHANNEL_ACCESS_TOKEN, DEV_CHANNEL_SECRET
from devstack.provision import LineCredentials, Provisioner
from devstack.resolve import REGION, PhysicalResource, Resolver
from devstack.sam_template import translate
from devstack.stack import function_environment

DEV_LINE_CREDENTIALS = LineCredentials(
    channel_secret=DEV_CHANNEL_SECRET, channel_access_token=DEV_CHANNEL_ACCESS_TOKEN
)

# Set on top of the template's environment: moto in this process, never a real account or endpoint.
_TEST_ENVIRONMENT = {
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "POWERTOOLS_SERVICE_NAME": "civicline",
    "POWERTOOLS_TRACE_DISABLED": "true",  # no X-Ray daemon
}
_REMOVED_ENVIRONMENT = ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN")


def forget_cached_parameters() -> None:
    """Forget what Powertools' parameters cached (the LINE secret): each test has its own moto."""
    parameters.clear_caches()


@dataclass(frozen=True)
class TemplateAws:
    """The template's resources as this test's moto holds them, looked up by logical id."""

    template: dict[str, Any] = field(repr=False)
    resolver: Resolver = field(repr=False)
    resources: Mapping[str, PhysicalResource]
    environment: Mapping[str, str]  # as set in os.environ: the template's union, then the test's own

    def _resource(self, logical_id: str, resource_type: str) -> PhysicalResource:
        declared = self.template.get("Resources", {}).get(logical_id, {}).get("Type")
        if declared != resource_type:
            raise KeyError(f"{logical_id} is not an {resource_type} of template.yaml (it is {declared})")
        return self.resources[logical_id]

    def table(self, logical_id: str) -> str:
        return self._resource(logical_id, "AWS::DynamoDB::Table").ref

    def queue_url(self, logical_id: str) -> str:
        return self._resource(logical_id, "AWS::SQS::Queue").ref

    def queue_name(self, logical_id: str) -> str:
        return self._resource(logical_id, "AWS::SQS::Queue").attributes["QueueName"]

    def queue_arn(self, logical_id: str) -> str:
        return self._resource(logical_id, "AWS::SQS::Queue").attributes["Arn"]

    def key_arn(self, logical_id: str) -> str:
        return self._resource(logical_id, "AWS::KMS::Key").attributes["Arn"]

    def bucket(self, logical_id: str) -> str:
        return self._resource(logical_id, "AWS::S3::Bucket").ref

    def topic_arn(self, logical_id: str) -> str:
        return self._resource(logical_id, "AWS::SNS::Topic").ref

    def secret_arn(self, logical_id: str) -> str:
        return self._resource(logical_id, "AWS::SecretsManager::Secret").ref

    def schedule_group(self, logical_id: str) -> str:
        return self._resource(logical_id, "AWS::Scheduler::ScheduleGroup").ref

    def user_pool(self, logical_id: str) -> str:
        return self._resource(logical_id, "AWS::Cognito::UserPool").ref

    def user_pool_client(self, logical_id: str) -> str:
        return self._resource(logical_id, "AWS::Cognito::UserPoolClient").ref

    def role_arn(self, logical_id: str) -> str:
        """A role's ARN as CloudFormation would name it (moto holds no roles: IAM is not emulated)."""
        if self.template.get("Resources", {}).get(logical_id, {}).get("Type") != "AWS::IAM::Role":
            raise KeyError(f"{logical_id} is not an AWS::IAM::Role of template.yaml")
        return self.resolver.get_att(logical_id, "Arn")

    def tables(self) -> dict[str, str]:
        """Every table of the template: logical id -> name."""
        return {
            logical_id: resource.ref
            for logical_id, resource in self.resources.items()
            if self.template["Resources"][logical_id]["Type"] == "AWS::DynamoDB::Table"
        }

    @staticmethod
    def client(service: str) -> Any:
        """A boto3 client of this moto (shared by the tests: clients hold no moto state)."""
        return _client(service)


@cache
def _template() -> dict[str, Any]:
    """Translated once per session (about a second); Resolver and Provisioner only read it."""
    return translate(TEMPLATE_PATH)


@cache
def _client(service: str) -> Any:
    # Creating a client costs 30-60 ms (its model and endpoint rules); moto intercepts the same client
    # in every mock_aws, so one per service serves the whole session.
    return boto3.client(service, region_name=REGION)


_unpatched_generate_private_key = moto.kms.models.generate_private_key


@cache
def _spare_private_key() -> Any:
    return _unpatched_generate_private_key("RSA_2048")


def _symmetric_key_shortcut(key_spec: str) -> Any:
    """moto gives every KMS key an RSA-2048 signing key (~75 ms each), even symmetric ones, which never
    sign: those share one pre-made key, so the template's two keys cost microseconds per test."""
    if key_spec == "SYMMETRIC_DEFAULT":
        return _spare_private_key()
    return _unpatched_generate_private_key(key_spec)


@contextmanager
def template_aws(
    monkeypatch: pytest.MonkeyPatch, overrides: Mapping[str, str] | None = None
) -> Iterator[TemplateAws]:
    """A moto holding template.yaml's resources, with the process environment the functions get.

    `overrides` is the suite's own environment on top of the template's (LINE_API_HOST of the fake
    LINE, settings the template does not have); set only through monkeypatch, so undone after the test.
    """
    template = _template()
    for name in _REMOVED_ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    for name, value in _TEST_ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(moto.kms.models, "generate_private_key", _symmetric_key_shortcut)
    install_revoke_token()  # moto has no RevokeToken of its own (devstack.cognito)
    with mock_aws():
        resolver = Resolver(template)
        Provisioner(template, resolver, _client, DEV_LINE_CREDENTIALS).provision()
        environment = {**function_environment(template, resolver), **_TEST_ENVIRONMENT, **(overrides or {})}
        for name, value in environment.items():
            monkeypatch.setenv(name, value)
        forget_cached_parameters()
        try:
            yield TemplateAws(
                template=template,
                resolver=resolver,
                resources=dict(resolver.physical),
                environment=environment,
            )
        finally:
            forget_cached_parameters()
