"""`python -m hearth.web`: run the staff web app, or one of its operator commands.

python -m hearth.web [serve]                     run it (the default)
python -m hearth.web migrate                     create/upgrade the `web` schema
python -m hearth.web account add STAFF_ID ROLE   new account; password from stdin or
                                                 asked for (--generate: a random one,
                                                 printed once)
python -m hearth.web account password STAFF_ID   a new password (signs them out)
python -m hearth.web account role STAFF_ID ROLE  another role (signs them out)
python -m hearth.web account disable STAFF_ID    no more sign-in (signs them out)
python -m hearth.web account enable STAFF_ID
python -m hearth.web account list
python -m hearth.web dev-accounts FILE           one account per role for local work,
                                                 random passwords kept in FILE (mode 600)
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from hearth.contracts.envelope import Role
from hearth.eventstore.logs import configure_logging, describe_error
from hearth.web.app import close_state, create_app, open_state
from hearth.web.identity import WEB_ROLES, AccountError, LocalAccounts, new_password
from hearth.web.settings import WebSettings
from hearth.web.state import WebState


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m hearth.web", description=__doc__.split("\n")[0]
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("serve", help="run the web app (the default)")
    sub.add_parser("migrate", help="apply the web schema's migrations and exit")
    account = sub.add_parser("account", help="staff accounts (the local identity provider)")
    acts = account.add_subparsers(dest="action", metavar="ACTION", required=True)
    roles = [r.value for r in WEB_ROLES]
    add = acts.add_parser("add", help="create an account")
    add.add_argument("staff_id")
    add.add_argument("role", choices=roles)
    add.add_argument("--generate", action="store_true", help="a random password, printed once")
    password = acts.add_parser("password", help="set a new password (ends their sessions)")
    password.add_argument("staff_id")
    password.add_argument("--generate", action="store_true", help="a random password, printed once")
    role = acts.add_parser("role", help="change the role (ends their sessions)")
    role.add_argument("staff_id")
    role.add_argument("role", choices=roles)
    for name, text in (("disable", "stop them signing in"), ("enable", "let them sign in again")):
        acts.add_parser(name, help=text).add_argument("staff_id")
    acts.add_parser("list", help="every account, its role and whether it may sign in")
    dev = sub.add_parser(
        "dev-accounts", help="local work: an account per role, passwords kept in FILE"
    )
    dev.add_argument("file", type=Path)
    return parser


def _read_password(generate: bool) -> tuple[str, bool]:
    """The new password, and whether to print it (only when generated here)."""
    if generate:
        return new_password(), True
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n"), False
    first = getpass.getpass("New password: ")
    if getpass.getpass("Same again: ") != first:
        raise AccountError("the two passwords differ")
    return first, False


async def _account(accounts: LocalAccounts, args: argparse.Namespace) -> int:
    action = args.action
    if action == "list":
        for a in await accounts.list():
            state = "disabled" if a.disabled else "locked" if a.locked_until else "active"
            print(f"{a.staff_id}\t{a.role.value}\t{state}")
        return 0
    if action == "add":
        secret, show = _read_password(args.generate)
        if not await accounts.add(args.staff_id, args.role, secret):
            print(f"{args.staff_id} already has an account", file=sys.stderr)
            return 1
        print(f"account {args.staff_id} ({args.role}) created")
    elif action == "password":
        secret, show = _read_password(args.generate)
        if not await accounts.set_password(args.staff_id, secret):
            print(f"no account {args.staff_id}", file=sys.stderr)
            return 1
        print(f"password of {args.staff_id} changed; their sessions ended")
    else:
        show, secret = False, ""
        if action == "role":
            done = await accounts.set_role(args.staff_id, args.role)
        else:
            done = await accounts.set_disabled(args.staff_id, action == "disable")
        if not done:
            print(f"no account {args.staff_id}", file=sys.stderr)
            return 1
        print(f"{args.staff_id}: {action} done")
    if show:
        print(f"password: {secret}")
    return 0


DEV_STAFF_IDS: Final = {
    Role.INTAKE: "intake-0001",
    Role.CASE_MANAGER: "cso-0001",
    Role.MANAGER: "dalead-0001",
    Role.AUDITOR: "auditor-0001",
    Role.ADMIN: "admin-0001",
}
"""Local accounts: the case manager and the DA lead are on cases' packaged roster, so
cases reported locally land in "my cases"."""


def _kept_passwords(file: Path) -> dict[str, tuple[str, str]]:
    kept: dict[str, tuple[str, str]] = {}
    if file.exists():
        for line in file.read_text().splitlines():
            parts = line.split("\t")
            if len(parts) == 3:
                kept[parts[0]] = (parts[1], parts[2])
    return kept


def _keep_passwords(file: Path, lines: list[str]) -> None:
    file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write("\n".join(lines) + "\n")
    os.chmod(file, 0o600)


async def dev_accounts(accounts: LocalAccounts, file: Path) -> int:
    """An account per role, for `make up`. Passwords are made on the first run and kept
    in `file` (mode 600, outside the repository); later runs reuse them."""
    kept = _kept_passwords(file)
    lines = []
    for role, staff_id in DEV_STAFF_IDS.items():
        secret = kept[staff_id][1] if staff_id in kept else new_password()
        if not await accounts.add(staff_id, role, secret) and staff_id not in kept:
            # An account made otherwise: its password is not ours to know; reset it.
            await accounts.set_password(staff_id, secret)
        lines.append(f"{staff_id}\t{role.value}\t{secret}")
    _keep_passwords(file, lines)
    for line in lines:
        staff_id, role_name, secret = line.split("\t")
        print(f"  {role_name:<13} staff id {staff_id:<18} password {secret}")
    return 0


async def _operate(settings: WebSettings, args: argparse.Namespace) -> int:
    state = WebState(settings)
    try:
        await open_state(state)
        assert state.accounts is not None
        if args.command == "migrate":
            print(f"schema {settings.db_schema} migrated")
            return 0
        if args.command == "account":
            return await _account(state.accounts, args)
        return await dev_accounts(state.accounts, args.file)
    except AccountError as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:
        print(f"failed: {describe_error(exc)}", file=sys.stderr)
        return 2
    finally:
        await close_state(state)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings = WebSettings()
    configure_logging("web", settings.log_level)
    if args.command in (None, "serve"):
        import uvicorn

        uvicorn.run(
            create_app(settings),
            host=settings.http_host,
            port=settings.http_port,
            loop="auto",
            http="auto",
            log_config=None,
            access_log=False,
            proxy_headers=False,
        )
        return 0
    return asyncio.run(_operate(settings, args))


if __name__ == "__main__":
    sys.exit(main())
