"""The Rules evaluator: what CloudFormation would refuse, and no silent pass on what it cannot read."""

from __future__ import annotations

import pytest

from devstack.template_rules import UnsupportedRule, accepts, refusals

TOKYO = {"Fn::Equals": [{"Ref": "AWS::Region"}, "ap-northeast-1"]}
URL_GIVEN = {"Fn::Not": [{"Fn::Equals": [{"Ref": "NoticeUrl"}, ""]}]}
TEMPLATE = {
    "Parameters": {"Environment": {"Default": "dev"}, "NoticeUrl": {"Type": "String"}},
    "Rules": {
        "TokyoOnly": {
            "Assertions": [
                {
                    "Assert": {"Fn::Equals": [{"Ref": "AWS::Region"}, "ap-northeast-1"]},
                    "AssertDescription": "Tokyo",
                }
            ]
        },
        "ProdNeedsUrl": {
            "RuleCondition": {"Fn::Equals": [{"Ref": "Environment"}, "prod"]},
            "Assertions": [
                {
                    "Assert": {"Fn::Not": [{"Fn::Equals": [{"Ref": "NoticeUrl"}, ""]}]},
                    "AssertDescription": "url",
                }
            ],
        },
    },
}


def test_a_deploy_is_refused_for_each_failing_assertion_whose_condition_holds() -> None:
    assert accepts(TEMPLATE, "ap-northeast-1")
    assert refusals(TEMPLATE, "us-east-1") == ["Tokyo"]
    assert refusals(TEMPLATE, "ap-northeast-1", {"Environment": "prod"}) == ["url"]
    assert accepts(TEMPLATE, "ap-northeast-1", {"Environment": "prod", "NoticeUrl": "https://x.example"})


def test_a_rule_function_the_evaluator_does_not_know_is_an_error() -> None:
    template = {"Rules": {"R": {"Assertions": [{"Assert": {"Fn::EachMemberEquals": [[], "x"]}}]}}}
    with pytest.raises(UnsupportedRule):
        refusals(template, "ap-northeast-1")
