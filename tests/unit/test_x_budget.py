"""What a post costs on X and the monthly budget that holds posts back (domain/pricing.py,
services/x_budget.py, the publish worker)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from chalicelib.config import WorkflowError, parse_config
from chalicelib.domain import events as ev
from chalicelib.domain.pricing import (
    DEFAULT_X_PRICES,
    BudgetCheck,
    XCosting,
    XPrices,
    held_over_budget,
    month_of,
    usd,
)
from chalicelib.domain.status import ResultStatus, Status
from chalicelib.services import admin
from chalicelib.services.x_budget import XBudget
from tests.fakes.publishing import PublishingPorts, claimed
from tests.fakes.x_spend import MemoryXSpend
from tests.unit.helpers import workflow_file

BERLIN = ZoneInfo("Europe/Berlin")


# -- prices --------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "cost"), [
    ("Hallo Welt", Decimal("0.015")),
    ("Mehr unter https://example.com/blog", Decimal("0.20")),
    ("Mehr unter freigabe.de", Decimal("0.20")),  # X links a bare domain too
    ("Version 1.5 ist da.", Decimal("0.015")),  # a number with a dot is no link
    ("", Decimal("0.015")),
])
def test_a_post_costs_more_on_x_when_x_sees_a_link_in_it(text: str, cost: Decimal) -> None:
    assert DEFAULT_X_PRICES.cost(text) == cost


def test_amounts_read_in_dollars_with_cents_and_a_tenth_of_a_cent_when_there_is_one() -> None:
    assert [usd(Decimal(v)) for v in ("0.015", "0.2", "5", "4.905", "0")] == \
        ["$0.015", "$0.20", "$5.00", "$4.905", "$0.00"]


def test_the_month_is_the_workflows_calendar_month() -> None:
    # 23:30 UTC on 31 December is already January in Berlin
    assert month_of(datetime(2026, 12, 31, 23, 30, tzinfo=UTC), BERLIN) == "2027-01"
    assert month_of(datetime(2026, 12, 31, 22, 30, tzinfo=UTC), BERLIN) == "2026-12"


def test_prices_and_budget_come_from_the_workflow_file_per_x_channel() -> None:
    data = workflow_file()
    data["channels"]["x"].update(x_prices={"post": 0.01, "post_with_url": 0.25},
                                 x_monthly_budget_usd=5)
    wf = parse_config(data).workflow
    assert wf.x_costing("x") == XCosting(XPrices(Decimal("0.01"), Decimal("0.25")), Decimal("5"))
    assert wf.x_costing("mastodon") is None
    assert wf.x_costing("nowhere") is None
    # an X channel the file says nothing about costs X's listed prices and has no budget
    assert parse_config(workflow_file()).workflow.x_costing("x") == XCosting()
    # either price may be left out
    data["channels"]["x"] = {**data["channels"]["x"], "x_prices": {"post": 0.02}}
    assert parse_config(data).workflow.x_costing("x").prices == XPrices(  # type: ignore[union-attr]
        Decimal("0.02"), Decimal("0.20"))


@pytest.mark.parametrize(("key", "value", "problem"), [
    ("x_monthly_budget_usd", -1, "channels.x.x_monthly_budget_usd"),
    ("x_prices", {"post": -0.01}, "channels.x.x_prices.post"),
    ("x_prices", {"per_post": 0.01}, "channels.x.x_prices.per_post: unknown key"),
])
def test_a_wrong_price_or_budget_stops_start_up_naming_the_key(key: str, value: object,
                                                              problem: str) -> None:
    data = workflow_file()
    data["channels"]["x"][key] = value
    with pytest.raises(WorkflowError, match=problem.replace(".", r"\.")):
        parse_config(data)


def test_the_held_back_message_says_cost_budget_spend_and_what_to_do() -> None:
    check = BudgetCheck("2026-11", Decimal("0.20"), Decimal("4.90"), Decimal("5"))
    assert not check.ok and check.left == Decimal("0.10")
    assert held_over_budget("x", check) == (
        "held: this post would cost $0.20 on X and take channel x over its monthly budget of "
        "$5.00 ($4.90 already spent in 2026-11, $0.10 left); raise the budget or retry next month")


# -- the publish worker --------------------------------------------------------------------

def budgeted(budget: str | None, spent: str = "0", **prices: Decimal) -> tuple[PublishingPorts, MemoryXSpend]:
    rig = PublishingPorts()
    spend = MemoryXSpend()
    if spent != "0":
        spend.months[("x", "2026-11")] = Decimal(spent)
    costing = XCosting(replace(DEFAULT_X_PRICES, **prices),
                       None if budget is None else Decimal(budget))
    rig.delivery.x_budget = XBudget(spend, lambda name: costing if name == "x" else None, BERLIN)
    return rig, spend


def test_a_published_x_post_adds_its_cost_to_the_months_spend() -> None:
    rig, spend = budgeted(budget=None)
    messages = claimed(rig, channels=("x", "hooks"))
    assert rig.deliver(messages["x"]) == "published"
    assert rig.deliver(messages["hooks"]) == "published"
    assert spend.months == {("x", "2026-11"): Decimal("0.015")}  # the webhook costs nothing


def test_a_post_that_would_pass_the_budget_is_held_back_with_a_message_and_not_sent() -> None:
    # GIVEN $4.99 of a $5 budget spent this month
    rig, spend = budgeted(budget="5", spent="4.99")
    messages = claimed(rig, channels=("x", "hooks"))
    # WHEN the X publication is delivered
    assert rig.deliver(messages["x"]) == "failed"
    rig.deliver(messages["hooks"])
    # THEN nothing reached X, the spend is unchanged, and the result says why
    assert rig.networks["x"].posts == []
    assert spend.spent("x", "2026-11") == Decimal("4.99")
    post = rig.repo.get("p1")
    result = post.results["x"]
    assert result.status is ResultStatus.FAILED
    assert result.error is not None and result.error.startswith("held: this post would cost $0.015")
    assert "monthly budget of $5.00" in result.error and "$0.01 left" in result.error
    assert post.status is Status.PARTIALLY_PUBLISHED
    # the author hears of it like any failure (the settled message carries the results)
    assert [m.status for m in rig.repo.sent(ev.PostSettled)] == ["partially_published"]


def test_a_post_exactly_filling_the_budget_goes_out() -> None:
    rig, spend = budgeted(budget="5", spent="4.985")
    assert rig.deliver(claimed(rig, channels=("x",))["x"]) == "published"
    assert spend.spent("x", "2026-11") == Decimal("5.000")


def test_a_held_post_goes_out_on_an_admins_retry_once_the_budget_is_raised() -> None:
    rig, spend = budgeted(budget="5", spent="5")
    assert rig.deliver(claimed(rig, channels=("x",))["x"]) == "failed"
    assert rig.delivery.x_budget is not None
    rig.delivery.x_budget.costing = lambda name: XCosting(monthly_budget_usd=Decimal(10))
    admin.retry_publication(rig.admin, "p1", None, "U0ADMIN")
    assert rig.drain() == ["published"]
    assert len(rig.networks["x"].posts) == 1
    assert rig.repo.get("p1").status is Status.PUBLISHED
    assert spend.spent("x", "2026-11") == Decimal("5.015")


@pytest.mark.parametrize("answer", ["failed", "retry"])
def test_a_post_the_network_refused_or_deferred_costs_nothing(answer: str) -> None:
    rig, spend = budgeted(budget="5")
    message = claimed(rig, channels=("x",))["x"]
    rig.networks["x"].script = [answer]
    if answer == "retry":
        with pytest.raises(Exception, match="429"):
            rig.deliver(message)
    else:
        assert rig.deliver(message) == "failed"
    assert spend.spent("x", "2026-11") == Decimal(0)


def test_a_link_makes_the_post_the_dearer_kind_against_the_budget() -> None:
    # GIVEN $0.10 left: enough for a plain post, not for one with a link
    spend = MemoryXSpend()
    spend.months[("x", "2026-11")] = Decimal("0.90")
    budget = XBudget(spend, lambda name: XCosting(monthly_budget_usd=Decimal(1)), BERLIN)
    at = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
    held = budget.reserve("x", "Neu im Blog: https://example.com/neu", at)
    assert isinstance(held, str) and "would cost $0.20" in held and "$0.10 left" in held
    assert spend.spent("x", "2026-11") == Decimal("0.90")
    kept = budget.reserve("x", "Hallo", at)
    assert not isinstance(kept, str) and kept is not None and kept.amount == Decimal("0.015")
    assert spend.spent("x", "2026-11") == Decimal("0.915")


def test_each_month_starts_from_nothing_in_the_workflows_time_zone() -> None:
    spend = MemoryXSpend()
    spend.months[("x", "2026-11")] = Decimal(5)  # November is used up
    costing = XCosting(monthly_budget_usd=Decimal(5))
    budget = XBudget(spend, lambda name: costing if name == "x" else None, BERLIN)
    # 23:30 UTC on 30 November is 00:30 on 1 December in Berlin
    reserved = budget.reserve("x", "Hallo", datetime(2026, 11, 30, 23, 30, tzinfo=UTC))
    assert not isinstance(reserved, str) and reserved is not None and reserved.month == "2026-12"
    assert spend.months == {("x", "2026-11"): Decimal(5), ("x", "2026-12"): Decimal("0.015")}
    assert budget.reserve("mastodon", "Hallo", datetime(2026, 12, 1, tzinfo=UTC)) is None


def test_a_channel_created_on_the_admin_page_has_the_budget_set_there() -> None:
    from chalicelib.services.x_budget import costing_for

    file = parse_config(workflow_file()).workflow
    live = replace(file, channels={**file.channels, "x-brand": "x", "toot": "mastodon"})
    budgets = {"x-brand": 12.5, "x": 99.0}
    costing = costing_for(live, file.channels, budgets.get)
    assert costing("x-brand") == XCosting(monthly_budget_usd=Decimal("12.5"))
    assert costing("x") == XCosting()  # the file's channel: the file's word, not the table's
    assert costing("toot") is None
    budgets.pop("x-brand")
    assert costing("x-brand") == XCosting()
