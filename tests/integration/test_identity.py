"""Who is calling: Cognito's authorizer claims in AWS, the dev header locally, and the dev
header refused inside Lambda, where anyone could set it."""

from __future__ import annotations

import json
from typing import Any

import pytest

import app as application
from chalicelib import bootstrap
from chalicelib.adapters.slack.blocks import APPROVE
from chalicelib.domain.post import Post
from tests.integration.slack_helpers import SlackRig, stored


def invoke(method: str, path: str, body: Any = None, headers: dict[str, str] | None = None,
           claims: dict[str, Any] | None = None) -> tuple[int, Any]:
    """API Gateway's proxy event, as the Lambda function receives it."""
    resource, params = path, None
    if path.startswith("/api/posts/"):
        post_id, _, action = path.removeprefix("/api/posts/").partition("/")
        resource = "/api/posts/{post_id}" + (f"/{action}" if action else "")
        params = {"post_id": post_id}
    context: dict[str, Any] = {"resourcePath": resource, "httpMethod": method, "path": path,
                               "stage": "api"}
    if claims is not None:
        context["authorizer"] = {"claims": claims}
    event = {
        "resource": resource, "path": path, "httpMethod": method,
        "headers": {"Content-Type": "application/json", **(headers or {})},
        "multiValueHeaders": {}, "queryStringParameters": None,
        "multiValueQueryStringParameters": None, "pathParameters": params, "stageVariables": None,
        "isBase64Encoded": False, "body": json.dumps(body) if body is not None else None,
        "requestContext": context,
    }
    answer = application.app(event, None)
    return answer["statusCode"], json.loads(answer["body"])


