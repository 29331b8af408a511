"""An OpenAPI 3.1 description of the writers' API (docs/api.md), served at
/api/openapi.json; request bodies come from the same pydantic models that validate them."""

from __future__ import annotations

from typing import Any

from chalicelib.http.models import STATUSES, PostCreate, PostPatch

ERROR = {"$ref": "#/components/schemas/Error"}
POST = {"$ref": "#/components/schemas/Post"}


def _responses(ok: int, body: dict[str, Any], *errors: int) -> dict[str, Any]:
    described = {str(ok): {"description": "OK", "content": {"application/json": {"schema": body}}}}
    for code in (401, *errors):
        described[str(code)] = {"description": "Error",
                                "content": {"application/json": {"schema": ERROR}}}
    return described


def _json_body(model: type) -> dict[str, Any]:
    return {"required": True,
            "content": {"application/json": {"schema": model.model_json_schema()}}}  # type: ignore[attr-defined]


POST_ID = [{"name": "post_id", "in": "path", "required": True, "schema": {"type": "string"}}]


def spec() -> dict[str, Any]:
    post_list = {"type": "object", "properties": {"posts": {"type": "array", "items": POST}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Freigabe writers' API", "version": "1"},
        "components": {
            "securitySchemes": {
                "devUser": {"type": "apiKey", "in": "header", "name": "X-Freigabe-User"},
                "cognito": {"type": "http", "scheme": "bearer"},
            },
            "schemas": {
                "Error": {"type": "object", "required": ["message"],
                          "properties": {"message": {"type": "string"},
                                         "error": {"type": "string"}}},
                "Post": {"type": "object", "required": [
                    "id", "status", "version", "text", "channels", "content_hash", "steps",
                    "results"], "properties": {
                    "id": {"type": "string"}, "status": {"enum": list(STATUSES)},
                    "version": {"type": "integer"}, "title": {"type": "string"},
                    "text": {"type": "string"}, "variants": {"type": "object"},
                    "channels": {"type": "array", "items": {"type": "string"}},
                    "publish_at": {"type": ["string", "null"]}, "author": {"type": "string"},
                    "content_hash": {"type": "string"}, "steps": {"type": "array"},
                    "results": {"type": "object"}, "timeline": {"type": "array"},
                    "conversation": {"type": "array", "items": {
                        "type": "object", "required": ["id", "kind", "channel", "author",
                                                       "text", "url", "at", "status"],
                        "properties": {"id": {"type": "string"},
                                       "kind": {"enum": ["incoming", "answer"]},
                                       "channel": {"type": "string"},
                                       "author": {"type": "string"},
                                       "text": {"type": "string"},
                                       "url": {"type": ["string", "null"]},
                                       "at": {"type": "string"},
                                       "status": {"type": "string"}}}}}},
            },
        },
        "security": [{"devUser": []}, {"cognito": []}],
        "paths": {
            "/api/posts": {
                "post": {"operationId": "createPost", "requestBody": _json_body(PostCreate),
                         "responses": _responses(201, POST, 400, 415, 422)},
                "get": {"operationId": "listPosts", "parameters": [
                    {"name": "status", "in": "query", "required": False,
                     "schema": {"type": "string"}}],
                        "responses": _responses(200, post_list, 422)},
            },
            "/api/posts/{post_id}": {
                "get": {"operationId": "getPost", "parameters": POST_ID,
                        "responses": _responses(200, POST, 404)},
                "patch": {"operationId": "editPost", "parameters": POST_ID,
                          "requestBody": _json_body(PostPatch),
                          "responses": _responses(200, POST, 400, 404, 409, 415, 422)},
            },
            "/api/posts/{post_id}/submit": {
                "post": {"operationId": "submitPost", "parameters": POST_ID,
                         "responses": _responses(200, POST, 404, 409, 415, 422)}},
            "/api/posts/{post_id}/withdraw": {
                "post": {"operationId": "withdrawPost", "parameters": POST_ID,
                         "responses": _responses(200, POST, 404, 409, 415)}},
            "/api/channels": {"get": {"operationId": "listChannels",
                                      "responses": _responses(200, {"type": "object"})}},
            "/api/calendar": {"get": {"operationId": "calendar", "parameters": [
                {"name": "from", "in": "query", "required": True, "schema": {"type": "string"}},
                {"name": "to", "in": "query", "required": True, "schema": {"type": "string"}}],
                "responses": _responses(200, post_list, 422)}},
            **_media_paths(),
            **_review_paths(),
            **_depth_paths(),
            **_admin_paths(),
            **_workflow_admin_paths(),
            **_evidence_paths(),
            **_away_paths(),
            **_stats_paths(),
        },
    }


def _stats_paths() -> dict[str, Any]:
    """The period's figures (docs/api.md "Analytics")."""
    query = [{"name": name, "in": "query", "required": False, "schema": {"type": "string"}}
             for name in ("from", "to", "brand")]
    figures = {"type": "object", "required": ["steps", "on_time_rate", "failures"], "properties": {
        "steps": {"type": "array", "items": {"type": "object"}},
        "on_time_rate": {"type": ["number", "null"]},
        "failures": {"type": "object", "additionalProperties": {"type": "integer"}},
        "answers": {"type": "array", "items": {"type": "object"}}}}
    return {"/api/stats": {"get": {"operationId": "stats", "parameters": query,
                                   "responses": _responses(200, figures, 422)}}}


def _away_paths() -> dict[str, Any]:
    """A reviewer's absence and deputy (docs/api.md "Deputies")."""
    from chalicelib.http.away_routes import AwayBody

    shown = {"type": "object", "required": ["reviewer", "away", "covering"], "properties": {
        "reviewer": {"type": "boolean"}, "away": {"type": ["object", "null"]},
        "covering": {"type": "array", "items": {"type": "object"}}}}
    return {"/api/me/away": {
        "get": {"operationId": "readAway", "responses": _responses(200, shown, 403)},
        "put": {"operationId": "setAway", "requestBody": _json_body(AwayBody),
                "responses": _responses(200, shown, 400, 403, 415, 422)},
        "delete": {"operationId": "endAway", "responses": _responses(200, shown, 403)}}}


def _depth_paths() -> dict[str, Any]:
    """Review depth (CONTRACT §9): releasing a hold, comments, the diff between versions."""
    from chalicelib.http.models import CommentCreate

    step = [*POST_ID, {"name": "step", "in": "path", "required": True,
                       "schema": {"type": "string"}}]
    changes = {"type": "object", "required": ["from", "to", "texts", "images"], "properties": {
        "from": {"type": "string"}, "to": {"type": "string"},
        "texts": {"type": "array", "items": {"type": "object", "properties": {
            "field": {"type": "string"}, "changed": {"type": "boolean"},
            "diff": {"type": "array", "items": {"type": "array"}}}}},
        "images": {"type": "array", "items": {"type": "string"}}}}
    return {
        "/api/posts/{post_id}/holds/{step}/release": {
            "post": {"operationId": "releaseHold", "parameters": step,
                     "responses": _responses(200, POST, 403, 404, 409, 415)}},
        "/api/posts/{post_id}/comments": {
            "post": {"operationId": "addComment", "parameters": POST_ID,
                     "requestBody": _json_body(CommentCreate),
                     "responses": _responses(201, POST, 400, 404, 415, 422)}},
        "/api/posts/{post_id}/changes": {
            "get": {"operationId": "postChanges", "parameters": [
                *POST_ID, {"name": "from", "in": "query", "required": True,
                           "schema": {"type": "string"}}],
                    "responses": _responses(200, changes, 404, 422)}},
    }


NAME = [{"name": "name", "in": "path", "required": True, "schema": {"type": "string"}}]


def _admin_paths() -> dict[str, Any]:
    """Channels and accounts for the web page's admins (CONTRACT §8)."""
    from chalicelib.http.admin import ChannelCreate, Credentials

    channel = {"type": "object", "required": ["name", "type", "source", "status"], "properties": {
        "name": {"type": "string"}, "type": {"type": "string"},
        "source": {"enum": ["file", "runtime"]},
        "status": {"enum": ["connected", "expiring", "expired", "error", "not_connected"]},
        "account": {"type": ["string", "null"]}, "expires_at": {"type": ["string", "null"]},
        "last_ok_at": {"type": ["string", "null"]}, "last_error": {"type": ["string", "null"]}}}
    listed = {"type": "object", "properties": {"channels": {"type": "array", "items": channel}}}
    changes = {"type": "object", "properties": {"changes": {"type": "array"}}}
    return {
        "/api/admin/channels": {
            "get": {"operationId": "listAdminChannels", "responses": _responses(200, listed, 403)},
            "post": {"operationId": "createChannel", "requestBody": _json_body(ChannelCreate),
                     "responses": _responses(201, channel, 400, 403, 409, 415, 422)}},
        "/api/admin/channels/{name}": {
            "delete": {"operationId": "deleteChannel", "parameters": NAME,
                       "responses": _responses(200, {"type": "object"}, 403, 404, 409)}},
        "/api/admin/channels/{name}/connect": {
            "get": {"operationId": "connectChannel", "parameters": NAME,
                    "responses": {"302": {"description": "to the network's authorization page"},
                                  **_responses(200, {"type": "object"}, 400, 403, 404)}}},
        "/api/admin/channels/{name}/credentials": {
            "post": {"operationId": "channelCredentials", "parameters": NAME,
                     "requestBody": _json_body(Credentials),
                     "responses": _responses(200, channel, 400, 403, 404, 409, 415, 422)}},
        "/api/admin/channels/{name}/disconnect": {
            "post": {"operationId": "disconnectChannel", "parameters": NAME,
                     "responses": _responses(200, channel, 403, 404, 409, 415)}},
        "/api/admin/channels/{name}/log": {
            "get": {"operationId": "channelLog", "parameters": NAME,
                    "responses": _responses(200, changes, 403, 404)}},
    }


def _workflow_admin_paths() -> dict[str, Any]:
    """The workflow edited at run time, for the web page's admins (CONTRACT §10)."""
    version = {"type": "object", "required": ["version", "workflow", "toml"], "properties": {
        "version": {"type": "integer"}, "workflow": {"type": "object"}, "toml": {"type": "string"},
        "saved_by": {"type": "string"}, "saved_at": {"type": "string"}}}
    body = {"required": True, "content": {"application/json": {"schema": {
        "type": "object", "required": ["version"], "additionalProperties": False, "properties": {
            "version": {"type": "integer", "minimum": 0}, "workflow": {"type": "object"},
            "toml": {"type": "string"}}}}}}
    listed = {"type": "object", "properties": {"versions": {"type": "array", "items": {
        "type": "object", "properties": {"version": {"type": "integer"},
                                         "saved_by": {"type": "string"},
                                         "saved_at": {"type": "string"},
                                         "changes": {"type": "array"}}}}}}
    number = [{"name": "number", "in": "path", "required": True, "schema": {"type": "string"}}]
    return {
        "/api/admin/workflow": {
            "get": {"operationId": "getWorkflow", "responses": _responses(200, version, 403)},
            "put": {"operationId": "saveWorkflow", "requestBody": body,
                    "responses": _responses(200, version, 400, 403, 409, 413, 415, 422)}},
        "/api/admin/workflow/versions": {
            "get": {"operationId": "listWorkflowVersions", "responses": _responses(200, listed, 403)}},
        "/api/admin/workflow/versions/{number}": {
            "get": {"operationId": "getWorkflowVersion", "parameters": number,
                    "responses": _responses(200, version, 403, 404)}},
    }


MEDIA_ID = [{"name": "media_id", "in": "path", "required": True, "schema": {"type": "string"}}]


def _media_paths() -> dict[str, Any]:
    """The image routes (CONTRACT §7): create an upload, complete it, read it."""
    from chalicelib.http.media_models import MEDIA_OBJECT_SCHEMA, MediaCreate

    created = {**MEDIA_OBJECT_SCHEMA, "required": [*MEDIA_OBJECT_SCHEMA["required"], "upload"],
               "properties": {**MEDIA_OBJECT_SCHEMA["properties"], "upload": {
                   "type": "object", "required": ["url", "fields"],
                   "properties": {"url": {"type": "string"}, "fields": {"type": "object"}}}}}
    return {
        "/api/media": {
            "post": {"operationId": "createMedia", "requestBody": _json_body(MediaCreate),
                     "responses": _responses(201, created, 400, 415, 422)}},
        "/api/media/{media_id}/complete": {
            "post": {"operationId": "completeMedia", "parameters": MEDIA_ID,
                     "responses": _responses(200, MEDIA_OBJECT_SCHEMA, 404, 415, 422)}},
        "/api/media/{media_id}": {
            "get": {"operationId": "getMedia", "parameters": MEDIA_ID,
                    "responses": _responses(200, MEDIA_OBJECT_SCHEMA, 404)}},
    }


TOKEN = [{"name": "token", "in": "path", "required": True, "schema": {"type": "string"}}]


def _review_paths() -> dict[str, Any]:
    """External review (CONTRACT §9): the author's link, and the decision taken on the page
    behind it, which needs no account. The page itself (GET /review/{token}) is HTML, like the
    web page, and not described here."""
    from chalicelib.http.review_page import ExternalDecision, ReviewLinkCreate

    link = {"type": "object", "required": ["url", "expires_at"],
            "properties": {"url": {"type": "string"}, "expires_at": {"type": "string"},
                           "step": {"type": "string"}}}
    decided = {"type": "object", "required": ["decision", "recorded"],
               "properties": {"decision": {"type": "string"}, "recorded": {"type": "boolean"}}}
    return {
        "/api/posts/{post_id}/review-links": {
            "post": {"operationId": "createReviewLink", "parameters": POST_ID,
                     "requestBody": {**_json_body(ReviewLinkCreate), "required": False},
                     "responses": _responses(201, link, 400, 404, 409, 415, 422)}},
        "/review/{token}/decision": {
            "post": {"operationId": "reviewDecision", "parameters": TOKEN, "security": [],
                     "requestBody": _json_body(ExternalDecision),
                     "responses": _responses(200, decided, 400, 404, 409, 410, 415, 422)}},
    }


def _evidence_paths() -> dict[str, Any]:
    """A post's evidence file (CONTRACT §10) and its printable view (HTML)."""
    document = {"type": "object", "required": ["format", "post", "versions", "decisions",
                                               "timeline", "anchors", "signer", "signature"]}
    view = _responses(200, {"type": "string"}, 404, 503)
    view["200"] = {"description": "OK", "content": {"text/html": {"schema": {"type": "string"}}}}
    return {
        "/api/posts/{post_id}/evidence": {
            "get": {"operationId": "getEvidence", "parameters": POST_ID,
                    "responses": _responses(200, document, 404, 503)}},
        "/api/posts/{post_id}/evidence.html": {
            "get": {"operationId": "getEvidenceView", "parameters": POST_ID,
                    "responses": view}},
    }
