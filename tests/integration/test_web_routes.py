"""The web page's routes through Chalice's test client: the HTML shell, static files, the
sign-in settings, and the headers that keep the page safe."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from chalicelib import bootstrap
from chalicelib.web import routes

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "chalicelib" / "web" / "static"
# The bucket's addresses (the test environment names no S3 endpoint): images are uploaded to
# and shown from there, blob: shows an image while it uploads.
BUCKET_ORIGINS = ("https://freigabe-media.s3.amazonaws.com "
                  "https://freigabe-media.s3.eu-central-1.amazonaws.com")
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; "
       f"img-src 'self' data: blob: {BUCKET_ORIGINS}; "
       f"connect-src 'self' {BUCKET_ORIGINS}; frame-ancestors 'none'; base-uri 'none'; "
       "form-action 'self'; object-src 'none'")


@pytest.fixture
def web() -> Iterator[Any]:
    """The app without a table: none of these routes reads one."""
    from chalice.test import Client

    import app as application
    from chalicelib import bootstrap

    bootstrap.reset()
    with Client(application.app, stage_name="local", project_dir=str(ROOT)) as test_client:
        yield test_client.http
    bootstrap.reset()


class Shell(HTMLParser):
    """Every tag of the page with its attributes, and whether a script or style is inline."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.inline_code: list[str] = []
        self._open: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._open = tag

    def handle_data(self, data: str) -> None:
        if self._open in ("script", "style") and data.strip():
            self.inline_code.append(data)

    def handle_endtag(self, tag: str) -> None:
        self._open = None


def parse(body: bytes) -> Shell:
    shell = Shell()
    shell.feed(body.decode("utf-8"))
    return shell


