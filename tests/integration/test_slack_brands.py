"""Brands in Slack, through the dev workspace on the two-brand fixture: `/freigabe status
<brand>` and `/freigabe queue <brand>` speak of that brand's posts alone, an unknown brand is
answered with the brands there are, and App Home names each pending review's brand."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.adapters.slack.blocks import APPROVE
from tests.conftest import ROOT
from tests.integration.slack_helpers import SlackRig, shown_text, stored

BRANDS = ROOT / "tests" / "fixtures" / "workflow_brands.toml"
BOTH = "wanda.writer@freigabe.example"  # writes for freigabe and kaffeebar


@pytest.fixture
def rig(slack_rig: SlackRig, monkeypatch: pytest.MonkeyPatch) -> Iterator[SlackRig]:
    from chalicelib import bootstrap

    monkeypatch.setenv("FREIGABE_CONFIG", str(BRANDS))
    bootstrap.reset()
    yield slack_rig


def soon(hours: int) -> str:
    return (datetime.now(UTC) + timedelta(hours=hours)).replace(microsecond=0).isoformat()


def two_posts(rig: SlackRig) -> tuple[dict[str, object], dict[str, object]]:
    """A post of each brand in review: freigabe's needs legal (U0LEGAL2 among them), the
    Kaffeebar's its brand step (U0LEGAL2 alone)."""
    ours = rig.create(user=BOTH, brand="freigabe", channels=["outbox"],
                      text="Gewinnspiel im Mai", title="Mai-Gewinnspiel", publish_at=soon(5))
    theirs = rig.create(user=BOTH, brand="kaffeebar", channels=["kaffee_outbox"],
                        text="Neue Bohnen aus Kolumbien", title="Neue Bohnen", publish_at=soon(3))
    rig.relay.pump()
    return ours, theirs


def test_status_of_a_brand_counts_its_posts_alone(rig: SlackRig) -> None:
    two_posts(rig)
    rig.create(user=BOTH, brand="kaffeebar", channels=["kaffee_outbox"], text="Zweiter Kaffee")

    kaffee = rig.command("U0LEGAL2", "status kaffeebar")["body"]["text"]
    ours = rig.command("U0LEGAL2", "status freigabe")["body"]["text"]
    everyone = rig.command("U0LEGAL2", "status")["body"]["text"]

    assert "Offene Beiträge von Kaffeebar Süd" in kaffee
    assert "in Prüfung: *2*" in kaffee, kaffee
    assert "Offene Beiträge von Freigabe GmbH" in ours
    assert "in Prüfung: *1*" in ours, ours
    assert "in Prüfung: *3*" in everyone, everyone


def test_queue_of_a_brand_lists_its_scheduled_posts_alone(rig: SlackRig) -> None:
    ours, theirs = two_posts(rig)
    legal = rig.request_for("C0LEGAL", str(ours["id"]))
    kaffee = rig.request_for("C0KAFFEE", str(theirs["id"]))
    assert rig.click("U0LEGAL1", legal, APPROVE)["status"] == 200
    brand = rig.request_for("C0BRAND", str(ours["id"]))
    assert rig.click("U0BRAND1", brand, APPROVE)["status"] == 200
    assert rig.click("U0LEGAL2", kaffee, APPROVE)["status"] == 200
    assert stored(str(ours["id"]))["status"] == "scheduled"
    assert stored(str(theirs["id"]))["status"] == "scheduled"

    kaffee_queue = rig.command("U0LEGAL2", "queue kaffeebar")["body"]["text"]
    our_queue = rig.command("U0LEGAL2", "queue freigabe")["body"]["text"]
    whole = rig.command("U0LEGAL2", "queue")["body"]["text"]

    assert "Neue Bohnen" in kaffee_queue and "Mai-Gewinnspiel" not in kaffee_queue
    assert "Kaffeebar Süd" in kaffee_queue
    assert "Mai-Gewinnspiel" in our_queue and "Neue Bohnen" not in our_queue
    assert "Mai-Gewinnspiel" in whole and "Neue Bohnen" in whole


def test_an_unknown_brand_is_answered_with_the_brands_there_are(rig: SlackRig) -> None:
    for word in ("status", "queue"):
        said = rig.command("U0LEGAL2", f"{word} teeladen")
        assert said["status"] == 200
        text = said["body"]["text"]
        assert "Eine Marke „teeladen“ gibt es nicht" in text, text
        assert "freigabe (Freigabe GmbH), kaffeebar (Kaffeebar Süd)" in text


def test_a_brand_name_is_escaped_in_the_answer(rig: SlackRig) -> None:
    text = rig.command("U0LEGAL2", "status <!channel>")["body"]["text"]
    assert "<!channel>" not in text and "gibt es nicht" in text


def test_the_queue_of_a_brand_stays_hidden_from_writers(rig: SlackRig) -> None:
    two_posts(rig)
    text = rig.command("U0WRITER", "queue kaffeebar")["body"]["text"]
    assert "Neue Bohnen" not in text
    assert "nur Admins und Prüfer" in text


def test_app_home_names_the_brand_of_each_pending_review(rig: SlackRig) -> None:
    two_posts(rig)

    rig.open_home("U0LEGAL2")
    home = shown_text(rig.state()["homes"]["U0LEGAL2"])

    assert "*Kaffeebar Süd* · *Kaffeebar brand* · *Neue Bohnen*" in home, home
    assert "*Freigabe GmbH* · *Legal* · *Mai-Gewinnspiel*" in home, home
    # each brand's reviews together, in the workflow file's order
    assert home.index("Freigabe GmbH") < home.index("Kaffeebar Süd")


def test_help_names_the_brand_filters(rig: SlackRig) -> None:
    text = rig.command("U0LEGAL2", "help")["body"]["text"]
    assert "/freigabe status [Marke]" in text and "/freigabe queue [Marke]" in text
