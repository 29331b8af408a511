"""`/freigabe status <brand>` and `/freigabe queue <brand>`: the same answers for one brand's
posts (services/brands.py), in German and English; a brand there is not is answered with the
brands there are. Who may see the queue is decided by the caller, as without a brand."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from chalicelib.adapters.slack.blocks import (
    clip,
    clip_md,
    escape,
    mention,
    notice,
    publish_time,
    title_of,
)
from chalicelib.adapters.slack.texts import status_name, tr, when
from chalicelib.domain.errors import InvalidContent
from chalicelib.domain.workflow import Organization, Workflow

if TYPE_CHECKING:  # pragma: no cover
    from chalicelib.adapters.slack.deps import SlackServices

Answer = tuple[str, list[dict[str, Any]]]

TEXTS: dict[str, dict[str, str]] = {
    "status_header": {"de": "Offene Beiträge von {brand}", "en": "Open posts of {brand}"},
    "queue_header": {"de": "Die nächsten geplanten Beiträge von {brand}",
                     "en": "The next scheduled posts of {brand}"},
    "queue_empty": {"de": "Für {brand} ist nichts geplant.",
                    "en": "Nothing is scheduled for {brand}."},
    "unknown": {"de": "Eine Marke „{brand}“ gibt es nicht. Die Marken: {known}",
                "en": "There is no brand “{brand}”. The brands: {known}"},
    "at_least": {"de": "mindestens {n}", "en": "at least {n}"},
}


def text(key: str, lang: str, **params: Any) -> str:
    entry = TEXTS[key]
    return (entry.get(lang) or entry["en"]).format(**params)


def _brand(services: SlackServices, words: str) -> Workflow | str:
    """The brand named (its first word), or the unknown name as typed."""
    from chalicelib.services import brands

    name = words.strip().split()[0] if words.strip() else ""
    try:
        known = brands.known(services.context, name)
    except InvalidContent:
        return name
    return services.context.organization.brand(known)


def _unknown(organization: Organization, name: str, lang: str) -> Answer:
    listed = ", ".join(f"{flow.brand} ({flow.brand_title})" if flow.brand_title != flow.brand
                       else flow.brand for flow in organization.brands.values())
    return notice(escape(text("unknown", lang, brand=name[:100], known=listed)))


def status(services: SlackServices, words: str, lang: str) -> Answer:
    """How many of the brand's posts are in each open status, and whether publishing runs."""
    from chalicelib.services import brands

    ctx = services.context
    flow = _brand(services, words)
    if isinstance(flow, str):
        return _unknown(ctx.organization, flow, lang)
    counts = brands.open_counts(ctx, flow.brand)
    rows = [f"• {escape(status_name(name, lang))}: *{_count(count, lang)}*"
            for name, count in counts.items() if count]
    pause = services.control.pause_state()
    if pause:
        at = datetime.fromisoformat(str(pause["at"]))
        state = tr("status_paused", lang, when=escape(when(at, flow.timezone, lang)),
                   who=mention(str(pause["by"])), reason=escape(str(pause["reason"])))
    else:
        state = escape(tr("status_running", lang))
    header = escape(text("status_header", lang, brand=flow.brand_title))
    return notice(clip_md(f"*{header}*\n" + ("\n".join(rows) or "–") + "\n\n" + state))


def _count(count: int, lang: str) -> str:
    from chalicelib.services.brands import OPEN_LIMIT

    return escape(text("at_least", lang, n=count)) if count >= OPEN_LIMIT else str(count)


def queue(services: SlackServices, words: str, lang: str) -> Answer:
    """The brand's next scheduled posts, soonest first, in the brand's time zone."""
    from chalicelib.services import brands
    from chalicelib.services.review_desk import UPCOMING

    ctx = services.context
    flow = _brand(services, words)
    if isinstance(flow, str):
        return _unknown(ctx.organization, flow, lang)
    posts = brands.upcoming_of(ctx, flow.brand, UPCOMING)
    if not posts:
        return notice(escape(text("queue_empty", lang, brand=flow.brand_title)))
    rows = [f"• {escape(publish_time(post, flow, lang))} – *{clip(title_of(post), 200)}* "
            f"({clip(', '.join(post.content.channels), 200)})" for post in posts]
    header = escape(text("queue_header", lang, brand=flow.brand_title))
    return notice(clip_md(f"*{header}*\n" + "\n".join(rows)))
