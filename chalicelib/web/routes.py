"""The writers' web page: one HTML shell, its static files, and the sign-in settings it reads.

Everything a writer typed is rendered in the browser with textContent; the shell itself holds
no user input except the language and the path it was served under, both checked here. The
module imports only the standard library, Chalice and the settings model, so the page costs
nothing at cold start; its settings arrive through ``build_web``.
"""

from __future__ import annotations

import hashlib
import html
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from string import Template
from typing import Any
from urllib.parse import urlsplit

from chalice.app import Blueprint, Request, Response

from chalicelib.settings import Settings

STATIC = Path(__file__).resolve().parent / "static"
TEMPLATES = Path(__file__).resolve().parent / "templates"

CONTENT_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml; charset=utf-8",
}
# A closed alphabet instead of path checks: no dot-dot, slash or percent can ever reach the disk.
ASSET_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}\.(?:js|css|svg)")
# The path the page was served under (API Gateway puts the stage in front, e.g. /api/).
SAFE_PATH = re.compile(r"/[A-Za-z0-9._~/-]{0,200}")
# Cognito's domain ends up in the CSP header: a plain host name, nothing that could add a directive.
HOST = re.compile(r"[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})+")
# An S3 endpoint's host and port (the local emulator: 127.0.0.1:5055).
ENDPOINT_HOST = re.compile(r"[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*(?::[0-9]{1,5})?")
BUCKET = re.compile(r"[a-z0-9][a-z0-9-]{1,61}[a-z0-9]")
REGION = re.compile(r"[a-z]{2}(?:-[a-z]+)+-[0-9]")

DEV_USERS = [
    {"email": "writer@freigabe.example", "name": "Wanda Writer"},
    {"email": "otto.other@freigabe.example", "name": "Otto Other"},
    # The sample workflow's admin_emails: sees the admin section (channels and accounts).
    {"email": "admin@freigabe.example", "name": "Ada Admin"},
]

Headers = dict[str, str | list[str]]  # what chalice.Response accepts

SHELL_TEXT = {
    "en": {"loading": "Loading Freigabe …", "noscript": "Freigabe needs JavaScript to run."},
    "de": {"loading": "Freigabe wird geladen …", "noscript": "Freigabe braucht JavaScript."},
}


def security_headers(connect_extra: str = "", img_extra: str = "") -> Headers:
    connect = "'self'" + (f" {connect_extra}" if connect_extra else "")
    img = "'self' data:" + (f" {img_extra}" if img_extra else "")
    csp = (
        f"default-src 'self'; script-src 'self'; style-src 'self'; img-src {img}; "
        f"connect-src {connect}; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; "
        "object-src 'none'"
    )
    return {
        "Content-Security-Policy": csp,
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        # The sign-in code travels in the page's query string: never hand it to another site.
        "Referrer-Policy": "no-referrer",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
        "Strict-Transport-Security": "max-age=31536000",
    }


@dataclass(frozen=True)
class WebDeps:
    settings: Settings
    default_language: Callable[[], str]  # the workflow's; may fail on a broken workflow file


def _cognito(settings: Settings) -> dict[str, str] | None:
    """Cognito's hosted UI, when configured; the values are public by design."""
    domain, client_id = settings.cognito_domain.strip(), settings.cognito_client_id.strip()
    if not domain or not client_id:
        return None
    if "://" not in domain:
        domain = "https://" + domain
    parts = urlsplit(domain)
    if parts.scheme != "https" or not HOST.fullmatch(parts.netloc):
        return None
    # Empty: the page uses its own address, which must then be a callback URL of the client.
    redirect = settings.cognito_redirect_uri.strip()
    if not redirect and settings.public_url.strip():
        redirect = settings.public_url.strip().rstrip("/") + "/"
    return {"domain": f"https://{parts.netloc}", "client_id": client_id, "redirect_uri": redirect}


