"""DynamoDB requests per post lifecycle: create and submit, two approvals, scheduled (and, with
no publish time, claimed and queued by the last approval), and one relay hop (a stored change's
message handed to Slack). Counted with botocore event hooks on the app's own client.

Budget per step: one write per state change (a transaction counts as one) plus the ADD on the
status counts when the status changes; one read per request, plus, once per container, the
workflow's current version and the admins' channels; the tick's claim reads the pause switch
before its conditional write, while the last approval of a post due now claims it in the
decision's own write, which checks the switch (one transaction and one count for both); the
post itself read once per relay hop."""

from __future__ import annotations

from collections import Counter
from typing import Any

READS = {"GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems"}
WRITES = {"PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"}


class RequestCounter:
    def __init__(self, client: Any) -> None:
        self.calls: Counter[str] = Counter()
        self.post_items = 0  # how often the post's own item came back
        client.meta.events.register("before-call.dynamodb.*", self._count)
        client.meta.events.register("after-call.dynamodb.*", self._items)

    def _count(self, model: Any, **_: Any) -> None:
        self.calls[model.name] += 1

    def _items(self, parsed: Any = None, **_: Any) -> None:
        items = list((parsed or {}).get("Items") or [])
        if (parsed or {}).get("Item"):
            items.append(parsed["Item"])
        self.post_items += sum(1 for item in items if (item.get("SK") or {}).get("S") == "POST")

    def take(self) -> tuple[int, int, dict[str, int]]:
        calls = dict(self.calls)
        self.calls.clear()
        self.post_items = 0
        reads = sum(n for op, n in calls.items() if op in READS)
        writes = sum(n for op, n in calls.items() if op in WRITES)
        return reads, writes, calls


def run() -> dict[str, Any]:
    """Needs the environment pointed at a table (bench/__main__ does that)."""
    import json
    import os

    import boto3
    from chalice.test import Client

    import app as application
    from chalicelib import bootstrap
    from chalicelib.domain.post import Reviewer
    from chalicelib.services import review
    from chalicelib.settings import PUBLISH_QUEUE
    from dev.resources import ensure_queues, suffixed

    # The last approval queues a post without a time, so the stack's queue must be there.
    ensure_queues(boto3.client("sqs"), suffix="lifecycle")
    queue = suffixed(PUBLISH_QUEUE, "lifecycle")
    os.environ["FREIGABE_PUBLISH_QUEUE"] = queue
    bootstrap.reset()
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
        # (reads, writes) allowed: 1 state change + its count; the container's first request
        rows.append(("create + submit (POST /api/posts)", *counter.take()[:2], (2, 2)))
        ctx = container.context()
        review.decide(ctx, post["id"], "legal", Reviewer("U0LEGAL1", "legal1@freigabe.example"),
                      "approve", post["content_hash"])
        rows.append(("approval 1 (legal)", *counter.take()[:2], (1, 1)))
        review.decide(ctx, post["id"], "brand",
                      Reviewer("U0BRAND1", "brand@freigabe.example"),
                      "approve", post["content_hash"])
        # scheduled and claimed in one transaction (the pause switch checked in it), one count
        rows.append(("approval 2 (brand) -> scheduled, queued", *counter.take()[:2], (1, 2)))
    post_reads, hop = _relay_hop(container, counter, post["id"], post["content_hash"])
    os.environ.pop("FREIGABE_PUBLISH_QUEUE", None)
    final = container.repository.get(post["id"]).status.value
    bootstrap.reset()
    return {"rows": rows, "final_status": final, "relay": hop,
            "relay_post_reads": post_reads,
            "within_budget": all(reads <= budget[0] and writes <= budget[1]
                                 for _, reads, writes, budget in rows)
            and post_reads == 1 and final == "publishing"}


class _Slack:
    """Answers like Slack's Web API, so the hop's own DynamoDB requests can be counted."""

    def chat_postMessage(self, **kwargs: Any) -> dict[str, Any]:
        return {"ok": True, "channel": kwargs["channel"], "ts": "1.000"}

    def chat_update(self, **kwargs: Any) -> dict[str, Any]:
        return {"ok": True}


class _Directory:
    def user_for_email(self, email: str) -> str | None:
        return None

    def dm_channel(self, user_id: str) -> str:
        return "D" + user_id


def _relay_hop(container: Any, counter: RequestCounter, post_id: str,
               content_hash: str) -> tuple[int, tuple[int, int, dict[str, int]]]:
    """What the stream relay does for one stored change: read the post, hand the message to
    the Slack notifier (which reads where the step's request lives and stores its ref)."""
    from chalicelib.adapters.slack.notifier import SlackNotifier, SlackPorts
    from chalicelib.domain import events as ev
    from chalicelib.services.bus import Dispatcher, relay

    notifier = SlackNotifier(lambda: SlackPorts(_Slack(), _Directory(), container.repository,
                                                container.workflow, container.config.slack))
    counter.take()
    relay(post_id, [ev.ReviewVoided(post_id, "legal", "edited"),
                    ev.ReviewRequested(post_id, "brand", content_hash)],
          container.repository, Dispatcher([notifier]))
    post_reads = counter.post_items
    return post_reads, counter.take()


def report(figures: dict[str, Any]) -> str:
    lines = ["DynamoDB requests per post lifecycle (budget: a write per state change and its "
             "count; a read per request, a claim's pause switch)"]
    for name, reads, writes, budget in figures["rows"]:
        lines.append(f"  {name:40s} reads {reads}  writes {writes}  (budget {budget[0]} / {budget[1]})")
    lines.append(f"  final status: {figures['final_status']}; "
                 f"within budget: {'yes' if figures['within_budget'] else 'NO'}")
    reads, writes, calls = figures["relay"]
    lines.append(f"  relay hop (two messages to Slack)       reads {reads}  writes {writes}  "
                 f"post item read {figures['relay_post_reads']}x  {calls}")
    return "\n".join(lines)
