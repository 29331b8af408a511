"""Replies and mentions from the Mastodon stand-in into the Slack dev workspace, through the
listen schedule's handler on the emulator's table: a reply to our post lands in the post's
review thread within one poll (escaped, with Answer and Done), a mention in the brand's inbox
channel, Done closes it, and an unanswered one is reminded once."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.integration.slack_helpers import SlackRig, buttons, shown_text
from tests.standins.mastodon import MastodonStandin

INBOX = "C0GENERAL"  # a channel the dev workspace has


@pytest.fixture
def mastodon(slack_rig: SlackRig, tmp_path: Path,
             monkeypatch: pytest.MonkeyPatch) -> Iterator[MastodonStandin]:
    from chalicelib import bootstrap

    with MastodonStandin() as standin:
        text = (ROOT / "tests" / "fixtures" / "workflow.toml").read_text()
        text = text.replace('base_url = "https://mastodon.example"',
                            f'base_url = "{standin.base_url}"')
        text = text.replace("require_alt_text = true\n",
                            f'require_alt_text = true\ninbox_channel = "{INBOX}"\n'
                            "answer_within_hours = 0.0003\n")
        config = tmp_path / "workflow.toml"
        config.write_text(text)
        monkeypatch.setenv("FREIGABE_CONFIG", str(config))
        monkeypatch.setenv("MASTODON_TOKEN", standin.secret)
        bootstrap.reset()
        yield standin
        bootstrap.reset()


def listen() -> dict[str, int]:
    import app as application
    from dev.lambda_events import LambdaContext, scheduled_event

    handler = application.app.handler_map["listen"]
    context = LambdaContext("freigabe-local-listen", 512,
                            "arn:aws:lambda:eu-central-1:123456789012:function:listen", 60)
    event = scheduled_event("arn:aws:events:eu-central-1:123456789012:rule/freigabe-local-listen",
                            "eu-central-1", "123456789012")
    return handler(event, context)  # type: ignore[no-any-return]


def test_a_reply_to_a_published_post_appears_in_its_thread_within_one_poll(
        slack_rig: SlackRig, mastodon: MastodonStandin) -> None:
    from chalicelib import bootstrap

    # GIVEN a post with its review request in Slack, published on Mastodon as status `ours`
    post = slack_rig.create(channels=["mastodon"], text="Frühling im Laden")
    slack_rig.relay.pump()
    request = slack_rig.request_for("C0BRAND", post["id"])
    ours = mastodon.others_status("Frühling im Laden")
    bootstrap.container().conversations.remember_publication(
        "mastodon", ours, post["id"], "default", "2026-05-01T00:00:00Z")
    # WHEN someone replies there with hostile text, and the schedule runs once
    reply = mastodon.add_reply(ours, "Super <!channel> & <https://evil.example|hier>",
                               author="kim@social.example")
    counts = listen()
    assert (counts["stored"], counts["shown"]) == (1, 1)
    # THEN the reply is in the post's thread, escaped, with the author, a link, Answer and Done
    [message] = slack_rig.thread(request)
    shown = shown_text(message)
    assert "@kim@social.example" in shown
    assert "&lt;!channel&gt;" in shown and "<!channel>" not in shown
    assert "<https://evil.example" not in json.dumps(message["blocks"])
    assert f"/{reply}|" in json.dumps(message["blocks"])
    assert [b["action_id"] for b in buttons(message)] == ["freigabe_answer", "freigabe_done"]
    # AND a second poll shows nothing twice
    assert listen()["stored"] == 0 and len(slack_rig.thread(request)) == 1
    # WHEN a reviewer clicks Done
    slack_rig.click("U0BRAND1", {**message, "channel": request["channel"]}, "freigabe_done")
    # THEN it is done, says by whom, and offers no buttons
    [item] = bootstrap.container().conversations.conversation(post["id"])
    assert (item.status, item.done_by) == ("done", "U0BRAND1")
    [closed] = slack_rig.thread(request)
    assert buttons(closed) == [] and "U0BRAND1" in json.dumps(closed["blocks"])


def test_a_mention_without_a_post_lands_in_the_inbox_and_is_reminded_once(
        slack_rig: SlackRig, mastodon: MastodonStandin) -> None:
    from chalicelib.handlers.listening import remind_unanswered

    mastodon.add_reply(None, "Hallo @freigabe, habt ihr offen?")
    assert listen()["shown"] == 1
    [message] = slack_rig.messages(INBOX)
    assert "habt ihr offen?" in shown_text(message)
    assert [b["action_id"] for b in buttons(message)] == ["freigabe_answer", "freigabe_done"]
    time.sleep(1.3)  # answer_within_hours = 0.0003: about a second
    assert remind_unanswered() == {"unanswered_reminded": 1}
    assert remind_unanswered() == {"unanswered_reminded": 0}
    reminders = [m for m in slack_rig.messages(INBOX) if m.get("thread_ts") == message["ts"]
                 and m["ts"] != message["ts"]]
    assert len(reminders) == 1 and "unbeantwortet" in shown_text(reminders[0])