@pytest.fixture
def cognito(table: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FREIGABE_AUTH", "cognito")
    bootstrap.reset()


def test_cognito_claims_name_the_author(cognito: None) -> None:
    claims = {"email": "Wanda.Writer@Freigabe.example", "name": "Wanda Writer", "sub": "abc",
              "email_verified": "true"}
    status, post = invoke("POST", "/api/posts", {"text": "Hallo", "channels": ["outbox"]},
                          claims=claims)
    assert status == 201
    assert post["author"] == "wanda.writer@freigabe.example"
    assert post["author_name"] == "Wanda Writer"
    status, mine = invoke("GET", "/api/posts", claims=claims)
    assert [p["id"] for p in mine["posts"]] == [post["id"]]


def test_cognito_ignores_the_dev_header(cognito: None) -> None:
    status, body = invoke("GET", "/api/posts",
                          headers={"X-Freigabe-User": "wanda.writer@freigabe.example"})
    assert status == 401 and body["message"]


def test_the_dev_header_is_refused_inside_lambda(table: str,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "freigabe-prod")
    bootstrap.reset()
    status, body = invoke("POST", "/api/posts", {"text": "Hallo", "channels": ["outbox"]},
                          headers={"X-Freigabe-User": "wanda.writer@freigabe.example"})
    assert status == 401
    assert body["error"] == "dev_auth_in_lambda"
    monkeypatch.delenv("AWS_LAMBDA_FUNCTION_NAME")
    bootstrap.reset()
    status, body = invoke("GET", "/api/posts",
                          headers={"X-Freigabe-User": "wanda.writer@freigabe.example"})
    assert status == 200 and body["posts"] == []


def test_a_dev_user_may_bring_a_display_name(client: Any) -> None:
    headers = {"Content-Type": "application/json", "X-Freigabe-User": "writer@freigabe.example",
               "X-Freigabe-Name": "J%C3%BCrgen%20Writer"}
    answer = client.http.post("/api/posts", headers=headers,
                              body=json.dumps({"text": "Hallo", "channels": ["outbox"]}))
    assert json.loads(answer.body)["author_name"] == "Jürgen Writer"
    me = json.loads(client.http.get("/api/me", headers=headers).body)
    assert me["name"] == "Jürgen Writer"
    plain = {**headers, "X-Freigabe-Name": ""}
    assert json.loads(client.http.get("/api/me", headers=plain).body)["name"] == "Writer"


ME = {"X-Freigabe-User": "wanda.writer@freigabe.example"}


@pytest.mark.parametrize("extra", [
    {"X-Forwarded-For": "203.0.113.7"},
    {"X-Forwarded-Host": "freigabe.example-tunnel.app"},
    {"X-Forwarded-Proto": "https"},
    {"Forwarded": "for=203.0.113.7;proto=https"},
    {"Host": "freigabe.example-tunnel.app"},
    {"Host": "localhost.evil.example"},
    {"Host": "127.0.0.1.nip.io:8000"},
])
def test_the_dev_header_is_refused_unless_the_request_is_evidently_local(
        table: str, extra: dict[str, str]) -> None:
    # Issue item 4: behind a public tunnel anyone could name themselves with the header.
    bootstrap.reset()
    status, body = invoke("POST", "/api/posts", {"text": "Hallo", "channels": ["outbox"]},
                          headers={**ME, "Host": "localhost:8000", **extra})
    assert status == 401
    assert body["error"] == "dev_auth_not_local"
    assert invoke("GET", "/api/posts", headers={**ME, "Host": "localhost:8000"})[1]["posts"] == []


@pytest.mark.parametrize("host", ["localhost", "LOCALHOST:8000", "127.0.0.1", "127.0.0.1:8000",
                                  "127.1.2.3:9", "[::1]", "[::1]:8000"])
def test_the_dev_header_is_honoured_on_a_loopback_host(table: str, host: str) -> None:
    bootstrap.reset()
    status, body = invoke("GET", "/api/me", headers={**ME, "Host": host})
    assert status == 200 and body["email"] == "wanda.writer@freigabe.example"


def test_cognito_does_not_mind_a_proxy(cognito: None) -> None:
    status, _ = invoke("GET", "/api/posts", headers={"Host": "api.example", "X-Forwarded-For": "1.2.3.4"},
                       claims={"email": "wanda.writer@freigabe.example", "sub": "abc",
                               "email_verified": "true"})
    assert status == 200


# -- Cognito: a verified email, authorship on the immutable sub (issue item 3) ------------------

WANDA_CLAIMS = {"email": "wanda.writer@freigabe.example", "name": "Wanda Writer",
                "sub": "0b5c6d2e-1f3a-4c5d-8e9f-a0b1c2d3e4f5", "email_verified": "true"}


@pytest.mark.parametrize("verified", ["false", False, None])
def test_cognito_refuses_an_unverified_email_and_stores_nothing(cognito: None,
                                                                verified: Any) -> None:
    claims = {**WANDA_CLAIMS, "email_verified": verified}
    if verified is None:
        del claims["email_verified"]
    status, body = invoke("POST", "/api/posts", {"text": "Hallo", "channels": ["outbox"]},
                          claims=claims)
    assert status == 401
    assert body["error"] == "email_not_verified"
    assert "bestätigt" in body["message"]
    status, body = invoke("GET", "/api/me", claims=claims, headers={"Accept-Language": "en"})
    assert status == 401 and "verified" in body["message"]
    assert invoke("GET", "/api/posts", claims=WANDA_CLAIMS)[1]["posts"] == []


def test_cognito_without_a_sub_is_no_identity(cognito: None) -> None:
    claims = {k: v for k, v in WANDA_CLAIMS.items() if k != "sub"}
    status, body = invoke("GET", "/api/posts", claims=claims)
    assert status == 401 and body["error"] == "no_identity"


def test_cognito_authorship_follows_the_sub_not_the_email(cognito: None) -> None:
    # GIVEN Wanda's post
    status, post = invoke("POST", "/api/posts", {"text": "Hallo", "channels": ["outbox"]},
                          claims=WANDA_CLAIMS)
    assert status == 201 and post["author"] == "wanda.writer@freigabe.example"
    # WHEN her (verified) address changes, THEN the post is still hers
    moved = {**WANDA_CLAIMS, "email": "wanda@freigabe.example"}
    assert [p["id"] for p in invoke("GET", "/api/posts", claims=moved)[1]["posts"]] == [post["id"]]
    assert invoke("GET", f"/api/posts/{post['id']}", claims=moved)[0] == 200
    # AND someone else who now has her old address sees and changes nothing of it
    other = {**WANDA_CLAIMS, "sub": "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a"}
    assert invoke("GET", "/api/posts", claims=other)[1]["posts"] == []
    assert invoke("GET", f"/api/posts/{post['id']}", claims=other)[0] == 404
    status, _ = invoke("POST", f"/api/posts/{post['id']}/withdraw", claims=other)
    assert status == 404
    assert invoke("GET", f"/api/posts/{post['id']}", claims=WANDA_CLAIMS)[1]["status"] == "in_review"


# -- who the author is in Slack (issue item 2) -------------------------------------------------


def test_an_author_who_changed_their_slack_email_still_cannot_approve(slack_rig: SlackRig) -> None:
    # GIVEN Lena (U0LEGAL1, a legal reviewer) submits a post that needs legal's review
    post = slack_rig.create(user="legal1@freigabe.example", text="Rabatt")
    slack_rig.relay.pump()
    assert stored_post(post["id"]).author_slack_id == "U0LEGAL1"
    # WHEN she changes her Slack profile email and clicks Approve on her own post
    slack_rig.dev("/_dev/users", {"id": "U0LEGAL1", "real_name": "Lena Legal",
                                  "email": "lena.private@example.org"})
    before = stored(post["id"])
    slack_rig.click("U0LEGAL1", slack_rig.request_for("C0LEGAL", post["id"]), APPROVE)
    # THEN nothing changes, and she is told why
    assert stored(post["id"]) == before
    assert "Das ist Ihr eigener Beitrag" in slack_rig.ephemerals("U0LEGAL1")[-1]["text"]


def test_a_submission_without_slack_stores_no_slack_account(client: Any) -> None:
    headers = {"Content-Type": "application/json", "X-Freigabe-User": "writer@freigabe.example"}
    answer = client.http.post("/api/posts", headers=headers,
                              body=json.dumps({"text": "Hallo", "channels": ["outbox"]}))
    assert answer.status_code == 201
    post = json.loads(answer.body)
    assert post["status"] == "in_review"
    assert stored_post(post["id"]).author_slack_id is None


def stored_post(post_id: str) -> Post:
    return bootstrap.container().repository.get(post_id)
