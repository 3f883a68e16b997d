"""CloudFormation intrinsics resolved against the local stack's physical resources.

The translated template still says `!Ref EventsQueue` or `!GetAtt PiiKey.Arn`; locally those have to
become the queue URL and key ARN that moto handed out. The provisioner registers each resource it
creates; anything it does not emulate (roles, functions, log groups) gets the name CloudFormation
would give it in a stack called `civicline-local`, so references to it still resolve to something
well-formed.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from typing import Any

STACK_NAME = "civicline-local"
REGION = "ap-northeast-1"
ACCOUNT_ID = "123456789012"
PARTITION = "aws"

_SUB_VARIABLE = re.compile(r"\$\{([^}]+)\}")


class NoValue:
    """`AWS::NoValue`: removes the property or list item it stands in."""


NO_VALUE = NoValue()


class TemplateError(Exception):
    """The template uses something the local stack cannot resolve."""


@dataclass
class PhysicalResource:
    """What `Ref` and `Fn::GetAtt` answer for one resource."""

    ref: str
    attributes: dict[str, str] = field(default_factory=dict)


def physical_name(logical_id: str) -> str:
    """The name used when the template leaves a resource unnamed."""
    return f"{STACK_NAME}-{logical_id}"


def arn(service: str, resource: str, *, region: str = REGION) -> str:
    return f"arn:{PARTITION}:{service}:{region}:{ACCOUNT_ID}:{resource}"


# The local stack's deploy parameters where the template has no default (a real deployment must name its
# own). example.* is reserved (RFC 2606): it can never pass for the ward's page; docs/privacy_notice.md is
# the page it stands for.
LOCAL_PARAMETERS: dict[str, str] = {
    "PrivacyNoticeUrl": "https://civicline.example/docs/privacy_notice.md",
}


class Resolver:
    """Resolves intrinsic functions in a translated (CloudFormation) template."""

    def __init__(self, cfn: dict[str, Any], parameters: dict[str, str] | None = None) -> None:
        self._cfn = cfn
        self._resources: dict[str, dict[str, Any]] = cfn.get("Resources", {})
        self._parameters = {
            **{name: definition.get("Default") for name, definition in cfn.get("Parameters", {}).items()},
            **LOCAL_PARAMETERS,
            **(parameters or {}),
        }
        self._mappings: dict[str, Any] = cfn.get("Mappings", {})
        self._conditions: dict[str, Any] = cfn.get("Conditions", {})
        self._condition_values: dict[str, bool] = {}
        self.physical: dict[str, PhysicalResource] = {}

    # -- registration -------------------------------------------------------------------------------

    def register(self, logical_id: str, ref: str, **attributes: str) -> PhysicalResource:
        resource = PhysicalResource(ref=ref, attributes=dict(attributes))
        self.physical[logical_id] = resource
        return resource

    def lookup(self, logical_id: str) -> PhysicalResource:
        """The registered resource, or the one CloudFormation would name for an unemulated type."""
        if logical_id in self.physical:
            return self.physical[logical_id]
        if logical_id not in self._resources:
            raise TemplateError(f"reference to unknown resource {logical_id!r}")
        return self._default_physical(logical_id)

    def _default_physical(self, logical_id: str) -> PhysicalResource:
        resource = self._resources[logical_id]
        kind = resource.get("Type", "")
        props = resource.get("Properties", {})
        if kind == "AWS::Lambda::Function":
            name = self._named(props.get("FunctionName"), logical_id)
            return PhysicalResource(name, {"Arn": arn("lambda", f"function:{name}")})
        if kind == "AWS::IAM::Role":
            name = self._named(props.get("RoleName"), logical_id)
            role_arn = f"arn:{PARTITION}:iam::{ACCOUNT_ID}:role/{name}"
            return PhysicalResource(name, {"Arn": role_arn, "RoleId": f"AROA{logical_id.upper()[:17]}"})
        if kind == "AWS::Lambda::LayerVersion":
            name = self._named(props.get("LayerName"), logical_id)
            return PhysicalResource(arn("lambda", f"layer:{name}:1"))
        if kind == "AWS::Logs::LogGroup":
            name = self._named(props.get("LogGroupName"), f"/aws/{physical_name(logical_id)}")
            return PhysicalResource(name, {"Arn": arn("logs", f"log-group:{name}:*")})
        if kind == "AWS::ApiGatewayV2::Api":
            api_id = "local"
            endpoint = f"https://{api_id}.execute-api.{REGION}.amazonaws.com"
            return PhysicalResource(api_id, {"ApiId": api_id, "ApiEndpoint": endpoint})
        service = kind.split("::")[1].lower() if kind.count("::") == 2 else "cloudformation"
        name = physical_name(logical_id)
        return PhysicalResource(name, {"Arn": arn(service, name)})

    def _named(self, name_property: Any, fallback_logical_id: str) -> str:
        if name_property is None:
            return (
                physical_name(fallback_logical_id)
                if not fallback_logical_id.startswith("/")
                else fallback_logical_id
            )
        return str(self.resolve(name_property))

    # -- conditions ---------------------------------------------------------------------------------

    def condition(self, name: str) -> bool:
        if name not in self._condition_values:
            if name not in self._conditions:
                raise TemplateError(f"unknown condition {name!r}")
            self._condition_values[name] = bool(self._evaluate_condition(self._conditions[name]))
        return self._condition_values[name]

    def _evaluate_condition(self, expression: Any) -> Any:
        if isinstance(expression, dict) and len(expression) == 1:
            ((key, args),) = expression.items()
            if key == "Fn::Equals":
                left, right = (self.resolve(arg) for arg in args)
                return str(left) == str(right)
            if key == "Fn::Not":
                return not self._evaluate_condition(args[0])
            if key == "Fn::And":
                return all(self._evaluate_condition(arg) for arg in args)
            if key == "Fn::Or":
                return any(self._evaluate_condition(arg) for arg in args)
            if key == "Condition":
                return self.condition(args)
        return self.resolve(expression)

    def is_active(self, logical_id: str) -> bool:
        """False for a resource whose `Condition` is false: CloudFormation would not create it."""
        condition = self._resources.get(logical_id, {}).get("Condition")
        return condition is None or self.condition(condition)

    # -- intrinsics ---------------------------------------------------------------------------------

    def resolve(self, value: Any) -> Any:
        """`value` with every intrinsic function replaced by its local value."""
        if isinstance(value, list):
            items = [self.resolve(item) for item in value]
            return [item for item in items if item is not NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, args),) = value.items()
            if key == "Ref":
                return self.ref(args)
            if key == "Condition":
                return self.condition(args)
            if key.startswith("Fn::"):
                return self._function(key, args)
        resolved = {key: self.resolve(item) for key, item in value.items()}
        return {key: item for key, item in resolved.items() if item is not NO_VALUE}

    def ref(self, name: str) -> Any:
        pseudo = {
            "AWS::StackName": STACK_NAME,
            "AWS::Region": REGION,
            "AWS::AccountId": ACCOUNT_ID,
            "AWS::Partition": PARTITION,
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::StackId": f"arn:{PARTITION}:cloudformation:{REGION}:{ACCOUNT_ID}:stack/{STACK_NAME}/local",
            "AWS::NotificationARNs": [],
        }
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in pseudo:
            return pseudo[name]
        if name in self._parameters:
            return self._parameters[name]
        return self.lookup(name).ref

    def get_att(self, logical_id: str, attribute: str) -> str:
        resource = self.lookup(logical_id)
        if attribute not in resource.attributes:
            raise TemplateError(f"{logical_id}.{attribute} is not available on the local stack")
        return resource.attributes[attribute]

    def _function(self, key: str, args: Any) -> Any:  # noqa: PLR0911
        if key == "Fn::GetAtt":
            logical_id, attribute = args.split(".", 1) if isinstance(args, str) else args
            return self.get_att(logical_id, self.resolve(attribute))
        if key == "Fn::Sub":
            return self._sub(args)
        if key == "Fn::Join":
            delimiter, items = args
            return str(delimiter).join(str(item) for item in self.resolve(items))
        if key == "Fn::If":
            condition, when_true, when_false = args
            return self.resolve(when_true if self.condition(condition) else when_false)
        if key == "Fn::Select":
            index, items = args
            return self.resolve(items)[int(self.resolve(index))]
        if key == "Fn::Split":
            delimiter, text = args
            return str(self.resolve(text)).split(delimiter)
        if key == "Fn::FindInMap":
            map_name, top, second = (self.resolve(arg) for arg in args[:3])
            return self._mappings[map_name][top][second]
        if key == "Fn::GetAZs":
            return [f"{REGION}a", f"{REGION}c", f"{REGION}d"]
        if key == "Fn::Base64":
            return base64.b64encode(str(self.resolve(args)).encode()).decode()
        if key == "Fn::ToJsonString":
            return json.dumps(self.resolve(args), separators=(",", ":"))
        if key in ("Fn::Equals", "Fn::Not", "Fn::And", "Fn::Or"):
            return self._evaluate_condition({key: args})
        raise TemplateError(f"{key} is not supported by the local stack")

    def _sub(self, args: Any) -> str:
        if isinstance(args, list):
            template, variables = args
            local_values = {name: self.resolve(item) for name, item in variables.items()}
        else:
            template, local_values = args, {}

        def replace(match: re.Match[str]) -> str:
            expression = match.group(1)
            if expression.startswith("!"):
                return "${" + expression[1:] + "}"
            if expression in local_values:
                return str(local_values[expression])
            if "." in expression and not expression.startswith("AWS::"):
                logical_id, attribute = expression.split(".", 1)
                return str(self.get_att(logical_id, attribute))
            return str(self.ref(expression))

        return _SUB_VARIABLE.sub(replace, template)


def references(value: Any) -> set[str]:
    """Logical ids (and parameters) that `value` refers to through Ref, GetAtt or Sub."""
    found: set[str] = set()
    if isinstance(value, list):
        for item in value:
            found |= references(item)
    elif isinstance(value, dict):
        for key, args in value.items():
            if key == "Ref" and isinstance(args, str):
                found.add(args)
            elif key == "Fn::GetAtt":
                found.add(args.split(".", 1)[0] if isinstance(args, str) else args[0])
            elif key == "Fn::Sub":
                template = args[0] if isinstance(args, list) else args
                for expression in _SUB_VARIABLE.findall(template):
                    if not expression.startswith("!"):
                        found.add(expression.split(".", 1)[0])
                if isinstance(args, list):
                    found |= references(args[1])
            else:
                found |= references(args)
    return {name for name in found if not name.startswith("AWS::")}
