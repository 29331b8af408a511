"""Entry glue for evidence files: what their routes are handed, from this process's container."""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING

from chalicelib import bootstrap
from chalicelib.handlers.http import SlackPeople
from chalicelib.http.evidence_routes import EvidenceDeps
from chalicelib.services.evidence import AnchorSource

if TYPE_CHECKING:  # pragma: no cover - types only
    from chalicelib.services.evidence import Signer

# One signer per container: a KMS key's public key is read once, a local key file loaded once.
_signers: weakref.WeakKeyDictionary[bootstrap.Container, Signer | None] = (
    weakref.WeakKeyDictionary())


class SlackGroups:
    """Reviewer groups' members, the Slack directory built only when a group is asked about."""

    def group_members(self, group_id: str) -> frozenset[str]:
        return bootstrap.container().directory.group_members(group_id)


def signer(container: bootstrap.Container) -> Signer | None:
    if container not in _signers:
        from chalicelib.adapters.signing import build_signer

        settings = container.settings
        _signers[container] = build_signer(settings.evidence_key, lambda: container.aws("kms"),
                                           settings.state_dir, settings.in_lambda)
    return _signers[container]


def evidence_deps() -> EvidenceDeps:
    container = bootstrap.container()
    settings = container.settings
    anchors = AnchorSource(anchors=container.anchor,
                           where=f"CloudWatch Logs, log group {settings.anchor_log_group}")
    return EvidenceDeps(context=container.context(), settings=settings,
                        signer=lambda: signer(container), anchors=anchors, people=SlackPeople(),
                        groups=SlackGroups())
