"""What a post costs on X, and the monthly budget that keeps a team from spending more.

X's API is pay-per-use: each post is a billed request, $0.015 for a post and $0.20 for a post
that contains a URL (X's pricing page, 2026). The prices live here once; the workflow file may
override them per channel (``x_prices = {post = ..., post_with_url = ...}``) when X changes
them, and the web form (``limits.js``'s ``X_PRICES`` mirrors the defaults; the channel list
carries the configured ones) and the review request show the same figure.

A channel may have a monthly budget (``x_monthly_budget_usd``). The month's spend is the sum of
the costs of the channel's X posts published in that calendar month, in the workflow's time
zone; a post that would take the spend over the budget is held back instead of sent.
Amounts are ``Decimal`` dollars: a float would add $0.015 a thousand times to 14.999999….
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from decimal import ROUND_HALF_UP, Decimal

from chalicelib.domain.limits import x_has_url

POST_USD = Decimal("0.015")
POST_WITH_URL_USD = Decimal("0.20")
# Reading is billed too: each post a read returns (mentions and replies, when an X channel
# listens; docs/replies.md).
READ_USD = Decimal("0.005")


def x_read_cost(posts: int) -> Decimal:
    """What reading ``posts`` posts from X costs."""
    return READ_USD * max(posts, 0)


def dollars(value: float | int | str | Decimal) -> Decimal:
    """An amount from the workflow file or the table as an exact Decimal (a float's repr, so
    0.015 stays 0.015 and does not become 0.01499999…)."""
    return value if isinstance(value, Decimal) else Decimal(str(value))


@dataclass(frozen=True)
class XPrices:
    """What X charges per post request."""

    post: Decimal = POST_USD
    post_with_url: Decimal = POST_WITH_URL_USD

    def cost(self, text: str) -> Decimal:
        """The price of publishing ``text``: dearer when X sees a link in it."""
        return self.post_with_url if x_has_url(text) else self.post

    def to_json(self) -> dict[str, float]:
        return {"post": float(self.post), "post_with_url": float(self.post_with_url)}


DEFAULT_X_PRICES = XPrices()


@dataclass(frozen=True)
class XCosting:
    """One X channel's prices and its optional monthly budget (None: no budget)."""

    prices: XPrices = field(default_factory=XPrices)
    monthly_budget_usd: Decimal | None = None


def month_of(at: datetime, zone: tzinfo) -> str:
    """The calendar month (``YYYY-MM``) a publication at ``at`` counts towards: the month in
    the workflow's time zone, so a post at 00:30 on 1 January in Berlin is January's."""
    return at.astimezone(zone).strftime("%Y-%m")


@dataclass(frozen=True)
class BudgetCheck:
    """Whether one more post fits into the month's budget."""

    month: str
    cost: Decimal
    spent: Decimal
    budget: Decimal | None

    @property
    def ok(self) -> bool:
        return self.budget is None or self.spent + self.cost <= self.budget

    @property
    def left(self) -> Decimal | None:
        return None if self.budget is None else max(self.budget - self.spent, Decimal(0))


def usd(amount: Decimal) -> str:
    """``$0.015``, ``$0.20``, ``$5.00``: cents always, a tenth of a cent when there is one."""
    places = Decimal("0.001") if amount != amount.quantize(Decimal("0.01")) else Decimal("0.01")
    return f"${amount.quantize(places, rounding=ROUND_HALF_UP)}"


def held_over_budget(channel: str, check: BudgetCheck) -> str:
    """The result a post held back by its channel's budget carries (shown to the author, the
    admins and in the post's results)."""
    assert check.budget is not None
    return (f"held: this post would cost {usd(check.cost)} on X and take channel {channel} over "
            f"its monthly budget of {usd(check.budget)} ({usd(check.spent)} already spent in "
            f"{check.month}, {usd(check.left or Decimal(0))} left); raise the budget or retry "
            "next month")
