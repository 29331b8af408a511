"""Events in the shapes AWS hands Lambda functions.

API Gateway: the REST API (v1) Lambda proxy integration event as AWS documents it ("Input
format of a Lambda function for proxy integration", the Lambda console's `apigateway-aws-proxy`
sample, which Powertools' tests/events/apiGatewayProxyEvent.json copies), with
``requestContext.authorizer.claims`` as a Cognito user pool authorizer fills it (every claim a
string). Schedules, SQS and DynamoDB Streams come from dev/lambda_events.py (AWS's documented
EventBridge "Scheduled Event", the SQS event with attributes and messageAttributes, and the
DynamoDB Streams event with NewImage in DynamoDB JSON). Lambda's event filtering for the
stream is applied as the template's FilterCriteria says (dev/lambda_events.filtered).
"""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

# Lambda's event filtering, shared with the local stream source (dev/sources.py).
from dev.lambda_events import filtered as filtered

from .template import ACCOUNT, REGION

API_ID = "a1b2c3d4e5"
STAGE = "api"
HOST = f"{API_ID}.execute-api.{REGION}.amazonaws.com"


def cognito_claims(email: str, name: str = "") -> dict[str, str]:
    now = int(time.time())
    stamp = datetime.now(UTC).strftime("%a %b %d %H:%M:%S UTC %Y")
    claims = {
        "sub": str(uuid.uuid5(uuid.NAMESPACE_DNS, email)),
        "email_verified": "true",
        "iss": f"https://cognito-idp.{REGION}.amazonaws.com/{REGION}_AbCdEfGhI",
        "cognito:username": str(uuid.uuid5(uuid.NAMESPACE_URL, email)),
        "origin_jti": str(uuid.uuid4()),
        "aud": "4example2clientid3x5t",
        "event_id": str(uuid.uuid4()),
        "token_use": "id",
        "auth_time": str(now),
        "exp": stamp,
        "iat": stamp,
        "jti": str(uuid.uuid4()),
        "email": email,
    }
    if name:
        claims["name"] = name
    return claims


def api_event(method: str, resource: str, *, path: str | None = None, body: str | bytes | None = None,
              headers: dict[str, str] | None = None, query: dict[str, str] | None = None,
              path_parameters: dict[str, str] | None = None,
              claims: dict[str, str] | None = None) -> dict[str, Any]:
    """``resource`` is the route template (/api/posts/{post_id}); ``path`` the concrete path."""
    path = path or resource
    sent = {
        "Accept": "*/*",
        "Accept-Encoding": "gzip, deflate",
        "CloudFront-Forwarded-Proto": "https",
        "CloudFront-Is-Desktop-Viewer": "true",
        "CloudFront-Viewer-Country": "DE",
        "Host": HOST,
        "User-Agent": "python-requests/2.32",
        "Via": "1.1 08f323deadbeefa7af34d5feb414ce27.cloudfront.net (CloudFront)",
        "X-Amz-Cf-Id": "cDehVQoZnx43VYQb9j2-nvCh-9z396Uhbp027Y2JvkCPNLmGJHqlaA==",
        "X-Amzn-Trace-Id": f"Root=1-{int(time.time()):08x}-{uuid.uuid4().hex[:24]}",
        "X-Forwarded-For": "203.0.113.7, 130.176.0.1",
        "X-Forwarded-Port": "443",
        "X-Forwarded-Proto": "https",
        **(headers or {}),
    }
    text = body.decode("utf-8") if isinstance(body, bytes) else body
    request_time = datetime.now(UTC)
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": sent,
        "multiValueHeaders": {key: [value] for key, value in sent.items()},
        "queryStringParameters": dict(query) if query else None,
        "multiValueQueryStringParameters": {k: [v] for k, v in query.items()} if query else None,
        "pathParameters": dict(path_parameters) if path_parameters else None,
        "stageVariables": None,
        "requestContext": {
            "accountId": ACCOUNT,
            "resourceId": "123456",
            "stage": STAGE,
            "requestId": str(uuid.uuid4()),
            "requestTime": request_time.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "requestTimeEpoch": int(request_time.timestamp() * 1000),
            "identity": {
                "cognitoIdentityPoolId": None, "accountId": None, "cognitoIdentityId": None,
                "caller": None, "accessKey": None, "sourceIp": "203.0.113.7",
                "cognitoAuthenticationType": None, "cognitoAuthenticationProvider": None,
                "userArn": None, "userAgent": sent["User-Agent"], "user": None,
            },
            "authorizer": {"claims": claims} if claims is not None else None,
            "path": f"/{STAGE}{path}",
            "resourcePath": resource,
            "httpMethod": method,
            "apiId": API_ID,
            "protocol": "HTTP/1.1",
            "domainName": HOST,
            "domainPrefix": API_ID,
        },
        "body": text,
        "isBase64Encoded": False,
    }


def json_body(payload: Any) -> str:
    return json.dumps(payload)


def form_body(fields: dict[str, str]) -> str:
    return urlencode(fields)
