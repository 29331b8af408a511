"""Freigabe's own log lines stay on whatever Bolt does with its loggers."""

from __future__ import annotations

import logging

import pytest

from chalicelib.adapters.slack.blocks import APPROVE
from tests.integration.slack_helpers import SlackRig


def test_a_decision_is_logged_at_info_after_several_slack_requests(
        slack_rig: SlackRig, app_logs: pytest.LogCaptureFixture,
        monkeypatch: pytest.MonkeyPatch) -> None:
    # As observability.setup() leaves them on the first invocation of every function.
    monkeypatch.setattr(logging.getLogger("freigabe"), "level", logging.INFO)
    post = slack_rig.create(text="Rabatt im Advent")
    slack_rig.relay.pump()
    for _ in range(3):
        slack_rig.command("U0LEGAL1", "help")

    slack_rig.click("U0LEGAL1", slack_rig.request_for("C0LEGAL", post["id"]), APPROVE)

    assert logging.getLogger("freigabe").level == logging.INFO
    # One record may reach the capture twice (through "freigabe" and through the root logger).
    unique = {id(r): r for r in app_logs.records}.values()
    decisions = [r for r in unique if r.name == "freigabe.slack" and r.getMessage() == "decision"]
    assert [(r.levelno, r.__dict__.get("decision"), r.__dict__.get("post_id")) for r in decisions] == [
        (logging.INFO, "approve", post["id"])]
