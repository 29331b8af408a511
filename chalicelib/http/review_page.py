"""Reviewers outside the company (docs/api.md, "External review"): the author's call that makes
a signed link, the page behind it (no account needed) and the decision taken there.

The page is rendered here with every value escaped, under the web page's strict CSP (no inline
script); its script only adds the per-network previews and sends the form. It shows the content,
its images and the comments marked ``shared``, never anything internal. Routes receive their
dependencies from the provider the entry layer hands to ``build_review_page``.
"""

from __future__ import annotations

import html
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from string import Template
from typing import TYPE_CHECKING, Annotated, Any

from chalice.app import Blueprint, Request, Response
from pydantic import BaseModel, ConfigDict, Field, StrictStr

from chalicelib.http.representation import media_to_api
from chalicelib.http.review_texts import NETWORKS, page_text, script_texts
from chalicelib.http.support import LOOPBACK_HOST, ApiError, body, identity, json_api
from chalicelib.i18n import LANGUAGES, t
from chalicelib.services.ports import Context
from chalicelib.settings import Settings
from chalicelib.web.routes import Headers, media_origins, security_headers

if TYPE_CHECKING:  # pragma: no cover - types only
    from chalicelib.domain.workflow import Workflow
    from chalicelib.services.external_review import LinkView

TEMPLATE = Path(__file__).resolve().parents[1] / "web" / "templates" / "review.html"
# The page lives at <root>review/<token>: its assets are one level up, with or without a stage.
ROOT = "../"
HOST = re.compile(r"[A-Za-z0-9.-]{1,253}(?::[0-9]{1,5})?|\[[0-9a-fA-F:]{2,39}\](?::[0-9]{1,5})?")
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
PAGE_HEADERS: Headers = {
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex, nofollow",
    "Referrer-Policy": "no-referrer",
}


class ReviewLinkCreate(BaseModel):
    """Optional: which link step, when several are open at once (parallel review)."""

    model_config = ConfigDict(extra="forbid")
    step: Annotated[StrictStr, Field(max_length=100)] | None = None


class ExternalDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")
    decision: Annotated[StrictStr, Field(max_length=40)]
    name: Annotated[StrictStr, Field(max_length=400)]
    comment: Annotated[StrictStr, Field(max_length=10000)] | None = None


@dataclass(frozen=True)
class ReviewDeps:
    context: Context
    settings: Settings
    # The key that signs links: None when none is set up (no link can exist, every token is
    # "not valid"); raises LookupError when it is set up but cannot be read.
    link_key: Callable[[], bytes | None]


def build_review_page(deps: Callable[[], ReviewDeps]) -> Blueprint:
    review = Blueprint(__name__)
    route = json_api(lambda: review.current_request, lambda: deps().context.workflow.language)

    @review.route("/api/posts/{post_id}/review-links", methods=["POST"])
    @route
    def create_review_link(request: Request, post_id: str) -> Response:
        from chalicelib.services import external_review

        given = deps()
        caller = identity(request, given.settings)
        data = body(request, ReviewLinkCreate)
        token = external_review.create_link(given.context, caller, post_id, data.step)
        key = _key(given)
        if key is None:
            raise ApiError(503, "link_not_configured")
        url = public_base(request, given.settings) + "review/" + external_review.encode(token, key)
        return _json(201, {"url": url, "expires_at": _iso(token.expires_at), "step": token.step})

    @review.route("/review/{token}", methods=["GET"])
    def review_page(token: str) -> Response:
        from chalicelib.services import external_review as ext

        request = review.current_request
        assert request is not None
        given = deps()
        workflow = given.context.workflow
        lang = page_language(request, workflow.language)
        try:
            key = given.link_key()
            if key is None:
                raise ext.LinkInvalid()
            view = ext.open_link(given.context, token, key)
        except LookupError:
            return _notice_page(503, "unavailable_title", "link_not_configured", lang, given)
        except ext.LinkInvalid:
            return _notice_page(404, "invalid_title", "link_invalid", lang, given)
        except ext.LinkGone as err:
            title = "gone_expired_title" if err.key == "link_expired" else "gone_replaced_title"
            return _notice_page(410, title, err.key, lang, given)
        images = media_to_api(view.post, given.context.media)
        return _render(200, page_text("title", lang), render_view(view, workflow, lang, images),
                       lang, given, data=_page_data(view, workflow, lang, images))

    @review.route("/review/{token}/decision", methods=["POST"])
    @route
    def review_decision(request: Request, token: str) -> Response:
        from chalicelib.services import external_review as ext

        given = deps()
        data = body(request, ExternalDecision)
        key = _key(given)
        try:
            if key is None:
                raise ext.LinkInvalid()
            outcome = ext.decide(given.context, token, key, data.decision, data.name,
                                 data.comment or "")
        except ext.LinkGone as err:
            raise ApiError(410, err.key) from None
        return _json(200, {"decision": data.decision, "recorded": outcome.recorded,
                           "step": outcome.step.name, "step_status": outcome.step.status.value,
                           "status": outcome.post.status.value})

    return review


