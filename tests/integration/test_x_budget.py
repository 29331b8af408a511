"""The monthly X budget through the real worker on the moto server: a post that would take the
channel over its budget is held back with a result that says so and never reaches X, a cheaper
post still fits and goes out, and the month's spend in the table is what was published."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from chalicelib.domain.pricing import month_of
from tests.integration.api_helpers import Api
from tests.integration.publish_support import PublishRig, publish_rig

LINK_TEXT = "Neu im Blog: https://example.com/neu"


@pytest.fixture
def rig(table: str, aws_endpoint: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> Iterator[PublishRig]:
    from chalicelib import bootstrap

    with publish_rig(table, aws_endpoint, tmp_path, monkeypatch) as publishing:
        config = Path(os.environ["FREIGABE_CONFIG"])
        text = config.read_text()
        assert '[channels.x]\ntype = "x"\n' in text
        config.write_text(text.replace('[channels.x]\ntype = "x"\n',
                                       '[channels.x]\ntype = "x"\nx_monthly_budget_usd = 0.25\n'))
        bootstrap.reset()
        yield publishing


@pytest.fixture
def app_client(rig: PublishRig) -> Iterator[Any]:
    from chalice.test import Client

    import app as application
    from tests.conftest import ROOT

    with Client(application.app, stage_name="local", project_dir=str(ROOT)) as client:
        yield client


def tick(client: Any) -> None:
    event = client.events.generate_cw_event(
        source="aws.events", detail_type="Scheduled Event", detail={},
        resources=["arn:aws:events:eu-central-1:123456789012:rule/freigabe-local-publish_due"])
    client.lambda_.invoke("publish_due", event)


def spend() -> Any:
    from chalicelib import bootstrap

    container = bootstrap.container()
    return container.x_budget(container.workflow).spend


def test_a_post_over_the_budget_is_held_back_and_a_cheaper_one_still_goes_out(
        rig: PublishRig, app_client: Any) -> None:
    month = month_of(datetime.now(UTC), ZoneInfo("Europe/Berlin"))
    # GIVEN $0.10 of the $0.25 budget spent this month
    assert spend().add("x", month, Decimal("0.10"), None) == (True, Decimal(0))
    # WHEN a post with a link ($0.20) is due on X and the webhook
    dear = rig.approved(["x", "hooks"], text=LINK_TEXT)
    tick(app_client)
    rig.drain()
    # THEN X never saw it, the webhook did, and the result says why and what to do
    assert rig.network_posts("x") == []
    assert [p["text"] for p in rig.network_posts("webhook")] == [LINK_TEXT]
    shown = Api(app_client).call("GET", f"/api/posts/{dear.id}").data
    assert shown["status"] == "partially_published"
    result = shown["results"]["x"]
    assert result["status"] == "failed"
    assert result["error"] == (
        "held: this post would cost $0.20 on X and take channel x over its monthly budget of "
        f"$0.25 ($0.10 already spent in {month}, $0.15 left); raise the budget or retry next month")
    assert spend().spent("x", month) == Decimal("0.10")
    # WHEN a plain post ($0.015) is due
    cheap = rig.approved(["x"], text="Schönes Wochenende!")
    tick(app_client)
    rig.drain()
    # THEN it goes out and the month's spend grows by its cost
    assert [p["text"] for p in rig.network_posts("x")] == ["Schönes Wochenende!"]
    assert Api(app_client).call("GET", f"/api/posts/{cheap.id}").data["status"] == "published"
    assert spend().spent("x", month) == Decimal("0.115")
