"""The template's Rules, evaluated as CloudFormation does at deploy time (cfn-lint does not evaluate them).

devstack.template_rules' evaluator of the rule functions, over the translated template and the parameters a
deploy would pass: samconfig.toml's overrides on top of the template's defaults.
"""

from __future__ import annotations

import shlex
import tomllib
from pathlib import Path

import pytest

from devstack.sam_template import translate
from devstack.template_rules import refusals as template_refusals

ROOT = Path(__file__).resolve().parents[2]
WARD_PRIVACY_PAGE = "https://www.city.shinjuku.lg.jp/kusei/privacy.html"  # any real page of the ward's


def refusals(overrides: dict[str, str], region: str = "ap-northeast-1") -> list[str]:
    """The AssertDescription of every failing assertion, as CloudFormation would refuse the deploy."""
    return template_refusals(translate(), region, overrides)


def samconfig_overrides(environment: str) -> dict[str, str]:
    config = tomllib.loads((ROOT / "samconfig.toml").read_text(encoding="utf-8"))
    text = config[environment]["deploy"]["parameters"].get("parameter_overrides", "")
    return dict(pair.split("=", 1) for pair in shlex.split(text))


def test_prod_refuses_the_placeholder_privacy_notice() -> None:
    # Given a prod deploy with a staff address but samconfig's placeholder privacy page (the ward's home page)
    overrides = {**samconfig_overrides("prod"), "StaffNoticeEmail": "koho@city.example.jp"}
    failed = refusals(overrides)
    # Then CloudFormation refuses it, naming the parameter
    assert len(failed) == 1
    assert "PrivacyNoticeUrl" in failed[0]


def test_prod_refuses_to_deploy_without_a_staff_address() -> None:
    failed = refusals({"Environment": "prod", "PrivacyNoticeUrl": WARD_PRIVACY_PAGE})
    assert len(failed) == 1
    assert "StaffNoticeEmail" in failed[0]


def test_prod_with_the_wards_own_values_deploys() -> None:
    overrides = {
        "Environment": "prod",
        "PrivacyNoticeUrl": WARD_PRIVACY_PAGE,
        "StaffNoticeEmail": "koho@city.example.jp",
    }
    assert refusals(overrides) == []


@pytest.mark.parametrize("environment", ["default", "dev", "stg"])
def test_dev_and_stg_deploy_with_the_placeholders(environment: str) -> None:
    assert refusals(samconfig_overrides(environment)) == []


@pytest.mark.parametrize("environment", ["default", "dev", "stg", "prod"])
def test_every_environment_names_the_parameters_the_template_has_no_default_for(environment: str) -> None:
    # Given the template's required parameters (sam deploy stops on any left without a value)
    required = {name for name, parameter in translate()["Parameters"].items() if "Default" not in parameter}
    # Then each samconfig environment gives every one of them
    assert required
    assert required <= samconfig_overrides(environment).keys()


def test_prod_as_shipped_in_samconfig_refuses_until_the_ward_sets_both() -> None:
    # Given samconfig.toml's prod environment as this repository ships it
    overrides = samconfig_overrides("prod")
    assert overrides["Environment"] == "prod"
    # Then the deploy is refused for both placeholders
    failed = refusals(overrides)
    assert len(failed) == 2


def test_every_region_outside_japan_is_still_refused() -> None:
    assert len(refusals({"Environment": "dev"}, region="us-east-1")) == 1
