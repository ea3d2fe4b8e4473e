"""The base of every Hearth event model, the personal-data marker and the type registry.

An event model is a frozen pydantic v2 model. Its wire type is
`hearth.<service>.<ClassName>.v<version>`. Fields holding personal data are declared
with the `Personal` marker (see `PersonalStr`) so that logging can mask them and,
later, encryption can find them; the marker also shows in the JSON Schema as
`"x-personal": true`.

Every text value of every model built on `TextChecked` (all of the contract, and the
services' request bodies) is refused when it holds a control character (NUL and the
like, or half of a surrogate pair): 422 naming the field. Only free text marked
`MultiLine` (notes, reasons, a reporter's account) may hold line breaks and tabs.
Events read back from the store are not checked again (`RECORDED`): what was stored
before a check existed must still load.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from enum import Enum
from typing import Annotated, Any, ClassVar, Final, TypeVar, get_args, get_origin

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    model_validator,
)
from pydantic.fields import FieldInfo
from pydantic_core import InitErrorDetails, PydanticCustomError

PERSONAL_SCHEMA_KEY: Final = "x-personal"
REDACTED: Final = "[personal]"
"""What a personal value reads as once its key is destroyed (erasure)."""
ENCRYPTED_PREFIX: Final = "hearth:enc:v1:"
"""Every personal value as stored and published starts with this (see the event store's
`personal_data`): `hearth:enc:v1:<key id>:<base64url(nonce || ciphertext || tag)>`."""
ENCRYPTED_PATTERN: Final = r"^hearth:enc:v1:[A-Za-z0-9_.-]{1,64}:[A-Za-z0-9_-]+$"
"""The encrypted form of a personal value, as the published JSON Schemas describe it."""


def is_unreadable_personal(value: Any) -> bool:
    """True for a personal value a reader cannot see: `REDACTED` (its key destroyed) or
    still encrypted (a reader without key access)."""
    return isinstance(value, str) and (value == REDACTED or value.startswith(ENCRYPTED_PREFIX))


class _PersonalMarker:
    """Annotated metadata saying: this field holds personal data."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "Personal"


Personal: Final = _PersonalMarker()
_personal_field: Final = Field(json_schema_extra={PERSONAL_SCHEMA_KEY: True})

PersonalStr = Annotated[str, Personal, _personal_field]
"""A string that holds personal data (a name, a phone number, an account in free text)."""
PersonalDate = Annotated[date, Personal, _personal_field]
"""A date that identifies a person (a date of birth)."""


