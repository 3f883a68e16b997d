"""The attribute names the DynamoDB adapters write, read from their source (AST), not from their docs.

What counts as written, in an adapter module:

- the string keys of its dict literals (items, markers, maps inside items), except the DynamoDB API's
  own request keys, expression placeholders (`:v`, `#n`) and wire type tags;
- keys assigned by subscript (`item["firstEdition"] = ...`);
- the targets of SET / ADD / DELETE / REMOVE clauses in its expression strings, f-strings included,
  with `#name` placeholders resolved through the module's ExpressionAttributeNames dicts;
- names an f-string formats from a module-level tuple or dict literal (`for name in _COUNTERS`);
- the fields of a pydantic model the module dumps into an item (`**checkpoint.model_dump(by_alias=True)`),
  the model found through the variable's annotation.

A formatted name that none of these resolves is reported as unresolved: the report shows it in red
rather than guess. Over-inclusion is safe (the catalogue lists a few names that are only read); missing
a written attribute is what this scan exists to prevent, so the tests plant one and expect it found.
"""

from __future__ import annotations

import ast
import importlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

# Keys of DynamoDB requests and botocore settings, not attributes of items.
API_KEYS = frozenset(
    {
        "TableName",
        "Key",
        "Keys",
        "Item",
        "Items",
        "Attributes",
        "UpdateExpression",
        "ConditionExpression",
        "ExpressionAttributeNames",
        "ExpressionAttributeValues",
        "ReturnValues",
        "ReturnValuesOnConditionCheckFailure",
        "ReturnConsumedCapacity",
        "IndexName",
        "KeyConditionExpression",
        "FilterExpression",
        "ProjectionExpression",
        "ScanIndexForward",
        "ConsistentRead",
        "Limit",
        "Select",
        "ExclusiveStartKey",
        "Segment",
        "TotalSegments",
        "TransactItems",
        "Put",
        "Update",
        "Delete",
        "ConditionCheck",
        "Error",
        "Code",
        "CancellationReasons",
        "mode",
        "max_attempts",
    }
)
WIRE_TAGS = frozenset({"S", "N", "B", "SS", "NS", "BS", "M", "L", "BOOL", "NULL"})
NAME = r"#?[A-Za-z_][A-Za-z0-9_]*"
CLAUSE_WORDS = ("SET", "ADD", "DELETE", "REMOVE")
_SET_TARGET = re.compile(rf"(?:^|[\s,(])({NAME})\s*=\s*(?=:|if_not_exists|list_append|\{{\}})")
_ADD_TARGET = re.compile(rf"\b(?:ADD|DELETE)\s+({NAME})\s+:")
_LIST_TARGET = re.compile(rf",\s*({NAME})\s+:")
_REMOVE = re.compile(rf"\bREMOVE\s+((?:{NAME}\s*,\s*)*{NAME})")
FORMATTED = "{}"


@dataclass
class ModuleScan:
    module: str
    attributes: set[str] = field(default_factory=set)
    unresolved: list[str] = field(default_factory=list)  # "line N: f-string"


def _constant_strings(tree: ast.AST) -> Iterator[tuple[str, int]]:
    """Every string constant, and every f-string with its formatted parts as `{}`."""
    inside_fstrings: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            parts = []
            for value in node.values:
                inside_fstrings.add(id(value))
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    parts.append(value.value)
                else:
                    parts.append(FORMATTED)
            yield "".join(parts), node.lineno
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in inside_fstrings:
            yield node.value, node.lineno


def expression_targets(expression: str) -> set[str]:
    """Attribute names an UpdateExpression (or a fragment of one) writes or removes."""
    names = set(_SET_TARGET.findall(expression)) | set(_ADD_TARGET.findall(expression))
    if re.search(r"\b(?:ADD|DELETE)\b", expression):
        names |= set(_LIST_TARGET.findall(expression))
    for group in _REMOVE.findall(expression):
        names |= {part.strip() for part in group.split(",")}
    return {n for n in names if n not in CLAUSE_WORDS}


