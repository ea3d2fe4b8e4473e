"""Backward-compatibility check between two versions of one event's JSON Schema.

"Backward compatible" means a consumer built on the new schema can still read every
event written under the old one, because Hearth never rewrites its history. So the new
schema may add optional properties, add enum values and loosen constraints; it may not
remove or retype a property, drop enum values, change a format, tighten a limit or
require something the old events may not have. Local `$ref`s (`#/$defs/...`) are
resolved on both sides. Dropping the `x-personal` marking is reported too: consumers
rely on it to keep personal data out of their logs.
"""

from __future__ import annotations

from typing import Any, Final

Schema = dict[str, Any]

PERSONAL_KEY: Final = "x-personal"
_UPPER_BOUNDS: Final = ("maxLength", "maxItems", "maxProperties", "maximum", "exclusiveMaximum")
_LOWER_BOUNDS: Final = ("minLength", "minItems", "minProperties", "minimum", "exclusiveMinimum")
_JSON_TYPES: Final = {
    str: "string",
    bool: "boolean",
    int: "integer",
    float: "number",
    type(None): "null",
    list: "array",
    dict: "object",
}


def check_backward_compatible(old_schema: Schema, new_schema: Schema) -> list[str]:
    """Every reason events valid under `old_schema` might not be readable under `new_schema`."""
    return _Comparison(old_schema, new_schema).compare(old_schema, new_schema, "")


class _Comparison:
    """One comparison: the two root documents (for `$ref`s) and the refs being walked."""

    def __init__(self, old_root: Schema, new_root: Schema) -> None:
        self.old_root = old_root
        self.new_root = new_root
        self._walking: set[tuple[str | None, str | None]] = set()

    def compare(self, old: Schema, new: Schema, path: str) -> list[str]:
        refs = (old.get("$ref"), new.get("$ref"))
        if refs != (None, None):
            if refs in self._walking:  # a recursive structure: already being compared
                return []
            self._walking.add(refs)
        try:
            return self._compare_resolved(
                _resolve(old, self.old_root), _resolve(new, self.new_root), path
            )
        finally:
            self._walking.discard(refs)

    def _compare_resolved(self, old: Schema, new: Schema, path: str) -> list[str]:
        old_branches, old_nullable = _branches(old, self.old_root)
        new_branches, new_nullable = _branches(new, self.new_root)
        problems: list[str] = []
        if old_nullable and not new_nullable:
            problems.append(f"{_show(path)}: no longer accepts null")
        if len(old_branches) == 1 and len(new_branches) == 1:
            return problems + self._compare_one(old_branches[0], new_branches[0], path)
        for old_branch in old_branches:
            attempts = [self._compare_one(old_branch, nb, path) for nb in new_branches]
            if not any(not attempt for attempt in attempts):
                described = _describe(_resolve(old_branch, self.old_root))
                problems.append(f"{_show(path)}: no longer accepts {described}")
        return problems

    def _compare_one(self, old: Schema, new: Schema, path: str) -> list[str]:
        if any(key in node for node in (old, new) for key in ("$ref", "anyOf", "oneOf")):
            return self.compare(old, new, path)
        old_types, new_types = _types(old), _types(new)
        if new_types is not None:
            accepted = new_types | ({"integer"} if "number" in new_types else set())
            if old_types is None or not old_types <= accepted:
                change = f"from {_name(old_types)} to {_name(new_types)}"
                return [f"{_show(path)}: type changed {change}"]
        problems = _value_problems(old, new, path)
        problems += self._object_problems(old, new, path)
        if "items" in old or "items" in new:
            problems += self.compare(old.get("items", {}), new.get("items", {}), f"{path}[]")
        return problems

    def _object_problems(self, old: Schema, new: Schema, path: str) -> list[str]:
        old_properties: Schema = old.get("properties", {})
        new_properties: Schema = new.get("properties", {})
        problems: list[str] = []
        for name, old_property in old_properties.items():
            where = f"{path}.{name}" if path else name
            if name not in new_properties:
                problems.append(f"{where}: property removed")
            else:
                problems += self.compare(old_property, new_properties[name], where)
        old_required = set(old.get("required", ()))
        for name in sorted(set(new.get("required", ())) - old_required):
            where = f"{path}.{name}" if path else name
            kind = "now required" if name in old_properties else "new required property"
            problems.append(f"{where}: {kind}")
        old_extra = old.get("additionalProperties", True)
        new_extra = new.get("additionalProperties", True)
        if isinstance(new_extra, dict) or new_extra is False:
            if new_extra is False and old_extra is not False:
                problems.append(f"{_show(path)}: no longer allows other properties")
            elif isinstance(new_extra, dict) and old_extra is not False:
                old_values = old_extra if isinstance(old_extra, dict) else {}
                problems += self.compare(old_values, new_extra, f"{path}{{*}}")
        return problems


