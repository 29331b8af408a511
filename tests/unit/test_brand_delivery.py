"""A post is published under its brand's rules: the late window the worker quotes is the
brand's, and every brand's X channels are counted against their budget."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from chalicelib.domain.pricing import XCosting
from chalicelib.domain.workflow import Organization
from chalicelib.services.x_budget import costing_for
from tests.fakes.publishing import PublishingPorts
from tests.unit.helpers import NOW


def _two_brands(rig: PublishingPorts) -> Organization:
    kaffee = replace(rig.wf, brand="kaffeebar", late_publish_minutes=30)
    return Organization({rig.wf.brand: rig.wf, "kaffeebar": kaffee}, rig.wf.brand)


def test_a_late_publication_quotes_its_brands_late_window() -> None:
    # GIVEN a post of a brand whose late window is 30 minutes (the default brand's is 120)
    rig = PublishingPorts()
    brands = _two_brands(rig)
    rig.scheduling = replace(rig.scheduling, brands=brands)
    rig.delivery = replace(rig.delivery, brands=brands)
    post = rig.approved()
    post.brand = "kaffeebar"
    rig.repo.save(post)
    rig.clock.now = NOW + timedelta(hours=1)
    rig.tick()
    message = {p.channel: p for p in rig.queue.take()}["hooks"]
    # WHEN the worker gets it 31 minutes past its time
    rig.clock.now = NOW + timedelta(hours=1, minutes=31)
    assert rig.deliver(message) == "failed"
    # THEN nothing was sent and the reason names the brand's 30 minutes, not the default's 120
    assert rig.networks["hooks"].posts == []
    error = rig.repo.get("p1").results["hooks"].error or ""
    assert "more than 30 minutes" in error


def test_a_default_brand_post_keeps_the_default_late_window() -> None:
    rig = PublishingPorts()
    brands = _two_brands(rig)
    rig.scheduling = replace(rig.scheduling, brands=brands)
    rig.delivery = replace(rig.delivery, brands=brands)
    rig.approved()
    rig.clock.now = NOW + timedelta(hours=1)
    rig.tick()
    message = {p.channel: p for p in rig.queue.take()}["hooks"]
    rig.clock.now = NOW + timedelta(hours=1, minutes=31)
    assert rig.deliver(message) == "published"
    assert [p.text for p in rig.networks["hooks"].posts] == ["Hallo Welt"]


def test_every_brands_x_channels_have_their_costing() -> None:
    # GIVEN X channels in two brands, each with its own budget
    rig = PublishingPorts()
    first = replace(rig.wf, channels={**rig.wf.channels, "x": "x"},
                    x_costs={"x": XCosting(monthly_budget_usd=Decimal(5))})
    kaffee = replace(rig.wf, brand="kaffeebar", channels={"kaffee_x": "x", "hooks": "webhook"},
                     x_costs={"kaffee_x": XCosting(monthly_budget_usd=Decimal(7))})
    # WHEN the costing is built from the default brand and every brand
    costing = costing_for(first, {"x", "kaffee_x", "hooks"}, lambda _: None, (first, kaffee))
    # THEN the second brand's X channel is counted with its own budget, others are not X
    assert costing("kaffee_x") == XCosting(monthly_budget_usd=Decimal(7))
    assert costing("x") == XCosting(monthly_budget_usd=Decimal(5))
    assert costing("hooks") is None
    assert costing_for(first, {"x"}, lambda _: None)("kaffee_x") is None
