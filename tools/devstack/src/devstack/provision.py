"""Creates the translated template's data resources in the moto server, in dependency order.

Only what moto can hold is created (keys, tables, queues, buckets, topics, secrets, schedule groups,
the staff user pool with its client and groups: devstack.cognito);
everything else is listed once as "not emulated locally". CloudFormation-in-moto is not used on
purpose: it ignores SSE, PITR, TTL and public access blocks, so each resource is created with the
service's own API and the settings moto supports.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from devstack import cognito
from devstack.credentials import DEV_CHANNEL_ID
from devstack.resolve import REGION, PhysicalResource, Resolver, arn, physical_name, references

log = logging.getLogger("devstack.provision")

ClientFactory = Callable[[str], Any]


@dataclass(frozen=True)
class LineCredentials:
    channel_secret: str
    channel_access_token: str  # what the fake LINE issues and accepts; never in the secret
    channel_id: str = DEV_CHANNEL_ID

    def secret_string(self) -> str:
        """The LINE secret as staff enter it: the functions issue their own access tokens from it."""
        return json.dumps({"channelId": self.channel_id, "channelSecret": self.channel_secret})


@dataclass
class ProvisionReport:
    created: dict[str, str] = field(default_factory=dict)  # logical id -> resource type
    not_emulated: Counter[str] = field(default_factory=Counter)  # resource type -> count
    notes: list[str] = field(default_factory=list)  # settings moto did not accept

    def not_emulated_line(self) -> str:
        parts = [f"{count}× {kind}" for kind, count in sorted(self.not_emulated.items())]
        return "not emulated locally: " + ", ".join(parts) if parts else ""


def _bool(value: Any) -> bool:
    return value is True or str(value).lower() == "true"


def _attribute_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)


def _tags(props: dict[str, Any]) -> list[dict[str, str]]:
    return [{"Key": tag["Key"], "Value": str(tag["Value"])} for tag in props.get("Tags", [])]


class Provisioner:
    """Creates each supported resource of a translated template through moto's service APIs."""

    def __init__(
        self,
        cfn: dict[str, Any],
        resolver: Resolver,
        client: ClientFactory,
        line_credentials: LineCredentials,
    ) -> None:
        self._cfn = cfn
        self._resolver = resolver
        self._clients: dict[str, Any] = {}
        self._client_factory = client
        self._line = line_credentials
        self._creators: dict[str, Callable[[str, dict[str, Any]], PhysicalResource]] = {
            "AWS::KMS::Key": self._kms_key,
            "AWS::KMS::Alias": self._kms_alias,
            "AWS::DynamoDB::Table": self._dynamodb_table,
            "AWS::SQS::Queue": self._sqs_queue,
            "AWS::S3::Bucket": self._s3_bucket,
            "AWS::SNS::Topic": self._sns_topic,
            "AWS::SNS::Subscription": self._sns_subscription,
            "AWS::SecretsManager::Secret": self._secret,
            "AWS::Scheduler::ScheduleGroup": self._schedule_group,
            "AWS::Cognito::UserPool": self._user_pool,
            "AWS::Cognito::UserPoolClient": self._user_pool_client,
            "AWS::Cognito::UserPoolGroup": self._user_pool_group,
        }
        self.report = ProvisionReport()

    def _client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = self._client_factory(service)
        return self._clients[service]

    def provision(self) -> ProvisionReport:
        resources: dict[str, dict[str, Any]] = self._cfn.get("Resources", {})
        for logical_id in self._creation_order(resources):
            resource = resources[logical_id]
            kind = resource["Type"]
            if not self._resolver.is_active(logical_id):
                continue
            if kind not in self._creators:
                self.report.not_emulated[kind] += 1
                continue
            props = self._resolver.resolve(resource.get("Properties", {}))
            physical = self._creators[kind](logical_id, props)
            self._resolver.physical[logical_id] = physical
            self.report.created[logical_id] = kind
            log.info("created %s %s -> %s", kind, logical_id, physical.ref)
        return self.report

    def _creation_order(self, resources: dict[str, dict[str, Any]]) -> list[str]:
        """Depth-first topological order over Ref/GetAtt/Sub/DependsOn (keys first, DLQs first)."""
        order: list[str] = []
        visiting: set[str] = set()

        def visit(logical_id: str) -> None:
            if logical_id in order or logical_id not in resources:
                return
            if logical_id in visiting:  # a cycle through unemulated resources: CloudFormation's problem
                return
            visiting.add(logical_id)
            resource = resources[logical_id]
            depends_on = resource.get("DependsOn", [])
            depends = references(resource.get("Properties", {})) | set(
                [depends_on] if isinstance(depends_on, str) else depends_on
            )
            for dependency in sorted(depends):
                if resources.get(dependency, {}).get("Type") in self._creators:
                    visit(dependency)
            visiting.discard(logical_id)
            order.append(logical_id)

        for logical_id in resources:
            visit(logical_id)
        return order

    def _note(self, logical_id: str, setting: str, error: Exception) -> None:
        self.report.notes.append(f"{logical_id}: {setting} not applied locally ({type(error).__name__})")

    # -- creators -----------------------------------------------------------------------------------

    def _kms_key(self, logical_id: str, props: dict[str, Any]) -> PhysicalResource:
        kms = self._client("kms")
        request: dict[str, Any] = {
            key: props[key] for key in ("Description", "KeyUsage", "KeySpec", "MultiRegion") if key in props
        }
        if props.get("Tags"):
            request["Tags"] = [{"TagKey": t["Key"], "TagValue": str(t["Value"])} for t in props["Tags"]]
        if "KeyPolicy" in props:
            request["Policy"] = json.dumps(props["KeyPolicy"])
            # moto accepts any policy document as given; principals are not checked.
            request["BypassPolicyLockoutSafetyCheck"] = True
        metadata = kms.create_key(**request)["KeyMetadata"]
        if _bool(props.get("EnableKeyRotation", False)):
            kms.enable_key_rotation(KeyId=metadata["KeyId"])
        if props.get("Enabled") is False or str(props.get("Enabled")).lower() == "false":
            kms.disable_key(KeyId=metadata["KeyId"])
        return PhysicalResource(metadata["KeyId"], {"Arn": metadata["Arn"], "KeyId": metadata["KeyId"]})

    def _kms_alias(self, logical_id: str, props: dict[str, Any]) -> PhysicalResource:
        self._client("kms").create_alias(AliasName=props["AliasName"], TargetKeyId=props["TargetKeyId"])
        return PhysicalResource(props["AliasName"])

    def _dynamodb_table(self, logical_id: str, props: dict[str, Any]) -> PhysicalResource:
        dynamodb = self._client("dynamodb")
        name = props.get("TableName") or physical_name(logical_id)
        request: dict[str, Any] = {
            "TableName": name,
            "KeySchema": props["KeySchema"],
            "AttributeDefinitions": props["AttributeDefinitions"],
            "BillingMode": props.get("BillingMode", "PROVISIONED"),
        }
        for key in (
            "ProvisionedThroughput",
            "GlobalSecondaryIndexes",
            "LocalSecondaryIndexes",
            "TableClass",
            "DeletionProtectionEnabled",
        ):
            if key in props:
                request[key] = props[key]
        if "SSESpecification" in props:
            # CloudFormation says SSEEnabled where the DynamoDB API says Enabled.
            sse = dict(props["SSESpecification"])
            sse["Enabled"] = _bool(sse.pop("SSEEnabled", False))
            request["SSESpecification"] = sse
        if "StreamSpecification" in props:
            request["StreamSpecification"] = {"StreamEnabled": True, **props["StreamSpecification"]}
        if props.get("Tags"):
            request["Tags"] = _tags(props)
        description = dynamodb.create_table(**request)["TableDescription"]
        ttl = props.get("TimeToLiveSpecification")
        if ttl and _bool(ttl.get("Enabled", False)):
            dynamodb.update_time_to_live(
                TableName=name,
                TimeToLiveSpecification={"AttributeName": ttl["AttributeName"], "Enabled": True},
            )
        pitr = props.get("PointInTimeRecoverySpecification")
        if pitr and _bool(pitr.get("PointInTimeRecoveryEnabled", False)):
            try:
                dynamodb.update_continuous_backups(
                    TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
                )
            except Exception as error:
                self._note(logical_id, "PointInTimeRecovery", error)
        attributes = {"Arn": description["TableArn"]}
        if description.get("LatestStreamArn"):
            attributes["StreamArn"] = description["LatestStreamArn"]
        return PhysicalResource(name, attributes)

    def _sqs_queue(self, logical_id: str, props: dict[str, Any]) -> PhysicalResource:
        sqs = self._client("sqs")
        fifo = _bool(props.get("FifoQueue", False))
        name = props.get("QueueName") or physical_name(logical_id) + (".fifo" if fifo else "")
        attribute_names = (
            "ContentBasedDeduplication",
            "DeduplicationScope",
            "DelaySeconds",
            "FifoQueue",
            "FifoThroughputLimit",
            "KmsDataKeyReusePeriodSeconds",
            "KmsMasterKeyId",
            "MaximumMessageSize",
            "MessageRetentionPeriod",
            "ReceiveMessageWaitTimeSeconds",
            "RedriveAllowPolicy",
            "RedrivePolicy",
            "SqsManagedSseEnabled",
            "VisibilityTimeout",
        )
        attributes = {key: _attribute_value(props[key]) for key in attribute_names if key in props}
        request: dict[str, Any] = {"QueueName": name, "Attributes": attributes}
        if props.get("Tags"):
            request["tags"] = {tag["Key"]: str(tag["Value"]) for tag in props["Tags"]}
        url = sqs.create_queue(**request)["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        return PhysicalResource(url, {"Arn": queue_arn, "QueueName": name, "QueueUrl": url})

    def _s3_bucket(self, logical_id: str, props: dict[str, Any]) -> PhysicalResource:
        s3 = self._client("s3")
        name = props.get("BucketName") or physical_name(logical_id).lower()
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
        settings: list[tuple[str, Callable[[], Any]]] = []
        if "BucketEncryption" in props:
            settings.append(
                (
                    "BucketEncryption",
                    lambda: s3.put_bucket_encryption(
                        Bucket=name,
                        ServerSideEncryptionConfiguration={
                            "Rules": [
                                _encryption_rule(rule)
                                for rule in props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
                            ]
                        },
                    ),
                )
            )
        if "PublicAccessBlockConfiguration" in props:
            settings.append(
                (
                    "PublicAccessBlockConfiguration",
                    lambda: s3.put_public_access_block(
                        Bucket=name,
                        PublicAccessBlockConfiguration={
                            key: _bool(value)
                            for key, value in props["PublicAccessBlockConfiguration"].items()
                        },
                    ),
                )
            )
        if "OwnershipControls" in props:
            settings.append(
                (
                    "OwnershipControls",
                    lambda: s3.put_bucket_ownership_controls(
                        Bucket=name, OwnershipControls=props["OwnershipControls"]
                    ),
                )
            )
        if "VersioningConfiguration" in props:
            settings.append(
                (
                    "VersioningConfiguration",
                    lambda: s3.put_bucket_versioning(
                        Bucket=name, VersioningConfiguration=props["VersioningConfiguration"]
                    ),
                )
            )
        if "LifecycleConfiguration" in props:
            settings.append(
                (
                    "LifecycleConfiguration",
                    lambda: s3.put_bucket_lifecycle_configuration(
                        Bucket=name,
                        LifecycleConfiguration={
                            "Rules": [
                                _lifecycle_rule(rule) for rule in props["LifecycleConfiguration"]["Rules"]
                            ]
                        },
                    ),
                )
            )
        if props.get("Tags"):
            settings.append(
                ("Tags", lambda: s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": _tags(props)}))
            )
        for setting, apply in settings:
            try:
                apply()
            except Exception as error:
                self._note(logical_id, setting, error)
        # AWS::S3::BucketPolicy is deliberately not applied: moto ignores policy conditions, so the
        # template's TLS-only policy (Deny when aws:SecureTransport is false) would deny every request,
        # HTTPS or not. The policy is asserted on the translated template in the template tests instead.
        return PhysicalResource(
            name,
            {
                "Arn": f"arn:aws:s3:::{name}",
                "DomainName": f"{name}.s3.amazonaws.com",
                "RegionalDomainName": f"{name}.s3.{REGION}.amazonaws.com",
                "DualStackDomainName": f"{name}.s3.dualstack.{REGION}.amazonaws.com",
                "WebsiteURL": f"http://{name}.s3-website.{REGION}.amazonaws.com",
            },
        )

    def _sns_topic(self, logical_id: str, props: dict[str, Any]) -> PhysicalResource:
        sns = self._client("sns")
        fifo = _bool(props.get("FifoTopic", False))
        name = props.get("TopicName") or physical_name(logical_id) + (".fifo" if fifo else "")
        attribute_names = ("DisplayName", "KmsMasterKeyId", "FifoTopic", "ContentBasedDeduplication")
        request: dict[str, Any] = {
            "Name": name,
            "Attributes": {key: _attribute_value(props[key]) for key in attribute_names if key in props},
        }
        if props.get("Tags"):
            request["Tags"] = _tags(props)
        topic_arn = sns.create_topic(**request)["TopicArn"]
        for subscription in props.get("Subscription", []):
            sns.subscribe(
                TopicArn=topic_arn, Protocol=subscription["Protocol"], Endpoint=subscription["Endpoint"]
            )
        return PhysicalResource(topic_arn, {"TopicArn": topic_arn, "TopicName": name})

    def _sns_subscription(self, logical_id: str, props: dict[str, Any]) -> PhysicalResource:
        request = {key: props[key] for key in ("TopicArn", "Protocol", "Endpoint") if key in props}
        subscription_arn = self._client("sns").subscribe(**request, ReturnSubscriptionArn=True)[
            "SubscriptionArn"
        ]
        return PhysicalResource(subscription_arn)

    def _secret(self, logical_id: str, props: dict[str, Any]) -> PhysicalResource:
        name = props.get("Name") or physical_name(logical_id)
        request: dict[str, Any] = {"Name": name, "SecretString": self._secret_string(logical_id, props)}
        for key in ("Description", "KmsKeyId"):
            if key in props:
                request[key] = props[key]
        if props.get("Tags"):
            request["Tags"] = _tags(props)
        secret_arn = self._client("secretsmanager").create_secret(**request)["ARN"]
        return PhysicalResource(secret_arn, {"Id": secret_arn})

    def _secret_string(self, logical_id: str, props: dict[str, Any]) -> str:
        if logical_id in self.line_secret_ids():
            return self._line.secret_string()
        if "SecretString" in props:
            return str(props["SecretString"])
        generate = props.get("GenerateSecretString", {})
        value = secrets.token_urlsafe(int(generate.get("PasswordLength", 32)))
        if "GenerateStringKey" in generate:
            document = json.loads(generate.get("SecretStringTemplate", "{}"))
            document[generate["GenerateStringKey"]] = value
            return json.dumps(document)
        return value

    def line_secret_ids(self) -> set[str]:
        """Secrets that a function names in LINE_SECRET_ID (or the only secret, if none does)."""
        resources = self._cfn.get("Resources", {})
        named = set()
        for resource in resources.values():
            if resource.get("Type") == "AWS::Lambda::Function":
                variables = resource.get("Properties", {}).get("Environment", {}).get("Variables", {})
                named |= references(variables.get("LINE_SECRET_ID"))
        secret_ids = {
            logical_id for logical_id, r in resources.items() if r["Type"] == "AWS::SecretsManager::Secret"
        }
        if named & secret_ids:
            return named & secret_ids
        return secret_ids if len(secret_ids) == 1 else set()

    def _schedule_group(self, logical_id: str, props: dict[str, Any]) -> PhysicalResource:
        name = props.get("Name") or physical_name(logical_id)
        request: dict[str, Any] = {"Name": name}
        if props.get("Tags"):
            request["Tags"] = _tags(props)
        group_arn = self._client("scheduler").create_schedule_group(**request)["ScheduleGroupArn"]
        return PhysicalResource(name, {"Arn": group_arn or arn("scheduler", f"schedule-group/{name}")})

    def _user_pool(self, logical_id: str, props: dict[str, Any]) -> PhysicalResource:
        pool = cognito.create_user_pool(self._client("cognito-idp"), physical_name(logical_id), props)
        return PhysicalResource(pool["Id"], {key: value for key, value in pool.items() if key != "Id"})

    def _user_pool_client(self, logical_id: str, props: dict[str, Any]) -> PhysicalResource:
        return PhysicalResource(cognito.create_user_pool_client(self._client("cognito-idp"), props))

    def _user_pool_group(self, logical_id: str, props: dict[str, Any]) -> PhysicalResource:
        return PhysicalResource(cognito.create_group(self._client("cognito-idp"), props))


def _encryption_rule(rule: dict[str, Any]) -> dict[str, Any]:
    """CloudFormation's ServerSideEncryptionByDefault is the API's ApplyServerSideEncryptionByDefault."""
    api = {key: value for key, value in rule.items() if key != "ServerSideEncryptionByDefault"}
    if "ServerSideEncryptionByDefault" in rule:
        api["ApplyServerSideEncryptionByDefault"] = rule["ServerSideEncryptionByDefault"]
    if "BucketKeyEnabled" in api:
        api["BucketKeyEnabled"] = _bool(api["BucketKeyEnabled"])
    return api


def _lifecycle_rule(rule: dict[str, Any]) -> dict[str, Any]:
    """A CloudFormation lifecycle rule in the shape of S3's PutBucketLifecycleConfiguration API."""
    api: dict[str, Any] = {"Status": rule["Status"]}
    if "Id" in rule:
        api["ID"] = rule["Id"]
    api["Filter"] = {"Prefix": rule.get("Prefix", "")}
    expiration: dict[str, Any] = {}
    if "ExpirationInDays" in rule:
        expiration["Days"] = int(rule["ExpirationInDays"])
    if "ExpirationDate" in rule:
        expiration["Date"] = rule["ExpirationDate"]
    if "ExpiredObjectDeleteMarker" in rule:
        expiration["ExpiredObjectDeleteMarker"] = _bool(rule["ExpiredObjectDeleteMarker"])
    if expiration:
        api["Expiration"] = expiration
    noncurrent = dict(rule.get("NoncurrentVersionExpiration", {}))
    if "NoncurrentVersionExpirationInDays" in rule:
        noncurrent["NoncurrentDays"] = rule["NoncurrentVersionExpirationInDays"]
    if noncurrent:
        api["NoncurrentVersionExpiration"] = {key: int(value) for key, value in noncurrent.items()}
    if "AbortIncompleteMultipartUpload" in rule:
        api["AbortIncompleteMultipartUpload"] = {
            "DaysAfterInitiation": int(rule["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"])
        }
    if "Transitions" in rule:
        api["Transitions"] = [
            {"StorageClass": t["StorageClass"], "Days": int(t["TransitionInDays"])}
            if "TransitionInDays" in t
            else {"StorageClass": t["StorageClass"], "Date": t["TransitionDate"]}
            for t in rule["Transitions"]
        ]
    return api
