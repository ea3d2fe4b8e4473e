"""Who is signing in: the `IdentityProvider` hook and the local account store.

The web app asks an identity provider one question, "who is this, and in which role?",
and gets back an `Identity` or None. `LocalAccounts` answers from the `web` schema
(argon2id password hashes). The landlord's OpenID Connect provider answers the same
question after its own sign-in (see README.md, "OpenID Connect"); the session, the
CSRF token and the tokens minted for the services do not change.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final, Literal, Protocol

import asyncpg
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from hearth.contracts.envelope import Role
from hearth.contracts.events.common import STAFF_ID_PATTERN
from hearth.eventstore.db import check_schema_name

WEB_ROLES: Final = (Role.INTAKE, Role.CASE_MANAGER, Role.MANAGER, Role.AUDITOR, Role.ADMIN)
"""The roles a person signs in with (a partner agency's system uses the APIs)."""

ROLE_NAMES: Final = {
    Role.INTAKE: "Intake",
    Role.CASE_MANAGER: "Case manager",
    Role.MANAGER: "Manager",
    Role.AUDITOR: "Auditor",
    Role.ADMIN: "Administrator",
}

MIN_PASSWORD_LENGTH: Final = 12
MAX_PASSWORD_LENGTH: Final = 1024
_STAFF_ID: Final = re.compile(STAFF_ID_PATTERN)

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
_DUMMY_HASH: Final = _hasher.hash(secrets.token_urlsafe(16))
"""Verified against when no account matches, so a wrong staff id takes as long as a
wrong password and the time taken does not say which was wrong."""


@dataclass(frozen=True)
class Identity:
    staff_id: str
    role: Role


class IdentityProvider(Protocol):
    """Checks who someone is. The local store implements it; an OpenID Connect provider
    is plugged in beside it (README.md)."""

    async def authenticate(self, staff_id: str, password: str, now: datetime) -> Identity | None:
        """The identity, or None: unknown id, wrong password, disabled or locked alike."""
        ...


class AccountError(ValueError):
    """A bad account command (operator input), with a message naming the problem."""


def check_staff_id(staff_id: str) -> str:
    if not staff_id or len(staff_id) > 200 or not _STAFF_ID.fullmatch(staff_id):
        raise AccountError("a staff id is letters, digits and . _ : @ - (at most 200)")
    return staff_id


def check_role(role: str) -> Role:
    try:
        chosen = Role(role)
    except ValueError:
        chosen = None
    if chosen not in WEB_ROLES:
        raise AccountError("role must be one of " + ", ".join(r.value for r in WEB_ROLES))
    assert chosen is not None
    return chosen


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"a password has at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError(f"a password has at most {MAX_PASSWORD_LENGTH} characters")
    return password


def new_password() -> str:
    """A random password for a development account (about 120 bits)."""
    return secrets.token_urlsafe(15)


@dataclass(frozen=True)
class Account:
    staff_id: str
    role: Role
    disabled: bool
    locked_until: datetime | None


class LocalAccounts:
    """Staff accounts in PostgreSQL: staff id, role, argon2id hash, disabled flag.

    After `max_failures` wrong passwords in a row an account is locked for `lockout`;
    the answer to the person signing in stays the same (no hint which part was wrong).
    """

    def __init__(
        self,
        pool: asyncpg.Pool,
        schema: str,
        *,
        max_failures: int = 5,
        lockout: timedelta = timedelta(minutes=15),
    ) -> None:
        self._pool = pool
        self._schema = check_schema_name(schema)
        self._max_failures = max_failures
        self._lockout = lockout

    async def authenticate(self, staff_id: str, password: str, now: datetime) -> Identity | None:
        if len(password) > MAX_PASSWORD_LENGTH or len(staff_id) > 200:
            return None
        row = await self._pool.fetchrow(
            f"SELECT staff_id, role, password_hash, disabled, locked_until"
            f" FROM {self._schema}.accounts WHERE staff_id = $1",
            staff_id,
        )
        if row is None:
            _verify(_DUMMY_HASH, password)
            return None
        ok = _verify(row["password_hash"], password)
        locked = row["locked_until"] is not None and row["locked_until"] > now
        if not ok:
            await self._pool.execute(
                f"UPDATE {self._schema}.accounts SET failed_sign_ins = failed_sign_ins + 1,"
                f" locked_until = CASE WHEN failed_sign_ins + 1 >= $2 THEN $3::timestamptz"
                f" ELSE locked_until END WHERE staff_id = $1",
                staff_id,
                self._max_failures,
                now + self._lockout,
            )
            return None
        if locked or row["disabled"]:
            return None
        if _hasher.check_needs_rehash(row["password_hash"]):
            await self._set_hash(staff_id, _hasher.hash(password))
        await self._pool.execute(
            f"UPDATE {self._schema}.accounts SET failed_sign_ins = 0, locked_until = NULL"
            f" WHERE staff_id = $1",
            staff_id,
        )
        return Identity(row["staff_id"], Role(row["role"]))

    # --- operator commands ---------------------------------------------------------

    async def add(self, staff_id: str, role: Role | str, password: str) -> bool:
        """Create an account; False when the staff id already has one (nothing changed)."""
        check_staff_id(staff_id)
        chosen = check_role(str(role))
        hashed = _hasher.hash(check_password(password))
        status = await self._pool.execute(
            f"INSERT INTO {self._schema}.accounts (staff_id, role, password_hash)"
            f" VALUES ($1, $2, $3) ON CONFLICT (staff_id) DO NOTHING",
            staff_id,
            chosen.value,
            hashed,
        )
        return bool(status == "INSERT 0 1")

    async def set_password(self, staff_id: str, password: str) -> bool:
        hashed = _hasher.hash(check_password(password))
        changed = await self._set_hash(staff_id, hashed)
        if changed:
            await self.end_sessions(staff_id)
        return changed

    async def set_role(self, staff_id: str, role: Role | str) -> bool:
        chosen = check_role(str(role))
        status = await self._pool.execute(
            f"UPDATE {self._schema}.accounts SET role = $2, updated_at = now() WHERE staff_id = $1",
            staff_id,
            chosen.value,
        )
        if status == "UPDATE 1":
            await self.end_sessions(staff_id)
        return bool(status == "UPDATE 1")

    async def set_disabled(self, staff_id: str, disabled: bool) -> bool:
        changed = await self._set_and_unlock(staff_id, "disabled", disabled)
        if disabled and changed:
            await self.end_sessions(staff_id)
        return changed

    async def end_sessions(self, staff_id: str) -> int:
        """Sign the member of staff out everywhere (a new password, role or a disabling)."""
        status = await self._pool.execute(
            f"DELETE FROM {self._schema}.sessions WHERE staff_id = $1", staff_id
        )
        return int(status.split()[-1])

    async def list(self) -> list[Account]:
        rows = await self._pool.fetch(
            f"SELECT staff_id, role, disabled, locked_until FROM {self._schema}.accounts"
            f" ORDER BY staff_id"
        )
        return [
            Account(r["staff_id"], Role(r["role"]), r["disabled"], r["locked_until"]) for r in rows
        ]

    async def _set_hash(self, staff_id: str, hashed: str) -> bool:
        return await self._set_and_unlock(staff_id, "password_hash", hashed)

    async def _set_and_unlock(
        self, staff_id: str, column: Literal["disabled", "password_hash"], value: bool | str
    ) -> bool:
        """Sets one column of the account and clears its failed sign-ins and lock: whether
        the account was there."""
        status = await self._pool.execute(
            f"UPDATE {self._schema}.accounts SET {column} = $2, failed_sign_ins = 0,"
            f" locked_until = NULL, updated_at = now() WHERE staff_id = $1",
            staff_id,
            value,
        )
        return bool(status == "UPDATE 1")


def _verify(hashed: str, password: str) -> bool:
    try:
        return _hasher.verify(hashed, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