def _looks_like_expression(text: str) -> bool:
    return bool(re.search(r"\b(?:SET|ADD|DELETE|REMOVE)\b", text)) or bool(
        re.search(rf"(?:{NAME}|\{{\}})\s*=\s*(?::|if_not_exists|list_append)", text)
    )


class _Scanner(ast.NodeVisitor):
    def __init__(self, tree: ast.Module, scan: ModuleScan) -> None:
        self.scan = scan
        self.placeholders: dict[str, str] = {}
        self.literals: dict[str, list[str]] = {}  # module-level tuples/dicts of names
        self.imports: dict[str, str] = {}  # name -> module
        self.annotations: dict[str, str] = {}  # variable -> class name (any function; names are local)
        self._not_items: set[int] = set()
        self._loops: dict[str, list[ast.expr]] = {}
        self._collect_module_facts(tree)

    def _collect_module_facts(self, tree: ast.Module) -> None:
        for statement in tree.body:
            if isinstance(statement, ast.ImportFrom) and statement.module:
                for alias in statement.names:
                    self.imports[alias.asname or alias.name] = statement.module
            target, value = _assignment(statement)
            if target is not None and value is not None:
                self.literals[target] = _literal_names(value)
        for node in ast.walk(tree):
            if isinstance(node, ast.arg) and isinstance(node.annotation, ast.Name):
                self.annotations[node.arg] = node.annotation.id
            if isinstance(node, ast.Dict):
                for key, value in zip(node.keys, node.values, strict=True):
                    name, attribute = _string(key), _string(value)
                    if name is not None and name.startswith("#") and attribute is not None:
                        self.placeholders[name] = attribute

    def _key(self, name: str) -> None:
        if name not in API_KEYS and name not in WIRE_TAGS and not name.startswith((":", "#")):
            self.scan.attributes.add(name)

    def visit_Dict(self, node: ast.Dict) -> None:
        if id(node) not in self._not_items:
            for key in node.keys:
                name = _string(key)
                if name is not None:
                    self._key(name)
        self.generic_visit(node)

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            name = _string(target.slice) if isinstance(target, ast.Subscript) else None
            if name is not None:
                self._key(name)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "model_copy":
            # model_copy(update={...}) changes a model in memory, it writes nothing
            self._not_items.update(id(k.value) for k in node.keywords if k.arg == "update")
        if isinstance(func, ast.Attribute) and func.attr == "model_dump":
            self._model_fields(func.value, node)
        if isinstance(func, ast.Attribute) and func.attr == "fromkeys" and node.args:
            self._names_of(node.args[0], node.lineno)
        self.generic_visit(node)

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        text = "".join(
            FORMATTED if isinstance(v, ast.FormattedValue) else (_string(v) or "") for v in node.values
        )
        if _looks_like_expression(text) and re.search(r"\{\}\s*(?:=|:)", text):
            for value in node.values:
                if isinstance(value, ast.FormattedValue) and not _is_placeholder_position(node, value):
                    self._formatted_name(value.value, node.lineno)
        self.generic_visit(node)

    def _formatted_name(self, value: ast.expr, line: int) -> None:
        if isinstance(value, ast.Name) and value.id in self._loops:
            for source in self._loops[value.id]:
                self._names_of(source, line)
            return
        self.scan.unresolved.append(f"line {line}: {ast.unparse(value)}")

    def _names_of(self, node: ast.expr, line: int) -> None:
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("items", "keys")
        ):
            node = node.func.value
        if isinstance(node, ast.Name) and node.id in self.literals:
            self.scan.attributes.update(self.literals[node.id])
        elif isinstance(node, ast.Dict | ast.Tuple | ast.List):
            self.scan.attributes.update(_literal_names(node))
        elif not isinstance(node, ast.Name):  # a local dict's keys are found as dict literals
            self.scan.unresolved.append(f"line {line}: {ast.unparse(node)}")

    def _model_fields(self, owner: ast.expr, call: ast.Call) -> None:
        if not isinstance(owner, ast.Name) or owner.id not in self.annotations:
            self.scan.unresolved.append(f"line {call.lineno}: {ast.unparse(call)}")
            return
        class_name = self.annotations[owner.id]
        module = self.imports.get(class_name)
        if module is None:
            self.scan.unresolved.append(f"line {call.lineno}: {class_name} (not imported by name)")
            return
        model = getattr(importlib.import_module(module), class_name)
        by_alias = any(k.arg == "by_alias" and _is_true(k.value) for k in call.keywords)
        excluded = _excluded(call)
        for name, info in model.model_fields.items():
            if name not in excluded:
                self.scan.attributes.add(info.alias if by_alias and info.alias else name)

    def run(self, tree: ast.Module) -> None:
        self._loops = _loop_bindings(tree)
        self.visit(tree)
        for text, _line in _constant_strings(tree):
            if _looks_like_expression(text):
                for name in expression_targets(text):
                    if name == FORMATTED:
                        continue
                    self.scan.attributes.add(
                        self.placeholders.get(name, name) if name.startswith("#") else name
                    )
        self.scan.attributes.discard(FORMATTED)


