"""Every network adapter against its stand-in: what ends up published, and how often.

The rules under test (docs/publishing.md): refused-before-applied answers (no connection, 429,
503) are retried; a timeout or 5xx after sending is ``unknown`` and never re-sent, except on
Mastodon, whose Idempotency-Key makes the retry safe; 4xx is ``failed`` with the network's words.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from chalicelib.adapters.channels import bluesky
from chalicelib.adapters.channels.base import retry_after_seconds
from chalicelib.domain.publication import Copy, Outcome, Publication
from chalicelib.services.ports import RetryLater
from tests.standins import Standin, start
from tests.standins.rig import StandinRig, make_rig, outgoing

NETWORKS = ["mastodon", "bluesky", "linkedin", "x", "facebook_page", "webhook"]


@pytest.fixture(params=NETWORKS)
def standin(request: pytest.FixtureRequest) -> Iterator[Standin]:
    bluesky.forget_sessions()
    running = start(request.param, hang_seconds=1.5)
    yield running
    running.stop()
    bluesky.forget_sessions()


@pytest.fixture
def rig(standin: Standin) -> StandinRig:
    return make_rig(standin)


def expected_link(rig: StandinRig, pub: Publication) -> tuple[str | None, str | None]:
    """The url and external id each network's documented answer leads to."""
    post = rig.standin.posts[0]
    if rig.network == "mastodon":
        return f"{rig.standin.base_url}/@freigabe/{post['id']}", post["id"]
    if rig.network == "bluesky":
        return f"https://bsky.app/profile/freigabe.test/post/{post['rkey']}", post["uri"]
    if rig.network == "linkedin":
        return f"https://www.linkedin.com/feed/update/{post['urn']}", post["urn"]
    if rig.network == "x":
        return f"https://x.com/i/web/status/{post['id']}", post["id"]
    if rig.network == "facebook_page":
        page, story = post["id"].split("_")
        return f"https://www.facebook.com/{page}/posts/{story}", post["id"]
    return None, pub.idempotency_key  # webhook


def assert_one_post(rig: StandinRig, copy: Copy) -> None:
    assert [post["text"] for post in rig.standin.posts] == [copy.text]


def test_publishes_once_and_links_to_the_post(rig: StandinRig) -> None:
    pub, copy = outgoing()

    outcome = rig.publisher.publish(pub, copy)

    assert_one_post(rig, copy)
    url, external_id = expected_link(rig, pub)
    assert outcome == Outcome("published", url=url, external_id=external_id)
    assert rig.sleeps == []


def test_throttled_then_published_exactly_once(rig: StandinRig) -> None:
    rig.standin.script("429")
    pub, copy = outgoing()

    outcome = rig.publisher.publish(pub, copy)

    assert outcome.status == "published"
    assert_one_post(rig, copy)
    assert len(rig.standin.publish_requests()) == 2
    # The network's wait hint (Retry-After or its reset header) or the backoff, never zero.
    assert len(rig.sleeps) == 1 and 0 < rig.sleeps[0] <= 2


def test_unavailable_then_published_exactly_once(rig: StandinRig) -> None:
    rig.standin.script("503")
    pub, copy = outgoing()

    outcome = rig.publisher.publish(pub, copy)

    assert outcome.status == "published"
    assert_one_post(rig, copy)
    assert len(rig.sleeps) == 1


@pytest.mark.parametrize("trouble", ["500", "hang"])
def test_trouble_after_sending_is_never_resent_blindly(rig: StandinRig, trouble: str) -> None:
    rig.standin.script(trouble)
    pub, copy = outgoing()

    outcome = rig.publisher.publish(pub, copy)

    assert_one_post(rig, copy)  # the network applied it before the 500 / the timeout
    sent = rig.standin.publish_requests()
    if rig.network == "mastodon":
        # Safe to retry: the same Idempotency-Key returns the status created the first time.
        assert outcome.status == "published"
        assert outcome.external_id == rig.standin.posts[0]["id"]
        assert len(sent) == 2
        assert {r.headers["idempotency-key"] for r in sent} == {pub.idempotency_key}
    else:
        assert outcome.status == "unknown"
        assert outcome.error and "may have been published" in outcome.error
        assert len(sent) == 1


WRONG_CREDENTIALS = {
    "mastodon": "HTTP 401: The access token is invalid",
    "bluesky": "HTTP 401: AuthenticationRequired: Invalid identifier or password",
    "linkedin": "HTTP 401: Invalid access token",
    "x": "HTTP 401: Unauthorized",
    "facebook_page": "HTTP 400: Invalid OAuth access token - Cannot parse access token (code 190)",
    "webhook": "HTTP 401: signature does not match",
}


def test_wrong_credentials_fail_with_the_networks_message(standin: Standin) -> None:
    rig = make_rig(standin, secret="not-the-token")

    outcome = rig.publisher.publish(*outgoing())

    assert outcome == Outcome("failed", error=WRONG_CREDENTIALS[rig.network])
    assert rig.standin.posts == []
    assert rig.sleeps == []


SCRIPTED_401 = {
    "mastodon": "HTTP 401: The access token is invalid",
    "bluesky": "HTTP 401: AuthenticationRequired: Authentication Required",
    "linkedin": "HTTP 401: Invalid access token",
    "x": "HTTP 401: Unauthorized",
    "facebook_page": "HTTP 401: Error validating access token: Session has expired (code 190)",
    "webhook": "HTTP 401: signature does not match",
}


