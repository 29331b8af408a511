"""`python -m chalicelib.audit POST_ID` (make verify) against the stored timeline: intact,
an altered event, a deleted event."""

from __future__ import annotations

import json
from typing import Any

import pytest

from chalicelib import audit, bootstrap
from chalicelib.adapters.dynamodb import keys
from tests.unit.helpers import AUTHOR, BRAND, NOW, eligible, new_post, workflow


@pytest.fixture
def stored_post(table: str) -> str:
    wf = workflow()
    post = new_post(post_id="audited")
    post.submit(wf, AUTHOR, NOW)
    post.decide(wf, "brand", BRAND, "approve", post.content_hash, "", NOW, eligible(wf, "brand"))
    bootstrap.container().repository.save(post)
    return post.id


def event_key(post_id: str, seq: int) -> dict[str, Any]:
    return {keys.PK: {"S": keys.post_pk(post_id)}, keys.SK: {"S": keys.event_sk(seq)}}


def test_an_intact_timeline(stored_post: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert audit.main([stored_post]) == 0
    assert capsys.readouterr().out.strip() == "audited: intact"


def test_an_altered_decision_is_reported(stored_post: str, table: str, dynamodb: Any,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    item = dynamodb.get_item(TableName=table, Key=event_key(stored_post, 4))["Item"]
    doc = json.loads(item["doc"]["S"])
    assert doc["type"] == "decision"
    doc["actor"] = "U0SOMEONEELSE"
    item["doc"]["S"] = json.dumps(doc)
    dynamodb.put_item(TableName=table, Item=item)
    assert audit.main([stored_post]) == 1
    out = capsys.readouterr().out
    assert "audited: TAMPERED" in out and "event 4 (decision): content was altered" in out


def test_a_deleted_event_is_reported(stored_post: str, table: str, dynamodb: Any,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    dynamodb.delete_item(TableName=table, Key=event_key(stored_post, 5))
    assert audit.main([stored_post]) == 1
    assert "expected 5 events, found 4" in capsys.readouterr().out


def test_an_unknown_post(table: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert audit.main(["nope"]) == 1
    assert "nope: no such post" in capsys.readouterr().out