def _key(given: ReviewDeps) -> bytes | None:
    try:
        return given.link_key()
    except LookupError:
        raise ApiError(503, "link_not_configured") from None


def _json(status: int, payload: dict[str, Any]) -> Response:
    return Response(body=payload, status_code=status,
                    headers={"Content-Type": "application/json", **PAGE_HEADERS})


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def public_base(request: Request, settings: Settings) -> str:
    """Where people reach this installation, ending in a slash: FREIGABE_PUBLIC_URL (set by the
    stack in AWS), else the request's own host (plain HTTP only on this computer)."""
    configured = settings.public_url.strip()
    if configured:
        return configured.rstrip("/") + "/"
    host = (request.headers.get("host") or "").strip()
    if not HOST.fullmatch(host):
        host = "localhost"
    scheme = "http" if LOOPBACK_HOST.match(host) else "https"
    return f"{scheme}://{host}/"


def page_language(request: Request, default: str) -> str:
    """The workflow's language, unless the reader chose the other one (``?lang=``)."""
    params: dict[str, str] = dict(request.query_params or {})
    chosen = params.get("lang") or ""
    return chosen if chosen in LANGUAGES else default


def when(moment: datetime, zone: Any, lang: str) -> str:
    local = moment.astimezone(zone)
    clock = f"{local:%H:%M}"
    if lang == "de":
        return f"{local.day}.{local.month}.{local.year}, {clock} Uhr ({zone})"
    return f"{local.day} {MONTHS_EN[local.month - 1]} {local.year}, {clock} ({zone})"


def _parse(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))


@lru_cache(maxsize=1)
def _template() -> Template:
    return Template(TEMPLATE.read_text(encoding="utf-8"))


def _languages(lang: str) -> str:
    names = {"de": "Deutsch", "en": "English"}
    links = []
    for code in LANGUAGES:
        if code == lang:
            links.append(f'<span class="lang" aria-current="true" lang="{code}">{names[code]}</span>')
        else:
            links.append(f'<a class="lang" href="?lang={code}" lang="{code}" hreflang="{code}">'
                         f"{names[code]}</a>")
    return " ".join(links)


def _render(status: int, title: str, content: str, lang: str, given: ReviewDeps,
            data: dict[str, Any] | None = None) -> Response:
    script = (f'<script type="module" src="{ROOT}static/js/review-page.js"></script>'
              if data is not None else "")
    # JSON inside <script type="application/json">: nothing in it may close the element.
    encoded = (json.dumps(data or {}, ensure_ascii=False).replace("<", "\\u003c")
               .replace(">", "\\u003e").replace("&", "\\u0026"))
    page = _template().substitute(
        lang=lang, title=html.escape(title), root=ROOT, script=script,
        language_label=html.escape(page_text("language", lang)), languages=_languages(lang),
        body=content, data=encoded)
    images = " ".join(media_origins(given.settings, os.environ))
    headers: Headers = {"Content-Type": "text/html; charset=utf-8",
                        **security_headers(img_extra=images), **PAGE_HEADERS}
    return Response(body=page, status_code=status, headers=headers)


def _notice_page(status: int, title_key: str, message_key: str, lang: str,
                 given: ReviewDeps) -> Response:
    title = page_text(title_key, lang)
    content = (f'<section class="card review-notice" data-status="{status}">'
               f"<h1>{html.escape(title)}</h1>"
               f'<p class="notice">{html.escape(t(message_key, lang))}</p></section>')
    return _render(status, title, content, lang, given)


def _texts(view: LinkView, workflow: Workflow) -> list[tuple[str, str, str]]:
    """(channel, network, text as it will be sent) for each channel of the post."""
    content = view.post.content
    return [(name, workflow.channels.get(name, name), content.text_for(name))
            for name in content.channels]


