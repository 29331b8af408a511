"""The monthly X budget of a channel (docs/publishing.md, "What a post costs on X").

Each X channel keeps one counter per calendar month (in the workflow's time zone): the dollars
its published posts cost. Before a post is sent its cost is added to the counter by a
conditional write that refuses to pass the budget, so two posts sent at the same moment cannot
both squeeze under it; the cost is taken back when the network proves the post failed (or asked
to wait), and kept when it was published or may have been (``unknown``). The counter therefore
holds the sum of the month's published X posts, plus any whose fate a person still checks.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Protocol
from zoneinfo import ZoneInfo

from chalicelib.domain.pricing import BudgetCheck, XCosting, dollars, held_over_budget, month_of
from chalicelib.domain.workflow import Workflow


class XSpend(Protocol):
    """The month's X spend per channel, kept in the table."""

    def add(self, channel: str, month: str, amount: Decimal,
            budget: Decimal | None) -> tuple[bool, Decimal]:
        """Add ``amount`` unless the spend would then exceed ``budget`` (None: no budget);
        returns whether it was added and the spend before the call."""

    def take_back(self, channel: str, month: str, amount: Decimal) -> None:
        """Subtract an amount added for a post that did not go out."""

    def spent(self, channel: str, month: str) -> Decimal: ...


@dataclass(frozen=True)
class Reservation:
    """A post's cost counted in its month, until the outcome says whether it stays."""

    channel: str
    month: str
    amount: Decimal


@dataclass
class XBudget:
    """What the publish worker needs to keep X budgets: the counters, each channel's costing
    (None: not an X channel) and the workflow's time zone."""

    spend: XSpend
    costing: Callable[[str], XCosting | None]
    zone: ZoneInfo

    def reserve(self, channel: str, text: str, at: datetime) -> Reservation | str | None:
        """Count the post's cost in this month's spend. Returns the reservation, the held-back
        message when the budget has no room for it, or None for a channel that is not X."""
        costing = self.costing(channel)
        if costing is None:
            return None
        month = month_of(at, self.zone)
        cost = costing.prices.cost(text)
        added, before = self.spend.add(channel, month, cost, costing.monthly_budget_usd)
        if not added:
            return held_over_budget(channel, BudgetCheck(month, cost, before,
                                                         costing.monthly_budget_usd))
        return Reservation(channel, month, cost)

    def release(self, reservation: Reservation) -> None:
        self.spend.take_back(reservation.channel, reservation.month, reservation.amount)

    def month_check(self, channel: str, text: str, at: datetime) -> BudgetCheck | None:
        """The budget as it stands for one more post like ``text`` (for people to read)."""
        costing = self.costing(channel)
        if costing is None:
            return None
        month = month_of(at, self.zone)
        return BudgetCheck(month, costing.prices.cost(text), self.spend.spent(channel, month),
                           costing.monthly_budget_usd)


def costing_for(workflow: Workflow, file_channels: Collection[str],
                runtime_budget: Callable[[str], float | None],
                brands: Iterable[Workflow] = ()) -> Callable[[str], XCosting | None]:
    """Each channel's X costing: the workflow file's for its channels; X's listed prices and
    the budget the admin page set (``runtime_budget``, read when needed) for a channel created
    at run time. ``workflow`` names both kinds of channel; ``brands`` are the other brands'
    workflows, asked in turn for an X channel ``workflow`` does not have."""
    flows = (workflow, *brands)

    def costing(channel: str) -> XCosting | None:
        found = next((costs for flow in flows if (costs := flow.x_costing(channel)) is not None),
                     None)
        if found is None or channel in file_channels:
            return found
        budget = runtime_budget(channel)
        return found if budget is None else replace(found, monthly_budget_usd=dollars(budget))

    return costing
