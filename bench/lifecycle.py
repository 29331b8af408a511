"""DynamoDB requests per post lifecycle: create and submit, two approvals, scheduled.
Counted with a botocore event hook on the app's own client. Budget: one write request per
state change (a transaction counts as one) and no more than one read per API request."""

from __future__ import annotations

from collections import Counter
from typing import Any

READS = {"GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems"}
WRITES = {"PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"}


class RequestCounter:
    def __init__(self, client: Any) -> None:
        self.calls: Counter[str] = Counter()
        client.meta.events.register("before-call.dynamodb.*", self._count)

    def _count(self, model: Any, **_: Any) -> None:
        self.calls[model.name] += 1

    def take(self) -> tuple[int, int, dict[str, int]]:
        calls = dict(self.calls)
        self.calls.clear()
        reads = sum(n for op, n in calls.items() if op in READS)
        writes = sum(n for op, n in calls.items() if op in WRITES)
        return reads, writes, calls


def run() -> dict[str, Any]:
    """Needs the environment pointed at a table (bench/__main__ does that)."""
    import json

    from chalice.test import Client

    import app as application
    from chalicelib import bootstrap
    from chalicelib.domain.post import Reviewer
    from chalicelib.services import review

    container = bootstrap.container()
    counter = RequestCounter(container.aws("dynamodb"))
    rows = []
    with Client(application.app, stage_name="local") as client:
        response = client.http.post(
            "/api/posts",
            headers={"Content-Type": "application/json",
                     "X-Freigabe-User": "wanda.writer@freigabe.example"},
            body=json.dumps({"text": "50% Rabatt im Advent", "channels": ["outbox"]}))
        post = json.loads(response.body)
        rows.append(("create + submit (POST /api/posts)", *counter.take()[:2]))
        ctx = container.context()
        review.decide(ctx, post["id"], "legal", Reviewer("U0LEGAL1", "legal1@freigabe.example"),
                      "approve", post["content_hash"])
        rows.append(("approval 1 (legal)", *counter.take()[:2]))
        outcome = review.decide(ctx, post["id"], "brand",
                                Reviewer("U0BRAND1", "brand@freigabe.example"),
                                "approve", post["content_hash"])
        rows.append(("approval 2 (brand) -> scheduled", *counter.take()[:2]))
    return {"rows": rows, "final_status": outcome.post.status.value,
            "within_budget": all(reads <= 1 and writes <= 1 for _, reads, writes in rows)}


def report(figures: dict[str, Any]) -> str:
    lines = ["DynamoDB requests per post lifecycle (budget: <= 1 read, 1 write per step)"]
    for name, reads, writes in figures["rows"]:
        lines.append(f"  {name:38s} reads {reads}  writes {writes}")
    lines.append(f"  final status: {figures['final_status']}; "
                 f"within budget: {'yes' if figures['within_budget'] else 'NO'}")
    return "\n".join(lines)
