"""The stream's Slack handler against a recording fake of Slack's Web API: what a retry can
fix is raised (the stream retries the record), what it cannot is logged and passed over."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.slack_response import SlackResponse

from chalicelib.adapters.slack.notifier import SlackNotifier, SlackPorts
from chalicelib.config import load_config, parse_config
from chalicelib.domain import events as ev
from chalicelib.domain.content import Content
from chalicelib.domain.post import Post
from tests.fakes import FakeDirectory, FakeSlack, MemoryPostRepository
from tests.unit.helpers import LEGAL1, NOW, WORKFLOW_FILE, eligible, new_post, workflow, workflow_file


def slack_error(error: str, status: int = 200) -> SlackApiError:
    response = SlackResponse(client=None, http_verb="POST", api_url="https://slack.test/api/x",
                             req_args={}, data={"ok": False, "error": error}, headers={},
                             status_code=status)
    return SlackApiError(error, response)


def notifier_for(slack: FakeSlack, directory: FakeDirectory,
                 repo: MemoryPostRepository) -> SlackNotifier:
    routing = load_config(WORKFLOW_FILE).slack
    return SlackNotifier(lambda: SlackPorts(slack, directory, repo, workflow(), routing),
                         clock=lambda: NOW)


@pytest.fixture
def world() -> tuple[SlackNotifier, FakeSlack, MemoryPostRepository, Post]:
    repo = MemoryPostRepository()
    post = new_post("Rabatt im Advent")
    post.submit(workflow(), post.author, NOW)
    repo.save(post)
    slack = FakeSlack()
    notifier = notifier_for(slack, FakeDirectory({post.author: "U0WRITER"}), repo)
    return notifier, slack, repo, repo.get(post.id)


def requested(post: Post, step: str = "legal") -> ev.ReviewRequested:
    return ev.ReviewRequested(post.id, step, post.content_hash)


def test_a_redelivered_request_is_posted_once(world: Any) -> None:
    notifier, slack, repo, post = world
    notifier.handle(post, requested(post))
    notifier.handle(post, requested(post))
    assert [p["channel"] for p in slack.posted] == ["C0LEGAL"]
    assert repo.stored_refs[post.id]["slack:legal"]["ts"] == "1.000"


@pytest.mark.parametrize("failure", [
    slack_error("ratelimited", 429), slack_error("internal_error", 500), slack_error("fatal_error"),
    ConnectionResetError("reset"), TimeoutError("slow"),
])
def test_what_a_retry_can_fix_is_raised(world: Any, failure: BaseException) -> None:
    notifier, slack, repo, post = world
    slack.fail["chat_postMessage"] = failure
    with pytest.raises(type(failure)):
        notifier.handle(post, requested(post))
    assert repo.stored_refs[post.id]["slack:legal"]["state"] == "posting"  # the intent only
    del slack.fail["chat_postMessage"]
    notifier.handle(post, requested(post))  # the stream's retry
    assert len(slack.posted) == 1


@pytest.mark.parametrize("error", ["channel_not_found", "not_in_channel", "is_archived", "invalid_blocks"])
def test_permanent_refusals_are_logged_and_passed_over(world: Any, error: str) -> None:
    notifier, slack, _, post = world
    slack.fail["chat_postMessage"] = slack_error(error)
    notifier.handle(post, requested(post))
    assert slack.posted == []


def test_a_deleted_request_message_does_not_stop_the_authors_dm(world: Any) -> None:
    notifier, slack, repo, post = world
    notifier.handle(post, requested(post))
    wf = workflow()
    post.decide(wf, "legal", LEGAL1, "approve", post.content_hash, "", NOW, eligible(wf, "legal"))
    repo.save(post)
    post = repo.get(post.id)
    slack.fail["chat_update"] = slack_error("message_not_found")
    notifier.handle(post, ev.DecisionRecorded(post.id, "legal", "approve", "U0LEGAL1", ""))
    assert slack.updated == [] and slack.posted[-1]["channel"] == "D0WRITER"
    slack.fail["chat_update"] = slack_error("ratelimited", 429)
    with pytest.raises(SlackApiError):
        notifier.handle(post, ev.DecisionRecorded(post.id, "legal", "approve", "U0LEGAL1", ""))


def test_an_author_without_slack_gets_no_dm_and_nothing_fails(
        world: Any, app_logs: pytest.LogCaptureFixture) -> None:
    _, slack, repo, post = world
    notifier = notifier_for(slack, FakeDirectory({}), repo)
    notifier.handle(post, ev.PostScheduled(post.id, None))
    assert slack.posted == []
    assert [r.getMessage() for r in app_logs.records if r.levelno >= logging.WARNING] == []


def test_a_request_for_a_superseded_version_is_not_posted(world: Any) -> None:
    notifier, slack, _, post = world
    notifier.handle(post, ev.ReviewRequested(post.id, "legal", "0" * 64))
    assert slack.posted == []


def test_a_lost_answer_to_a_request_is_adopted_not_posted_again(world: Any) -> None:
    notifier, slack, repo, post = world
    slack.lose_answer["chat_postMessage"] = TimeoutError("answer lost")
    with pytest.raises(TimeoutError):
        notifier.handle(post, requested(post))
    assert repo.stored_refs[post.id]["slack:legal"]["state"] == "posting"
    notifier.handle(post, requested(post))  # the stream's retry
    assert [p["channel"] for p in slack.posted] == ["C0LEGAL"]
    ref = repo.stored_refs[post.id]["slack:legal"]
    assert (ref["state"], ref["ts"], ref["content_hash"]) == ("open", "1.000", post.content_hash)
    assert slack.posted[0]["metadata"]["event_payload"] == {
        "post_id": post.id, "step": "legal", "content_hash": post.content_hash,
        "requested_at": post.step("legal").requested_at}


def test_a_lost_request_for_an_older_text_is_closed_with_the_reason(world: Any) -> None:
    notifier, slack, repo, post = world
    slack.lose_answer["chat_postMessage"] = TimeoutError("answer lost")
    with pytest.raises(TimeoutError):
        notifier.handle(post, requested(post))
    post.edit(workflow(), post.author, NOW, Content("Rabatt im Januar", post.content.channels),
              post.publish_at)
    repo.save(post)
    post = repo.get(post.id)
    notifier.handle(post, requested(post))
    assert len(slack.posted) == 2
    first = slack.shown("1.000")
    assert "blocks" in first and "actions" not in [b["type"] for b in first["blocks"]]
    assert "Überholt: Der Text wurde geändert" in json.dumps(first["blocks"], ensure_ascii=False)
    assert repo.stored_refs[post.id]["slack:legal"]["ts"] == "2.000"


def test_the_dev_workspace_keeps_message_metadata_and_answers_history(slack_servers: Any) -> None:
    from slack_sdk import WebClient

    from dev.slack_workspace import DEV_BOT_TOKEN

    slack_servers.workspace.workspace.reset()
    client = WebClient(token=DEV_BOT_TOKEN, base_url=slack_servers.workspace.api_url.rstrip("/") + "/")
    meta = {"event_type": "freigabe_review_request", "event_payload": {"post_id": "p1"}}
    posted = client.chat_postMessage(channel="C0LEGAL", text="Anfrage", metadata=meta)
    client.chat_update(channel="C0LEGAL", ts=posted["ts"], text="Überholt")
    client.chat_postMessage(channel="C0LEGAL", text="im Thread", thread_ts=posted["ts"])
    later = client.chat_postMessage(channel="C0LEGAL", text="später")
    answer = client.conversations_history(channel="C0LEGAL", include_all_metadata=True,
                                          oldest=str(float(posted["ts"]) - 1), limit=200)
    assert [m["ts"] for m in answer["messages"]] == [later["ts"], posted["ts"]]  # newest first
    assert answer["messages"][1]["metadata"] == meta and answer["messages"][1]["text"] == "Überholt"
    plain = client.conversations_history(channel="C0LEGAL", limit=1)
    assert "metadata" not in plain["messages"][0] and plain["has_more"] is True
    assert plain["response_metadata"]["next_cursor"]


def test_a_stale_approval_is_voided_even_when_no_new_request_follows(world: Any) -> None:
    notifier, slack, repo, post = world
    repo.save_ref(post.id, "slack:legal", {"channel": "C0LEGAL", "ts": "9.000", "state": "decided",
                                           "decision": "approve", "content_hash": "0" * 64})
    notifier.handle(post, ev.PostScheduled(post.id, None))
    (update,) = slack.updated
    assert update["ts"] == "9.000" and "actions" not in [b["type"] for b in update["blocks"]]
    said = json.dumps(update["blocks"], ensure_ascii=False)
    assert f"Freigabe aufgehoben: Der Text wurde in Version {post.version} geändert." in said
    assert repo.stored_refs[post.id]["slack:legal"]["state"] == "voided"
    notifier.handle(post, ev.PostScheduled(post.id, None))
    assert len(slack.updated) == 1  # said once


def test_a_decision_on_a_step_since_removed_from_the_workflow_updates_the_request(world: Any) -> None:
    """A step taken out of the workflow file while a post is in review: the request still shows
    the decision and the approvals the post's own record asks for (no KeyError on the stream)."""
    _, slack, repo, post = world
    data = workflow_file()
    data["steps"][0]["approvals_required"] = 2
    two = parse_config(data).workflow
    post = new_post("Rabatt im Advent", post_id="p2")
    post.submit(two, post.author, NOW)
    repo.save(post)
    post = repo.get("p2")
    legal_only = [step for step in data["steps"] if step["name"] != "legal"]
    without_legal = parse_config({**data, "steps": legal_only}).workflow
    routing = load_config(WORKFLOW_FILE).slack
    notifier = SlackNotifier(lambda: SlackPorts(slack, FakeDirectory({post.author: "U0WRITER"}), repo,
                                                without_legal, routing), clock=lambda: NOW)
    SlackNotifier(lambda: SlackPorts(slack, FakeDirectory({}), repo, two, routing),
                  clock=lambda: NOW).handle(post, requested(post))
    post.decide(two, "legal", LEGAL1, "approve", post.content_hash, "", NOW, eligible(two, "legal"))
    repo.save(post)
    post = repo.get("p2")

    notifier.handle(post, ev.DecisionRecorded(post.id, "legal", "approve", "U0LEGAL1", ""))

    (update,) = slack.updated
    assert "1 von 2 Freigaben" in json.dumps(update["blocks"], ensure_ascii=False)
    assert slack.posted[-1]["channel"] == "D0WRITER"