def test_a_401_is_failed_and_not_retried(rig: StandinRig) -> None:
    rig.standin.script("401")

    outcome = rig.publisher.publish(*outgoing())

    assert outcome == Outcome("failed", error=SCRIPTED_401[rig.network])
    assert rig.standin.posts == []
    assert len(rig.standin.publish_requests()) == 1


def closed_port_url(path: str = "") -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}{path}"


def test_connection_refused_is_retried_then_left_to_the_queue(standin: Standin) -> None:
    rig = make_rig(standin, base_url=closed_port_url(standin.path_prefix))

    with pytest.raises(RetryLater) as raised:
        rig.publisher.publish(*outgoing())

    assert len(rig.sleeps) == 2  # three attempts, two waits
    assert raised.value.retry_after > 0
    assert "could not connect" in raised.value.reason


def test_throttling_past_the_attempts_is_left_to_the_queue(rig: StandinRig) -> None:
    rig.standin.script("429", "429", "429")

    with pytest.raises(RetryLater) as raised:
        rig.publisher.publish(*outgoing())

    assert rig.standin.posts == []
    assert len(rig.standin.publish_requests()) == 3
    assert raised.value.retry_after > 0


def test_a_wait_longer_than_the_budget_is_not_slept() -> None:
    with start("webhook") as receiver:  # answers 429 with Retry-After: 1
        rig = make_rig(receiver, sleep_budget=0.5)
        receiver.script("429")

        with pytest.raises(RetryLater) as raised:
            rig.publisher.publish(*outgoing())

    assert rig.sleeps == []
    assert raised.value.retry_after == 1.0


def test_secrets_are_resolved_at_first_publish_and_kept(standin: Standin) -> None:
    rig = make_rig(standin)
    assert rig.resolved == []  # building a publisher reads no secret

    rig.publisher.publish(*outgoing(post_id="p1", text="Erster Beitrag"))
    rig.publisher.publish(*outgoing(post_id="p2", text="Zweiter Beitrag"))

    assert len(rig.resolved) == 1
    assert len(rig.standin.posts) == 2


def test_an_unreadable_secret_fails_without_calling_the_network() -> None:
    from chalicelib.adapters.channels.registry import build_publisher
    from tests.standins.rig import channel_config

    def missing(reference: str) -> str:
        raise LookupError(f"environment variable for {reference} is not set")

    with start("x") as network:
        publisher = build_publisher("main", channel_config("x", network.base_url), missing)
        outcome = publisher.publish(*outgoing())

        assert outcome == Outcome("failed", error="secret env:CHANNEL_SECRET could not be read")
        assert network.requests == []


def test_idempotency_key_is_stable_per_post_channel_and_content() -> None:
    first = outgoing().publication
    assert first.idempotency_key == outgoing().publication.idempotency_key
    assert len(first.idempotency_key) == 64 and int(first.idempotency_key, 16) >= 0
    assert outgoing(text="geändert").publication.idempotency_key != first.idempotency_key
    assert outgoing(channel="other").publication.idempotency_key != first.idempotency_key
    assert outgoing(post_id="post-2").publication.idempotency_key != first.idempotency_key
    # and on every attempt: an admin's retry is not a second post on a network that de-duplicates
    assert replace(first, attempt=2).idempotency_key == first.idempotency_key


NOW = 1_800_000_000.0


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"Retry-After": "7"}, 7.0),
        ({"Retry-After": format_datetime(datetime.fromtimestamp(NOW + 30, UTC), usegmt=True)}, 30.0),
        ({"X-RateLimit-Reset": (datetime.fromtimestamp(NOW, UTC) + timedelta(seconds=12)).isoformat()}, 12.0),
        ({"x-rate-limit-reset": str(int(NOW) + 900)}, 900.0),
        ({"RateLimit-Reset": "5"}, 5.0),
        ({"Retry-After": "soon"}, None),
        ({}, None),
    ],
)
def test_wait_hints_from_retry_after_and_reset_headers(
    headers: dict[str, str], seconds: float | None
) -> None:
    from urllib3 import HTTPHeaderDict

    assert retry_after_seconds(HTTPHeaderDict(headers), now=NOW) == seconds


def test_mastodon_keeps_the_key_across_redeliveries_when_the_budget_is_spent() -> None:
    with start("mastodon") as network:
        rig = make_rig(network)
        network.script("500", "500", "500")
        pub, copy = outgoing()

        with pytest.raises(RetryLater):
            rig.publisher.publish(pub, copy)
        redelivered = rig.publisher.publish(pub, copy)  # what the queue does next

    assert redelivered.status == "published"
    assert_one_post(rig, copy)
    assert {r.headers["idempotency-key"] for r in network.publish_requests()} == {pub.idempotency_key}


def test_logs_name_channel_and_status_but_never_text_or_token(
    rig: StandinRig, caplog: pytest.LogCaptureFixture
) -> None:
    pub, copy = outgoing("Geheimer Entwurf für morgen")
    rig.standin.script("429", "500")

    with caplog.at_level("DEBUG", logger="chalicelib.adapters.channels"):
        rig.publisher.publish(pub, copy)

    assert "channel=main attempt=1" in caplog.text and "channel=main attempt=2" in caplog.text
    assert copy.text not in caplog.text
    assert rig.standin.secret not in caplog.text


def test_only_a_network_that_de_duplicates_declares_resending_safe(rig: StandinRig) -> None:
    assert rig.publisher.sends_idempotency_key is (rig.network == "mastodon")
