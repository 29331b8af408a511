"""External review through signed links, against the in-memory repository: the token resists
tampering, another key and expiry; an edit voids it; the page's view carries only shared
comments; a decision through the link is stored as the external reviewer's and schedules the
post when it was the last step; every refusal stores nothing."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from typing import Any

import pytest

from chalicelib.domain.errors import Conflict, InvalidContent, NotFound
from chalicelib.domain.post import Post
from chalicelib.domain.status import Status, StepStatus
from chalicelib.domain.workflow import Workflow
from chalicelib.services import external_review as ext
from chalicelib.services.ports import Context, Identity
from tests.fakes import Clock, MemoryPostRepository
from tests.fakes.builders import context, submitted
from tests.unit.helpers import AUTHOR, BRAND, NOW, content, new_post, workflow, workflow_file

KEY = b"unit-test-link-key"
WANDA = Identity(email=AUTHOR, name="Wanda Writer")
OTTO = Identity(email="otto.other@freigabe.example", name="Otto Other")
CLIENT_STEP = {"name": "client", "label": "Client", "slack_channel": "C0BRAND", "kind": "link",
               "link_valid_hours": 48}


def link_workflow(order: str = "parallel", **step: Any) -> Workflow:
    """The test workflow's brand step plus a link step for the client."""
    brand = next(s for s in workflow_file()["steps"] if s["name"] == "brand")
    return workflow(steps=[brand, {**CLIENT_STEP, **step}], review_order=order)


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def repo() -> MemoryPostRepository:
    return MemoryPostRepository()


def setup(repo: MemoryPostRepository, clock: Clock, wf: Workflow | None = None,
          ) -> tuple[Context, Post]:
    wf = wf or link_workflow()
    ctx = context(repo, wf, clock)
    post = submitted(repo, wf, new_post(), NOW)
    repo.outbox.clear()
    return ctx, post


def link(ctx: Context, post: Post) -> str:
    return ext.encode(ext.create_link(ctx, WANDA, post.id), KEY)


def stored(repo: MemoryPostRepository, post_id: str) -> tuple[int, int, str]:
    post = repo.get(post_id)
    return post.version, len(repo.events[post_id]), post.status.value


# -- the token ---------------------------------------------------------------------------------

def test_a_link_names_post_step_content_and_expiry(repo: MemoryPostRepository, clock: Clock) -> None:
    ctx, post = setup(repo, clock)
    token = ext.create_link(ctx, WANDA, post.id)
    assert (token.post_id, token.step, token.content_hash) == (post.id, "client", post.content_hash)
    assert token.expires_at == NOW + timedelta(hours=48)
    assert ext.decode(ext.encode(token, KEY), KEY) == token


def test_a_tampered_token_or_another_key_is_not_a_link(repo: MemoryPostRepository,
                                                       clock: Clock) -> None:
    ctx, post = setup(repo, clock)
    raw = link(ctx, post)
    payload, signature = raw.split(".")
    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    data[3] += 3600 * 24 * 365  # a year longer
    longer = base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode())
    forged = [
        longer.rstrip(b"=").decode() + "." + signature,
        payload + "." + signature[:-2] + ("AA" if not signature.endswith("AA") else "BB"),
        payload + "." + ext.encode(ext.decode(raw, KEY), b"another key").split(".")[1],
        "", ".", "a.b.c", "%%%.???", payload, "x" * 5000, raw + ".",
    ]
    for raw_forged in forged:
        with pytest.raises(ext.LinkInvalid):
            ext.decode(raw_forged, KEY)
    with pytest.raises(ext.LinkInvalid):
        ext.open_link(ctx, forged[0], KEY)


def test_only_the_author_or_a_web_admin_hands_out_links(repo: MemoryPostRepository,
                                                        clock: Clock) -> None:
    ctx, post = setup(repo, clock)
    with pytest.raises(NotFound):
        ext.create_link(ctx, OTTO, post.id)
    brand = next(s for s in workflow_file()["steps"] if s["name"] == "brand")
    admins = workflow(steps=[brand, CLIENT_STEP], admin_emails=["Otto.Other@freigabe.example"])
    ctx = context(repo, admins, clock)
    assert ext.create_link(ctx, OTTO, post.id).step == "client"


def test_a_link_needs_a_post_in_review_with_a_link_step_open(repo: MemoryPostRepository,
                                                             clock: Clock) -> None:
    wf = link_workflow()
    ctx = context(repo, wf, clock)
    draft = new_post(post_id="draft")
    repo.save(draft)
    with pytest.raises(Conflict) as refused:
        ext.create_link(ctx, WANDA, "draft")
    assert refused.value.key == "link_not_in_review"

    # Sequential: the brand step comes first, the client's link only after it.
    sequential = link_workflow(order="sequential")
    ctx, post = setup(repo, clock, sequential)
    with pytest.raises(Conflict) as refused:
        ext.create_link(ctx, WANDA, post.id)
    assert refused.value.key == "no_link_step"
    with pytest.raises(Conflict):
        ext.create_link(ctx, WANDA, post.id, step="brand")


# -- the page ----------------------------------------------------------------------------------