def _string(node: ast.AST | None) -> str | None:
    """The value of a string constant, else None."""
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _is_true(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


def _excluded(call: ast.Call) -> set[str]:
    for keyword in call.keywords:
        if keyword.arg == "exclude" and isinstance(keyword.value, ast.Set | ast.List | ast.Tuple):
            return {name for e in keyword.value.elts if (name := _string(e)) is not None}
    return set()


def _assignment(node: ast.stmt) -> tuple[str | None, ast.expr | None]:
    if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
        return node.targets[0].id, node.value
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
        return node.target.id, node.value
    return None, None


def _literal_names(node: ast.expr) -> list[str]:
    """Names in a tuple/list/set of strings, the first items of a tuple of tuples, or a dict's values."""
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        names = []
        for element in node.elts:
            first = element.elts[0] if isinstance(element, ast.Tuple) and element.elts else element
            name = _string(first)
            if name is not None:
                names.append(name)
        return names
    if isinstance(node, ast.Dict):
        return [name for v in node.values if (name := _string(v)) is not None]
    return []


def _loop_bindings(tree: ast.Module) -> dict[str, list[ast.expr]]:
    """Names bound by loops (for statements, comprehensions) or by a dict lookup, and their sources.

    A name bound in several places (two functions each loop with `attribute`) keeps every source.
    """
    bindings: dict[str, list[ast.expr]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.For | ast.comprehension):
            targets = node.target.elts if isinstance(node.target, ast.Tuple) else [node.target]
            if targets and isinstance(targets[0], ast.Name):
                bindings.setdefault(targets[0].id, []).append(node.iter)
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Subscript):
            # attribute = _SETTING_ATTRIBUTES[item]: the names are the dict's values
            for target in node.targets:
                if isinstance(target, ast.Name):
                    bindings.setdefault(target.id, []).append(node.value.value)
    return bindings


def _is_placeholder_position(node: ast.JoinedStr, value: ast.FormattedValue) -> bool:
    """True for the `{name}` in `:{name}` (a value placeholder, not an attribute)."""
    index = node.values.index(value)
    if index == 0:
        return False
    before = node.values[index - 1]
    return isinstance(before, ast.Constant) and str(before.value).endswith((":", "#"))


def scan_module(path: Path) -> ModuleScan:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    scan = ModuleScan(module=path.stem)
    _Scanner(tree, scan).run(tree)
    return scan


def scan_adapters(directory: Path) -> dict[str, ModuleScan]:
    """Every module of the DynamoDB adapters' package, by module name."""
    return {
        path.stem: scan_module(path) for path in sorted(directory.glob("*.py")) if path.stem != "__init__"
    }