def test_page_is_html_with_a_strict_policy(web: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-central-1")
    response = web.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"})

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert response.headers["Content-Security-Policy"] == CSP
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert '<html lang="en">' in response.body.decode()


def test_page_holds_no_inline_script_style_or_handlers(web: Any) -> None:
    shell = parse(web.get("/").body)

    assert shell.inline_code == []
    for tag, attrs in shell.tags:
        assert "style" not in attrs, tag
        assert not [name for name in attrs if name.startswith("on")], (tag, attrs)
        if tag == "script":
            assert attrs.get("src") and attrs.get("type") == "module"


def test_every_asset_the_page_names_is_served(web: Any) -> None:
    shell = parse(web.get("/").body)
    urls = [a.get("src") or a.get("href") for tag, a in shell.tags if tag in ("script", "link")]

    assert len(urls) == 3
    for url in urls:
        assert url and url.startswith("/static/")
        assert web.get(url).status_code == 200, url


@pytest.mark.parametrize(("accept", "lang"), [
    ("de-DE,de;q=0.9,en;q=0.8", "de"), ("en-US", "en"), ("fr-FR, en;q=0.5", "en"), ("", "de"),
])
def test_page_language_follows_accept_language_else_the_workflow(web: Any, accept: str,
                                                                 lang: str) -> None:
    headers = {"Accept-Language": accept} if accept else {}
    body = web.get("/", headers=headers).body.decode()

    assert f'<html lang="{lang}">' in body
    assert ("wird geladen" in body) == (lang == "de")


def test_query_string_is_never_echoed(web: Any) -> None:
    body = web.get("/?q=%3Cscript%3Ealert(1)%3C/script%3E").body.decode()

    assert "alert(1)" not in body


@pytest.mark.parametrize(("path", "kind"), [
    ("/static/app.css", "text/css; charset=utf-8"),
    ("/static/favicon.svg", "image/svg+xml; charset=utf-8"),
    ("/static/js/app.js", "text/javascript; charset=utf-8"),
    ("/static/js/compose.js", "text/javascript; charset=utf-8"),
])
def test_static_files_have_their_type_and_an_etag(web: Any, path: str, kind: str) -> None:
    response = web.get(path)

    assert response.status_code == 200
    assert response.headers["Content-Type"] == kind
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-cache"
    assert re.fullmatch(r'"[0-9a-f]{32}"', response.headers["ETag"])


def test_unchanged_file_answers_304_without_a_body(web: Any) -> None:
    etag = web.get("/static/js/app.js").headers["ETag"]

    again = web.get("/static/js/app.js", headers={"If-None-Match": etag})

    assert again.status_code == 304
    assert again.body == b""
    assert again.headers["ETag"] == etag


@pytest.mark.parametrize("path", [
    "/static/..%2Froutes.py",
    "/static/js/..%2F..%2Froutes.py",
    "/static/js/%2E%2E%2F%2E%2E%2F__init__.py",
    "/static/..%5Capp.css",
    "/static/templates.html",
    "/static/js/nothing-here.js",
    "/static/APP.CSS",
    "/static/.app.css",
    "/static/app.css%0A",
])
def test_nothing_outside_the_static_files_is_served(web: Any, path: str) -> None:
    response = web.get(path, headers={"Accept-Language": "de"})

    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/json"
    assert "routes" not in response.body.decode()
    assert response.body.decode().startswith('{"message":"Nicht gefunden')


def test_every_module_import_resolves_to_a_served_file(web: Any) -> None:
    imports = re.compile(r'^import [^;]*? from "\./([a-z0-9_-]+\.js)";', re.MULTILINE)
    for module in sorted((STATIC / "js").glob("*.js")):
        for name in imports.findall(module.read_text(encoding="utf-8")):
            response = web.get(f"/static/js/{name}")
            assert response.status_code == 200, f"{module.name} imports {name}"


def test_scripts_never_write_html() -> None:
    """User text reaches the page only through textContent and text nodes."""
    forbidden = re.compile(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function")
    for module in sorted((STATIC / "js").glob("*.js")):
        source = module.read_text(encoding="utf-8")
        assert not forbidden.search(source), module.name


def test_german_and_english_texts_have_the_same_keys() -> None:
    keys = re.compile(r'^\s*"([\w.]+)":', re.MULTILINE)
    german = set(keys.findall((STATIC / "js" / "strings-de.js").read_text(encoding="utf-8")))
    english = set(keys.findall((STATIC / "js" / "strings-en.js").read_text(encoding="utf-8")))
    used = set()
    for module in (STATIC / "js").glob("*.js"):
        used |= set(re.findall(r'\bt\("([\w.]+)"', module.read_text(encoding="utf-8")))

    assert german == english
    assert used <= english


def test_dev_config_lists_the_dev_users(web: Any) -> None:
    response = web.get("/config.json")

    assert response.status_code == 200
    body = response.json_body
    assert body["auth"] == "dev"
    assert {"email": "writer@freigabe.example", "name": "Wanda Writer"} in body["dev_users"]
    assert "cognito" not in body


def test_cognito_config_and_policy_name_the_hosted_ui(web: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib import bootstrap

    monkeypatch.setenv("FREIGABE_AUTH", "cognito")
    monkeypatch.setenv("FREIGABE_COGNITO_DOMAIN", "freigabe.auth.eu-central-1.amazoncognito.com")
    monkeypatch.setenv("FREIGABE_COGNITO_CLIENT_ID", "abc123")
    monkeypatch.setenv("FREIGABE_PUBLIC_URL", "https://freigabe.example/api")
    bootstrap.reset()

    body = web.get("/config.json").json_body
    page = web.get("/")

    assert body == {"auth": "cognito", "cognito": {
        "domain": "https://freigabe.auth.eu-central-1.amazoncognito.com",
        "client_id": "abc123", "redirect_uri": "https://freigabe.example/api/"}}
    assert ("connect-src 'self' https://freigabe.auth.eu-central-1.amazoncognito.com"
            in page.headers["Content-Security-Policy"])


@pytest.mark.parametrize("domain", ["http://insecure.example", "javascript:alert(1)", "https://"])
def test_a_cognito_domain_that_is_not_https_is_ignored(monkeypatch: pytest.MonkeyPatch,
                                                       domain: str) -> None:
    monkeypatch.setenv("FREIGABE_COGNITO_DOMAIN", domain)
    monkeypatch.setenv("FREIGABE_COGNITO_CLIENT_ID", "abc123")
    bootstrap.reset()

    from chalicelib.settings import get_settings

    assert routes._cognito(get_settings()) is None
    bootstrap.reset()


@pytest.mark.parametrize(("path", "root"), [
    ("/", "/"), ("/api", "/api/"), ("/api/", "/api/"), ("//evil.example/", "/evil.example/"),
    ('/api/"><script>', "/"), ("", "/"),
])
def test_assets_are_addressed_under_the_stage_the_page_was_served_from(path: str, root: str) -> None:
    request = SimpleNamespace(context={"path": path, "resourcePath": "/"})

    assert routes._root(request) == root  # type: ignore[arg-type]


@pytest.mark.parametrize(("environ", "origins"), [
    ({"AWS_ENDPOINT_URL": "http://127.0.0.1:5055"}, ["http://127.0.0.1:5055"]),
    ({"AWS_ENDPOINT_URL": "http://127.0.0.1:5055", "AWS_ENDPOINT_URL_S3": "https://s3.local.example/x"},
     ["https://s3.local.example"]),
    ({"AWS_REGION": "eu-central-1"},
     ["https://freigabe-media.s3.amazonaws.com", "https://freigabe-media.s3.eu-central-1.amazonaws.com"]),
    ({}, ["https://freigabe-media.s3.amazonaws.com"]),
    ({"AWS_ENDPOINT_URL": "javascript:alert(1)"}, []),
    ({"AWS_ENDPOINT_URL": "http://evil.example; script-src *"}, []),
    ({"AWS_DEFAULT_REGION": "eu-central-1; script-src *"}, ["https://freigabe-media.s3.amazonaws.com"]),
])
def test_the_policy_names_the_bucket_the_page_uploads_to(environ: dict[str, str],
                                                         origins: list[str]) -> None:
    from chalicelib.settings import Settings

    assert routes.media_origins(Settings.model_validate({}), environ) == origins


def test_a_bucket_name_that_could_add_a_directive_is_left_out() -> None:
    from chalicelib.settings import Settings

    settings = Settings.model_validate({"FREIGABE_MEDIA_BUCKET": "x; script-src *"})

    assert routes.media_origins(settings, {"AWS_REGION": "eu-central-1"}) == []