def test_the_page_shows_only_shared_comments(repo: MemoryPostRepository, clock: Clock) -> None:
    ctx, post = setup(repo, clock)
    post.comment(AUTHOR, "Bitte bis Freitag freigeben.", "shared", NOW)
    post.comment(AUTHOR, "Intern: der Kunde ist schwierig.", "internal", NOW)
    post.comment("U0BRAND1", "Ton passt, Kunde fragen.", "internal", NOW)
    post.comment("colleague@freigabe.example", "Die Bilder sind final.", "shared", NOW)
    repo.save(post)
    view = ext.open_link(ctx, link(ctx, post), KEY)
    assert [(c.author, c.text) for c in view.comments] == [
        ("Wanda Writer", "Bitte bis Freitag freigeben."), (None, "Die Bilder sind final.")]
    assert view.step.name == "client" and view.decided is None


def test_an_expired_link_opens_nothing_and_decides_nothing(repo: MemoryPostRepository,
                                                           clock: Clock) -> None:
    ctx, post = setup(repo, clock)
    raw = link(ctx, post)
    clock.advance(hours=48)
    before = stored(repo, post.id)
    with pytest.raises(ext.LinkGone) as gone:
        ext.open_link(ctx, raw, KEY)
    assert gone.value.key == "link_expired"
    with pytest.raises(ext.LinkGone):
        ext.decide(ctx, raw, KEY, "approve", "Carla Client")
    assert stored(repo, post.id) == before


def test_an_edit_voids_the_link(repo: MemoryPostRepository, clock: Clock) -> None:
    ctx, post = setup(repo, clock)
    raw = link(ctx, post)
    post = repo.get(post.id)
    post.edit(ctx.workflow, AUTHOR, NOW, content("Hallo Welt, neu"), None)
    repo.save(post)
    before = stored(repo, post.id)
    with pytest.raises(ext.LinkGone) as gone:
        ext.open_link(ctx, raw, KEY)
    assert gone.value.key == "link_replaced"
    with pytest.raises(ext.LinkStale):
        ext.decide(ctx, raw, KEY, "approve", "Carla Client")
    assert stored(repo, post.id) == before
    # The new content gets a new link that works.
    assert ext.open_link(ctx, link(ctx, repo.get(post.id)), KEY).post.content_hash != \
        ext.decode(raw, KEY).content_hash


# -- deciding ----------------------------------------------------------------------------------

def test_an_approval_through_the_link_schedules_the_post_when_it_was_the_last_step(
        repo: MemoryPostRepository, clock: Clock) -> None:
    ctx, post = setup(repo, clock)
    post.decide(ctx.workflow, "brand", BRAND, "approve", post.content_hash, "", NOW,
                frozenset({"U0BRAND1"}))
    repo.save(post)
    raw = link(ctx, post)

    outcome = ext.decide(ctx, raw, KEY, "approve", "  Carla   Client ")

    assert outcome.recorded
    saved = repo.get(post.id)
    assert saved.status is Status.SCHEDULED
    client = saved.step("client")
    assert client.status is StepStatus.APPROVED and client.decided_by == "external:Carla Client"
    decision = next(e for e in repo.events[post.id] if e.type == "decision"
                    and e.actor.startswith("external:"))
    assert decision.data["step"] == "client" and decision.data["decision"] == "approve"
    assert decision.data["content_hash"] == post.content_hash
    # The same click again records nothing more; the page now says who approved.
    events = len(repo.events[post.id])
    assert not ext.decide(ctx, raw, KEY, "approve", "Carla Client").recorded
    assert len(repo.events[post.id]) == events
    assert ext.open_link(ctx, raw, KEY).decided == ("approve", "Carla Client")
    # Someone else with the same link finds the review finished.
    with pytest.raises(ext.LinkStale):
        ext.decide(ctx, raw, KEY, "request_changes", "Eve", "anders")


def test_request_changes_through_the_link_needs_a_comment(repo: MemoryPostRepository,
                                                          clock: Clock) -> None:
    ctx, post = setup(repo, clock)
    raw = link(ctx, post)
    before = stored(repo, post.id)
    for decision, name, comment in [("request_changes", "Carla", "  "), ("approve", "  ", ""),
                                    ("reject", "Carla", "nein"), ("approve", "C" * 81, "")]:
        with pytest.raises(InvalidContent):
            ext.decide(ctx, raw, KEY, decision, name, comment)
    assert stored(repo, post.id) == before

    ext.decide(ctx, raw, KEY, "request_changes", "Carla Client", "Bitte das Datum prüfen.")
    saved = repo.get(post.id)
    assert saved.status is Status.CHANGES_REQUESTED
    assert saved.step("client").comment == "Bitte das Datum prüfen."
    assert ext.open_link(ctx, raw, KEY).decided == ("request_changes", "Carla Client")


def test_a_link_step_is_not_decided_by_a_token_for_another_step(repo: MemoryPostRepository,
                                                                clock: Clock) -> None:
    ctx, post = setup(repo, clock)
    forged = ext.encode(ext.LinkToken(post.id, "brand", post.content_hash,
                                      int((NOW + timedelta(hours=1)).timestamp())), KEY)
    before = stored(repo, post.id)
    with pytest.raises(ext.LinkGone):
        ext.open_link(ctx, forged, KEY)
    with pytest.raises(ext.LinkStale):
        ext.decide(ctx, forged, KEY, "approve", "Carla Client")
    assert stored(repo, post.id) == before