class _MultiLineMarker:
    """Annotated metadata saying: free text that may run over several lines."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "MultiLine"


MultiLine: Final = _MultiLineMarker()
"""Marks free text (notes, a reason, an account) where line breaks and tabs are allowed."""

RECORDED: Final[Mapping[str, bool]] = {"recorded": True}
"""Validation context for data read back from storage: text is not checked again."""

_CONTROL_IN_LINE: Final = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_CONTROL_IN_TEXT: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
CONTROL_CHARACTER: Final = "control_character"
"""The error kind (`type`) of text refused for a control character."""


def has_control_character(text: str, *, multi_line: bool = False) -> bool:
    """True when `text` holds a character no text field may: C0/C1 controls (NUL among
    them) and lone surrogates; with `multi_line`, line feed, carriage return and tab pass."""
    return (_CONTROL_IN_TEXT if multi_line else _CONTROL_IN_LINE).search(text) is not None


def remove_control_characters(text: str, *, multi_line: bool = False) -> str:
    """`text` without the characters `has_control_character` refuses."""
    return (_CONTROL_IN_TEXT if multi_line else _CONTROL_IN_LINE).sub("", text)


def is_multi_line(field: FieldInfo) -> bool:
    """True when the field is free text that may span lines (`MultiLine`)."""
    if any(isinstance(m, _MultiLineMarker) for m in field.metadata):
        return True
    return _annotation_has(field.annotation, _MultiLineMarker)


def _annotation_has(annotation: Any, marker: type) -> bool:
    if get_origin(annotation) is Annotated:
        if any(isinstance(m, marker) for m in annotation.__metadata__):
            return True
        return _annotation_has(get_args(annotation)[0], marker)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return False
    return any(_annotation_has(arg, marker) for arg in get_args(annotation))


def _control_character_errors(
    value: Any, loc: tuple[str | int, ...], multi_line: bool
) -> Iterator[InitErrorDetails]:
    if isinstance(value, Enum | TextChecked):
        return  # a fixed value, or a model that checked its own text
    if isinstance(value, str):
        if has_control_character(value, multi_line=multi_line):
            problem = (
                "text must not contain control characters other than line breaks and tabs"
                if multi_line
                else "text must not contain control characters or line breaks"
            )
            yield InitErrorDetails(
                type=PydanticCustomError(CONTROL_CHARACTER, problem), loc=loc, input=value
            )
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _control_character_errors(getattr(value, name), (*loc, name), False)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _control_character_errors(item, (*loc, index), multi_line)
    elif isinstance(value, set | frozenset):
        for item in value:
            yield from _control_character_errors(item, loc, multi_line)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _control_character_errors(key, loc, False)
            yield from _control_character_errors(item, (*loc, str(key)), multi_line)


_MULTI_LINE_FIELDS: dict[type[BaseModel], frozenset[str]] = {}


def _multi_line_fields(model: type[BaseModel]) -> frozenset[str]:
    names = _MULTI_LINE_FIELDS.get(model)
    if names is None:
        names = frozenset(n for n, f in model.model_fields.items() if is_multi_line(f))
        _MULTI_LINE_FIELDS[model] = names
    return names


class TextChecked(BaseModel):
    """A model whose every text value is refused when it holds a control character.

    The base of the contract's models and of every service's request bodies, so that a
    NUL (which PostgreSQL refuses in JSON, after writing part of the statement into its
    log) or an invisible control character never gets past the door: 422 naming each
    field. Line breaks and tabs are allowed only in `MultiLine` free text.
    """

    @model_validator(mode="after")
    def _refuse_control_characters(self, info: ValidationInfo) -> Any:
        context = info.context
        if isinstance(context, Mapping) and context.get("recorded"):
            return self
        multi = _multi_line_fields(type(self))
        errors = [
            error
            for name in type(self).model_fields
            for error in _control_character_errors(getattr(self, name), (name,), name in multi)
        ]
        if errors:
            raise ValidationError.from_exception_data(type(self).__name__, errors)
        return self


def is_personal(field: FieldInfo) -> bool:
    """True when the field holds personal data, also when optional or a tuple of such values."""
    if any(isinstance(m, _PersonalMarker) for m in field.metadata):
        return True
    extra = field.json_schema_extra
    if isinstance(extra, dict) and extra.get(PERSONAL_SCHEMA_KEY) is True:
        return True
    return _annotation_is_personal(field.annotation)


def _annotation_is_personal(annotation: Any) -> bool:
    # pydantic lifts Annotated metadata onto the field only at the top level: a
    # `PersonalStr | None` or `tuple[PersonalStr, ...]` keeps it inside the annotation.
    if get_origin(annotation) is Annotated:
        if any(isinstance(m, _PersonalMarker) for m in annotation.__metadata__):
            return True
        return _annotation_is_personal(get_args(annotation)[0])
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return False
    return any(_annotation_is_personal(arg) for arg in get_args(annotation))


def _mark_personal_properties(schema: dict[str, Any], model: type[BaseModel]) -> None:
    """Put `x-personal` on each personal property itself, not only inside `anyOf`/`items`."""
    properties = schema.get("properties")
    if not isinstance(properties, dict):
        return
    for name, field in model.model_fields.items():
        key = field.alias or name
        if is_personal(field) and isinstance(properties.get(key), dict):
            properties[key][PERSONAL_SCHEMA_KEY] = True


class ContractModel(TextChecked):
    """Base of every model in the contract: frozen, strict about unknown fields, and no
    control characters in its text (`TextChecked`).

    Read back from storage or Kafka (`RECORDED` context), a personal value that is
    `REDACTED` (its key destroyed) or still encrypted (a reader without key access) is
    accepted as it is, though it no longer matches the field's format: text fields hold
    the marker or the ciphertext, and an optional date (a date of birth) reads as None,
    so code doing date arithmetic never meets a string. Everything else in such an event
    is validated as usual. New events (no `RECORDED` context) never accept these values.
    """

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        use_attribute_docstrings=True,
        json_schema_extra=_mark_personal_properties,
    )

    @model_validator(mode="wrap")
    @classmethod
    def _unreadable_personal_values(
        cls, data: Any, handler: ModelWrapValidatorHandler[Any], info: ValidationInfo
    ) -> Any:
        try:
            return handler(data)
        except ValidationError as exc:
            context = info.context
            recorded = isinstance(context, Mapping) and context.get("recorded")
            if not recorded or not isinstance(data, Mapping):
                raise
            unreadable = _unreadable_fields(cls, data, exc)
            if not unreadable:
                raise
            return _with_unreadable(cls, data, unreadable, context)


def _unreadable_fields(
    cls: type[BaseModel], data: Mapping[str, Any], exc: ValidationError
) -> frozenset[str]:
    """The personal fields whose only fault is an unreadable value; empty when any other
    error remains (then the event is invalid as it is)."""
    fields = cls.model_fields
    found: set[str] = set()
    for error in exc.errors():
        loc = error["loc"]
        name = loc[0] if loc else None
        if not isinstance(name, str) or name not in fields or not is_personal(fields[name]):
            return frozenset()
        if not is_unreadable_personal(error.get("input")):
            return frozenset()
        found.add(name)
    return frozenset(found)


_FIELD_ADAPTERS: dict[tuple[type[BaseModel], str], TypeAdapter[Any]] = {}


def _field_adapter(cls: type[BaseModel], name: str) -> TypeAdapter[Any]:
    adapter = _FIELD_ADAPTERS.get((cls, name))
    if adapter is None:
        field = cls.model_fields[name]
        annotation: Any = field.annotation
        if field.metadata:
            annotation = Annotated[(annotation, *field.metadata)]
        adapter = TypeAdapter(annotation)
        _FIELD_ADAPTERS[(cls, name)] = adapter
    return adapter


def _annotation_mentions(annotation: Any, wanted: type) -> bool:
    if annotation is wanted:
        return True
    if get_origin(annotation) is Annotated:
        return _annotation_mentions(get_args(annotation)[0], wanted)
    return any(_annotation_mentions(arg, wanted) for arg in get_args(annotation))


def _unreadable_value(field: FieldInfo, value: Any) -> Any:
    if isinstance(value, list | tuple):
        return tuple(value)
    optional = _annotation_mentions(field.annotation, type(None))
    if optional and _annotation_mentions(field.annotation, date):
        return None  # a date nobody can read is unknown: None, never a string in a date
    return value


def _with_unreadable(
    cls: type[BaseModel], data: Mapping[str, Any], unreadable: frozenset[str], context: Any
) -> BaseModel:
    """The model with its unreadable personal values kept (see `ContractModel`) and every
    other field validated on its own."""
    values: dict[str, Any] = {}
    for name, field in cls.model_fields.items():
        if name not in data:
            continue
        if name in unreadable:
            values[name] = _unreadable_value(field, data[name])
        else:
            values[name] = _field_adapter(cls, name).validate_python(data[name], context=context)
    return cls.model_construct(**values)


class DomainEvent(ContractModel):
    """Base class of every event: frozen, strict about unknown fields, versioned."""

    service: ClassVar[str]
    """Which service publishes this event: intake, cases, risk or referrals."""
    version: ClassVar[int] = 1
    name: ClassVar[str | None] = None
    """The event's name on the wire when it differs from the class name (older versions)."""
    abstract: ClassVar[bool] = False
    """True on intermediate base classes, which are not events themselves."""

    @classmethod
    def event_name(cls) -> str:
        return cls.name or cls.__name__

    @classmethod
    def event_type(cls) -> str:
        return f"hearth.{cls.service}.{cls.event_name()}.v{cls.version}"

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        # Every event class's personal fields are known to logging, registered or not.
        _PERSONAL_NAMES.update(p.rsplit(".", 1)[-1] for p in personal_paths(cls))
        if getattr(cls, "service", None) and not cls.__dict__.get("abstract", False):
            register(cls)


