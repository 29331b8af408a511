"""Answers published as replies on each network's stand-in: the documented parent references,
once (a repeated delivery of the same publication makes no second reply where the network
de-duplicates), and a parent the network does not know refused in its words."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from chalicelib.adapters.channels import bluesky
from tests.standins import start
from tests.standins.rig import make_rig, outgoing

ANSWER = "Danke für die Frage! Die Aktion gilt bis Sonntag."


@pytest.fixture(autouse=True)
def fresh_bluesky_sessions() -> Iterator[None]:
    bluesky.forget_sessions()
    yield
    bluesky.forget_sessions()


def test_mastodon_replies_with_in_reply_to_id_and_the_same_idempotency_key_once() -> None:
    with start("mastodon") as network:
        parent = network.others_status("@freigabe Gilt das auch online?")
        pub, copy = outgoing(ANSWER)
        rig = make_rig(network)
        first = rig.publisher.publish_reply(pub, copy, parent)  # type: ignore[attr-defined]
        again = rig.publisher.publish_reply(pub, copy, parent)  # type: ignore[attr-defined]

    assert first.status == "published" and again.external_id == first.external_id
    assert [(p["text"], p["in_reply_to_id"]) for p in network.posts] == [(ANSWER, parent)]
    sent = network.publish_requests()
    assert {r.headers["idempotency-key"] for r in sent} == {pub.idempotency_key}
    assert sent[0].json() == {"status": ANSWER, "in_reply_to_id": parent}


def test_mastodon_refuses_a_reply_to_a_status_it_does_not_know() -> None:
    with start("mastodon") as network:
        outcome = make_rig(network).publisher.publish_reply(  # type: ignore[attr-defined]
            *outgoing(ANSWER), "999")

    assert outcome.status == "failed" and "Record not found" in (outcome.error or "")
    assert network.posts == []


def test_bluesky_replies_with_root_and_parent_refs_of_the_thread() -> None:
    with start("bluesky") as network:
        rig = make_rig(network)
        ours = rig.publisher.publish(*outgoing("Unser Beitrag"))
        assert ours.external_id is not None
        reply = network.others_post("Gilt das auch online?", reply_to=ours.external_id)
        outcome = rig.publisher.publish_reply(  # type: ignore[attr-defined]
            *outgoing(ANSWER, post_id="answer-1"), reply)

    assert outcome.status == "published"
    answer = network.posts[-1]
    root = network.records[ours.external_id]
    assert answer["text"] == ANSWER
    assert answer["reply"]["root"] == {"uri": root["uri"], "cid": root["cid"]}
    assert answer["reply"]["parent"] == {"uri": reply, "cid": network.records[reply]["cid"]}


def test_bluesky_answer_to_a_post_that_starts_a_thread_has_it_as_root_and_parent() -> None:
    with start("bluesky") as network:
        mention = network.others_post("@freigabe.example hallo?")
        outcome = make_rig(network).publisher.publish_reply(  # type: ignore[attr-defined]
            *outgoing(ANSWER), mention)

    assert outcome.status == "published"
    ref = {"uri": mention, "cid": network.records[mention]["cid"]}
    assert network.posts[-1]["reply"] == {"root": ref, "parent": ref}


def test_bluesky_answer_to_an_unknown_post_fails_and_posts_nothing() -> None:
    with start("bluesky") as network:
        outcome = make_rig(network).publisher.publish_reply(  # type: ignore[attr-defined]
            *outgoing(ANSWER), "at://did:plc:nobody/app.bsky.feed.post/gone")

    assert outcome.status == "failed"
    assert network.posts == []


def test_x_replies_with_in_reply_to_tweet_id() -> None:
    with start("x") as network:
        outcome = make_rig(network).publisher.publish_reply(  # type: ignore[attr-defined]
            *outgoing(ANSWER), "1880000000000000001")

    assert outcome.status == "published"
    (sent,) = network.publish_requests()
    assert sent.json() == {"text": ANSWER,
                           "reply": {"in_reply_to_tweet_id": "1880000000000000001"}}


def test_linkedin_answers_a_comment_with_a_nested_comment() -> None:
    comment = "urn:li:comment:(urn:li:activity:7300000000000000001,7300000000000000099)"
    with start("linkedin") as network:
        make_rig(network).publisher.publish_reply(  # type: ignore[attr-defined]
            *outgoing(ANSWER), comment)

    (sent,) = [r for r in network.requests if "/socialActions/" in r.path]
    assert sent.method == "POST"
    assert sent.path.endswith("/comments")
    body = sent.json()
    assert body["parentComment"] == comment
    assert body["object"] == "urn:li:activity:7300000000000000001"
    assert body["message"] == {"text": ANSWER}
    assert network.posts == []  # never a new post on the page


def test_facebook_answers_a_comment_on_the_comment() -> None:
    with start("facebook_page") as network:
        make_rig(network).publisher.publish_reply(  # type: ignore[attr-defined]
            *outgoing(ANSWER), "1234_5678")

    (sent,) = network.requests
    assert (sent.method, sent.path) == ("POST", "/v23.0/1234_5678/comments")
    assert sent.params()["message"] == ANSWER


def test_linkedin_stores_the_answer_under_the_comment_it_answers() -> None:
    post = "urn:li:activity:7300000000000000001"
    with start("linkedin") as network:
        comment = network.add_reply(post, "Gilt das auch online?")  # type: ignore[attr-defined]
        outcome = make_rig(network).publisher.publish_reply(  # type: ignore[attr-defined]
            *outgoing(ANSWER), comment)
        unknown = make_rig(network).publisher.publish_reply(  # type: ignore[attr-defined]
            *outgoing(ANSWER, post_id="post-2"), f"urn:li:comment:({post},1)")

    assert outcome.status == "published"
    (stored,) = network.comments[comment]  # type: ignore[attr-defined]
    assert outcome.external_id == stored["commentUrn"]
    assert (stored["parentComment"], stored["object"], stored["message"]["text"]) == (
        comment, post, ANSWER)
    assert unknown.status == "failed" and "Comment not found" in (unknown.error or "")
    assert len(network.comments[post]) == 1 and network.posts == []  # type: ignore[attr-defined]


def test_facebook_stores_the_answer_as_a_reply_to_the_comment() -> None:
    with start("facebook_page") as network:
        comment = network.add_reply("1048_2001", "Gilt das auch online?")  # type: ignore[attr-defined]
        outcome = make_rig(network).publisher.publish_reply(  # type: ignore[attr-defined]
            *outgoing(ANSWER), comment)
        unknown = make_rig(network).publisher.publish_reply(  # type: ignore[attr-defined]
            *outgoing(ANSWER, post_id="post-2"), "1048_999")

    assert outcome.status == "published"
    (stored,) = network.comments[comment]  # type: ignore[attr-defined]
    assert outcome.external_id == stored["id"]
    assert (stored["message"], stored["parent"]["id"], stored["from"]["name"]) == (
        ANSWER, comment, "Freigabe GmbH")
    assert unknown.status == "failed" and "does not exist" in (unknown.error or "")
    assert network.posts == []
