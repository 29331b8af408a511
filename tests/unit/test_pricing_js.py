"""The X cost the web form shows beside the counter (limits.js: xCost, usd) is what the server
charges against the budget (domain/pricing.py), on the same texts."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from chalicelib.domain.pricing import DEFAULT_X_PRICES, usd
from tests.unit.test_limits_js import NODE, PIECES, run_limits_js

pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed")


def test_limits_js_sees_a_link_where_pricing_py_does() -> None:
    rng = random.Random(20261201)
    texts = ["".join(rng.choices(PIECES, k=rng.randint(1, 24))) for _ in range(400)]
    texts += ["Hallo", "Mehr: https://example.com/a", "freigabe.de", "Version 1.5", ""]
    in_js = run_limits_js("limits.xCost(t).amount", [["x", t] for t in texts])
    expected = [float(DEFAULT_X_PRICES.cost(t)) for t in texts]
    differ = [(t, e, js) for t, e, js in zip(texts, expected, in_js, strict=True) if e != js]
    assert differ == []
    assert {0.015, 0.2} <= set(expected)  # both kinds occur


def test_limits_js_writes_amounts_as_pricing_py_does() -> None:
    amounts = ["0.015", "0.2", "5", "4.905", "0", "12.5"]
    in_js = run_limits_js("limits.usd(Number(t))", [["", a] for a in amounts])
    assert in_js == [usd(Decimal(a)) for a in amounts]
    (defaults,) = run_limits_js("limits.X_PRICES", [["", ""]])
    assert defaults == DEFAULT_X_PRICES.to_json()