_REGISTRY: dict[str, type[DomainEvent]] = {}
_PERSONAL_NAMES: set[str] = set()


def register(cls: type[DomainEvent]) -> None:
    event_type = cls.event_type()
    existing = _REGISTRY.get(event_type)
    if existing is not None and existing is not cls:
        raise TypeError(f"event type {event_type} is declared twice")
    _REGISTRY[event_type] = cls


def registry() -> dict[str, type[DomainEvent]]:
    """Every registered event type, by wire type. Import `hearth.contracts.events` first."""
    return dict(_REGISTRY)


def model_for(event_type: str) -> type[DomainEvent]:
    try:
        return _REGISTRY[event_type]
    except KeyError:
        raise KeyError(f"unknown event type {event_type}") from None


# --- personal data -------------------------------------------------------------------


def _nested_models(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
        return
    for arg in getattr(annotation, "__args__", ()) or ():
        yield from _nested_models(arg)


def personal_paths(model: type[BaseModel], prefix: str = "") -> list[str]:
    """Dotted paths of every personal field in a model, nested models included."""
    paths: list[str] = []
    for name, field in model.model_fields.items():
        path = f"{prefix}{name}"
        if is_personal(field):
            paths.append(path)
            continue
        for nested in _nested_models(field.annotation):
            paths.extend(personal_paths(nested, f"{path}."))
    return paths


def personal_field_names() -> frozenset[str]:
    """The names of every personal field of every event class defined so far (leaf names)."""
    return frozenset(_PERSONAL_NAMES)


def redact(model: BaseModel) -> dict[str, Any]:
    """The model as JSON-ready data with every personal value replaced by `[personal]`."""
    out: dict[str, Any] = {}
    for name, field in type(model).model_fields.items():
        value = getattr(model, name)
        out[name] = REDACTED if is_personal(field) and value is not None else _redact_value(value)
    return out


def _redact_value(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return redact(value)
    if isinstance(value, list | tuple | frozenset | set):
        return [_redact_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _redact_value(v) for k, v in value.items()}
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value if isinstance(value, str | int | float | bool | None) else str(value)


_M = TypeVar("_M", bound=BaseModel)


def erased_copy(model: _M) -> _M:
    """The model with its personal values gone, for a projection to apply when the person
    it is about is erased: each optional personal value None, and an optional object that
    would still hold one (an address, whose lines are required) None too; everything else
    (ids, categories, flags, staff ids) kept. What the recorded events give for such a
    value after the erasure (`REDACTED`) maps to the same, so the projection kept as
    events come equals one rebuilt from them. The copy holds nothing that needs the
    person's destroyed key, so an event may carry it again (the people of a case, say)."""
    update: dict[str, Any] = {}
    for name, field in type(model).model_fields.items():
        value = getattr(model, name)
        if value is None:
            continue
        if is_personal(field):
            update[name] = None if not field.is_required() else _redacted(value)
        elif isinstance(value, BaseModel):
            erased = erased_copy(value)
            keep = field.is_required() or not _holds_personal(erased)
            update[name] = erased if keep else None
        elif isinstance(value, tuple) and any(isinstance(v, BaseModel) for v in value):
            update[name] = tuple(erased_copy(v) if isinstance(v, BaseModel) else v for v in value)
    return model.model_copy(update=update)


def _redacted(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return tuple(_redacted(v) for v in value)
    return REDACTED


def _holds_personal(model: BaseModel) -> bool:
    """True when a personal value (anywhere inside) is present."""
    for name, field in type(model).model_fields.items():
        value = getattr(model, name)
        if value is None:
            continue
        if is_personal(field):
            return True
        nested = value if isinstance(value, tuple) else (value,)
        if any(isinstance(v, BaseModel) and _holds_personal(v) for v in nested):
            return True
    return False
