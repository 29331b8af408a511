"""Each network's listener against its stand-in (tests/standins/), as the network documents
its notifications: what is read, the cursor, nothing twice, rate-limit answers and failures."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from chalicelib.adapters.channels import bluesky
from chalicelib.adapters.channels.base import HttpOptions, Secret
from chalicelib.adapters.listening.base import ListenFailure
from chalicelib.adapters.listening.mastodon import MastodonListener
from chalicelib.adapters.listening.registry import Listener, build_listener
from chalicelib.services.ports import RetryLater
from tests.standins.bluesky import BlueskyStandin
from tests.standins.facebook import FacebookPageStandin
from tests.standins.linkedin import LinkedInStandin
from tests.standins.mastodon import MastodonStandin
from tests.standins.rig import channel_config
from tests.standins.x import XStandin

FAST = HttpOptions(connect_timeout=0.5, read_timeout=1.0, max_attempts=1, sleep_budget=0.0,
                   sleep=lambda _s: None, jitter=lambda: 0.0)


@pytest.fixture
def mastodon() -> Iterator[MastodonStandin]:
    with MastodonStandin() as standin:
        yield standin


def listener(standin: MastodonStandin, token: str | None = None) -> MastodonListener:
    config = channel_config("mastodon", standin.base_url)
    built = build_listener("masto", config, Secret("env:T", lambda _r: token or standin.secret),
                           lambda _name: [], FAST)
    assert isinstance(built, MastodonListener)
    return built


def test_mastodon_replies_and_mentions_are_read_once_from_the_cursor(
        mastodon: MastodonStandin) -> None:
    ours = mastodon.others_status("Frühling im Laden")  # stands for a status we published
    reply = mastodon.add_reply(ours, "Wann öffnet ihr? <b>bald</b> & gern")
    mention = mastodon.add_reply(None, "Hallo @freigabe")
    reader = listener(mastodon)
    first = reader.read_new(None)
    assert [(i.external_id, i.in_reply_to, i.kind) for i in first.items] == [
        (reply, ours, "reply"), (mention, None, "mention")]
    assert first.items[0].text == "@freigabe Wann öffnet ihr? <b>bald</b> & gern"
    assert first.items[0].author == "@kim@mastodon.example"
    assert first.items[0].url and first.items[0].url.startswith(mastodon.base_url)
    # Nothing new: the next read from the cursor is empty, and the cursor stays
    again = reader.read_new(first.cursor)
    assert again.items == () and again.cursor == first.cursor
    # A new one: only it
    later = mastodon.add_reply(ours, "Danke!")
    third = reader.read_new(first.cursor)
    assert [i.external_id for i in third.items] == [later]
    asked = [r for r in mastodon.requests if r.path == "/api/v1/notifications"]
    assert asked[-1].query["min_id"] == [first.cursor]
    assert asked[-1].query["types[]"] == ["mention"]
    assert asked[0].bearer() == mastodon.secret


def test_mastodon_more_than_a_page_is_read_page_by_page_without_a_gap(
        mastodon: MastodonStandin) -> None:
    reader = listener(mastodon)
    mastodon.add_reply(None, "Vorher")
    cursor = reader.read_new(None).cursor
    assert cursor is not None
    made = [mastodon.add_reply(None, f"Nummer {n}") for n in range(45)]
    first = reader.read_new(cursor)
    second = reader.read_new(first.cursor)
    assert [i.external_id for i in first.items + second.items] == made


def test_mastodon_rate_limit_answers(mastodon: MastodonStandin) -> None:
    reader = listener(mastodon)
    mastodon.read_script.append("429")
    with pytest.raises(RetryLater) as raised:
        reader.read_new(None)
    assert 0 <= raised.value.retry_after <= 2
    # A read that used up the allowance says how long to rest
    mastodon.reads_left = 0
    mastodon.add_reply(None, "Hallo")
    reading = reader.read_new(None)
    assert len(reading.items) == 1 and reading.rest_seconds and 200 < reading.rest_seconds <= 300


def test_mastodon_refusals_fail_the_read(mastodon: MastodonStandin) -> None:
    with pytest.raises(ListenFailure, match="HTTP 401"):
        listener(mastodon, token="wrong").read_new(None)
    mastodon.read_script.append("500")
    with pytest.raises(ListenFailure, match="HTTP 500"):
        listener(mastodon).read_new(None)


def test_mastodon_a_first_read_that_finds_nothing_still_sets_a_cursor_and_loses_no_burst(
        mastodon: MastodonStandin) -> None:
    reader = listener(mastodon)
    empty = reader.read_new(None)
    assert empty.items == () and empty.cursor == "0"
    made = [mastodon.add_reply(None, f"Nummer {n}") for n in range(45)]
    first = reader.read_new(empty.cursor)
    second = reader.read_new(first.cursor)
    assert [i.external_id for i in first.items + second.items] == made


def test_mastodon_an_empty_first_read_starts_after_other_notifications(
        mastodon: MastodonStandin) -> None:
    favourite = str(mastodon.next_id())
    mastodon.notifications.append({"id": favourite, "type": "favourite",
                                   "created_at": "2026-04-01T08:00:00Z"})
    reader = listener(mastodon)
    empty = reader.read_new(None)
    assert empty.items == () and empty.cursor == favourite
    later = mastodon.add_reply(None, "Hallo")
    assert [i.external_id for i in reader.read_new(empty.cursor).items] == [later]


# Bluesky: app.bsky.notification.listNotifications (reasons reply and mention)


@pytest.fixture
def bsky() -> Iterator[BlueskyStandin]:
    bluesky.forget_sessions()
    with BlueskyStandin() as standin:
        yield standin
    bluesky.forget_sessions()


def bluesky_listener(standin: BlueskyStandin) -> Listener:
    built = build_listener("bsky", channel_config("bluesky", standin.base_url),
                           Secret("env:T", lambda _r: standin.secret), lambda _name: [], FAST)
    assert built is not None
    return built


def test_bluesky_replies_and_mentions_are_read_once_from_the_cursor(bsky: BlueskyStandin) -> None:
    ours = bsky.others_post("Frühling im Laden")  # stands for a post we published
    reply = bsky.add_reply(ours, "Wann öffnet ihr?")
    bsky.add_reply(ours, "gefällt mir", reason="like")  # not a reply or mention: not asked for
    mention = bsky.add_reply(None, "Hallo")
    reader = bluesky_listener(bsky)
    first = reader.read_new(None)
    assert [(i.external_id, i.in_reply_to, i.kind) for i in first.items] == [
        (reply, ours, "reply"), (mention, None, "mention")]
    assert first.items[0].author == "@kim.bsky.social"
    assert first.items[0].text == "@freigabe.test Wann öffnet ihr?"
    assert first.items[0].url == f"https://bsky.app/profile/kim.bsky.social/post/{reply.rsplit('/', 1)[-1]}"
    again = reader.read_new(first.cursor)
    assert again.items == () and again.cursor == first.cursor
    # One more within the same second as the cursor: read, not lost to rounding
    later = bsky.add_reply(ours, "Danke!")
    assert [i.external_id for i in reader.read_new(first.cursor).items] == [later]
    asked = [r for r in bsky.requests if r.path.endswith("listNotifications")]
    assert asked[0].query["reasons"] == ["reply", "mention"]


def test_bluesky_a_burst_is_read_page_by_page_back_to_the_cursor(bsky: BlueskyStandin) -> None:
    reader = bluesky_listener(bsky)
    bsky.add_reply(None, "Vorher")
    cursor = reader.read_new(None).cursor
    made = [bsky.add_reply(None, f"Nummer {n}") for n in range(120)]
    reading = reader.read_new(cursor)
    assert [i.external_id for i in reading.items] == made
    pages = [r for r in bsky.requests if r.path.endswith("listNotifications")][1:]
    assert len(pages) == 3 and "cursor" not in pages[0].query and pages[1].query["cursor"]
    assert reader.read_new(reading.cursor).items == ()


def test_bluesky_rate_limit_and_refusals(bsky: BlueskyStandin) -> None:
    reader = bluesky_listener(bsky)
    bsky.read_script.append("429")
    with pytest.raises(RetryLater) as raised:
        reader.read_new(None)
    assert 0 <= raised.value.retry_after <= 2
    bsky.read_script.append("500")
    with pytest.raises(ListenFailure, match="HTTP 500"):
        reader.read_new(None)
    bsky.read_script.append("401")
    with pytest.raises(ListenFailure, match="HTTP 401"):
        reader.read_new(None)
    assert bsky.posts == []


# LinkedIn and Facebook: comments on the posts we published (``watched``)


def comments_listener(standin: LinkedInStandin | FacebookPageStandin, watched: list[str],
                      token: str | None = None) -> Listener:
    built = build_listener(standin.network, channel_config(standin.network, standin.base_url),
                           Secret("env:T", lambda _r: token or standin.secret),
                           lambda _name: watched, FAST)
    assert built is not None
    return built


@pytest.mark.parametrize("network", [LinkedInStandin, FacebookPageStandin])
def test_comments_are_read_once_from_the_cursor(
        network: type[LinkedInStandin | FacebookPageStandin]) -> None:
    post = "urn:li:share:7300000000000000001" if network is LinkedInStandin else "1048_2001"
    with network() as standin:
        first_comment = standin.add_reply(post, "Wann öffnet ihr?")
        reader = comments_listener(standin, [post])
        first = reader.read_new(None)
        assert [(i.external_id, i.in_reply_to, i.kind, i.text) for i in first.items] == [
            (first_comment, post, "reply", "Wann öffnet ihr?")]
        assert first.cursor
        again = reader.read_new(first.cursor)
        assert {i.external_id for i in again.items} <= {first_comment}  # nothing new
        time.sleep(1.01 if network is FacebookPageStandin else 0)  # Graph's times are seconds
        later = standin.add_reply(post, "Danke!")
        third = reader.read_new(first.cursor)
        assert later in [i.external_id for i in third.items]
        assert [i.external_id for i in reader.read_new(third.cursor).items if i.external_id == later] \
            in ([], [later])


@pytest.mark.parametrize("network", [LinkedInStandin, FacebookPageStandin])
def test_a_busy_post_is_read_page_by_page(
        network: type[LinkedInStandin | FacebookPageStandin]) -> None:
    post = "urn:li:share:7300000000000000002" if network is LinkedInStandin else "1048_2002"
    with network() as standin:
        made = [standin.add_reply(post, f"Nummer {n}") for n in range(230)]
        reading = comments_listener(standin, [post]).read_new(None)
        assert sorted(i.external_id for i in reading.items) == sorted(made)
        assert len([r for r in standin.requests if r.method == "GET"]) >= 3


def test_facebook_replies_to_comments_are_read_with_their_parent() -> None:
    with FacebookPageStandin() as standin:
        comment = standin.add_reply("1048_2003", "Gibt es das auch in Blau?")
        answer = standin.add_reply(comment, "Ja, bitte!")
        items = comments_listener(standin, ["1048_2003"]).read_new(None).items
        assert [(i.external_id, i.in_reply_to) for i in items] == [
            (comment, "1048_2003"), (answer, comment)]


@pytest.mark.parametrize("network", [LinkedInStandin, FacebookPageStandin])
def test_comment_reads_rate_limit_and_refusals(
        network: type[LinkedInStandin | FacebookPageStandin]) -> None:
    post = "urn:li:share:7300000000000000003" if network is LinkedInStandin else "1048_2004"
    with network() as standin:
        reader = comments_listener(standin, [post])
        standin.read_script.append("429")
        with pytest.raises(RetryLater) as raised:
            reader.read_new(None)
        expected = 120.0 if network is FacebookPageStandin else 1.0  # BUC minutes; Retry-After
        assert raised.value.retry_after == expected
        standin.read_script.append("500")
        with pytest.raises(ListenFailure, match="500"):
            reader.read_new(None)
        with pytest.raises(ListenFailure):
            comments_listener(standin, [post], token="wrong").read_new(None)
        assert standin.posts == []


# X: mentions (GET /2/users/{id}/mentions), on a channel with ``listen``


def x_listener(standin: XStandin, token: str | None = None) -> Listener:
    config = channel_config("x", standin.base_url).model_copy(update={"listen": True})
    built = build_listener("x", config, Secret("env:T", lambda _r: token or standin.secret),
                           lambda _name: [], FAST)
    assert built is not None
    return built


def test_x_mentions_are_read_once_from_the_cursor_and_a_burst_page_by_page() -> None:
    with XStandin() as standin:
        reply = standin.add_reply("1900000000000000001", "Wann öffnet ihr?")
        mention = standin.add_reply(None, "Hallo")
        reader = x_listener(standin)
        first = reader.read_new(None)
        assert [(i.external_id, i.in_reply_to, i.kind, i.author) for i in first.items] == [
            (reply, "1900000000000000001", "reply", "@kim_muster"), (mention, None, "mention",
                                                                      "@kim_muster")]
        assert first.cursor == mention
        again = reader.read_new(first.cursor)
        assert again.items == () and again.cursor == first.cursor
        made = [standin.add_reply(None, f"Nummer {n}") for n in range(150)]
        burst = reader.read_new(first.cursor)
        assert [i.external_id for i in burst.items] == made and burst.cursor == made[-1]
        asked = [r for r in standin.requests if r.path.endswith("/mentions")]
        assert asked[-1].query["pagination_token"] and asked[-1].query["since_id"] == [mention]


def test_x_rate_limit_and_refusals() -> None:
    with XStandin() as standin:
        reader = x_listener(standin)
        standin.read_script.append("429")
        with pytest.raises(RetryLater) as raised:
            reader.read_new(None)
        assert 0 <= raised.value.retry_after <= 2
        standin.read_script.append("500")
        with pytest.raises(ListenFailure, match="HTTP 500"):
            reader.read_new(None)
        with pytest.raises(ListenFailure, match="HTTP 401"):
            x_listener(standin, token="wrong").read_new(None)
