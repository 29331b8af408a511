"""A post with a history worth proving, for the evidence tests: an image, changes requested
with reason labels and a quote, an edit that replaces the text and the image's alt text, a
resubmission, approvals with a ticked checklist, scheduling and an anchored chain head."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from chalicelib.adapters.signing import LocalSigner
from chalicelib.config import parse_config
from chalicelib.domain.content import Content
from chalicelib.domain.media import Image
from chalicelib.domain.post import Post, Reviewer
from chalicelib.domain.workflow import Workflow
from chalicelib.services import evidence
from chalicelib.services.ports import Identity
from tests.fakes import MemoryPostRepository
from tests.unit.helpers import AUTHOR, BRAND, LEGAL1, NOW, workflow_file

LABELS = ["Tonalität", "Unbelegte Aussage"]
CHECKLIST = [{"id": "ad_label", "label": {"de": "Werbung gekennzeichnet",
                                          "en": "Advertising labelled"}}]
FIRST_TEXT = "50% Rabatt auf alles. Garantiert die beste Qualität. <@U0LEGAL1> & \"Freunde\""
SECOND_TEXT = "20 % Rabatt auf Jacken, solange der Vorrat reicht."
IMAGE = Image(media_id="m1", sha256="ab" * 32, content_type="image/png", size=2048,
              width=640, height=480, alt="Eine Jacke")
WRITER = Identity(email=AUTHOR, name="Wanda Writer")


def depth_workflow() -> Workflow:
    data = workflow_file()
    legal, brand = data["steps"]
    data["reason_labels"] = LABELS
    data["steps"] = [legal, {**brand, "checklist": CHECKLIST}]
    return parse_config(data).workflow


class Anchors:
    """Chain heads as the stream relay anchors them: (seq, head) per post."""

    def __init__(self) -> None:
        self.heads: dict[str, tuple[int, str]] = {}

    def latest(self, post_id: str) -> tuple[int, str] | None:
        return self.heads.get(post_id)


class Unreadable:
    def latest(self, post_id: str) -> tuple[int, str] | None:
        raise ConnectionError("log group not readable")


@dataclass
class History:
    repo: MemoryPostRepository
    workflow: Workflow
    post_id: str
    anchors: Anchors
    signer: LocalSigner

    def source(self) -> evidence.AnchorSource:
        return evidence.AnchorSource(self.anchors, "CloudWatch Logs, log group freigabe-anchors")

    def document(self, who: Identity = WRITER, slack_id: str | None = None) -> dict[str, Any]:
        return evidence.evidence(self.repo, self.workflow, who, self.post_id, self.signer,
                                 self.source(), NOW + timedelta(days=1), lambda: slack_id)

    def file(self) -> bytes:
        return evidence.file_bytes(self.document())


def history(key_dir: Path) -> History:
    repo, wf = MemoryPostRepository(), depth_workflow()
    first = Content(text=FIRST_TEXT, channels=("outbox", "mastodon"), title="Winter",
                    variants={"mastodon": "Mastodon: 50% Rabatt"}, media=(IMAGE,))
    post = Post.create("p1", AUTHOR, "Wanda Writer", first, NOW + timedelta(days=3), NOW)
    post.submit(wf, AUTHOR, NOW)
    repo.save(post)
    at = NOW + timedelta(hours=1)
    post = repo.get("p1")
    post.decide(wf, "legal", LEGAL1, "request_changes", post.content_hash, "Beleg fehlt", at,
                frozenset(wf.step("legal").reviewers or ()), labels=["Unbelegte Aussage"],
                quote="Garantiert die beste Qualität.")
    repo.save(post)
    post = repo.get("p1")
    second = Content(text=SECOND_TEXT, channels=("outbox", "mastodon"), title="Winter",
                     media=(Image(**{**IMAGE.__dict__, "alt": "Eine rote Jacke"}),))
    post.edit(wf, AUTHOR, at + timedelta(hours=1), second, post.publish_at)
    post.submit(wf, AUTHOR, at + timedelta(hours=1))
    repo.save(post)
    post = repo.get("p1")
    later = at + timedelta(hours=2)
    post.decide(wf, "legal", LEGAL1, "approve", post.content_hash, "", later,
                frozenset(wf.step("legal").reviewers or ()))
    post.decide(wf, "brand", BRAND, "approve", post.content_hash, "passt", later,
                frozenset(wf.step("brand").reviewers or ()), checklist=["ad_label"])
    repo.save(post)
    _, events, _ = repo.get_full("p1")
    anchors = Anchors()
    anchors.heads["p1"] = (events[-2].seq, events[-2].hash)
    return History(repo, wf, "p1", anchors, LocalSigner(key_dir / "evidence-key.pem"))


def reviewer(slack: Reviewer) -> Identity:
    return Identity(email=slack.email or "", name=slack.slack_id)