def media_origins(settings: Settings, environ: Mapping[str, str]) -> list[str]:
    """Where the page sends images (the presigned POST) and shows them from (presigned GETs):
    the bucket's origin. boto3 takes the endpoint from its own variables (the local emulator,
    path-style URLs); without one it addresses the bucket by virtual host, globally or in the
    region, so both are allowed."""
    endpoint = environ.get("AWS_ENDPOINT_URL_S3") or environ.get("AWS_ENDPOINT_URL") or ""
    if endpoint:
        parts = urlsplit(endpoint.strip())
        if parts.scheme in ("http", "https") and ENDPOINT_HOST.fullmatch(parts.netloc):
            return [f"{parts.scheme}://{parts.netloc}"]
        return []
    bucket = settings.media_bucket.strip()
    if not BUCKET.fullmatch(bucket):
        return []
    origins = [f"https://{bucket}.s3.amazonaws.com"]
    region = (environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION") or "").strip()
    if REGION.fullmatch(region):
        origins.append(f"https://{bucket}.s3.{region}.amazonaws.com")
    return origins


def _policy_sources(settings: Settings) -> tuple[str, str]:
    """The page's extra connect-src and img-src sources: Cognito's hosted UI, the bucket, and
    blob: for an image's preview while it uploads."""
    cognito = _cognito(settings) if settings.auth == "cognito" else None
    media = media_origins(settings, os.environ)
    connect = ([cognito["domain"]] if cognito else []) + media
    return " ".join(connect), " ".join(["blob:", *media])


def _language(request: Request, default_language: Callable[[], str]) -> str:
    from chalicelib.i18n import pick_language

    try:
        default = default_language()
    except Exception:  # noqa: BLE001 - a broken workflow file is reported by the API, not here
        default = "de"
    return pick_language(request.headers.get("accept-language"), default)


def _root(request: Request) -> str:
    """The page's own path ending in a slash, so asset URLs work under a stage prefix."""
    path = str((request.context or {}).get("path") or "/")
    path = re.sub(r"/{2,}", "/", path)
    if not SAFE_PATH.fullmatch(path):
        return "/"
    return path if path.endswith("/") else path + "/"


@lru_cache(maxsize=1)
def _shell() -> Template:
    return Template((TEMPLATES / "index.html").read_text(encoding="utf-8"))


def build_web(get_deps: Callable[[], WebDeps]) -> Blueprint:
    """The page, its sign-in settings and its static files."""
    web = Blueprint(__name__)

    @web.route("/", methods=["GET"])
    def page() -> Response:
        request = web.current_request
        assert request is not None
        deps = get_deps()
        lang = _language(request, deps.default_language)
        text = SHELL_TEXT[lang]
        body = _shell().substitute(
            lang=lang,
            root=html.escape(_root(request)),
            loading=html.escape(text["loading"]),
            noscript=html.escape(text["noscript"]),
        )
        headers: Headers = {
            "Content-Type": "text/html; charset=utf-8",
            "Cache-Control": "no-cache",
            "Vary": "Accept-Language",
            **security_headers(*_policy_sources(deps.settings)),
        }
        return Response(body=body, status_code=200, headers=headers)

    @web.route("/config.json", methods=["GET"])
    def config() -> Response:
        settings = get_deps().settings
        mode = settings.auth
        payload: dict[str, Any] = {"auth": mode}
        if mode == "cognito":
            payload["cognito"] = _cognito(settings)
        else:
            payload["dev_users"] = DEV_USERS
        headers: Headers = {
            "Content-Type": "application/json", "Cache-Control": "no-cache", **security_headers(),
        }
        return Response(body=payload, status_code=200, headers=headers)

    @web.route("/static/{name}", methods=["GET"])
    def static_file(name: str) -> Response:
        return _asset(STATIC, name, web.current_request)

    @web.route("/static/js/{name}", methods=["GET"])
    def static_script(name: str) -> Response:
        return _asset(STATIC / "js", name, web.current_request)

    @web.route("/static/vendor/{name}", methods=["GET"])
    def static_vendor(name: str) -> Response:
        # Maintained libraries, unchanged (static/vendor/README.md names their versions).
        return _asset(STATIC / "vendor", name, web.current_request)

    return web


@lru_cache(maxsize=64)
def _load(path: Path, mtime_ns: int, size: int) -> tuple[bytes, str]:
    """File bytes and their ETag; keyed by mtime and size so an edited file is re-read."""
    data = path.read_bytes()
    return data, '"' + hashlib.sha256(data).hexdigest()[:32] + '"'


def _asset(folder: Path, name: str, request: Request | None) -> Response:
    headers: Headers = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache"}
    if not ASSET_NAME.fullmatch(name or ""):
        return _not_found(headers, request)
    path = folder / name
    try:
        stat = path.stat()
    except OSError:
        return _not_found(headers, request)
    data, etag = _load(path, stat.st_mtime_ns, stat.st_size)
    # no-cache plus an ETag: the browser revalidates every module, so a deploy never mixes
    # old and new modules, and an unchanged file costs a 304 without a body.
    headers.update({"ETag": etag, "Content-Type": CONTENT_TYPES[path.suffix]})
    if request is not None and etag in (request.headers.get("if-none-match") or ""):
        return Response(body="", status_code=304, headers=headers)
    return Response(body=data.decode("utf-8"), status_code=200, headers=headers)


def _not_found(headers: Headers, request: Request | None) -> Response:
    from chalicelib.i18n import pick_language, t

    lang = pick_language(request.headers.get("accept-language") if request else None, "en")
    return Response(body={"message": t("not_found", lang), "error": "not_found"}, status_code=404,
                    headers={**headers, "Content-Type": "application/json"})
