"""The key store's operator tasks, shared by `python -m hearth.eventstore.personal_data`
(the key-store job, run by the schema's owner) and each service's `keys-*` commands.

Each prints what it did (ids and counts only) and returns the process's exit code.
"""

from __future__ import annotations

import sys

from hearth.eventstore.personal_data.key_store import KeyStore
from hearth.eventstore.personal_data.keys import MasterKeys


async def status(keys: KeyStore, masters: MasterKeys) -> int:
    """Which master keys wrap how many live data keys; 1 while an older one wraps any."""
    in_use = await keys.master_keys_in_use()
    current = masters.current.key_id
    print(f"key store {keys.schema}: current master key {current}")
    for master_id in sorted(set(in_use) | set(masters.ids)):
        state = "current" if master_id == current else "older"
        if master_id not in masters.ids:
            state = "NOT LOADED: its keys cannot be opened"
        print(f"  {master_id}: wraps {in_use.get(master_id, 0)} live keys ({state})")
    stale = sum(count for master_id, count in in_use.items() if master_id != current)
    if stale:
        print(f"{stale} live keys are wrapped by an older master key: run keys-rewrap")
        return 1
    print("every live key is wrapped by the current master key: older ones may be retired")
    return 0


async def rewrap(keys: KeyStore, masters: MasterKeys) -> int:
    """Rotation: re-wrap every live key with the current master key, then `status`."""
    rewrapped = await keys.rewrap()
    print(f"re-wrapped {rewrapped} keys with the current master key; events untouched")
    return await status(keys, masters)


async def grant(keys: KeyStore, role: str, access: str) -> int:
    """`access` "read" (a service that decrypts) or "write" (one that encrypts or erases)."""
    if access not in ("read", "write"):
        print(f"grant: access is read or write, not {access!r}", file=sys.stderr)
        return 2
    try:
        await keys.grant_access(role, write=access == "write")
    except ValueError as exc:
        print(f"grant: {exc}", file=sys.stderr)
        return 2
    what = "read, create and destroy" if access == "write" else "read"
    print(f"role {role} may now {what} keys in {keys.schema}")
    return 0


async def revoke(keys: KeyStore, role: str) -> int:
    try:
        await keys.revoke_access(role)
    except ValueError as exc:
        print(f"revoke: {exc}", file=sys.stderr)
        return 2
    print(f"role {role} may no longer read {keys.schema}")
    return 0
