"""Run-time channels and their secrets in memory, with the table's rules: version-conditional
saves, a change log, one refresh lease at a time."""

from __future__ import annotations

import builtins
from collections.abc import Callable
from datetime import UTC, datetime

from chalicelib.domain.accounts import ChannelAccount, ChannelChange
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.services.ports import ChannelStore, TokenVault


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class MemoryChannelStore(ChannelStore):
    def __init__(self, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.records: dict[str, ChannelAccount] = {}
        self.changes: dict[str, list[ChannelChange]] = {}
        self.leases: dict[str, tuple[str, datetime]] = {}
        self.last: dict[str, tuple[str | None, str | None]] = {}
        self._clock = clock

    def list(self) -> list[ChannelAccount]:
        return [self.records[name] for name in sorted(self.records)]

    def get(self, name: str) -> ChannelAccount | None:
        return self.records.get(name)

    def save(self, account: ChannelAccount, who: str, what: str) -> ChannelAccount:
        current = self.records.get(account.name)
        if (current.version if current else 0) != account.version:
            raise Conflict("channel_conflict", name=account.name)
        saved = account.changed(version=account.version + 1)
        self.records[account.name] = saved
        self._log(account.name, who, what)
        return saved

    def delete(self, name: str, who: str) -> None:
        if self.records.pop(name, None) is None:
            raise NotFound("channel_not_found", name=name)
        self.leases.pop(name, None)
        self._log(name, who, "deleted")

    def log(self, name: str) -> builtins.list[ChannelChange]:
        return list(self.changes.get(name, []))

    def lease_refresh(self, name: str, until: datetime, holder: str) -> bool:
        if name not in self.records:
            return False
        lease = self.leases.get(name)
        if lease is not None and lease[0] != holder and lease[1] >= self._clock():
            return False
        self.leases[name] = (holder, until)
        return True

    def finish_refresh(self, name: str, holder: str, expires_at: str | None,
                       token_version: int) -> None:
        current = self.records.get(name)
        if current is None:
            raise NotFound("channel_not_found", name=name)
        if self.leases.get(name, ("", None))[0] != holder:
            raise Conflict("channel_conflict", name=name)
        self.leases.pop(name)
        self.records[name] = current.changed(
            token_version=token_version, status="connected", last_error=None,
            expires_at=expires_at if expires_at is not None else current.expires_at,
            version=current.version + 1)
        self._log(name, "freigabe", "token refreshed")

    def record_result(self, name: str, ok: bool, error: str | None, at: str) -> None:
        last_ok, _ = self.last.get(name, (None, None))
        self.last[name] = (at, None) if ok else (last_ok, (error or "failed")[:300])

    def results(self) -> dict[str, tuple[str | None, str | None]]:
        return dict(self.last)

    def _log(self, name: str, who: str, what: str) -> None:
        self.changes.setdefault(name, []).append(ChannelChange(_iso(self._clock()), who, what))


class MemoryTokenVault(TokenVault):
    def __init__(self) -> None:
        self.secrets: dict[str, dict[str, str]] = {}

    def put(self, name: str, tokens: dict[str, str]) -> None:
        self.secrets[name] = {k: v for k, v in tokens.items() if v}

    def get(self, name: str) -> dict[str, str] | None:
        found = self.secrets.get(name)
        return dict(found) if found is not None else None

    def delete(self, name: str) -> None:
        self.secrets.pop(name, None)
