"""The delivery pipeline: tests on every push, deploys with OIDC only, prod only after stg and approval."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

WORKFLOW = Path(__file__).resolve().parents[2] / ".github" / "workflows" / "ci.yml"


def _workflow() -> dict[Any, Any]:
    loaded: dict[Any, Any] = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    return loaded


def _deploy_step(job: dict[str, Any]) -> dict[str, Any]:
    (step,) = [s for s in job["steps"] if "make deploy" in s.get("run", "")]
    return step


def test_every_push_runs_make_test() -> None:
    workflow = _workflow()
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as True
    assert triggers["push"]["branches"] == ["**"]
    assert any(step.get("run") == "make test" for step in workflow["jobs"]["test"]["steps"])


def test_deploys_assume_a_role_through_oidc_and_no_aws_key_is_stored() -> None:
    # Given the workflow's text and its deploy jobs
    text = WORKFLOW.read_text(encoding="utf-8")
    deploys = {name: job for name, job in _workflow()["jobs"].items() if name.startswith("deploy-")}
    assert set(deploys) == {"deploy-dev", "deploy-stg", "deploy-prod"}
    # Then no access key is read from anywhere, and each job exchanges GitHub's OIDC token for a role
    assert "aws-access-key-id" not in text
    assert "secrets.AWS" not in text
    for job in deploys.values():
        assert job["permissions"]["id-token"] == "write"
        (credentials,) = [s for s in job["steps"] if "configure-aws-credentials" in s.get("uses", "")]
        assert credentials["with"]["role-to-assume"] == "${{ vars.AWS_DEPLOY_ROLE_ARN }}"


def test_dev_follows_main_stg_a_tag_and_prod_waits_for_stg_and_its_reviewers() -> None:
    jobs = _workflow()["jobs"]
    assert jobs["deploy-dev"]["if"] == "github.ref == 'refs/heads/main'"
    assert "ENV=dev" in _deploy_step(jobs["deploy-dev"])["run"]
    assert jobs["deploy-stg"]["if"].startswith("startsWith(github.ref, 'refs/tags/v')")
    assert "ENV=stg" in _deploy_step(jobs["deploy-stg"])["run"]
    # prod: the same tag, only after stg deployed, in the GitHub environment whose reviewers approve it
    assert jobs["deploy-prod"]["needs"] == "deploy-stg"
    assert jobs["deploy-prod"]["environment"] == "prod"
    assert "ENV=prod" in _deploy_step(jobs["deploy-prod"])["run"]
    for name in ("deploy-dev", "deploy-stg"):
        assert jobs[name]["needs"] == "test"