def render_view(view: LinkView, workflow: Workflow, lang: str,
                images: list[dict[str, Any]]) -> str:
    """The page's main content, every value escaped; ``images``: the post's, with GET URLs."""
    e = html.escape
    post = view.post
    intro = page_text("intro", lang, author=post.author_name, step=view.step.label)
    parts = [f'<section class="card review-head"><h1>{e(page_text("title", lang))}</h1>',
             f'<p class="review-intro">{e(intro)}</p>']
    publish = (page_text("publish_at", lang, when=when(post.publish_at, workflow.zone, lang))
               if post.publish_at else page_text("publish_asap", lang))
    parts.append(f'<p class="review-when">{e(publish)}</p>')
    parts.append(f'<p class="review-valid muted">'
                 f'{e(page_text("valid_until", lang, when=when(view.token.expires_at, workflow.zone, lang)))}'
                 "</p></section>")
    parts.append(f'<section class="card review-content"><h2>{e(page_text("texts", lang))}</h2>')
    if post.content.title:
        parts.append(f'<p class="review-title"><strong>{e(page_text("post_title", lang))}:</strong> '
                     f"{e(post.content.title)}</p>")
    for name, kind, text in _texts(view, workflow):
        heading = page_text("channel", lang, channel=name, network=NETWORKS.get(kind, kind))
        parts.append(f'<article class="review-text" data-channel="{e(name)}">'
                     f"<h3>{e(heading)}</h3><p class=\"channel-text\">{e(text)}</p></article>")
    parts.append("</section>")
    if images:
        parts.append(f'<section class="card review-images"><h2>{e(page_text("images", lang))}</h2>'
                     '<ol class="review-image-list">')
        for n, image in enumerate(images, start=1):
            alt = image["alt"] or ""
            caption = page_text("alt", lang, alt=alt) if alt else page_text("no_alt", lang)
            parts.append(f'<li><figure><img src="{e(image["url"] or "")}" alt="{e(alt)}" '
                         f'width="{int(image["width"] or 0)}" height="{int(image["height"] or 0)}" '
                         f'loading="lazy"><figcaption><strong>{e(page_text("image_n", lang, n=n))}'
                         f"</strong> {e(caption)}</figcaption></figure></li>")
        parts.append("</ol></section>")
    parts.append(f'<section class="card review-previews"><h2>{e(page_text("previews", lang))}</h2>'
                 '<div id="review-previews" class="preview"></div></section>')
    parts.append(f'<section class="card review-comments"><h2>{e(page_text("comments", lang))}</h2>')
    if view.comments:
        parts.append('<ol class="review-comment-list">')
        for comment in view.comments:
            by = page_text("comment_by", lang, author=comment.author or page_text("team", lang),
                           when=when(_parse(comment.at), workflow.zone, lang))
            parts.append(f'<li class="comment"><p class="comment-text">{e(comment.text)}</p>'
                         f'<p class="muted small">{e(by)}</p></li>')
        parts.append("</ol>")
    else:
        parts.append(f'<p class="muted">{e(page_text("no_comments", lang))}</p>')
    parts.append("</section>")
    parts.append(_decision_part(view, lang))
    return "\n".join(parts)


def _decision_part(view: LinkView, lang: str) -> str:
    e = html.escape
    if view.decided is not None:
        decision, name = view.decided
        return (f'<section class="card review-decided" data-decision="{e(decision)}">'
                f'<p class="notice">{e(page_text("decided_" + decision, lang, name=name))}</p>'
                "</section>")
    return (
        '<section class="card review-decide" aria-labelledby="decide-heading">'
        f'<h2 id="decide-heading">{e(page_text("decision", lang))}</h2>'
        '<form id="review-form" class="review-form" novalidate>'
        f'<div class="field"><label for="reviewer-name">{e(page_text("name", lang))}</label>'
        '<input id="reviewer-name" name="name" autocomplete="name" maxlength="80" required></div>'
        f'<div class="field"><label for="reviewer-comment">{e(page_text("comment", lang))}</label>'
        '<textarea id="reviewer-comment" name="comment" rows="4" maxlength="3000"></textarea></div>'
        '<div class="actions">'
        '<button type="submit" class="btn btn-primary" id="review-approve" value="approve">'
        f'{e(page_text("approve", lang))}</button>'
        '<button type="submit" class="btn" id="review-request-changes" value="request_changes">'
        f'{e(page_text("request_changes", lang))}</button></div>'
        '<p id="review-status" class="review-status" role="status" aria-live="polite"></p>'
        "</form>"
        f'<noscript><p class="notice notice-warn">{e(page_text("noscript", lang))}</p></noscript>'
        "</section>")


def _page_data(view: LinkView, workflow: Workflow, lang: str,
               images: list[dict[str, Any]]) -> dict[str, Any]:
    """What the script needs: its words, and the content for the per-network previews."""
    return {
        "lang": lang,
        "texts": script_texts(lang),
        "author": view.post.author_name,
        "channels": [{"name": name, "type": kind, "text": text}
                     for name, kind, text in _texts(view, workflow)],
        "images": [{"url": image["url"], "alt": image["alt"], "width": image["width"],
                    "height": image["height"]} for image in images],
        "decided": view.decided is not None,
    }