def _value_problems(old: Schema, new: Schema, path: str) -> list[str]:
    """Enum values, format, pattern, limits and the personal marking of one value."""
    problems: list[str] = []
    where = _show(path)
    old_values, new_values = _enum(old), _enum(new)
    if new_values is not None:
        if old_values is None:
            problems.append(f"{where}: now restricted to {sorted(map(str, new_values))}")
        else:
            removed = [value for value in old_values if value not in new_values]
            problems += [f"{where}: enum value {value!r} removed" for value in removed]
    if "format" in new and new["format"] != old.get("format"):
        problems.append(
            f"{where}: format changed from {old.get('format', 'none')} to {new['format']}"
        )
    if "pattern" in new and new["pattern"] != old.get("pattern"):
        problems.append(f"{where}: pattern changed to {new['pattern']!r}")
    for key in _UPPER_BOUNDS:
        if key in new and (key not in old or new[key] < old[key]):
            problems.append(f"{where}: {key} tightened to {new[key]}")
    for key in _LOWER_BOUNDS:
        if key in new and (key not in old or new[key] > old[key]):
            problems.append(f"{where}: {key} tightened to {new[key]}")
    if new.get("uniqueItems") and not old.get("uniqueItems"):
        problems.append(f"{where}: items must now be unique")
    if old.get(PERSONAL_KEY) and not new.get(PERSONAL_KEY):
        problems.append(f"{where}: no longer marked personal ({PERSONAL_KEY})")
    return problems


def _branches(node: Schema, root: Schema) -> tuple[list[Schema], bool]:
    """The alternatives a node allows, without `null`, and whether it allows `null`."""
    options = node.get("anyOf") or node.get("oneOf")
    if options is None:
        return [node], False
    # Branches keep their `$ref`s, so that `compare` can notice recursive structures.
    others = [option for option in options if _types(_resolve(option, root)) != {"null"}]
    return others, len(others) < len(options)


def _resolve(node: Schema, root: Schema) -> Schema:
    """The node with its `$ref` (and single-entry `allOf`) replaced by what it points to."""
    seen: set[str] = set()
    while True:
        if "$ref" in node:
            ref = node["$ref"]
            if ref in seen:
                raise ValueError(f"$ref cycle at {ref}")
            seen.add(ref)
            siblings = {k: v for k, v in node.items() if k != "$ref"}
            node = {**_pointer(root, ref), **siblings}
        elif isinstance(node.get("allOf"), list) and len(node["allOf"]) == 1:
            siblings = {k: v for k, v in node.items() if k != "allOf"}
            node = {**node["allOf"][0], **siblings}
        else:
            return node


def _pointer(root: Schema, ref: str) -> Schema:
    if not ref.startswith("#"):
        raise ValueError(f"only local $refs are supported, not {ref}")
    target: Any = root
    for part in [p for p in ref[1:].split("/") if p]:
        key = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(target, dict) or key not in target:
            raise ValueError(f"$ref {ref} points nowhere")
        target = target[key]
    if not isinstance(target, dict):
        raise ValueError(f"$ref {ref} does not point at a schema")
    return target


def _types(node: Schema) -> set[str] | None:
    """The JSON types a node allows, or None when it does not say (any type)."""
    declared = node.get("type")
    if isinstance(declared, str):
        return {declared}
    if isinstance(declared, list):
        return set(declared)
    values = _enum(node)
    if values is not None:
        return {_JSON_TYPES.get(type(value), "string") for value in values}
    if "properties" in node:
        return {"object"}
    if "items" in node:
        return {"array"}
    return None


def _enum(node: Schema) -> list[Any] | None:
    if "const" in node:
        return [node["const"]]
    values = node.get("enum")
    return list(values) if isinstance(values, list) else None


def _describe(node: Schema) -> str:
    title = node.get("title")
    types = _types(node)
    return f"{_name(types)} ({title})" if title else _name(types)


def _name(types: set[str] | None) -> str:
    return "any" if types is None else "|".join(sorted(types))


def _show(path: str) -> str:
    return path or "(event)"
