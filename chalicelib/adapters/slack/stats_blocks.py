"""`/freigabe stats [30d]`: the period's figures (services/analytics.py) as one Slack answer,
in German and English, every name escaped. Figures come from facts that hold no post text."""

from __future__ import annotations

from datetime import date
from typing import Any

from chalicelib.adapters.slack.blocks import escape, notice
from chalicelib.domain.workflow import Organization

TEXTS: dict[str, dict[str, str]] = {
    "title": {"de": "Kennzahlen {first} – {last} (UTC-Tage)",
              "en": "Figures {first} – {last} (UTC days)"},
    "nothing": {"de": "In diesem Zeitraum wurde nichts geprüft oder veröffentlicht.",
                "en": "Nothing was reviewed or published in this period."},
    "steps": {"de": "Prüfschritte", "en": "Review steps"},
    "step": {"de": "• *{step}* ({brand}): {decisions} Entscheidungen · bis zur ersten "
                   "Entscheidung Median {median}, p90 {p90} · Änderungen angefordert: {rate}",
             "en": "• *{step}* ({brand}): {decisions} decisions · to the first decision median "
                   "{median}, p90 {p90} · changes requested: {rate}"},
    "labels": {"de": " (Gründe: {labels})", "en": " (reasons: {labels})"},
    "brand": {"de": "• *{brand}*: bis zur Freigabe Median {median}, p90 {p90} · "
                    "{published} veröffentlicht",
              "en": "• *{brand}*: to approval median {median}, p90 {p90} · {published} published"},
    "publishing": {"de": "Veröffentlichung", "en": "Publishing"},
    "on_time": {"de": "Pünktlich veröffentlicht: {rate}", "en": "Published on time: {rate}"},
    "failures": {"de": "Fehlgeschlagen: {failures}", "en": "Failed: {failures}"},
    "no_failures": {"de": "Keine fehlgeschlagenen Veröffentlichungen.",
                    "en": "No failed publications."},
    "answers": {"de": "Antworten", "en": "Answers"},
    "answer": {"de": "• *{brand}*: {incoming} eingegangen, {answered} beantwortet · bis zur "
                     "ersten Antwort Median {median}, p90 {p90} · innerhalb von {target}: {rate}",
               "en": "• *{brand}*: {incoming} incoming, {answered} answered · to the first "
                     "answer median {median}, p90 {p90} · within {target}: {rate}"},
    "none": {"de": "–", "en": "–"},
    "hours": {"de": "{n} Std.", "en": "{n} h"},
    "bad_period": {"de": "Bitte so: `/freigabe stats 30d` (1 bis 366 Tage).",
                   "en": "Please write it like this: `/freigabe stats 30d` (1 to 366 days)."},
    "more": {"de": "… und {n} weitere; alles auf der Webseite unter Kennzahlen.",
             "en": "… and {n} more; everything on the web page under Figures."},
}
MAX_LINES = 25  # a section holds 3,000 characters: the rest is on the web page


def text(key: str, lang: str, **params: Any) -> str:
    entry = TEXTS[key]
    return (entry.get(lang) or entry["en"]).format(**params)


def _number(value: float, lang: str) -> str:
    shown = f"{value:.1f}".rstrip("0").rstrip(".") if value < 10 else f"{value:.0f}"
    return shown.replace(".", ",") if lang == "de" else shown


def _hours(value: float | None, lang: str) -> str:
    return text("none", lang) if value is None else text("hours", lang, n=_number(value, lang))


def _rate(value: float | None, lang: str) -> str:
    return text("none", lang) if value is None else f"{_number(value * 100, lang)} %"


def _step_label(organization: Organization, brand: str, step: str) -> str:
    try:
        return organization.brand(brand).step(step).label
    except KeyError:  # a step since taken out of the workflow: its name
        return step


def _brand_label(organization: Organization, brand: str) -> str:
    return organization.brand(brand).brand_title if organization.knows(brand) else brand


def bad_period(lang: str) -> tuple[str, list[dict[str, Any]]]:
    return notice(escape(text("bad_period", lang)))


def stats_answer(figures: dict[str, Any], organization: Organization, first: date, last: date,
                 lang: str) -> tuple[str, list[dict[str, Any]]]:
    lines = [f"*{escape(text('title', lang, first=first.isoformat(), last=last.isoformat()))}*"]
    if not (figures["steps"] or figures["brands"] or figures["answers"]):
        return notice(lines[0] + "\n" + escape(text("nothing", lang)))
    body: list[str] = []
    if figures["steps"]:
        body.append(f"*{escape(text('steps', lang))}*")
    for row in figures["steps"]:
        line = text("step", lang, step=escape(_step_label(organization, row["brand"], row["step"])),
                    brand=escape(_brand_label(organization, row["brand"])),
                    decisions=row["decisions"],
                    median=_hours(row["median_hours_to_decision"], lang),
                    p90=_hours(row["p90_hours_to_decision"], lang),
                    rate=_rate(row["changes_requested_rate"], lang))
        if row["labels"]:
            labels = ", ".join(f"{escape(label)} {count}" for label, count in row["labels"].items())
            line += text("labels", lang, labels=labels)
        body.append(line)
    body.append(f"*{escape(text('publishing', lang))}*")
    for row in figures["brands"]:
        body.append(text("brand", lang, brand=escape(_brand_label(organization, row["brand"])),
                         median=_hours(row["median_hours_to_schedule"], lang),
                         p90=_hours(row["p90_hours_to_schedule"], lang),
                         published=row["published"]))
    body.append(text("on_time", lang, rate=_rate(figures["on_time_rate"], lang)))
    failures = ", ".join(f"{escape(channel)} {count}"
                         for channel, count in figures["failures"].items())
    body.append(text("failures", lang, failures=failures) if failures
                else text("no_failures", lang))
    if figures["answers"]:
        body.append(f"*{escape(text('answers', lang))}*")
    for row in figures["answers"]:
        body.append(text("answer", lang, brand=escape(_brand_label(organization, row["brand"])),
                         incoming=row["incoming"], answered=row["answered"],
                         median=_hours(row["median_hours_to_answer"], lang),
                         p90=_hours(row["p90_hours_to_answer"], lang),
                         target=_hours(row["answer_within_hours"], lang),
                         rate=_rate(row["answered_within_rate"], lang)))
    if len(body) > MAX_LINES:
        body = [*body[:MAX_LINES], escape(text("more", lang, n=len(body) - MAX_LINES))]
    return notice("\n".join(lines + body))
