"""The landlord's intake policy: figures and lists that are local choices, not law.

The defaults ship in `hearth/intake/policy.toml`; a landlord points
`HEARTH_INTAKE_POLICY_FILE` at its own copy.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

_CODE: Final = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


class PolicyError(ValueError):
    """The policy file is missing a setting or has one that makes no sense."""


@dataclass(frozen=True, slots=True)
class IntakePolicy:
    """What intake needs to know about one landlord's policy."""

    name: str
    """Which policy this is (e.g. `west-kent-2024`), for operators and logs."""
    repeat_window_months: int
    """A new case about people with a case closed or a MARAC this recently is a repeat."""
    asb_da_signal_categories: frozenset[str]
    """ASB categories that raise an enquiry for domestic abuse."""


def policy_from_mapping(data: Mapping[str, Any]) -> IntakePolicy:
    """Read a policy from parsed TOML (or any mapping of the same shape)."""
    name = data.get("name")
    if not isinstance(name, str) or not _CODE.fullmatch(name):
        raise PolicyError("policy 'name' must be a lowercase code such as west-kent-2024")
    repeats = _table(data, "repeats")
    months = repeats.get("window_months")
    if not isinstance(months, int) or isinstance(months, bool) or not 1 <= months <= 120:
        raise PolicyError("repeats.window_months must be a whole number of months, 1 to 120")
    asb = _table(data, "asb")
    categories = asb.get("da_signal_categories")
    if not isinstance(categories, list) or not categories:
        raise PolicyError("asb.da_signal_categories must be a non-empty list")
    for category in categories:
        if not isinstance(category, str) or not _CODE.fullmatch(category):
            raise PolicyError("each ASB category must be a lowercase code such as door_slamming")
    return IntakePolicy(
        name=name,
        repeat_window_months=months,
        asb_da_signal_categories=frozenset(categories),
    )


def _table(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    table = data.get(key)
    if not isinstance(table, Mapping):
        raise PolicyError(f"policy has no [{key}] table")
    return table
