"""Which values of a payload are personal, and hiding them from a reader without keys.

The contract says which fields are personal (`personal_paths` of the event's model); on
the wire their values are ciphertext (`hearth:enc:v1:...`). An auditor who does not
decrypt sees every value at a personal path as `[encrypted]`, whatever it holds (an event
stored before encryption could hold plaintext there), and any other ciphertext-looking
string too (an event type this tool does not know).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any, Final

from hearth.contracts.events.base import ENCRYPTED_PREFIX, personal_paths
from hearth.eventstore.personal_data.cipher import model_of

ENCRYPTED: Final = "[encrypted]"
"""How a personal value reads to an auditor who does not decrypt."""


def _paths(event_type: str) -> list[tuple[str, ...]]:
    model = model_of(event_type)
    if model is None:
        return []
    return [tuple(path.split(".")) for path in personal_paths(model)]


def _leaves(
    container: Any, parts: tuple[str, ...], path: tuple[str | int, ...]
) -> Iterator[tuple[Any, str | int, tuple[str | int, ...]]]:
    """(holder, key, path) of every value at `parts` below `container`."""
    if isinstance(container, list):
        for index, item in enumerate(container):
            yield from _leaves(item, parts, (*path, index))
        return
    if not isinstance(container, dict) or not parts:
        return
    name, rest = parts[0], parts[1:]
    value = container.get(name)
    if value is None:
        return
    if rest:
        yield from _leaves(value, rest, (*path, name))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if item is not None:
                yield value, index, (*path, name, index)
    else:
        yield container, name, (*path, name)


def dotted(path: tuple[str | int, ...]) -> str:
    return ".".join(str(part) for part in path)


def personal_values(event_type: str, payload: dict[str, Any]) -> list[tuple[str, Any]]:
    """(dotted path, value) of every personal value present in the payload, in the
    contract's field order."""
    found: list[tuple[str, Any]] = []
    for parts in _paths(event_type):
        for holder, key, path in _leaves(payload, parts, ()):
            found.append((dotted(path), holder[key]))
    return found


def _mask_ciphertext(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(ENCRYPTED_PREFIX):
        return ENCRYPTED
    if isinstance(value, list):
        return [_mask_ciphertext(v) for v in value]
    if isinstance(value, dict):
        return {k: _mask_ciphertext(v) for k, v in value.items()}
    return value


def masked(event_type: str, payload: dict[str, Any], *, decrypted: bool) -> dict[str, Any]:
    """The payload as the auditor may see it: opened values as they are when `decrypted`
    (a destroyed key reads as the contract's REDACTED marker), else every personal value
    `[encrypted]`. Ciphertext left anywhere reads `[encrypted]` either way."""
    out: dict[str, Any] = copy.deepcopy(payload)
    if not decrypted:
        for parts in _paths(event_type):
            for holder, key, _path in list(_leaves(out, parts, ())):
                holder[key] = ENCRYPTED
    result: dict[str, Any] = _mask_ciphertext(out)
    return result
