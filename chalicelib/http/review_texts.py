"""Everything the external review page says, in German and English. The page's language is the
workflow's unless the reader switches; the script on the page gets its words from here too."""

from __future__ import annotations

from typing import Any

PAGE: dict[str, dict[str, str]] = {
    "title": {"en": "Review requested", "de": "Freigabe erbeten"},
    "intro": {
        "en": "{author} asks you to review this post for “{step}”. Nothing is published before "
              "it is approved.",
        "de": "{author} bittet Sie, diesen Beitrag für „{step}“ zu prüfen. Veröffentlicht wird "
              "erst nach der Freigabe.",
    },
    "publish_at": {"en": "Planned for {when}", "de": "Geplant für {when}"},
    "publish_asap": {"en": "Published as soon as it is approved",
                     "de": "Wird veröffentlicht, sobald er freigegeben ist"},
    "valid_until": {"en": "This link is valid until {when}.",
                    "de": "Dieser Link gilt bis {when}."},
    "post_title": {"en": "Title", "de": "Titel"},
    "texts": {"en": "Text per channel", "de": "Text je Kanal"},
    "channel": {"en": "{channel} ({network})", "de": "{channel} ({network})"},
    "images": {"en": "Images", "de": "Bilder"},
    "image_n": {"en": "Image {n}", "de": "Bild {n}"},
    "alt": {"en": "Alt text: {alt}", "de": "Alternativtext: {alt}"},
    "no_alt": {"en": "No alt text", "de": "Kein Alternativtext"},
    "previews": {"en": "How it will look", "de": "So wird es aussehen"},
    "comments": {"en": "Comments for you", "de": "Kommentare für Sie"},
    "no_comments": {"en": "No comments yet.", "de": "Noch keine Kommentare."},
    "comment_by": {"en": "{author}, {when}", "de": "{author}, {when}"},
    "team": {"en": "The team", "de": "Das Team"},
    "decision": {"en": "Your decision", "de": "Ihre Entscheidung"},
    "name": {"en": "Your name", "de": "Ihr Name"},
    "comment": {"en": "Comment (required when you request changes)",
                "de": "Kommentar (nötig, wenn Sie Änderungen wünschen)"},
    "approve": {"en": "Approve", "de": "Freigeben"},
    "request_changes": {"en": "Request changes", "de": "Änderungen anfordern"},
    "noscript": {"en": "Deciding needs JavaScript. The content above is complete without it.",
                 "de": "Zum Entscheiden wird JavaScript gebraucht. Der Inhalt oben ist auch "
                       "ohne vollständig."},
    "language": {"en": "Language", "de": "Sprache"},
    "decided_approve": {"en": "Approved by {name}. Thank you.",
                        "de": "Freigegeben von {name}. Vielen Dank."},
    "decided_request_changes": {
        "en": "{name} requested changes. The author will see the comment.",
        "de": "{name} hat Änderungen angefordert. Die Autorin oder der Autor sieht den "
              "Kommentar.",
    },
    # what the script says
    "sending": {"en": "Sending …", "de": "Wird gesendet …"},
    "done_approve": {"en": "Thank you, {name}: your approval is recorded.",
                     "de": "Danke, {name}: Ihre Freigabe ist gespeichert."},
    "done_request_changes": {
        "en": "Thank you, {name}: your request for changes is recorded. The author will see "
              "your comment.",
        "de": "Danke, {name}: Ihr Änderungswunsch ist gespeichert. Die Autorin oder der Autor "
              "sieht Ihren Kommentar.",
    },
    "need_name": {"en": "Please enter your name.", "de": "Bitte geben Sie Ihren Namen ein."},
    "need_comment": {"en": "Please say in the comment what should change.",
                     "de": "Bitte schreiben Sie in den Kommentar, was sich ändern soll."},
    "failed": {"en": "Not recorded: {message}", "de": "Nicht gespeichert: {message}"},
    "offline": {"en": "No connection. Nothing was recorded; please try again.",
                "de": "Keine Verbindung. Es wurde nichts gespeichert; bitte erneut versuchen."},
    # pages for a link that opens nothing
    "gone_expired_title": {"en": "This link has expired", "de": "Dieser Link ist abgelaufen"},
    "gone_replaced_title": {"en": "This link was replaced by a newer version",
                            "de": "Dieser Link wurde durch eine neuere Fassung ersetzt"},
    "invalid_title": {"en": "This link is not valid", "de": "Dieser Link ist ungültig"},
    "unavailable_title": {"en": "Review links are not available",
                          "de": "Prüf-Links sind nicht verfügbar"},
}

# The script's words (sent to the page as data; the page builds its text nodes from them).
SCRIPT_KEYS = ("sending", "done_approve", "done_request_changes", "need_name", "need_comment",
               "failed", "offline")

NETWORKS = {"x": "X", "bluesky": "Bluesky", "mastodon": "Mastodon", "linkedin": "LinkedIn",
            "facebook_page": "Facebook", "webhook": "Webhook", "outbox": "Outbox"}


def page_text(key: str, lang: str, **params: Any) -> str:
    entry = PAGE[key]
    text = entry.get(lang) or entry["en"]
    return text.format(**params) if params else text


def script_texts(lang: str) -> dict[str, str]:
    return {key: page_text(key, lang) for key in SCRIPT_KEYS}
