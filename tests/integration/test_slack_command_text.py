"""Slash commands as Slack sends them with the manifest's should_escape: true, through the dev
workspace: a pause's reason is stored as the admin typed it (entities and mentions read back)
and shown escaped exactly once; `/freigabe away` still finds the deputy in <@U…|name>."""

from __future__ import annotations

from tests.integration.slack_helpers import SlackRig


def test_a_pause_reason_sent_escaped_is_kept_as_typed_and_shown_once_escaped(
        slack_rig: SlackRig) -> None:
    from chalicelib import bootstrap

    said = slack_rig.command("U0ADMIN", "pause Krise &amp; Co &lt;heute&gt; frag <@U0LEGAL1|lena>")
    assert said["status"] == 200, said
    assert "Krise &amp; Co &lt;heute&gt; frag @lena" in said["body"]["text"], said["body"]["text"]
    pause = bootstrap.container().control.pause_state()
    assert pause is not None and pause["reason"] == "Krise & Co <heute> frag @lena"
    status = slack_rig.command("U0LEGAL1", "status")["body"]["text"]
    assert "Krise &amp; Co &lt;heute&gt; frag @lena" in status, status
    assert "&amp;amp;" not in status
    slack_rig.command("U0ADMIN", "resume")


def test_away_reads_the_escaped_mention_and_stats_its_period(slack_rig: SlackRig) -> None:
    from chalicelib import bootstrap

    said = slack_rig.command("U0LEGAL1", "away 3d <@U0ADMIN|ada>")
    assert "<@U0ADMIN>" in said["body"]["text"]
    container = bootstrap.container()
    assert [a.deputy for a in container.deputies.of_reviewer("U0LEGAL1", container.clock())] \
        == ["U0ADMIN"]
    assert slack_rig.command("U0LEGAL1", "stats 30d")["status"] == 200
