"""A post's evidence file (docs/api.md, "Evidence"): `GET /api/posts/{id}/evidence` the signed
JSON, `GET /api/posts/{id}/evidence.html` a printable view of the same document for legal.

For the author, the post's reviewers (matched to Slack by e-mail) and admins; anyone else gets
404. The view is rendered here with every value escaped, under the web page's CSP (no script at
all); its stylesheet carries the print layout. Routes receive their dependencies from the
provider the entry layer hands to ``build_evidence_routes``.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chalice.app import Blueprint, Request, Response

from chalicelib.domain.content import Content
from chalicelib.domain.diff import content_changes
from chalicelib.http.review_page import page_language, public_base
from chalicelib.http.support import ApiError, identity, json_api
from chalicelib.services.evidence import AnchorSource, Signer
from chalicelib.services.ports import Context, PeopleDirectory, ReviewerDirectory
from chalicelib.settings import Settings
from chalicelib.web.routes import Headers, security_headers

DOWNLOAD_HEADERS: Headers = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff",
                             "Referrer-Policy": "no-referrer"}

TEXTS: dict[str, dict[str, str]] = {
    "title": {"en": "Evidence of post {post}", "de": "Nachweis zu Beitrag {post}"},
    "intro": {"en": "What was approved, by whom and when, as recorded by Freigabe and signed "
                    "by this installation's key. Times are UTC.",
              "de": "Was von wem wann freigegeben wurde, wie Freigabe es aufgezeichnet und mit "
                    "dem Schlüssel dieser Installation signiert hat. Zeiten in UTC."},
    "verify": {"en": "To check it offline, download the JSON file and run:",
               "de": "Zur Prüfung ohne Verbindung die JSON-Datei herunterladen und ausführen:"},
    "summary": {"en": "Summary", "de": "Übersicht"},
    "author": {"en": "Author", "de": "Autor:in"},
    "status": {"en": "Status", "de": "Status"},
    "brand": {"en": "Brand", "de": "Marke"},
    "created_at": {"en": "Created", "de": "Erstellt"},
    "publish_at": {"en": "Publish at", "de": "Veröffentlichung"},
    "asap": {"en": "as soon as approved", "de": "sobald freigegeben"},
    "content_hash": {"en": "Current content hash", "de": "Aktueller Inhalts-Hash"},
    "chain_head": {"en": "Chain head", "de": "Kettenende (Hash)"},
    "events": {"en": "Timeline events", "de": "Ereignisse"},
    "generated_at": {"en": "File made", "de": "Datei erstellt"},
    "versions": {"en": "Content versions", "de": "Inhaltsversionen"},
    "version_n": {"en": "Version {n}", "de": "Version {n}"},
    "changes_from": {"en": "Changes from version {n}", "de": "Änderungen gegenüber Version {n}"},
    "no_text_change": {"en": "No text changed", "de": "Kein Text geändert"},
    "first_event": {"en": "first recorded in event {seq}", "de": "zuerst in Ereignis {seq}"},
    "missing": {"en": "This version's content is no longer stored.",
                "de": "Der Inhalt dieser Version ist nicht mehr gespeichert."},
    "post_title": {"en": "Title", "de": "Titel"},
    "text": {"en": "Text", "de": "Text"},
    "variant": {"en": "Text for {channel}", "de": "Text für {channel}"},
    "channels": {"en": "Channels", "de": "Kanäle"},
    "images": {"en": "Images", "de": "Bilder"},
    "no_alt": {"en": "(no alt text)", "de": "(kein Alternativtext)"},
    "decisions": {"en": "Decisions", "de": "Entscheidungen"},
    "no_decisions": {"en": "No decision was recorded.", "de": "Es wurde keine Entscheidung "
                                                            "aufgezeichnet."},
    "event": {"en": "Event", "de": "Ereignis"},
    "at": {"en": "Time", "de": "Zeit"},
    "step": {"en": "Step", "de": "Schritt"},
    "decision": {"en": "Decision", "de": "Entscheidung"},
    "reviewer": {"en": "Reviewer", "de": "Prüfer:in"},
    "deputy_for": {"en": "as deputy for {who}", "de": "in Vertretung für {who}"},
    "on_content": {"en": "On content", "de": "Zum Inhalt"},
    "comment": {"en": "Comment", "de": "Kommentar"},
    "labels": {"en": "Reasons", "de": "Gründe"},
    "quote": {"en": "Quoted", "de": "Zitiert"},
    "checklist": {"en": "Checklist ticked", "de": "Abgehakte Prüfpunkte"},
    "approve": {"en": "approved", "de": "freigegeben"},
    "request_changes": {"en": "changes requested", "de": "Änderungen erbeten"},
    "reject": {"en": "rejected", "de": "abgelehnt"},
    "timeline": {"en": "Timeline (hash-chained)", "de": "Verlauf (Hash-verkettet)"},
    "type": {"en": "Event type", "de": "Art"},
    "actor": {"en": "By", "de": "Von"},
    "data": {"en": "Recorded data", "de": "Aufgezeichnete Daten"},
    "hash": {"en": "Hash (previous → own)", "de": "Hash (vorheriger → eigener)"},
    "anchors": {"en": "Anchors outside the table", "de": "Anker außerhalb der Tabelle"},
    "anchor_where": {"en": "Kept in", "de": "Aufbewahrt in"},
    "anchored": {"en": "Event {seq} anchored with hash {head}",
                 "de": "Ereignis {seq} verankert mit Hash {head}"},
    "anchor_anchored": {"en": "anchored", "de": "verankert"},
    "anchor_not_anchored_yet": {"en": "not anchored yet", "de": "noch nicht verankert"},
    "anchor_unavailable": {"en": "could not be read when the file was made",
                           "de": "beim Erstellen der Datei nicht lesbar"},
    "anchor_not_kept": {"en": "not kept on this installation",
                        "de": "auf dieser Installation nicht geführt"},
    "signature": {"en": "Signature", "de": "Signatur"},
    "algorithm": {"en": "Algorithm", "de": "Verfahren"},
    "key": {"en": "Key", "de": "Schlüssel"},
    "public_key": {"en": "Public key (DER, base64)", "de": "Öffentlicher Schlüssel (DER, Base64)"},
    "signature_value": {"en": "Signature (DER, base64)", "de": "Signatur (DER, Base64)"},
}


def text(key: str, lang: str, **params: Any) -> str:
    entry = TEXTS[key]
    return (entry.get(lang) or entry["en"]).format(**params)


@dataclass(frozen=True)
class EvidenceDeps:
    context: Context
    settings: Settings
    # The deployment's key; None when none may be used here (503, nothing is handed out).
    signer: Callable[[], Signer | None]
    anchors: AnchorSource
    people: PeopleDirectory | None  # e-mail -> Slack user, for the reviewers and Slack admins
    groups: ReviewerDirectory | None  # reviewer groups' members


def build_evidence_routes(deps: Callable[[], EvidenceDeps]) -> Blueprint:
    routes = Blueprint(__name__)
    route = json_api(lambda: routes.current_request, lambda: deps().context.workflow.language)

    def signed(request: Request, post_id: str) -> dict[str, Any]:
        from chalicelib.services import evidence

        given = deps()
        caller = identity(request, given.settings)
        people = given.people

        def slack_id() -> str | None:
            return people.user_for_email(caller.email) if people is not None else None

        signer = given.signer()
        if signer is None:
            raise ApiError(503, "evidence_not_configured")
        context = given.context
        try:
            return evidence.evidence(context.repo, context.workflow, caller, post_id, signer,
                                     given.anchors, context.clock(), slack_id, given.groups)
        except evidence.SignerUnavailable:
            raise ApiError(503, "evidence_signing_failed") from None

    @routes.route("/api/posts/{post_id}/evidence", methods=["GET"])
    @route
    def evidence_file(request: Request, post_id: str) -> Response:
        from chalicelib.services.evidence import file_bytes

        document = signed(request, post_id)
        name = f"freigabe-evidence-{document['post']['id']}.json"
        return Response(body=file_bytes(document).decode("utf-8"), status_code=200,
                        headers={"Content-Type": "application/json; charset=utf-8",
                                 "Content-Disposition": f'attachment; filename="{name}"',
                                 **DOWNLOAD_HEADERS})

    @routes.route("/api/posts/{post_id}/evidence.html", methods=["GET"])
    @route
    def evidence_view(request: Request, post_id: str) -> Response:
        document = signed(request, post_id)
        given = deps()
        lang = page_language(request, given.context.workflow.language)
        stylesheet = public_base(request, given.settings) + "static/evidence.css"
        return Response(body=render(document, lang, stylesheet), status_code=200,
                        headers={"Content-Type": "text/html; charset=utf-8",
                                 **security_headers(), **DOWNLOAD_HEADERS})

    return routes


# -- the printable view ------------------------------------------------------------------------

def _e(value: object) -> str:
    return html.escape("" if value is None else str(value))


def _row(label: str, value: str) -> str:
    return f"<tr><th scope=\"row\">{_e(label)}</th><td>{value}</td></tr>"


def _code(value: object) -> str:
    return f"<code>{_e(value)}</code>"


def render(document: dict[str, Any], lang: str, stylesheet: str) -> str:
    """The whole document as one printable page; every value escaped."""
    post = document["post"]
    title = text("title", lang, post=post["id"])
    parts = [
        "<!doctype html>", f'<html lang="{_e(lang)}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title>", f'<link rel="stylesheet" href="{_e(stylesheet)}">',
        '</head><body class="evidence"><main>',
        f"<h1>{_e(title)}</h1>", f'<p class="intro">{_e(text("intro", lang))}</p>',
        f'<p class="verify">{_e(text("verify", lang))} '
        f"{_code('python -m freigabe_verify freigabe-evidence-' + str(post['id']) + '.json')}</p>",
        _summary(document, lang), _versions(document, lang), _decisions(document, lang),
        _timeline(document, lang), _anchors(document, lang), _signature(document, lang),
        "</main></body></html>",
    ]
    return "\n".join(parts)


def _summary(document: dict[str, Any], lang: str) -> str:
    post = document["post"]
    rows = [_row(text("author", lang), f"{_e(post['author_name'])} &lt;{_e(post['author'])}&gt;"),
            _row(text("status", lang), _e(post["status"]))]
    if post.get("brand"):
        rows.append(_row(text("brand", lang), _e(post["brand"])))
    rows += [
        _row(text("created_at", lang), _e(post["created_at"])),
        _row(text("publish_at", lang), _e(post["publish_at"] or text("asap", lang))),
        _row(text("content_hash", lang), _code(post["content_hash"])),
        _row(text("chain_head", lang), _code(post["timeline_head"])),
        _row(text("events", lang), _e(post["timeline_count"])),
        _row(text("generated_at", lang), _e(document["generated_at"])),
    ]
    return (f'<section class="card"><h2>{_e(text("summary", lang))}</h2>'
            f'<table class="facts">{"".join(rows)}</table></section>')


def _versions(document: dict[str, Any], lang: str) -> str:
    parts = [f'<section class="card"><h2>{_e(text("versions", lang))}</h2>']
    for n, version in enumerate(document["versions"], start=1):
        heading = text("version_n", lang, n=n)
        if version.get("first_event") is not None:
            heading += " · " + text("first_event", lang, seq=version["first_event"])
        parts.append(f'<article class="version"><h3>{_e(heading)}</h3>'
                     f'<p>{_code(version["content_hash"])}</p>')
        content = version.get("content")
        if not isinstance(content, dict):
            parts.append(f'<p class="notice">{_e(text("missing", lang))}</p></article>')
            continue
        rows = []
        if content.get("title"):
            rows.append(_row(text("post_title", lang), _e(content["title"])))
        rows.append(_row(text("text", lang), f'<span class="text">{_e(content["text"])}</span>'))
        for channel, variant in sorted((content.get("variants") or {}).items()):
            rows.append(_row(text("variant", lang, channel=channel),
                             f'<span class="text">{_e(variant)}</span>'))
        rows.append(_row(text("channels", lang), _e(", ".join(content.get("channels") or []))))
        images = content.get("media") or []
        if images:
            items = "".join(
                f"<li>{_code(image.get('sha256'))} · {_e(image.get('content_type'))} · "
                f"{_e(image.get('width'))}×{_e(image.get('height'))} · {_e(image.get('size'))} B"
                f"<br>{_e(image.get('alt') or text('no_alt', lang))}</li>" for image in images)
            rows.append(_row(text("images", lang), f"<ol>{items}</ol>"))
        previous = document["versions"][n - 2].get("content") if n > 1 else None
        if isinstance(previous, dict):
            rows.append(_row(text("changes_from", lang, n=n - 1), _changes(previous, content, lang)))
        parts.append(f'<table class="facts">{"".join(rows)}</table></article>')
    parts.append("</section>")
    return "".join(parts)


def _changes(before: dict[str, Any], after: dict[str, Any], lang: str) -> str:
    """A word-level diff of every text that changed (removed words struck through, added ones
    underlined, as <del> and <ins>), and the image changes, in the order the versions came."""
    try:
        changes = content_changes(Content.from_dict(before), Content.from_dict(after))
    except (AssertionError, KeyError, TypeError, ValueError):
        return _e(text("missing", lang))
    lines = []
    for field in changes["texts"]:
        if not field["changed"]:
            continue
        marked = "".join(
            f"<del>{_e(part)}</del>" if kind == "removed" else
            f"<ins>{_e(part)}</ins>" if kind == "added" else _e(part)
            for kind, part in field["diff"])
        lines.append(f'<p class="diff"><strong>{_e(field["field"])}:</strong> '
                     f'<span class="text">{marked}</span></p>')
    lines += [f'<p class="diff">{_e(change)}</p>' for change in changes["images"]]
    return "".join(lines) or _e(text("no_text_change", lang))


def _decisions(document: dict[str, Any], lang: str) -> str:
    listed = document["decisions"]
    head = f'<section class="card"><h2>{_e(text("decisions", lang))}</h2>'
    if not listed:
        return head + f'<p>{_e(text("no_decisions", lang))}</p></section>'
    columns = ("event", "at", "step", "decision", "reviewer", "on_content", "comment")
    rows = []
    for d in listed:
        decision = text(d["decision"], lang) if d.get("decision") in TEXTS else d.get("decision")
        reviewer = _e(d.get("reviewer"))
        if d.get("reviewer_email"):
            reviewer += f"<br>{_e(d['reviewer_email'])}"
        deputy = d.get("deputy_for") or d.get("as_deputy_for")
        if deputy:
            reviewer += f"<br>{_e(text('deputy_for', lang, who=deputy))}"
        details = _e(d.get("comment"))
        for key in ("labels", "checklist"):
            if d.get(key):
                details += f"<br><strong>{_e(text(key, lang))}:</strong> {_e(', '.join(d[key]))}"
        if d.get("quote"):
            details += f"<br><strong>{_e(text('quote', lang))}:</strong> „{_e(d['quote'])}“"
        cells = [_e(d.get("event")), _e(d.get("at")), _e(d.get("step")), _e(decision), reviewer,
                 _code(d.get("content_hash")), details]
        rows.append("<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>")
    header = "".join(f'<th scope="col">{_e(text(c, lang))}</th>' for c in columns)
    return (head + f'<table class="grid"><thead><tr>{header}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table></section>')


def _timeline(document: dict[str, Any], lang: str) -> str:
    columns = ("event", "at", "type", "actor", "data", "hash")
    rows = []
    for event in document["timeline"]:
        data = json.dumps(event.get("data"), ensure_ascii=False, sort_keys=True)
        cells = [_e(event.get("seq")), _e(event.get("at")), _e(event.get("type")),
                 _e(event.get("actor")), f'<span class="data">{_e(data)}</span>',
                 f"{_code(event.get('prev'))} →<br>{_code(event.get('hash'))}"]
        rows.append("<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>")
    header = "".join(f'<th scope="col">{_e(text(c, lang))}</th>' for c in columns)
    return (f'<section class="card"><h2>{_e(text("timeline", lang))}</h2>'
            f'<table class="grid timeline"><thead><tr>{header}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table></section>')


def _anchors(document: dict[str, Any], lang: str) -> str:
    anchors = document["anchors"]
    status_key = f"anchor_{anchors.get('status')}"
    status = text(status_key, lang) if status_key in TEXTS else str(anchors.get("status"))
    rows = [_row(text("anchor_where", lang), _e(anchors.get("where"))),
            _row(text("status", lang), _e(status))]
    rows += [_row("", _e(text("anchored", lang, seq=h["seq"], head=h["head"])))
             for h in anchors.get("heads") or []]
    return (f'<section class="card"><h2>{_e(text("anchors", lang))}</h2>'
            f'<table class="facts">{"".join(rows)}</table></section>')


def _signature(document: dict[str, Any], lang: str) -> str:
    signer = document["signer"]
    rows = [_row(text("algorithm", lang), _e(signer["algorithm"])),
            _row(text("key", lang), _code(signer["key"])),
            _row(text("public_key", lang), f'<span class="blob">{_e(signer["public_key"])}</span>'),
            _row(text("signature_value", lang),
                 f'<span class="blob">{_e(document["signature"])}</span>')]
    return (f'<section class="card"><h2>{_e(text("signature", lang))}</h2>'
            f'<table class="facts">{"".join(rows)}</table></section>')
