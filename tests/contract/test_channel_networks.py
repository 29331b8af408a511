"""What each adapter sends: the documented path, headers and body, and the network-specific
text handling (Bluesky facets in UTF-8 bytes, LinkedIn's little text format)."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator

import pytest

from chalicelib.adapters.channels import bluesky
from chalicelib.adapters.channels.bluesky import find_links, find_mentions, find_tags
from chalicelib.adapters.channels.linkedin import little_text
from chalicelib.adapters.channels.webhook import payload
from tests.standins import start
from tests.standins.bluesky import BlueskyStandin
from tests.standins.networks import FacebookPageStandin, render_little_text
from tests.standins.rig import LINKEDIN_AUTHOR, make_rig, outgoing


@pytest.fixture(autouse=True)
def fresh_bluesky_sessions() -> Iterator[None]:
    bluesky.forget_sessions()
    yield
    bluesky.forget_sessions()


def test_mastodon_posts_the_status_with_bearer_token_and_idempotency_key() -> None:
    with start("mastodon") as network:
        pub, copy = outgoing()
        make_rig(network).publisher.publish(pub, copy)

    (sent,) = network.publish_requests()
    assert sent.headers["authorization"] == f"Bearer {network.secret}"
    assert sent.headers["idempotency-key"] == pub.idempotency_key
    assert sent.headers["content-type"].startswith("application/json")
    assert sent.json() == {"status": copy.text}


def test_linkedin_posts_to_rest_posts_with_version_headers() -> None:
    with start("linkedin") as network:
        outcome = make_rig(network).publisher.publish(*outgoing())

    (sent,) = network.publish_requests()
    assert sent.headers["authorization"] == f"Bearer {network.secret}"
    assert sent.headers["linkedin-version"] == "202510"
    assert sent.headers["x-restli-protocol-version"] == "2.0.0"
    body = sent.json()
    assert body["author"] == LINKEDIN_AUTHOR
    assert body["lifecycleState"] == "PUBLISHED"
    assert body["visibility"] == "PUBLIC"
    assert body["distribution"]["feedDistribution"] == "MAIN_FEED"
    assert outcome.external_id == network.posts[0]["urn"]


def test_linkedin_escapes_every_reserved_character_so_nothing_is_cut_off() -> None:
    text = "Rabatt (nur heute): 50 % auf *alles* – [Details] <hier> @team_lead ~ {a|b} C:\\temp #Frühling2026"
    with start("linkedin") as network:
        outcome = make_rig(network).publisher.publish(*outgoing(text))

    assert outcome.status == "published"
    (post,) = network.posts
    assert post["text"] == text  # as LinkedIn renders it: nothing truncated, nothing swallowed
    assert post["commentary"].endswith("{hashtag|\\#|Frühling2026}")
    assert "\\(nur heute\\)" in post["commentary"] and "\\@team\\_lead" in post["commentary"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a_b", "a\\_b"),
        ("\\", "\\\\"),
        ("#tag und #zweiter.", "{hashtag|\\#|tag} und {hashtag|\\#|zweiter}."),
        ("Preis#1", "Preis\\#1"),  # not a hashtag in the middle of a word
        ("#my_tag", "{hashtag|\\#|my}\\_tag"),  # LinkedIn hashtags are letters and digits only
    ],
)
def test_little_text(text: str, expected: str) -> None:
    assert little_text(text) == expected


def test_unescaped_little_text_is_what_linkedin_truncates() -> None:
    # Why escaping matters: the stand-in renders like LinkedIn, cutting at a bare "(".
    assert render_little_text("Angebot (nur heute)") == "Angebot "


def test_x_posts_the_text_with_the_user_token() -> None:
    with start("x") as network:
        outcome = make_rig(network).publisher.publish(*outgoing())

    (sent,) = network.publish_requests()
    assert sent.headers["authorization"] == f"Bearer {network.secret}"
    assert sent.json() == {"text": outgoing().copy.text}
    assert outcome.external_id == network.posts[0]["id"]


def test_x_refuses_duplicate_text_with_its_message() -> None:
    with start("x") as network:
        publisher = make_rig(network).publisher
        publisher.publish(*outgoing(post_id="a"))
        outcome = publisher.publish(*outgoing(post_id="b"))

    assert outcome.status == "failed"
    assert outcome.error == "HTTP 403: You are not allowed to create a Tweet with duplicate content."


def test_facebook_posts_message_to_the_page_feed_with_the_token_in_the_body() -> None:
    with FacebookPageStandin() as network:
        make_rig(network).publisher.publish(*outgoing())

    (sent,) = network.publish_requests()
    assert sent.path == f"/v23.0/{network.page_id}/feed"
    assert sent.query == {}  # the token never travels in a URL
    assert sent.json() == {"message": outgoing().copy.text, "access_token": network.secret}


def test_webhook_body_is_signed_and_the_receiver_verifies_it() -> None:
    pub, copy = outgoing()
    with start("webhook") as receiver:
        outcome = make_rig(receiver).publisher.publish(pub, copy)

    (sent,) = receiver.publish_requests()
    expected = "sha256=" + hmac.new(receiver.secret.encode(), sent.body, hashlib.sha256).hexdigest()
    assert sent.headers["x-freigabe-signature"] == expected
    assert sent.headers["x-freigabe-delivery"] == pub.idempotency_key
    assert sent.body == payload(pub, copy)
    assert json.loads(sent.body) == {
        "post_id": pub.post_id,
        "channel": pub.channel,
        "title": copy.title,
        "text": copy.text,
        "content_hash": pub.content_hash,
        "author": copy.author,
        "publish_at": copy.publish_at,
        "delivery_id": pub.idempotency_key,
        "media": [],  # a text-only post; test_channel_media.py has the images
    }
    assert receiver.posts[0]["signature_valid"] is True
    assert outcome.status == "published" and outcome.url is None


def test_bluesky_writes_a_feed_post_record_into_the_sessions_repo() -> None:
    with BlueskyStandin() as pds:
        make_rig(pds).publisher.publish(*outgoing())

    (sent,) = pds.publish_requests()
    body = sent.json()
    assert sent.headers["authorization"].startswith("Bearer access-")
    assert body["repo"] == BlueskyStandin.did
    assert body["collection"] == "app.bsky.feed.post"
    assert body["record"]["$type"] == "app.bsky.feed.post"
    assert body["record"]["createdAt"].endswith("Z")
    assert "facets" not in body["record"]  # plain text: nothing to annotate


def test_bluesky_facets_count_utf8_bytes_after_umlauts_and_emoji() -> None:
    text = (
        "Grüße aus Köln 🌷🎉 an @alice.test – mehr: https://example.com/fruehling?x=1. "
        "#Frühling2026 und @unbekannt.test"
    )
    with BlueskyStandin() as pds:
        outcome = make_rig(pds).publisher.publish(*outgoing(text))

    assert outcome.status == "published"
    (post,) = pds.posts
    # The stand-in decoded each facet's byte range; a char-offset bug would cover the wrong text.
    assert post["facets"] == [
        ("@alice.test", {"$type": "app.bsky.richtext.facet#mention", "did": pds.known_handles["alice.test"]}),
        (
            "https://example.com/fruehling?x=1",
            {"$type": "app.bsky.richtext.facet#link", "uri": "https://example.com/fruehling?x=1"},
        ),
        ("#Frühling2026", {"$type": "app.bsky.richtext.facet#tag", "tag": "Frühling2026"}),
    ]
    facets = pds.publish_requests()[0].json()["record"]["facets"]
    link_start = text.encode().index(b"https://")
    assert facets[1]["index"] == {"byteStart": link_start, "byteEnd": link_start + 33}
    assert link_start != text.index("https://")  # the text really has multi-byte characters first


@pytest.mark.parametrize(
    ("text", "links"),
    [
        ("Siehe https://example.com/a_(b).", ["https://example.com/a_(b)"]),
        ("(https://example.com/x)", ["https://example.com/x"]),
        ("Ende: https://example.com!", ["https://example.com"]),
        ("kein link: https://localhost", []),
    ],
)
def test_bluesky_link_detection(text: str, links: list[str]) -> None:
    assert [url for _, _, url in find_links(text)] == links


def test_bluesky_mentions_and_tags_follow_the_apps_rules() -> None:
    assert find_mentions("mail an info@example.com") == []
    assert [h for _, _, h in find_mentions("cc:@Alice.Test, danke")] == ["alice.test"]
    assert [t for _, _, t in find_tags("#1 ist keine Tag, #Köln! aber schon")] == ["Köln"]


def test_bluesky_reuses_one_session_across_publications_and_publishers() -> None:
    with BlueskyStandin() as pds:
        make_rig(pds).publisher.publish(*outgoing(post_id="a", text="Eins"))
        make_rig(pds).publisher.publish(*outgoing(post_id="b", text="Zwei"))

    assert pds.calls("com.atproto.server.createSession") == 1
    assert len(pds.posts) == 2


def test_bluesky_refreshes_an_expired_session() -> None:
    with BlueskyStandin() as pds:
        publisher = make_rig(pds).publisher
        publisher.publish(*outgoing(post_id="a", text="Eins"))
        pds.expire_access_tokens()
        outcome = publisher.publish(*outgoing(post_id="b", text="Zwei"))

    assert outcome.status == "published"
    assert pds.calls("com.atproto.server.refreshSession") == 1
    assert pds.calls("com.atproto.server.createSession") == 1
    assert [p["text"] for p in pds.posts] == ["Eins", "Zwei"]


def test_bluesky_logs_in_again_when_the_refresh_token_expired_too() -> None:
    with BlueskyStandin() as pds:
        publisher = make_rig(pds).publisher
        publisher.publish(*outgoing(post_id="a", text="Eins"))
        pds.expire_access_tokens()
        pds.expire_refresh_tokens()
        outcome = publisher.publish(*outgoing(post_id="b", text="Zwei"))

    assert outcome.status == "published"
    assert pds.calls("com.atproto.server.createSession") == 2
    assert [p["text"] for p in pds.posts] == ["Eins", "Zwei"]
