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
                    "results": {"type": "object"}, "timeline": {"type": "array"}}},
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
        },
    }
