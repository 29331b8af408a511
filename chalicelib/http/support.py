"""What every API route shares: who is calling, in which language, the JSON body, and
turning errors into a 4xx with a message the writer understands."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import unquote

from chalice.app import Request, Response
from pydantic import BaseModel, ValidationError

from chalicelib.config import WorkflowError
from chalicelib.domain.errors import (
    Conflict,
    DomainError,
    Forbidden,
    InvalidContent,
    InvalidTransition,
    NotEligible,
    NotFound,
    StorageRefused,
)
from chalicelib.i18n import pick_language, t
from chalicelib.services.ports import Identity
from chalicelib.settings import Settings

# A request made on this computer: a loopback Host (any port), or none at all (Chalice's test
# client and a direct invocation send none).
LOOPBACK_HOST = re.compile(r"^(localhost|127(\.\d{1,3}){3}|\[::1\])(:\d{1,5})?$", re.IGNORECASE)
# What a proxy or tunnel (ngrok, cloudflared, ...) adds to the request it passes on.
PROXY_HEADERS = ("forwarded", "x-real-ip", "cf-connecting-ip")
EMAIL = re.compile(r"^[^@\s<>\"']{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,24}$")
JSON_TYPES = ("application/json",)

Model = TypeVar("Model", bound=BaseModel)



class ApiError(Exception):
    def __init__(self, status: int, key: str, **params: Any) -> None:
        super().__init__(key)
        self.status, self.key, self.params = status, key, params


STATUS_BY_ERROR: list[tuple[type[DomainError], int]] = [
    (StorageRefused, 422), (NotFound, 404), (Forbidden, 403), (Conflict, 409),
    (InvalidTransition, 409),
    (NotEligible, 403), (InvalidContent, 422),
]


def language(request: Request, default: str) -> str:
    return pick_language(request.headers.get("accept-language"), default)


def identity(request: Request, settings: Settings) -> Identity:
    if settings.auth == "cognito":
        claims = ((request.context or {}).get("authorizer") or {}).get("claims") or {}
        email = str(claims.get("email") or "").strip()
        subject = str(claims.get("sub") or "").strip()
        if not EMAIL.match(email) or not subject:
            raise ApiError(401, "no_identity")
        # An unverified address could be anyone's, and it is what Slack matches reviewers by.
        # API Gateway passes the claim as the string "true".
        if str(claims.get("email_verified")).lower() != "true":
            raise ApiError(401, "email_not_verified")
        return Identity(email=email.lower(), name=str(claims.get("name") or email),
                        subject=subject, groups=cognito_groups(claims.get("cognito:groups")))
    if settings.in_lambda:
        # The header can be set by anyone: never trust it where real people connect.
        raise ApiError(401, "dev_auth_in_lambda")
    if not _evidently_local(request):
        # Behind a tunnel to `make run` the header would let anyone be anyone.
        raise ApiError(401, "dev_auth_not_local")
    email = (request.headers.get("x-freigabe-user") or "").strip()
    if not EMAIL.match(email):
        raise ApiError(401, "no_identity")
    given = unquote(request.headers.get("x-freigabe-name") or "").strip()
    if given and len(given) <= 80 and given.isprintable():
        return Identity(email=email.lower(), name=given)
    local = email.split("@", 1)[0]
    name = " ".join(part.capitalize() for part in re.split(r"[._-]+", local) if part)
    return Identity(email=email.lower(), name=name or email)


def cognito_groups(claim: object) -> tuple[str, ...]:
    """The sign-in's Cognito groups: API Gateway hands the claim over as one string
    ("a,b" or "[a b]"), other callers as a list."""
    if isinstance(claim, list):
        return tuple(str(group) for group in claim if str(group))
    if not isinstance(claim, str):
        return ()
    return tuple(group for group in re.split(r"[\s,]+", claim.strip().strip("[]")) if group)


def _evidently_local(request: Request) -> bool:
    names = [str(name).lower() for name in (request.headers or {})]
    if any(name in PROXY_HEADERS or name.startswith("x-forwarded-") for name in names):
        return False
    host = (request.headers.get("host") or "").strip()
    return not host or bool(LOOPBACK_HOST.match(host))


def body(request: Request, model: type[Model]) -> Model:
    content_type = (request.headers.get("content-type") or "application/json").split(";")[0]
    if content_type.strip().lower() not in JSON_TYPES:
        raise ApiError(415, "unsupported_media_type")
    raw = request.raw_body or b"{}"
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "invalid_json") from None
    if not isinstance(data, dict):
        raise ApiError(422, "body_not_object")
    return model.model_validate(data)


def _field_problems(err: ValidationError, lang: str) -> str:
    problems = []
    for error in err.errors()[:5]:
        field = ".".join(str(part) for part in error["loc"]) or "body"
        kind = error["type"]
        key = {
            "missing": "missing", "string_type": "string_type", "list_type": "list_type",
            "dict_type": "dict_type", "bool_type": "bool_type", "int_type": "int_type",
            "int_parsing": "int_type", "extra_forbidden": "extra_forbidden",
            "datetime_type": "datetime_type", "datetime_parsing": "datetime_type",
            "datetime_from_date_parsing": "datetime_type", "timezone_aware": "timezone_aware",
            "string_too_long": "too_long_field", "too_long": "too_long_field",
        }.get(kind, "invalid_value")
        problems.append(t("invalid_field", lang, field=field, problem=t(key, lang)))
    return "; ".join(problems)


def error_response(status: int, message: str, **extra: Any) -> Response:
    return Response(body={"message": message, **extra}, status_code=status,
                    headers={"Content-Type": "application/json"})


def workflow_unavailable(err: WorkflowError, lang: str) -> Response:
    """An invalid workflow file is not the caller's fault: 503, with the key and the problem."""
    return error_response(503, t("workflow_invalid", lang, problem=str(err)),
                          error="workflow_invalid")


def json_api(get_request: Callable[[], Request], default_language: Callable[[], str],
             ) -> Callable[[Callable[..., Any]], Callable[..., Response]]:
    """Run a route handler; map every known failure to a 4xx with a translated message."""
    return lambda handler: _wrap(handler, get_request, default_language)


def _wrap(handler: Callable[..., Any], get_request: Callable[[], Request],
          default_language: Callable[[], str]) -> Callable[..., Response]:
    @wraps(handler)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        request = get_request()
        try:
            lang = language(request, default_language())
        except WorkflowError as err:
            return workflow_unavailable(err, language(request, "en"))
        try:
            result = handler(request, *args, **kwargs)
        except WorkflowError as err:
            return workflow_unavailable(err, lang)
        except ApiError as err:
            return error_response(err.status, t(err.key, lang, **err.params), error=err.key)
        except ValidationError as err:
            return error_response(422, _field_problems(err, lang), error="invalid_field")
        except DomainError as err:
            status = next((code for kind, code in STATUS_BY_ERROR if isinstance(err, kind)), 400)
            return error_response(status, t(err.key, lang, **err.params), error=err.key)
        if isinstance(result, Response):
            return result
        status, payload = result
        return Response(body=payload, status_code=status,
                        headers={"Content-Type": "application/json"})

    return wrapper
