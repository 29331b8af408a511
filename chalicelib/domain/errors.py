"""Named domain errors. Adapters map them to HTTP statuses and Slack explanations; each
carries a message key the i18n catalogue turns into the reader's language."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    key = "error"

    def __init__(self, key: str | None = None, **params: Any) -> None:
        self.key = key or self.key
        self.params = params
        super().__init__(f"{self.key} {params}" if params else self.key)


class NotFound(DomainError):
    key = "not_found"


class Forbidden(DomainError):
    key = "forbidden"


class Conflict(DomainError):
    """Someone else changed the post since it was read (stale version, lost race)."""

    key = "conflict"


class Paused(Conflict):
    """Publishing is paused: a save that would claim a post for publishing (``unless_paused``)
    stored nothing. A Conflict, so ``until_saved`` reads the post again; the caller then saves
    its change without the claim."""

    key = "paused"


class InvalidTransition(DomainError):
    key = "invalid_transition"


class InvalidContent(DomainError):
    key = "invalid_content"


class NotEligible(DomainError):
    """The person may not take this decision; nothing about the post changes."""

    key = "not_eligible"


class StorageRefused(NotEligible):
    """The table refused to store the change (an item over DynamoDB's size limit); nothing was
    stored. A NotEligible so every caller explains it instead of failing."""

    key = "too_large_to_store"
