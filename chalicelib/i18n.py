"""Everything a person reads, in German and English. Keys are stable; code never shows a
key to a person."""

from __future__ import annotations

from typing import Any

LANGUAGES = ("de", "en")

MESSAGES: dict[str, dict[str, str]] = {
    # identity and request shape
    "no_identity": {
        "en": "Please sign in: this request carries no identity.",
        "de": "Bitte melden Sie sich an: Diese Anfrage enthält keine Identität.",
    },
    "email_not_verified": {
        "en": "Your email address is not verified yet. Please verify it (or ask an administrator "
              "to) and sign in again.",
        "de": "Ihre E-Mail-Adresse ist noch nicht bestätigt. Bitte bestätigen Sie sie (oder lassen "
              "Sie sie von der Administration bestätigen) und melden Sie sich erneut an.",
    },
    "dev_auth_in_lambda": {
        "en": "Developer sign-in is switched off on this server.",
        "de": "Die Entwickler-Anmeldung ist auf diesem Server abgeschaltet.",
    },
    "dev_auth_not_local": {
        "en": "Developer sign-in works only for requests made on this computer, not through a "
              "proxy or tunnel.",
        "de": "Die Entwickler-Anmeldung gilt nur für Anfragen von diesem Rechner, nicht über "
              "einen Proxy oder Tunnel.",
    },
    "unsupported_media_type": {
        "en": "Please send the data as JSON (Content-Type: application/json).",
        "de": "Bitte senden Sie die Daten als JSON (Content-Type: application/json).",
    },
    "invalid_json": {
        "en": "The request body is not valid JSON.",
        "de": "Der Inhalt der Anfrage ist kein gültiges JSON.",
    },
    "body_not_object": {
        "en": "The request body must be a JSON object.",
        "de": "Der Inhalt der Anfrage muss ein JSON-Objekt sein.",
    },
    "invalid_field": {
        "en": "{field}: {problem}",
        "de": "{field}: {problem}",
    },
    "invalid_query": {
        "en": "The parameter {field} is not valid: {problem}",
        "de": "Der Parameter {field} ist ungültig: {problem}",
    },
    # posts
    "post_not_found": {
        "en": "This post does not exist, or it is not yours.",
        "de": "Diesen Beitrag gibt es nicht, oder er gehört nicht Ihnen.",
    },
    "not_found": {"en": "Not found.", "de": "Nicht gefunden."},
    "stale_version": {
        "en": "Someone changed this post in the meantime (now version {current}). "
              "Reload it and make your change again.",
        "de": "Der Beitrag wurde inzwischen geändert (jetzt Version {current}). "
              "Laden Sie ihn neu und ändern Sie ihn erneut.",
    },
    "conflict": {
        "en": "This post was changed at the same moment. Reload it and try again.",
        "de": "Der Beitrag wurde im selben Moment geändert. Bitte neu laden und erneut versuchen.",
    },
    "busy": {
        "en": "This post is being changed by many people at once. Please try again.",
        "de": "Dieser Beitrag wird gerade von vielen gleichzeitig geändert. Bitte erneut versuchen.",
    },
    # publishing (admins' retry and mark-as-published)
    "not_admin": {
        "en": "Only the admins named in the workflow file may do this.",
        "de": "Das dürfen nur die in der Workflow-Datei genannten Admins.",
    },
    "not_retryable": {
        "en": "Only channels that failed or whose result is unknown can be sent again "
              "(this post is {status}).",
        "de": "Nur fehlgeschlagene Kanäle oder solche mit unbekanntem Ergebnis können erneut "
              "gesendet werden (dieser Beitrag ist {status}).",
    },
    "not_unknown": {
        "en": "Only a channel whose result is unknown can be marked as published ({channel}).",
        "de": "Nur ein Kanal mit unbekanntem Ergebnis kann als veröffentlicht markiert werden "
              "({channel}).",
    },
    "cannot_publish": {
        "en": "A post that is {status} cannot be published now.",
        "de": "Ein Beitrag im Status {status} kann jetzt nicht veröffentlicht werden.",
    },
    "not_publishing": {
        "en": "This post is not being published (it is {status}).",
        "de": "Dieser Beitrag wird gerade nicht veröffentlicht (er ist {status}).",
    },
    "cannot_submit": {
        "en": "Only drafts and posts with requested changes can be submitted (this one is {status}).",
        "de": "Nur Entwürfe und Beiträge mit Änderungswünschen können eingereicht werden "
              "(dieser ist {status}).",
    },
    "cannot_edit": {
        "en": "A post that is {status} can no longer be changed.",
        "de": "Ein Beitrag im Status {status} kann nicht mehr geändert werden.",
    },
    "cannot_withdraw": {
        "en": "A post that is {status} can no longer be withdrawn.",
        "de": "Ein Beitrag im Status {status} kann nicht mehr zurückgezogen werden.",
    },
    "invalid_transition": {
        "en": "That is not possible while the post is {source}.",
        "de": "Das ist nicht möglich, solange der Beitrag {source} ist.",
    },
    "no_channels": {
        "en": "Choose at least one channel.",
        "de": "Wählen Sie mindestens einen Kanal.",
    },
    "unknown_channel": {
        "en": "There is no channel called “{channel}”. Available: {known}.",
        "de": "Einen Kanal „{channel}“ gibt es nicht. Verfügbar: {known}.",
    },
    "brand_required": {
        "en": "Choose the brand this post is for: {known}.",
        "de": "Wählen Sie die Marke, für die dieser Beitrag ist: {known}.",
    },
    "unknown_brand": {
        "en": "There is no brand called “{brand}”. Available: {known}.",
        "de": "Eine Marke „{brand}“ gibt es nicht. Verfügbar: {known}.",
    },
    "brand_not_yours": {
        "en": "You are not one of the writers of {brand}. Ask an admin to add you.",
        "de": "Sie gehören nicht zu den Schreibenden von {brand}. Bitten Sie einen Admin, "
              "Sie aufzunehmen.",
    },
    "no_brand": {
        "en": "You are not one of the writers of any brand yet. Ask an admin to add you.",
        "de": "Sie gehören noch zu keiner Marke als Schreibende(r). Bitten Sie einen Admin, "
              "Sie aufzunehmen.",
    },
    "duplicate_channel": {
        "en": "Each channel can be chosen only once.",
        "de": "Jeder Kanal kann nur einmal gewählt werden.",
    },
    "variant_without_channel": {
        "en": "There is a text variant for “{channel}”, but that channel is not chosen.",
        "de": "Es gibt eine Textvariante für „{channel}“, aber dieser Kanal ist nicht gewählt.",
    },
    "empty_text": {"en": "The text is empty.", "de": "Der Text ist leer."},
    "not_a_responder": {
        "en": "Only the named responders may answer here.",
        "de": "Nur die benannten Antwortenden dürfen hier antworten.",
    },
    "title_too_long": {
        "en": "The title is longer than {limit} characters.",
        "de": "Der Titel ist länger als {limit} Zeichen.",
    },
    "too_long": {
        "en": "Too long for {channel}: {count} of {limit} characters.",
        "de": "Zu lang für {channel}: {count} von {limit} Zeichen.",
    },
    "too_many_bytes": {
        "en": "Too long for {channel}: {count} of {limit} bytes (emoji and special characters "
              "take several bytes each).",
        "de": "Zu lang für {channel}: {count} von {limit} Bytes (Emoji und Sonderzeichen "
              "belegen mehrere Bytes).",
    },
    "content_too_large": {
        "en": "The post is too large: {size} KB of text, at most {limit} KB (title, text and "
              "every channel variant together).",
        "de": "Der Beitrag ist zu groß: {size} KB Text, höchstens {limit} KB (Titel, Text und "
              "alle Kanalvarianten zusammen).",
    },
    # a post's images (chalicelib/services/writing.py; the networks' rules: domain/limits.py)
    "too_many_images_in_post": {
        "en": "A post carries at most {limit} images; this one has {count}.",
        "de": "Ein Beitrag enthält höchstens {limit} Bilder; dieser hat {count}.",
    },
    "media_unknown": {
        "en": "Image {image} was not found among your uploads. Add it again.",
        "de": "Bild {image} wurde unter Ihren hochgeladenen Bildern nicht gefunden. Fügen Sie "
              "es erneut hinzu.",
    },
    "media_not_ready": {
        "en": "Image {image} has not finished uploading.",
        "de": "Bild {image} ist noch nicht hochgeladen.",
    },
    "media_duplicate": {
        "en": "Image {image} is the same as image {first}; each image can be used only once.",
        "de": "Bild {image} ist dasselbe wie Bild {first}; jedes Bild kann nur einmal "
              "vorkommen.",
    },
    "media_gone": {
        "en": "Image {image} is no longer stored (an upload not used in a post is kept for a "
              "day). Add it again.",
        "de": "Bild {image} ist nicht mehr gespeichert (ein Bild, das in keinem Beitrag "
              "verwendet wird, bleibt einen Tag). Fügen Sie es erneut hinzu.",
    },
    "too_many_images": {
        "en": "{channel}: at most {limit} images per post; this one has {count}.",
        "de": "{channel}: höchstens {limit} Bilder pro Beitrag; dieser hat {count}.",
    },
    "image_type": {
        "en": "{channel}: image {image} is a {type}; {channel} takes {types}.",
        "de": "{channel}: Bild {image} ist ein {type}; {channel} nimmt {types}.",
    },
    "image_too_large": {
        "en": "{channel}: image {image} is larger than {limit} MB.",
        "de": "{channel}: Bild {image} ist größer als {limit} MB.",
    },
    "image_too_many_pixels": {
        "en": "{channel}: image {image} has {width} × {height} pixels, more than the {limit} "
              "pixels {channel} takes.",
        "de": "{channel}: Bild {image} hat {width} × {height} Pixel, mehr als die {limit} "
              "Pixel, die {channel} annimmt.",
    },
    "image_too_wide": {
        "en": "{channel}: image {image} is {width} × {height} pixels; {channel} takes at most "
              "{limit} pixels per side.",
        "de": "{channel}: Bild {image} ist {width} × {height} Pixel groß; {channel} nimmt "
              "höchstens {limit} Pixel pro Seite.",
    },
    "alt_missing": {
        "en": "{channel}: image {image} has no alt text (a description for people who cannot "
              "see it).",
        "de": "{channel}: Bild {image} hat keinen Alternativtext (eine Beschreibung für "
              "Menschen, die es nicht sehen können).",
    },
    "alt_too_long": {
        "en": "{channel}: the alt text of image {image} is too long: {count} of {limit} "
              "characters.",
        "de": "{channel}: Der Alternativtext von Bild {image} ist zu lang: {count} von {limit} "
              "Zeichen.",
    },
    "too_large_to_store": {
        "en": "This change would make the post too large to store. Nothing was changed; "
              "shorten the text.",
        "de": "Mit dieser Änderung wäre der Beitrag zu groß zum Speichern. Es wurde nichts "
              "geändert; bitte den Text kürzen.",
    },
    "publish_at_in_past": {
        "en": "The publication time lies in the past.",
        "de": "Der Veröffentlichungszeitpunkt liegt in der Vergangenheit.",
    },
    "range_reversed": {
        "en": "The end of the range lies before its start.",
        "de": "Das Ende des Zeitraums liegt vor seinem Anfang.",
    },
    "publish_at_too_far": {
        "en": "The publication time lies too far ahead: choose one at most {years} years from now.",
        "de": "Der Veröffentlichungszeitpunkt liegt zu weit in der Zukunft: Wählen Sie einen "
              "Zeitpunkt höchstens {years} Jahre ab heute.",
    },
    "range_out_of_bounds": {
        "en": "Choose a range between the years {first} and {last}.",
        "de": "Wählen Sie einen Zeitraum zwischen den Jahren {first} und {last}.",
    },
    "range_too_long": {
        "en": "Choose a range of at most {days} days.",
        "de": "Wählen Sie einen Zeitraum von höchstens {days} Tagen.",
    },
    # images (uploads; chalicelib/services/media.py)
    "media_type_not_accepted": {
        "en": "“{filename}” cannot be added: {type} is not an image type Freigabe accepts "
              "(accepted: {accepted}).",
        "de": "„{filename}“ kann nicht hinzugefügt werden: {type} ist kein Bildformat, das "
              "Freigabe annimmt (erlaubt: {accepted}).",
    },
    "media_empty": {
        "en": "“{filename}” is empty.",
        "de": "„{filename}“ ist leer.",
    },
    "media_too_large": {
        "en": "“{filename}” is too large: {size} MB, at most {limit} MB per image.",
        "de": "„{filename}“ ist zu groß: {size} MB, höchstens {limit} MB pro Bild.",
    },
    "media_not_found": {
        "en": "This image does not exist, or it is not yours.",
        "de": "Dieses Bild gibt es nicht, oder es gehört nicht Ihnen.",
    },
    "media_not_uploaded": {
        "en": "Nothing has arrived for “{filename}” yet: upload the file, then try again.",
        "de": "Für „{filename}“ ist noch nichts angekommen: Laden Sie die Datei hoch und "
              "versuchen Sie es dann erneut.",
    },
    "media_not_an_image": {
        "en": "“{filename}” is not an image Freigabe accepts: its content is none of {accepted}.",
        "de": "„{filename}“ ist kein Bild, das Freigabe annimmt: Der Inhalt ist keines von "
              "{accepted}.",
    },
    "media_type_mismatch": {
        "en": "“{filename}”: the file is a {actual}, not a {declared}. Save it as a {declared} "
              "or choose it again so its type is recognised.",
        "de": "„{filename}“: Die Datei ist ein {actual}, kein {declared}. Speichern Sie sie als "
              "{declared} oder wählen Sie sie erneut aus, damit ihr Format erkannt wird.",
    },
    "media_unreadable": {
        "en": "“{filename}” cannot be read as a {type} image: the file seems damaged.",
        "de": "„{filename}“ lässt sich nicht als {type}-Bild lesen: Die Datei scheint beschädigt.",
    },
    "media_too_many_pixels": {
        "en": "“{filename}” is too large: {width} × {height} pixels; at most {megapixels} "
              "megapixels and {side} pixels per side.",
        "de": "„{filename}“ ist zu groß: {width} × {height} Pixel; höchstens {megapixels} "
              "Megapixel und {side} Pixel pro Seite.",
    },
    # field problems (pydantic error types)
    "missing": {"en": "is required", "de": "fehlt"},
    "string_type": {"en": "must be text", "de": "muss Text sein"},
    "list_type": {"en": "must be a list", "de": "muss eine Liste sein"},
    "dict_type": {"en": "must be an object", "de": "muss ein Objekt sein"},
    "bool_type": {"en": "must be true or false", "de": "muss true oder false sein"},
    "int_type": {"en": "must be a whole number", "de": "muss eine ganze Zahl sein"},
    "extra_forbidden": {"en": "is not a known field", "de": "ist kein bekanntes Feld"},
    "datetime_type": {
        "en": "must be a date and time like 2026-12-01T09:00:00+01:00",
        "de": "muss ein Zeitpunkt wie 2026-12-01T09:00:00+01:00 sein",
    },
    "timezone_aware": {
        "en": "needs a time zone offset, like +01:00",
        "de": "braucht eine Zeitzonenangabe wie +01:00",
    },
    "too_long_field": {"en": "is too long", "de": "ist zu lang"},
    "invalid_value": {"en": "is not valid", "de": "ist ungültig"},
    "status_filter": {
        "en": "unknown status; use one of {known}",
        "de": "unbekannter Status; erlaubt sind {known}",
    },
    "workflow_invalid": {
        "en": "Freigabe is not available: its workflow file is not valid. An operator must fix "
              "it; nothing was changed. {problem}",
        "de": "Freigabe ist nicht verfügbar: die Workflow-Datei ist ungültig. Ein Betreiber muss "
              "sie korrigieren; es wurde nichts geändert. {problem}",
    },
    "internal_error": {
        "en": "Something went wrong on our side. Nothing was changed; please try again.",
        "de": "Bei uns ist etwas schiefgegangen. Es wurde nichts geändert; bitte erneut versuchen.",
    },
    # review depth: holds, labels, checklists, comments, versions (domain/post.py, review.py)
    "cannot_hold": {
        "en": "Only a post in review or scheduled can be held (this one is {status}).",
        "de": "Nur ein Beitrag in Prüfung oder eingeplant kann angehalten werden (dieser ist "
              "{status}).",
    },
    "held": {
        "en": "This post is held by the {step} review and is not published until the hold is "
              "released.",
        "de": "Dieser Beitrag ist von der Prüfung {step} angehalten und wird erst veröffentlicht, "
              "wenn der Halt aufgehoben ist.",
    },
    "reason_required": {
        "en": "Please give a reason for the hold.",
        "de": "Bitte geben Sie einen Grund für das Anhalten an.",
    },
    "no_hold": {
        "en": "Nothing holds the {step} step of this post. Nothing was changed.",
        "de": "Der Schritt {step} dieses Beitrags ist nicht angehalten. Es wurde nichts geändert.",
    },
    "may_not_release": {
        "en": "Only the person who holds it, a reviewer of {step} or an admin can release this "
              "hold. Nothing was changed.",
        "de": "Nur wer angehalten hat, Prüfende von {step} oder die Administration können den "
              "Halt aufheben. Es wurde nichts geändert.",
    },
    "release_needs_slack": {
        "en": "Your Slack account could not be confirmed by your email address, so the hold "
              "cannot be released here. Please release it in Slack.",
        "de": "Ihr Slack-Konto ließ sich über Ihre E-Mail-Adresse nicht bestätigen; der Halt "
              "kann hier nicht aufgehoben werden. Bitte heben Sie ihn in Slack auf.",
    },
    "label_required": {
        "en": "Please choose at least one reason: {labels}.",
        "de": "Bitte wählen Sie mindestens einen Grund: {labels}.",
    },
    "unknown_label": {
        "en": "“{label}” is not one of this workflow's reasons.",
        "de": "„{label}“ ist kein Grund dieses Workflows.",
    },
    "quote_not_in_text": {
        "en": "The quoted sentence does not occur in the post. Please copy it exactly.",
        "de": "Der zitierte Satz kommt im Beitrag nicht vor. Bitte kopieren Sie ihn genau.",
    },
    "checklist_incomplete": {
        "en": "Please tick every required item before approving: {items_en}.",
        "de": "Bitte haken Sie vor der Freigabe alle Pflichtpunkte ab: {items_de}.",
    },
    "unknown_checklist_item": {
        "en": "“{item}” is not an item of this step's checklist.",
        "de": "„{item}“ ist kein Punkt der Checkliste dieses Schritts.",
    },
    "name_required": {
        "en": "Please give your name.",
        "de": "Bitte geben Sie Ihren Namen an.",
    },
    "not_a_link_step": {
        "en": "The {step} step is not reviewed through a link.",
        "de": "Der Schritt {step} wird nicht über einen Link geprüft.",
    },
    "comment_empty": {
        "en": "The comment is empty.",
        "de": "Der Kommentar ist leer.",
    },
    "unknown_visibility": {
        "en": "A comment is either internal or shared.",
        "de": "Ein Kommentar ist entweder intern oder geteilt.",
    },
    "version_not_found": {
        "en": "This post has no version {version}.",
        "de": "Diesen Beitrag gibt es nicht in der Fassung {version}.",
    },
    # review links for reviewers outside the company (services/external_review.py)
    "link_invalid": {
        "en": "This review link is not valid. Please check that it was copied completely.",
        "de": "Dieser Prüf-Link ist ungültig. Bitte prüfen Sie, ob er vollständig kopiert wurde.",
    },
    "link_expired": {
        "en": "This review link has expired. Please ask the person who sent it for a new one.",
        "de": "Dieser Prüf-Link ist abgelaufen. Bitte fragen Sie die Person, die ihn Ihnen "
              "geschickt hat, nach einem neuen.",
    },
    "link_replaced": {
        "en": "This link was replaced by a newer version: the post changed or its review is "
              "finished. Please ask for the current link.",
        "de": "Dieser Link wurde durch eine neuere Fassung ersetzt: Der Beitrag hat sich geändert "
              "oder seine Prüfung ist abgeschlossen. Bitte fragen Sie nach dem aktuellen Link.",
    },
    "link_stale": {
        "en": "The post changed after this link was made, so your decision was not recorded. "
              "Please ask for the current link.",
        "de": "Der Beitrag hat sich geändert, nachdem dieser Link erstellt wurde; Ihre "
              "Entscheidung wurde daher nicht gespeichert. Bitte fragen Sie nach dem aktuellen Link.",
    },
    "link_step_closed": {
        "en": "This review is already finished, so your decision was not recorded.",
        "de": "Diese Prüfung ist bereits abgeschlossen; Ihre Entscheidung wurde nicht gespeichert.",
    },
    "link_not_in_review": {
        "en": "A review link can only be made while the post is in review (it is {status}).",
        "de": "Ein Prüf-Link lässt sich nur erstellen, solange der Beitrag in Prüfung ist "
              "(Status: {status}).",
    },
    "no_link_step": {
        "en": "This post has no open review step for reviewers outside the company.",
        "de": "Dieser Beitrag hat keinen offenen Prüfschritt für Prüfende außerhalb des "
              "Unternehmens.",
    },
    "link_not_configured": {
        "en": "Review links are not set up on this server (FREIGABE_LINK_KEY is missing or "
              "cannot be read). Nothing was changed.",
        "de": "Prüf-Links sind auf diesem Server nicht eingerichtet (FREIGABE_LINK_KEY fehlt "
              "oder ist nicht lesbar). Es wurde nichts geändert.",
    },
    "evidence_not_configured": {
        "en": "Evidence files cannot be signed on this server: no signing key is set up "
              "(FREIGABE_EVIDENCE_KEY). Please tell an administrator.",
        "de": "Nachweisdateien können auf diesem Server nicht signiert werden: Es ist kein "
              "Signaturschlüssel eingerichtet (FREIGABE_EVIDENCE_KEY). Bitte wenden Sie sich an "
              "die Administration.",
    },
    "evidence_signing_failed": {
        "en": "The evidence file could not be signed just now (the signing key did not answer). "
              "Please try again in a minute.",
        "de": "Die Nachweisdatei konnte gerade nicht signiert werden (der Signaturschlüssel hat "
              "nicht geantwortet). Bitte versuchen Sie es in einer Minute erneut.",
    },
    "link_name_required": {
        "en": "Please enter your name.",
        "de": "Bitte geben Sie Ihren Namen ein.",
    },
    "link_name_invalid": {
        "en": "Your name may have at most {limit} characters, on one line.",
        "de": "Ihr Name darf höchstens {limit} Zeichen in einer Zeile haben.",
    },
    "link_comment_required": {
        "en": "Please say in the comment what should change.",
        "de": "Bitte schreiben Sie in den Kommentar, was sich ändern soll.",
    },
    "link_comment_too_long": {
        "en": "The comment may have at most {limit} characters.",
        "de": "Der Kommentar darf höchstens {limit} Zeichen haben.",
    },
    "link_unknown_decision": {
        "en": "The decision must be \"approve\" or \"request_changes\".",
        "de": "Die Entscheidung muss \"approve\" oder \"request_changes\" sein.",
    },
    # connecting a channel's account (OAuth)
    "oauth_state_invalid": {
        "en": "This sign-in link is not valid (any more): it was used already, is older than ten "
              "minutes, or was started in another browser. Please start Connect again in the "
              "admin page.",
        "de": "Dieser Anmelde-Link ist nicht (mehr) gültig: Er wurde schon benutzt, ist älter als "
              "zehn Minuten oder wurde in einem anderen Browser begonnen. Bitte starten Sie "
              "Verbinden in der Admin-Seite erneut.",
    },
    "oauth_not_supported": {
        "en": "The channel “{name}” ({type}) is not connected by signing in at the network; "
              "enter its credentials instead.",
        "de": "Der Kanal „{name}“ ({type}) wird nicht per Anmeldung beim Netzwerk verbunden; "
              "bitte geben Sie stattdessen seine Zugangsdaten ein.",
    },
    "oauth_refused": {
        "en": "The network refused to connect “{name}”: {reason}",
        "de": "Das Netzwerk hat die Verbindung von „{name}“ abgelehnt: {reason}",
    },
    "oauth_unavailable": {
        "en": "The network could not be reached to connect “{name}” ({reason}). Nothing was "
              "changed; please try again in a moment.",
        "de": "Das Netzwerk war für die Verbindung von „{name}“ nicht erreichbar ({reason}). "
              "Nichts wurde geändert; bitte versuchen Sie es gleich noch einmal.",
    },
    "oauth_denied": {
        "en": "Connecting “{name}” was cancelled at the network ({reason}). Nothing was changed.",
        "de": "Die Verbindung von „{name}“ wurde beim Netzwerk abgebrochen ({reason}). Nichts "
              "wurde geändert.",
    },
    "oauth_channel_from_file": {
        "en": "The channel “{name}” is set up in the workflow file; its token is changed there, "
              "not here.",
        "de": "Der Kanal „{name}“ ist in der Workflow-Datei eingerichtet; sein Token wird dort "
              "geändert, nicht hier.",
    },
    "oauth_channel_not_found": {
        "en": "There is no channel called “{name}”.",
        "de": "Einen Kanal „{name}“ gibt es nicht.",
    },
    # channels and accounts (admins)
    "not_web_admin": {
        "en": "Only the web page's admins may manage channels (admin_emails in the workflow file).",
        "de": "Nur die Admins der Webseite dürfen Kanäle verwalten (admin_emails in der "
              "Workflow-Datei).",
    },
    "channel_name_invalid": {
        "en": "A channel name has 1 to 40 characters: lowercase letters, digits, - or _.",
        "de": "Ein Kanalname hat 1 bis 40 Zeichen: Kleinbuchstaben, Ziffern, - oder _.",
    },
    "channel_exists": {
        "en": "A channel named {name} exists already. Please choose another name.",
        "de": "Es gibt schon einen Kanal namens {name}. Bitte wählen Sie einen anderen Namen.",
    },
    "channel_type_unknown": {
        "en": "Unknown network {type}; use one of {types}.",
        "de": "Unbekanntes Netzwerk {type}; möglich sind {types}.",
    },
    "channel_setting_invalid": {
        "en": "The setting {setting} is not valid.",
        "de": "Die Einstellung {setting} ist ungültig.",
    },
    "channel_setting_unknown": {
        "en": "{setting} is not a known setting; known are {known}.",
        "de": "{setting} ist keine bekannte Einstellung; bekannt sind {known}.",
    },
    "channel_base_url_required": {
        "en": "A {type} channel needs the address of its server (base_url).",
        "de": "Ein {type}-Kanal braucht die Adresse seines Servers (base_url).",
    },
    "channel_conflict": {
        "en": "Someone changed the channel {name} in the meantime. Reload and try again.",
        "de": "Jemand hat den Kanal {name} inzwischen geändert. Bitte neu laden und erneut "
              "versuchen.",
    },
    "channel_not_found": {
        "en": "There is no channel named {name}.",
        "de": "Es gibt keinen Kanal namens {name}.",
    },
    "channel_from_file": {
        "en": "The channel {name} is set in the workflow file; change it there.",
        "de": "Der Kanal {name} steht in der Workflow-Datei; bitte ändern Sie ihn dort.",
    },
    "channel_in_use": {
        "en": "The channel {name} is still used by {count} post(s) in review or scheduled. "
              "Move them to another channel or withdraw them first.",
        "de": "Der Kanal {name} wird noch von {count} Beitrag/Beiträgen in Prüfung oder "
              "geplant genutzt. Bitte verschieben oder zurückziehen Sie diese zuerst.",
    },
    "credentials_bluesky_only": {
        "en": "A handle and app password are only for Bluesky channels; connect a {type} "
              "channel with Connect.",
        "de": "Handle und App-Passwort gibt es nur für Bluesky-Kanäle; einen {type}-Kanal "
              "verbinden Sie mit Verbinden.",
    },
    "credentials_missing": {
        "en": "Please enter the handle and an app password.",
        "de": "Bitte geben Sie das Handle und ein App-Passwort ein.",
    },
    "credentials_refused": {
        "en": "Bluesky did not accept the handle and app password ({problem}). Nothing was "
              "stored.",
        "de": "Bluesky hat Handle und App-Passwort nicht angenommen ({problem}). Es wurde "
              "nichts gespeichert.",
    },
    # deputies (services/deputies.py): `/freigabe away` and the web page's Away form
    "away_until_missing": {
        "en": "Please say until when you are away: a date like 2026-12-24 or 24.12., or 3d.",
        "de": "Bitte sagen Sie, bis wann Sie abwesend sind: ein Datum wie 2026-12-24 oder 24.12., "
              "oder 3d.",
    },
    "away_until_invalid": {
        "en": "\"{until}\" is not a date Freigabe understands. Write it like 2026-12-24, 24.12. or 3d.",
        "de": "„{until}“ ist kein Datum, das Freigabe versteht. Schreiben Sie es wie 2026-12-24, "
              "24.12. oder 3d.",
    },
    "away_until_past": {
        "en": "\"{until}\" has already passed. Please give a date ahead.",
        "de": "„{until}“ liegt schon in der Vergangenheit. Bitte geben Sie ein künftiges Datum an.",
    },
    "away_too_long": {
        "en": "An absence can last at most a year; for longer, please ask an admin to change the "
              "reviewers.",
        "de": "Eine Abwesenheit dauert höchstens ein Jahr; für länger bitten Sie die "
              "Administration, die Prüfenden zu ändern.",
    },
    "deputy_missing": {
        "en": "Please name your deputy (in Slack with @, on the web page by e-mail).",
        "de": "Bitte nennen Sie Ihre Vertretung (in Slack mit @, auf der Webseite per E-Mail).",
    },
    "deputy_by_name": {
        "en": "Please pick your deputy from Slack's list when typing @, so Slack links the person.",
        "de": "Bitte wählen Sie Ihre Vertretung beim Tippen von @ aus der Liste, damit Slack die "
              "Person verlinkt.",
    },
    "deputy_unknown": {
        "en": "Your deputy is not a member of this Slack workspace.",
        "de": "Ihre Vertretung ist kein Mitglied dieses Slack-Workspaces.",
    },
    "deputy_is_self": {
        "en": "Your deputy must be someone else.",
        "de": "Ihre Vertretung muss jemand anderes sein.",
    },
    "deputy_is_bot": {
        "en": "A bot cannot be a deputy; please name a person.",
        "de": "Ein Bot kann nicht vertreten; bitte nennen Sie eine Person.",
    },
    "away_unavailable": {
        "en": "Absences cannot be recorded on this installation.",
        "de": "Abwesenheiten können in dieser Installation nicht erfasst werden.",
    },
    "away_needs_slack": {
        "en": "Your e-mail address is not known in Slack, so Freigabe cannot tell whether you "
              "review; please use /freigabe away in Slack.",
        "de": "Ihre E-Mail-Adresse ist in Slack nicht bekannt, daher weiß Freigabe nicht, ob Sie "
              "prüfen; bitte nutzen Sie /freigabe away in Slack.",
    },
    "away_set": {
        "en": "You are away until {until}; {deputy} decides for you meanwhile and gets your "
              "review requests.",
        "de": "Sie sind abwesend bis {until}; {deputy} entscheidet in dieser Zeit für Sie und "
              "erhält Ihre Prüfanfragen.",
    },
    "away_ended": {
        "en": "Welcome back: you decide yourself again; your deputy no longer does.",
        "de": "Willkommen zurück: Sie entscheiden wieder selbst, Ihre Vertretung nicht mehr.",
    },
    "away_not_away": {
        "en": "You have no absence set.",
        "de": "Sie haben keine Abwesenheit eingetragen.",
    },
    "away_covering": {
        "en": "You decide for {reviewer} until {until}.",
        "de": "Sie entscheiden für {reviewer} bis {until}.",
    },
    "away_usage": {
        "en": "/freigabe away <until> @deputy (until: 2026-12-24, 24.12. or 3d) · /freigabe away off",
        "de": "/freigabe away <bis> @vertretung (bis: 2026-12-24, 24.12. oder 3d) · "
              "/freigabe away off",
    },
    "as_deputy_for": {
        "en": "as deputy for {reviewer}",
        "de": "in Vertretung für {reviewer}",
    },
}


def t(key: str, lang: str, **params: Any) -> str:
    entry = MESSAGES.get(key) or MESSAGES["invalid_value"]
    text = entry.get(lang) or entry["en"]
    try:
        return text.format(**params)
    except (KeyError, IndexError, ValueError):
        return text


def pick_language(accept_language: str | None, default: str) -> str:
    """The first of de/en the caller accepts, by q-value; else the workflow's language."""
    if not accept_language:
        return default
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        ranked.append((-quality, position, tag.strip().lower()[:2]))
    for negative_quality, _, lang in sorted(ranked):
        if negative_quality < 0 and lang in LANGUAGES:
            return lang
    return default
