"""Just enough of AWS's policy evaluation to decide the template's policies for the requests we make.

Why our own: moto evaluates no bucket policy or key policy condition, and on PyPI the IAM tools either
lint or generate policies (parliament, policy_sentry, policyuniverse, cloudsplaining) or call AWS's own
simulator with credentials (aws-iam-tester); none evaluates condition operators offline. This covers the
operators the template uses (String*, Arn*, Bool, Null, the IfExists forms, ForAllValues / ForAnyValue) and
says so loudly when a policy uses anything else, so it cannot silently answer "allowed".

Statements are CloudFormation's: intrinsic functions are resolved by the caller's `resolve` first.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

Statement = Mapping[str, Any]


@dataclass(frozen=True)
class Request:
    """One authorised API call: who, what, on which resource, with which request context."""

    principal: str  # the caller's role ARN (aws:PrincipalArn)
    action: str  # e.g. s3:PutObject
    resource: str
    context: Mapping[str, str | list[str]] = field(default_factory=dict)

    def value(self, key: str) -> list[str] | None:
        if key.lower() == "aws:principalarn":
            return [self.principal]
        for name, value in self.context.items():
            if name.lower() == key.lower():
                return value if isinstance(value, list) else [value]
        return None


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _like(pattern: str, value: str) -> bool:
    return fnmatch.fnmatchcase(value, pattern.replace("[", "[[]"))


_COMPARE: dict[str, Callable[[str, str], bool]] = {
    "StringEquals": lambda expected, actual: expected == actual,
    "StringEqualsIgnoreCase": lambda expected, actual: expected.lower() == actual.lower(),
    "StringLike": _like,
    "ArnEquals": lambda expected, actual: expected == actual,
    "ArnLike": _like,
    "Bool": lambda expected, actual: str(expected).lower() == str(actual).lower(),
}
_NEGATED = {
    "StringNotEquals": "StringEquals",
    "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
    "StringNotLike": "StringLike",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
}


class UnsupportedPolicy(AssertionError):
    """The policy uses an operator this evaluator does not know: extend it rather than guess."""


def _condition_holds(operator: str, key: str, expected: Any, request: Request) -> bool:
    if operator == "Null":  # "true": the key is absent; "false": it is present
        return (request.value(key) is None) is (str(expected).lower() == "true")
    qualifier, _, name = operator.rpartition(":")
    if_exists = name.endswith("IfExists")
    name = name.removesuffix("IfExists")
    negated = name in _NEGATED
    base = _NEGATED.get(name, name)
    if base not in _COMPARE:
        raise UnsupportedPolicy(f"condition operator {operator}")
    compare = _COMPARE[base]
    expected_values = [str(value) for value in _as_list(expected)]
    actual = request.value(key)
    if actual is None:
        # A missing key matches the IfExists forms, fails the positive operators and (as AWS does)
        # satisfies the negated ones, IfExists or not: "not equal to X" holds when there is no value at
        # all (so a Deny on StringNotEquals(IfExists) catches requests without the key). An empty set
        # satisfies ForAllValues.
        return if_exists or negated or qualifier == "ForAllValues"
    if qualifier == "ForAllValues":
        matched = all(any(compare(e, a) for e in expected_values) for a in actual)
    elif qualifier in ("ForAnyValue", ""):
        matched = any(compare(e, a) for e in expected_values for a in actual)
    else:
        raise UnsupportedPolicy(f"condition qualifier {qualifier}")
    return not matched if negated else matched


def conditions_hold(statement: Statement, request: Request) -> bool:
    return all(
        _condition_holds(operator, key, expected, request)
        for operator, keys in statement.get("Condition", {}).items()
        for key, expected in keys.items()
    )


def _matches_any(patterns: Iterable[Any], value: str, *, ignore_case: bool) -> bool:
    if ignore_case:
        return any(fnmatch.fnmatchcase(value.lower(), str(p).lower()) for p in patterns)
    return any(fnmatch.fnmatchcase(value, str(p)) for p in patterns)


def principal_matches(statement: Statement, principal: str, account_root: str) -> bool:
    """A resource policy's Principal: "*", the role itself, or its account (the root ARN)."""
    if "Principal" not in statement:
        return True  # identity policies: the statement belongs to the caller
    declared = statement["Principal"]
    if declared == "*":
        return True
    named = [str(p) for p in _as_list(declared.get("AWS", []))]
    return "*" in named or principal in named or account_root in named


def applies(statement: Statement, request: Request, account_root: str) -> bool:
    """Whether the statement (Allow or Deny) speaks to this request."""
    if "NotAction" in statement or "NotResource" in statement or "NotPrincipal" in statement:
        raise UnsupportedPolicy("Not* elements")
    return (
        _matches_any(_as_list(statement["Action"]), request.action, ignore_case=True)
        and _matches_any(_as_list(statement.get("Resource", "*")), request.resource, ignore_case=False)
        and principal_matches(statement, request.principal, account_root)
        and conditions_hold(statement, request)
    )


@dataclass(frozen=True)
class Decision:
    allowed: bool
    denied_by: tuple[str, ...] = ()  # Sids of the explicit denies that matched
    allowed_by: tuple[str, ...] = ()


def decide(
    request: Request,
    identity_statements: Iterable[Statement],
    resource_statements: Iterable[Statement],
    account_root: str,
) -> Decision:
    """Same-account evaluation: an explicit deny anywhere wins; else an allow in either policy grants."""
    statements = [*identity_statements, *resource_statements]
    matching = [s for s in statements if applies(s, request, account_root)]
    denies = tuple(str(s.get("Sid", "?")) for s in matching if s["Effect"] == "Deny")
    allows = tuple(str(s.get("Sid", "?")) for s in matching if s["Effect"] == "Allow")
    return Decision(allowed=not denies and bool(allows), denied_by=denies, allowed_by=allows)
