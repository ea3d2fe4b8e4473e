"""The landlord's intake policy: figures and lists that are local choices, not law.

The defaults ship in `hearth/intake/policy.toml`; a landlord points
`HEARTH_INTAKE_POLICY_FILE` at its own copy. The models mirror the file's tables, so a
policy is `IntakePolicy.model_validate` of the parsed TOML (see `settings.load_policy`).
"""

from __future__ import annotations

import re
from typing import Annotated, Final

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

__all__ = [
    "AsbRules",
    "IntakePolicy",
    "PolicyError",
    "RepeatRules",
    "RetentionRules",
    "policy_problems",
]

_CODE: Final = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


class PolicyError(ValueError):
    """The policy file is missing a setting or has one that makes no sense."""

    message_is_safe = True


def _lowercase_code(value: str) -> str:
    if not _CODE.fullmatch(value):
        raise ValueError("must be a lowercase code such as west-kent-2024 or door_slamming")
    return value


PolicyCode = Annotated[str, AfterValidator(_lowercase_code)]


class _PolicyModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RepeatRules(_PolicyModel):
    """The `[repeats]` table."""

    window_months: int = Field(ge=1, le=120, strict=True)
    """A new case about people with a case closed or a MARAC this recently is a repeat."""


class AsbRules(_PolicyModel):
    """The `[asb]` table."""

    da_signal_categories: frozenset[PolicyCode] = Field(min_length=1)
    """ASB categories (the ASB system's codes) that raise an enquiry for domestic abuse."""


class RetentionRules(_PolicyModel):
    """The `[retention]` table."""

    enquiry_years_unfollowed: int = Field(ge=1, le=100, strict=True)
    """An enquiry raised longer ago than this many years that no report followed up is
    erased (`domain.retention`)."""


class IntakePolicy(_PolicyModel):
    """What intake needs to know about one landlord's policy."""

    name: PolicyCode
    """Which policy this is (e.g. `west-kent-2024`), for operators and logs."""
    repeats: RepeatRules
    asb: AsbRules
    retention: RetentionRules

    @property
    def repeat_window_months(self) -> int:
        return self.repeats.window_months

    @property
    def enquiry_years_unfollowed(self) -> int:
        return self.retention.enquiry_years_unfollowed

    @property
    def asb_da_signal_categories(self) -> frozenset[str]:
        return self.asb.da_signal_categories


def policy_problems(error: ValidationError) -> str:
    """Each refused setting in the file's own terms: `[repeats]` is a table, then why.

    The messages name settings and rules, never the values given.
    """
    problems: list[str] = []
    for e in error.errors(include_input=False, include_url=False):
        problems.append(f"{_where(e['loc'])}: {e['msg']}")
    return "; ".join(problems)


def _where(loc: tuple[int | str, ...]) -> str:
    model: type[BaseModel] | None = IntakePolicy
    text = ""
    is_table = False
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
            model, is_table = None, False
            continue
        text = f"{text}.{part}" if text else part
        field = model.model_fields.get(part) if model is not None else None
        annotation = field.annotation if field is not None else None
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            model, is_table = annotation, True
        else:
            model, is_table = None, False
    return f"[{text}]" if is_table else text or "(file)"
