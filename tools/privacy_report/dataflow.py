"""The data-flow diagram, drawn by Graphviz from the template's triggers and the roles' grants."""

from __future__ import annotations

import shutil
import subprocess
from typing import Any

from tools.privacy_report.connections import FunctionLine
from tools.privacy_report.glossary import ward_name
from tools.privacy_report.template_facts import (
    WRITE_ACTIONS,
    function_roles,
    grants_on,
    referenced_ids,
    resources_of_type,
)

PERSONAL = "#c0392b"
PLAIN = "#555555"
SHAPES = {
    "AWS::DynamoDB::Table": ("cylinder", "#fdecea"),
    "AWS::SQS::Queue": ("box", "#eef3fb"),
    "AWS::S3::Bucket": ("folder", "#fdecea"),
    "AWS::SNS::Topic": ("note", "#f4f4f4"),
}


def _quote(text: str) -> str:
    return '"' + text.replace('"', '\\"') + '"'


def _colour(store_id: str, personal_stores: set[str]) -> str:
    return _quote(PERSONAL if store_id in personal_stores else PLAIN)


def _stores(cfn: dict[str, Any]) -> dict[str, str]:
    """The stores drawn (dead-letter queues only hold failures: the alarms line of the checklist)."""
    return {
        store_id: kind
        for kind in SHAPES
        for store_id in resources_of_type(cfn, kind)
        if "DeadLetter" not in store_id
    }


def _function_edges(
    cfn: dict[str, Any], line: FunctionLine, role: str, stores: dict[str, str], personal_stores: set[str]
) -> list[str]:
    edges = []
    for trigger in line.triggers:
        if trigger.startswith("HTTP"):
            edges.append(f'  LINE -> {line.function} [label="Webhook"];')
        elif trigger.startswith(("職員", "定時")):
            edges.append(f"  Staff -> {line.function} [style=dashed];")
    for mapping in resources_of_type(cfn, "AWS::Lambda::EventSourceMapping").values():
        if line.function in referenced_ids(mapping["Properties"].get("FunctionName")):
            for source in referenced_ids(mapping["Properties"].get("EventSourceArn")) & stores.keys():
                edges.append(f"  {source} -> {line.function};")
    for store_id, kind in stores.items():
        colour = _colour(store_id, personal_stores)
        if role in grants_on(cfn, store_id, WRITE_ACTIONS.get(kind, ())):
            edges.append(f"  {line.function} -> {store_id} [color={colour}];")
        if store_id in line.reads:
            edges.append(f"  {store_id} -> {line.function} [color={colour}, style=dotted];")
    if line.talks_to_line:
        edges.append(f'  {line.function} -> LINE [label="送信", color="#2e8b57"];')
    return edges


def dot_source(cfn: dict[str, Any], functions: list[FunctionLine], personal_stores: set[str]) -> str:
    lines = [
        "digraph civicline {",
        '  graph [rankdir=TB, fontname="Noto Sans CJK JP", fontsize=11, nodesep=0.3, ranksep=0.45];',
        '  node [fontname="Noto Sans CJK JP", fontsize=10, style=filled, fillcolor="#ffffff"];',
        '  edge [fontname="Noto Sans CJK JP", fontsize=9, color="#555555"];',
        '  LINE [label="LINEプラットフォーム\\n（住民のLINEアプリ）", shape=oval, fillcolor="#e8f8e8"];',
        '  Staff [label="区職員\\n（CLI・IAM認証）", shape=oval, fillcolor="#fff7e0"];',
    ]
    stores = _stores(cfn)
    for store_id, kind in stores.items():
        shape, fill = SHAPES[kind]
        colour = _colour(store_id, personal_stores)
        lines.append(f"  {store_id} [shape={shape}, fillcolor={_quote(fill)}, color={colour}];")
    roles = function_roles(cfn)
    for line in functions:
        label = "\\n".join(filter(None, (ward_name(line.function), line.function)))
        style = 'shape=box, style="rounded,filled", fillcolor="#eaf2ff"'
        lines.append(f"  {line.function} [label={_quote(label)}, {style}];")
        lines += _function_edges(cfn, line, roles[line.function], stores, personal_stores)
    for store_id, kind in stores.items():
        if kind == "AWS::SNS::Topic":
            lines.append(f'  {store_id} -> Staff [label="通知"];')
        if kind == "AWS::S3::Bucket":
            lines.append(f'  {store_id} -> Staff [label="署名付きリンク", color={_quote(PERSONAL)}];')
    lines.append("}")
    return "\n".join(dict.fromkeys(lines))  # a function both scheduled and run by staff: one edge


def render_svg(dot: str) -> str | None:
    """The diagram as inline SVG, or None when Graphviz is not installed (`make setup` installs it)."""
    executable = shutil.which("dot")
    if executable is None:
        return None
    svg = subprocess.run(
        [executable, "-Tsvg"], input=dot.encode(), capture_output=True, check=True, timeout=30
    ).stdout.decode()
    return svg[svg.index("<svg") :]
