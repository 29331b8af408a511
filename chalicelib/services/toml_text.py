"""TOML written from the workflow's JSON shape (the standard library reads TOML, it does not
write it). Plain values and lists of plain values as ``key = value``, tables as ``[a.b]``,
lists of tables as ``[[a.b]]``, in the order given, so an exported workflow reads like the file.
``None`` means "not set" and is left out; ``tomllib.loads(dumps(data))`` gives ``data`` back
for any data without ``None``.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import Any

BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _key(name: str) -> str:
    return name if BARE_KEY.fullmatch(name) else _string(name)


def _string(text: str) -> str:
    # JSON's escapes are TOML's; DEL is the one control character JSON leaves as it is.
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _is_table(value: Any) -> bool:
    return isinstance(value, Mapping)


def _is_table_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(_is_table(item) for item in value)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, list):
        return "[" + ", ".join(_value(item) for item in value if item is not None) + "]"
    if isinstance(value, Mapping):
        inner = ", ".join(f"{_key(str(k))} = {_value(v)}" for k, v in value.items()
                          if v is not None)
        return "{ " + inner + " }" if inner else "{}"
    raise TypeError(f"TOML has no value of type {type(value).__name__}")


def _table(data: Mapping[str, Any], path: list[str], lines: list[str]) -> None:
    plain = [(k, v) for k, v in data.items()
             if v is not None and not _is_table(v) and not _is_table_list(v)]
    for key, value in plain:
        lines.append(f"{_key(str(key))} = {_value(value)}")
    for key, value in data.items():
        if _is_table(value):
            child = [*path, _key(str(key))]
            lines += ["", f"[{'.'.join(child)}]"]
            _table(value, child, lines)
    for key, value in data.items():
        if _is_table_list(value):
            child = [*path, _key(str(key))]
            for item in value:
                lines += ["", f"[[{'.'.join(child)}]]"]
                _table(item, child, lines)


def dumps(data: Mapping[str, Any]) -> str:
    lines: list[str] = []
    _table(data, [], lines)
    return "\n".join(lines).lstrip("\n") + "\n"


def without_unset(value: Any) -> Any:
    """The data as TOML can hold it: keys whose value is None left out, at any depth."""
    if isinstance(value, Mapping):
        return {str(k): without_unset(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_unset(item) for item in value if item is not None]
    return value
