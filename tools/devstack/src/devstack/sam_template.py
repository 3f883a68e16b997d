"""template.yaml read the way AWS reads it: translated by aws-sam-translator into CloudFormation.

The local stack and the template tests both start here, so neither keeps its own list of resources.
"""

from __future__ import annotations

import copy
from functools import cache
from pathlib import Path
from typing import Any

import yaml

# As `sam` does: the template of the folder the command runs in, unless told otherwise.
TEMPLATE_PATH = Path("template.yaml")
# Local CodeUri/ContentUri values are replaced by s3:// URIs under this bucket, as `sam package` would;
# the key keeps the local path so the local stack can find each function's code again.
CODE_BUCKET = "civicline-local-code"
# The translator needs a region for its pseudo parameters and ARN partitions; without one it raises
# NoRegionFound unless the caller's environment happens to set AWS_DEFAULT_REGION.
TRANSLATION_REGION = "ap-northeast-1"


class _CfnLoader(yaml.SafeLoader):
    """A YAML loader that understands CloudFormation's short-form intrinsics (!Ref, !Sub, ...)."""


def _intrinsic(loader: yaml.SafeLoader, tag_suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = "Ref" if tag_suffix == "Ref" else f"Fn::{tag_suffix}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if tag_suffix == "GetAtt" and isinstance(value, str):
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return {name: value}


_CfnLoader.add_multi_constructor("!", _intrinsic)


def load_sam_template(path: Path = TEMPLATE_PATH) -> dict[str, Any]:
    """template.yaml as written (SAM), intrinsics in their long form."""
    loaded: dict[str, Any] = yaml.load(path.read_text(encoding="utf-8"), Loader=_CfnLoader)  # noqa: S506
    return loaded


def _package_local_code(template: dict[str, Any]) -> dict[str, Any]:
    packaged = copy.deepcopy(template)
    for resource in packaged.get("Resources", {}).values():
        props = resource.get("Properties", {})
        for key in ("CodeUri", "ContentUri"):
            uri = props.get(key)
            if isinstance(uri, str) and not uri.startswith("s3://"):
                props[key] = f"s3://{CODE_BUCKET}/{uri.strip('/')}"
    return packaged


@cache
def _translated(path: Path) -> dict[str, Any]:
    # Imported here: the translator is heavy and only the local stack and tests need it.
    import boto3
    from samtranslator.parser.parser import Parser
    from samtranslator.translator.translator import Translator

    packaged = _package_local_code(load_sam_template(path))
    translator = Translator(
        managed_policy_map=None,
        sam_parser=Parser(),
        boto_session=boto3.Session(region_name=TRANSLATION_REGION),
    )
    result: dict[str, Any] = translator.translate(sam_template=packaged, parameter_values={})
    return result


def translate(path: Path = TEMPLATE_PATH) -> dict[str, Any]:
    """The template as plain CloudFormation (a fresh copy each call)."""
    return copy.deepcopy(_translated(path))


def resources_of_type(cfn: dict[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    return {
        logical_id: resource
        for logical_id, resource in cfn.get("Resources", {}).items()
        if resource.get("Type") == resource_type
    }
