"""The stream's Slack handler against a recording fake of Slack's Web API: what a retry can
fix is raised (the stream retries the record), what it cannot is logged and passed over."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.slack_response import SlackResponse

from chalicelib.adapters.slack.notifier import SlackNotifier, SlackPorts
from chalicelib.config import load_config
from chalicelib.domain import events as ev
from chalicelib.domain.post import Post
from tests.fakes import FakeDirectory, FakeSlack, MemoryPostRepository
from tests.unit.helpers import LEGAL1, NOW, WORKFLOW_FILE, eligible, new_post, workflow


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
    assert "slack:legal" not in repo.stored_refs.get(post.id, {})
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
