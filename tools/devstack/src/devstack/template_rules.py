"""A template's Rules, evaluated as CloudFormation does before it creates anything.

Neither cfn-lint nor moto evaluates Rules, so the template tests and the privacy report ask this
module which deploys the template refuses (a region, a parameter left as its placeholder). Just enough
of the rule functions for our own Rules: an unknown one is an error, not a silent pass.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

RULE_FUNCTIONS: dict[str, Callable[[list[Any]], Any]] = {
    "Fn::Contains": lambda values: values[1] in values[0],
    "Fn::Equals": lambda values: values[0] == values[1],
    "Fn::And": all,
    "Fn::Or": any,
    "Fn::Not": lambda values: not values[0],
}


class UnsupportedRule(ValueError):
    """A rule uses a function or reference this evaluator does not know."""


def evaluate_rule(expression: Any, region: str, parameters: Mapping[str, str]) -> Any:
    """The value of a rule expression for a deploy to `region` with `parameters`."""
    if isinstance(expression, list):
        return [evaluate_rule(item, region, parameters) for item in expression]
    if not isinstance(expression, dict):
        return expression
    ((name, args),) = expression.items()
    if name == "Ref":
        if args == "AWS::Region":
            return region
        if args not in parameters:
            raise UnsupportedRule(f"rule refers to {args}, which is not a parameter")
        return parameters[args]
    if name not in RULE_FUNCTIONS:
        raise UnsupportedRule(f"unsupported rule function {name}")
    return RULE_FUNCTIONS[name]([evaluate_rule(arg, region, parameters) for arg in args])


def default_parameters(cfn: dict[str, Any]) -> dict[str, str]:
    """The parameters a deploy passes when it overrides none (a required one is empty)."""
    return {name: str(parameter.get("Default", "")) for name, parameter in cfn.get("Parameters", {}).items()}


def refusals(cfn: dict[str, Any], region: str, overrides: Mapping[str, str] | None = None) -> list[str]:
    """The AssertDescription of every failing assertion: why CloudFormation would refuse the deploy.

    The parameters are the template's defaults with `overrides` on top (as samconfig's would be).
    """
    parameters = {**default_parameters(cfn), **(overrides or {})}
    failed: list[str] = []
    for rule in cfn.get("Rules", {}).values():
        if not evaluate_rule(rule.get("RuleCondition", True), region, parameters):
            continue
        failed += [
            str(assertion.get("AssertDescription", ""))
            for assertion in rule.get("Assertions", [])
            if not evaluate_rule(assertion["Assert"], region, parameters)
        ]
    return failed


def accepts(cfn: dict[str, Any], region: str, overrides: Mapping[str, str] | None = None) -> bool:
    return not refusals(cfn, region, overrides)
