"""Listening (services/listening.py) against the in-memory store, a Slack stand-in and
scripted networks: cursors, nothing kept twice, rate-limit answers, a failing network, where
items are shown, reminders once, Done; and the Slack message escaping hostile text."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.adapters.slack.conversation import ANSWER, DONE, item_message
from chalicelib.domain.conversation import ConversationItem, Incoming, Reading, inbox
from chalicelib.domain.errors import NotFound
from chalicelib.domain.events import PostSettled
from chalicelib.domain.workflow import Workflow
from chalicelib.services import listening
from chalicelib.services.listening import Listening, ListeningChannel, PublishedIndex
from tests.fakes.conversations import (
    FakeConversationStore,
    FakeSlackConversations,
    ScriptedListener,
    rate_limited,
)

T0 = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
WORKFLOW = Workflow(steps=(), channels={"masto": "mastodon", "sky": "bluesky"},
                    inbox_channel="CINBOX1", answer_within_hours=4, language="en")


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def incoming(external_id: str, *, channel: str = "masto", in_reply_to: str | None = "900",
             at: str = "2026-05-04T08:59:00Z", text: str = "Schön!") -> Incoming:
    return Incoming(channel=channel, external_id=external_id, author="@kim@social.example",
                    text=text, url=f"https://social.example/@kim/{external_id}", at=at,
                    in_reply_to=in_reply_to, kind="reply" if in_reply_to else "mention")


@pytest.fixture
def rig() -> tuple[Listening, FakeConversationStore, FakeSlackConversations, Clock]:
    store, slack, clock = FakeConversationStore(), FakeSlackConversations(), Clock()
    store.remember_publication("masto", "900", "post-1", "default", "2026-05-01T00:00:00Z")
    deps = Listening(store=store, notifier=slack, clock=clock, workflow_for=lambda _b: WORKFLOW)
    return deps, store, slack, clock


def test_cursors_advance_and_nothing_is_kept_twice(rig) -> None:  # type: ignore[no-untyped-def]
    deps, store, slack, clock = rig
    # GIVEN a network that has two new replies, then the second again (an overlapping read)
    network = ScriptedListener([Reading((incoming("1"), incoming("2")), "c2"),
                                Reading((incoming("2"), incoming("3")), "c3")])
    channel = ListeningChannel("masto", "default", network)
    # WHEN it is read twice
    first = listening.listen(deps, [channel])
    clock.now += timedelta(minutes=1)
    second = listening.listen(deps, [channel])
    # THEN the second read started at the first one's cursor, and each reply is kept once
    assert network.asked == [None, "c2"]
    assert store.cursors["masto"].value == "c3"
    assert (first["stored"], second["stored"]) == (2, 1)
    assert sorted(i.incoming.external_id for i in store.items.values()) == ["1", "2", "3"]
    # AND each reply went to the post it answers, shown once in its thread
    assert {i.conversation for i in store.items.values()} == {"post-1"}
    assert sorted(slack.shown) == sorted(i.key for i in store.items.values())
    assert all(where[0] == "thread:post-1" for where in slack.shown.values())


def test_a_mention_that_answers_no_post_goes_to_the_brand_inbox(rig) -> None:  # type: ignore[no-untyped-def]
    deps, store, slack, _ = rig
    network = ScriptedListener([Reading((incoming("7", in_reply_to=None),
                                         incoming("8", in_reply_to="someone-elses")), "c")])
    listening.listen(deps, [ListeningChannel("masto", "default", network)])
    assert {i.conversation for i in store.items.values()} == {inbox("default")}
    assert {where[0] for where in slack.shown.values()} == {"CINBOX1"}


def test_a_rate_limit_answer_leaves_the_channel_alone_until_its_reset(rig) -> None:  # type: ignore[no-untyped-def]
    deps, store, _, clock = rig
    network = ScriptedListener([Reading((incoming("1"),), "c1"), rate_limited(120),
                                Reading((incoming("2"),), "c2")])
    channel = ListeningChannel("masto", "default", network)
    listening.listen(deps, [channel])
    clock.now += timedelta(minutes=1)
    assert listening.listen(deps, [channel])["rate_limited"] == 1
    # WHEN the next run comes before the reset: the network is not asked at all
    clock.now += timedelta(minutes=1)
    assert listening.listen(deps, [channel])["rate_limited"] == 1
    assert network.asked == [None, "c1"]
    assert store.cursors["masto"].value == "c1"  # the cursor did not move
    # THEN after the reset it is read from where it stood
    clock.now += timedelta(minutes=2)
    assert listening.listen(deps, [channel])["stored"] == 1
    assert network.asked == [None, "c1", "c1"]
    assert store.cursors["masto"].value == "c2"


def test_a_network_that_says_its_allowance_is_used_up_rests(rig) -> None:  # type: ignore[no-untyped-def]
    deps, _, _, clock = rig
    network = ScriptedListener([Reading((incoming("1"),), "c1", rest_seconds=300)])
    channel = ListeningChannel("masto", "default", network)
    listening.listen(deps, [channel])
    clock.now += timedelta(minutes=2)
    listening.listen(deps, [channel])
    assert network.asked == [None]


def test_one_failing_network_does_not_stop_the_others(rig) -> None:  # type: ignore[no-untyped-def]
    deps, store, _, _ = rig
    broken = ScriptedListener([ConnectionError("down")])
    working = ScriptedListener([Reading((incoming("s1", channel="sky", in_reply_to=None),), "x")])
    counts = listening.listen(deps, [ListeningChannel("masto", "default", broken),
                                     ListeningChannel("sky", "default", working)])
    assert (counts["failed"], counts["stored"]) == (1, 1)
    assert [i.incoming.external_id for i in store.items.values()] == ["s1"]
    assert store.cursors["masto"].failures == 1 and store.cursors["masto"].value is None


def test_listen_seconds_spaces_the_reads(rig) -> None:  # type: ignore[no-untyped-def]
    deps, _, _, clock = rig
    network = ScriptedListener()
    channel = ListeningChannel("masto", "default", network, every_seconds=300)
    listening.listen(deps, [channel])
    clock.now += timedelta(minutes=2)
    assert listening.listen(deps, [channel])["not_due"] == 1
    clock.now += timedelta(minutes=3)
    listening.listen(deps, [channel])
    assert len(network.asked) == 2


def test_an_item_slack_did_not_take_is_shown_at_the_next_run(rig) -> None:  # type: ignore[no-untyped-def]
    deps, store, slack, _ = rig
    slack.broken = True
    listening.listen(deps, [ListeningChannel("masto", "default",
                                             ScriptedListener([Reading((incoming("1"),), "c")]))])
    assert slack.shown == {} and not next(iter(store.items.values())).shown
    slack.broken = False
    assert listening.listen(deps, [])["shown"] == 1
    assert next(iter(store.items.values())).slack_channel == "thread:post-1"


def test_an_unanswered_item_is_reminded_once(rig) -> None:  # type: ignore[no-untyped-def]
    deps, store, slack, clock = rig
    listening.listen(deps, [ListeningChannel("masto", "default",
                                             ScriptedListener([Reading((incoming("1"),), "c")]))])
    clock.now = T0 + timedelta(hours=3)
    assert listening.remind_unanswered(deps) == 0
    clock.now = T0 + timedelta(hours=4, minutes=1)
    assert listening.remind_unanswered(deps) == 1
    assert listening.remind_unanswered(deps) == 0
    assert slack.reminded == [next(iter(store.items.values())).key]


def test_done_closes_the_item_and_its_message(rig) -> None:  # type: ignore[no-untyped-def]
    deps, store, slack, clock = rig
    listening.listen(deps, [ListeningChannel("masto", "default",
                                             ScriptedListener([Reading((incoming("1"),), "c")]))])
    item = next(iter(store.items.values()))
    done = listening.mark_done(deps, item.conversation, item.key, "U0REVIEW")
    assert (done.status, done.done_by) == ("done", "U0REVIEW")
    assert store.get(item.conversation, item.key) == done
    assert slack.closings == [(item.key, "U0REVIEW")]
    assert store.open_items() == []
    # AND a done item is not reminded, and Done again changes nothing
    clock.now = T0 + timedelta(hours=9)
    assert listening.remind_unanswered(deps) == 0
    listening.mark_done(deps, item.conversation, item.key, "U0OTHER")
    assert store.get(item.conversation, item.key) == done
    with pytest.raises(NotFound):
        listening.mark_done(deps, item.conversation, "no-such-key", "U0REVIEW")


def test_settled_posts_are_indexed_by_their_network_ids() -> None:
    from chalicelib.domain.content import Content
    from chalicelib.domain.post import ChannelResult, Post
    from chalicelib.domain.status import ResultStatus

    store = FakeConversationStore()
    post = Post.create("post-9", "wanda@example.com", "Wanda", Content(text="Hallo",
                       channels=("masto", "sky")), None, T0, brand="shop")
    post.results = {"masto": ChannelResult(ResultStatus.PUBLISHED, external_id="1234"),
                    "sky": ChannelResult(ResultStatus.FAILED, error="HTTP 500")}
    PublishedIndex(lambda: store, lambda: T0).handle(post, PostSettled(post.id, "published"))
    assert store.post_for("masto", "1234") == ("post-9", "shop")
    assert store.published.keys() == {("masto", "1234")}


HOSTILE = "<!channel> <https://evil.example|Klick> & *bold* <@U0BOSS> @here"


def test_hostile_reply_text_is_escaped_in_slack() -> None:
    item = ConversationItem(conversation="post-1", brand="default", post_id="post-1",
                            incoming=Incoming(
                                channel="masto", external_id="1", author="<!everyone>",
                                text=HOSTILE, url="javascript:alert(1)", at="2026-05-04T08:59:00Z",
                                in_reply_to="900"))
    text, blocks = item_message(item, "en")
    shown = json.dumps(blocks) + text
    for raw in ("<!channel>", "<https://evil", "<@U0BOSS>", "<!everyone>", "javascript:"):
        assert raw not in shown
    assert "&lt;!channel&gt;" in shown and "&amp;" in shown
    actions = [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert actions == [ANSWER, DONE]
