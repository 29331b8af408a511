"""Everything Freigabe says in Slack, in German and English, and how it writes times.

Kept apart from chalicelib/i18n.py (the web's catalogue) so the Slack wording can change
without touching the writers' API; same shape: key -> {lang: text}.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

TEXTS: dict[str, dict[str, str]] = {
    # review requests
    "request_header": {"de": "Freigabe angefragt: {step}", "en": "Review requested: {step}"},
    "request_fallback": {"de": "Freigabe angefragt ({step}): {title}",
                         "en": "Review requested ({step}): {title}"},
    "author": {"de": "Autor·in", "en": "Author"},
    "channels": {"de": "Kanäle", "en": "Channels"},
    "publish_at": {"de": "Veröffentlichung", "en": "Goes out"},
    "why": {"de": "Warum diese Prüfung", "en": "Why this review"},
    "asap": {"de": "sobald freigegeben", "en": "as soon as approved"},
    "reason_always": {"de": "immer erforderlich", "en": "always required"},
    "reason_keyword": {"de": "Stichwort „{value}“", "en": "keyword “{value}”"},
    "reason_channel": {"de": "Kanal {value}", "en": "channel {value}"},
    "text_for": {"de": "Text für {channels}", "en": "Text for {channels}"},
    "x_cost": {"de": "{channel}: kostet {cost} bei X", "en": "{channel}: costs {cost} on X"},
    "x_cost_url": {"de": "{channel}: kostet {cost} bei X (mit Link)",
                   "en": "{channel}: costs {cost} on X (with a link)"},
    "title": {"de": "Titel", "en": "Title"},
    "truncated": {"de": "… (gekürzt, {count} weitere Zeichen)",
                  "en": "… (cut short, {count} more characters)"},
    "changed_since": {"de": "Geändert seit Ihrer letzten Prüfung: {fields}",
                      "en": "Changed since your last review: {fields}"},
    "before": {"de": "Vorher", "en": "Before"},
    "after": {"de": "Jetzt", "en": "Now"},
    "field_title": {"de": "Titel", "en": "title"},
    "field_text": {"de": "Text", "en": "text"},
    "field_variants": {"de": "Varianten", "en": "variants"},
    "field_channels": {"de": "Kanäle", "en": "channels"},
    "field_media": {"de": "Bilder", "en": "images"},
    "post_ref": {"de": "Beitrag {post} · Fassung {hash}", "en": "Post {post} · version {hash}"},
    # images
    "image_title": {"de": "Bild {n}", "en": "Image {n}"},
    "image_alt": {"de": "Alternativtext: {alt}", "en": "Alt text: {alt}"},
    "image_no_alt": {"de": "(kein Alternativtext)", "en": "(no alt text)"},
    "image_not_shown": {"de": "⚠️ Bild {n} konnte hier nicht angezeigt werden. Bitte nicht freigeben, "
                              "bevor Sie es gesehen haben.",
                        "en": "⚠️ Image {n} could not be shown here. Do not approve until you have "
                              "seen it."},
    "images_not_shown": {"de": "Nicht jedes Bild konnte angezeigt werden, deshalb fehlt hier "
                               "„Freigeben“. Fordern Sie Änderungen an, damit die Autorin oder der "
                               "Autor die Bilder prüft.",
                         "en": "Not every image could be shown, so there is no Approve here. Request "
                               "changes so the author checks the images."},
    "image_changed_added": {"de": "Bild {n} hinzugefügt", "en": "image {n} added"},
    "image_changed_removed": {"de": "Bild {n} entfernt", "en": "image {n} removed"},
    "image_changed_replaced": {"de": "Bild {n} ersetzt", "en": "image {n} replaced"},
    "image_changed_alt": {"de": "Alternativtext von Bild {n} geändert",
                          "en": "alt text of image {n} changed"},
    "images_reordered": {"de": "Reihenfolge der Bilder geändert", "en": "images reordered"},
    "approve": {"de": "Freigeben", "en": "Approve"},
    "request_changes": {"de": "Änderungen anfordern", "en": "Request changes"},
    "reject": {"de": "Ablehnen", "en": "Reject"},
    "review": {"de": "Prüfen und freigeben", "en": "Review and approve"},
    "review_title": {"de": "Prüfen und freigeben", "en": "Review and approve"},
    "review_in_modal": {"de": "Der Text ist zu lang für diese Nachricht: „Prüfen und freigeben“ zeigt "
                              "ihn vollständig, bevor Sie freigeben.",
                        "en": "The text is too long for this message: “Review and approve” shows all "
                              "of it before you approve."},
    "too_long_for_slack": {"de": "Dieser Beitrag ist zu lang, um ihn in Slack vollständig zu zeigen; "
                                 "hier kann er nicht freigegeben werden.",
                           "en": "This post is too long to show in full in Slack, so it cannot be "
                                 "approved here."},
    "approvals_so_far": {"de": "{count} von {required} Freigaben: {who}",
                         "en": "{count} of {required} approvals: {who}"},
    # hold, reason labels, checklists
    "hold": {"de": "Anhalten", "en": "Hold"},
    "release": {"de": "Halt aufheben", "en": "Release hold"},
    "modal_title_hold": {"de": "Anhalten", "en": "Put on hold"},
    "modal_title_approve": {"de": "Freigeben", "en": "Approve"},
    "modal_hold_reason": {"de": "Warum wird der Beitrag angehalten?", "en": "Why is the post on hold?"},
    "modal_hold_hint": {"de": "Solange ein Halt besteht, wird der Beitrag nicht veröffentlicht, auch wenn "
                              "alle Prüfungen freigegeben haben.",
                        "en": "While a hold stands the post is not published, even when every review "
                              "approved it."},
    "modal_labels": {"de": "Gründe", "en": "Reasons"},
    "modal_quote": {"de": "Betroffener Satz (optional, wörtlich aus dem Text)",
                    "en": "The sentence this is about (optional, exactly as in the text)"},
    "modal_checklist": {"de": "Checkliste", "en": "Checklist"},
    "modal_checklist_hint": {"de": "Pflichtpunkte müssen abgehakt sein; die Haken werden mit der "
                                   "Freigabe gespeichert.",
                             "en": "Required items must be ticked; the ticks are stored with the approval."},
    "checklist_required": {"de": "Pflicht", "en": "required"},
    "checklist_optional": {"de": "optional", "en": "optional"},
    "labels_line": {"de": "Gründe: {labels}", "en": "Reasons: {labels}"},
    "quote_line": {"de": "Zitat", "en": "Quote"},
    "checklist_line": {"de": "Abgehakt: {items}", "en": "Ticked: {items}"},
    "on_hold_line": {"de": "⏸️ Angehalten: {reason} — {who}", "en": "⏸️ On hold: {reason} — {who}"},
    "hold_placed_thread": {"de": "⏸️ {who} hat den Beitrag angehalten: {reason}",
                           "en": "⏸️ {who} put the post on hold: {reason}"},
    "hold_released_thread": {"de": "▶️ {who} hat den Halt aufgehoben.", "en": "▶️ {who} released the hold."},
    "dm_hold_placed": {"de": "⏸️ {who} hat „{title}“ angehalten ({step}): {reason}\nSolange der Halt "
                             "besteht, wird der Beitrag nicht veröffentlicht.",
                       "en": "⏸️ {who} put “{title}” on hold ({step}): {reason}\nWhile the hold stands, "
                             "the post is not published."},
    "dm_hold_released": {"de": "▶️ {who} hat den Halt für „{title}“ aufgehoben ({step}).",
                         "en": "▶️ {who} released the hold on “{title}” ({step})."},
    "released": {"de": "Der Halt ist aufgehoben.", "en": "The hold is released."},
    "label_required": {"de": "Bitte mindestens einen Grund wählen.",
                       "en": "Please choose at least one reason."},
    "unknown_label": {"de": "Diesen Grund kennt der Workflow nicht.",
                      "en": "The workflow does not know this reason."},
    "quote_not_in_text": {"de": "Dieser Satz steht so nicht im Text. Bitte wörtlich kopieren.",
                          "en": "This sentence is not in the text as written. Please copy it exactly."},
    "checklist_incomplete": {"de": "Bitte alle Pflichtpunkte der Checkliste abhaken: {items_de}",
                             "en": "Please tick every required item of the checklist: {items_en}"},
    "unknown_checklist_item": {"de": "Diesen Punkt der Checkliste gibt es nicht mehr.",
                               "en": "This checklist item no longer exists."},
    "reason_required": {"de": "Bitte einen Grund angeben.", "en": "Please give a reason."},
    "no_hold": {"de": "Dieser Beitrag ist für {step} nicht angehalten. Es wurde nichts geändert.",
                 "en": "This post is not on hold for {step}. Nothing was changed."},
    "may_not_release": {"de": "Nur wer angehalten hat, die Prüfenden von {step} und Admins können den Halt "
                              "aufheben. Es wurde nichts geändert.",
                        "en": "Only the person who put it on hold, the {step} reviewers and admins can "
                              "release the hold. Nothing was changed."},
    "cannot_hold": {"de": "Nur Beiträge in Prüfung oder geplante Beiträge lassen sich anhalten "
                          "(Status: {status}). Es wurde nichts geändert.",
                    "en": "Only posts in review or scheduled can be put on hold (status: {status}). "
                          "Nothing was changed."},
    "link_step_note": {"de": "Diese Prüfung geschieht außerhalb von Slack, über einen signierten Link: "
                             "Autor·in oder Admins erstellen ihn im Beitrag auf der Webseite und geben "
                             "ihn der prüfenden Person.",
                       "en": "This review happens outside Slack, through a signed link: the author or "
                             "an admin creates it in the post on the web page and hands it to the "
                             "reviewer."},
    # deadlines
    "due_header": {"de": "Bald fällig", "en": "Due soon"},
    "due_empty": {"de": "Keine Prüfung mit Frist wartet auf Sie.",
                  "en": "No review with a deadline is waiting for you."},
    "due_at": {"de": "fällig {when}", "en": "due {when}"},
    "overdue_mark": {"de": "⏰ überfällig", "en": "⏰ overdue"},
    "held_header": {"de": "Angehalten", "en": "On hold"},
    "overdue_notice": {"de": "⏰ Überfällig: Die Prüfung {step} für „{title}“ war {when} fällig. {who}",
                       "en": "⏰ Overdue: the {step} review of “{title}” was due {when}. {who}"},
    "overdue_you": {"de": "bitte übernehmen oder nachfassen.", "en": "please take it over or follow up."},
    "expired_channel": {"de": "⌛ „{title}“ ist abgelaufen: nicht rechtzeitig freigegeben ({step}).",
                        "en": "⌛ “{title}” expired: not approved in time ({step})."},
    "diff_legend": {"de": "*fett*: neu · ~durchgestrichen~: entfernt",
                    "en": "*bold*: added · ~struck~: removed"},
    # decisions
    "decided_approve": {"de": "✅ Freigegeben von {who} am {when}", "en": "✅ Approved by {who} on {when}"},
    "decided_request_changes": {"de": "✏️ Änderungen angefordert von {who} am {when}",
                                "en": "✏️ Changes requested by {who} on {when}"},
    "decided_reject": {"de": "⛔ Abgelehnt von {who} am {when}", "en": "⛔ Rejected by {who} on {when}"},
    "comment": {"de": "Kommentar", "en": "Comment"},
    "voided_edited": {"de": "Überholt: Der Text wurde geändert. Eine neue Anfrage folgt.",
                      "en": "Superseded: the text changed. A new request follows."},
    "voided_withdrawn": {"de": "Zurückgezogen von der Autorin oder dem Autor.",
                         "en": "Withdrawn by the author."},
    "voided_request_changes": {"de": "Geschlossen: Eine andere Prüfung hat Änderungen angefordert.",
                               "en": "Closed: another review requested changes."},
    "voided_reject": {"de": "Geschlossen: Eine andere Prüfung hat den Beitrag abgelehnt.",
                      "en": "Closed: another review rejected the post."},
    "voided_other": {"de": "Diese Anfrage ist nicht mehr offen.", "en": "This request is no longer open."},
    "approval_voided": {"de": "Freigabe aufgehoben: Der Text wurde in Version {version} geändert.",
                        "en": "Approval voided: the text changed in version {version}."},
    "voided_duplicate": {"de": "Doppelt gesendet: Es gilt die andere Anfrage zu diesem Beitrag.",
                         "en": "Sent twice: the other request for this post is the one that counts."},
    # the modal
    "modal_title_request_changes": {"de": "Änderungen anfordern", "en": "Request changes"},
    "modal_title_reject": {"de": "Ablehnen", "en": "Reject"},
    "modal_submit": {"de": "Senden", "en": "Send"},
    "modal_close": {"de": "Abbrechen", "en": "Cancel"},
    "modal_intro": {"de": "{step}: {title}", "en": "{step}: {title}"},
    "modal_comment": {"de": "Was soll sich ändern, und warum?", "en": "What should change, and why?"},
    "modal_comment_reject": {"de": "Warum wird der Beitrag abgelehnt?", "en": "Why is the post rejected?"},
    # refusals (NotEligible keys and the adapter's own)
    "comment_required": {"de": "Bitte schreiben Sie einen Kommentar.", "en": "Please write a comment."},
    "unknown_decision": {"de": "Diese Entscheidung kennt Freigabe nicht.",
                         "en": "Freigabe does not know this decision."},
    "unknown_step": {"de": "Diesen Prüfschritt gibt es nicht mehr.",
                     "en": "This review step no longer exists."},
    "not_in_review": {"de": "Der Beitrag ist nicht mehr in Prüfung (Status: {status}). "
                            "Es wurde nichts geändert.",
                      "en": "The post is no longer in review (status: {status}). Nothing was changed."},
    "stale_content": {"de": "Der Text wurde inzwischen geändert; diese Anfrage zeigt eine alte Fassung. "
                            "Bitte prüfen Sie die neue Anfrage. Es wurde nichts geändert.",
                      "en": "The text has changed since this request was posted; it shows an old version. "
                            "Please review the new request. Nothing was changed."},
    "step_not_open": {"de": "Die Prüfung {step} ist gerade nicht offen. Es wurde nichts geändert.",
                      "en": "The {step} review is not open right now. Nothing was changed."},
    "not_a_reviewer": {"de": "Sie gehören nicht zu den Prüfenden für {step}. Es wurde nichts geändert.",
                       "en": "You are not one of the {step} reviewers. Nothing was changed."},
    "own_post": {"de": "Das ist Ihr eigener Beitrag; Sie können ihn nicht selbst freigeben. "
                       "Es wurde nichts geändert.",
                 "en": "This is your own post; you cannot review it yourself. Nothing was changed."},
    "one_step_per_person": {"de": "Sie haben diese Fassung schon für {step} freigegeben; eine Person "
                                  "prüft nur einen Schritt. Es wurde nichts geändert.",
                            "en": "You already approved this version for {step}; one person reviews "
                                  "one step only. Nothing was changed."},
    "no_email": {"de": "Ihr Slack-Profil zeigt Freigabe keine E-Mail-Adresse, daher lässt sich nicht prüfen, "
                       "ob es Ihr eigener Beitrag ist. Es wurde nichts geändert.",
                 "en": "Your Slack profile shows Freigabe no email address, so it cannot check that this "
                       "is not your own post. Nothing was changed."},
    "groups_unavailable": {"de": "Die Prüfenden für diesen Schritt sind als Slack-Benutzergruppe angegeben, "
                                 "aber der Slack-Tarif dieses Workspaces hat keine Benutzergruppen. Bitte "
                                 "die Prüfenden in der Workflow-Datei einzeln eintragen (reviewers = [...]). "
                                 "Es wurde nichts geändert.",
                           "en": "The reviewers of this step are given as a Slack user group, but this "
                                 "workspace's Slack plan has no user groups. Please list the reviewers one "
                                 "by one in the workflow file (reviewers = [...]). Nothing was changed."},
    "post_not_found": {"de": "Diesen Beitrag gibt es nicht mehr.", "en": "This post no longer exists."},
    "busy": {"de": "Der Beitrag wird gerade von vielen gleichzeitig geändert. Bitte gleich noch einmal.",
             "en": "Many people are changing this post right now. Please try again in a moment."},
    "too_large_to_store": {"de": "Mit dieser Entscheidung wäre der Beitrag zu groß zum Speichern. "
                                 "Es wurde nichts geändert; bitte den Autor bitten, ihn zu kürzen.",
                           "en": "With this decision the post would be too large to store. Nothing "
                                 "was changed; please ask the author to shorten it."},
    "broken_button": {"de": "Dieser Knopf ist beschädigt. Es wurde nichts geändert.",
                      "en": "This button is broken. Nothing was changed."},
    "refused": {"de": "Das ist gerade nicht möglich. Es wurde nichts geändert.",
                "en": "That is not possible right now. Nothing was changed."},
    "slack_unavailable": {"de": "Slack antwortet gerade nicht. Es wurde nichts geändert; "
                                "bitte erneut versuchen.",
                          "en": "Slack is not answering right now. Nothing was changed; please try again."},
    # author DMs
    "dm_decided_approve": {"de": "{who} hat „{title}“ für {step} freigegeben.",
                           "en": "{who} approved “{title}” for {step}."},
    "dm_decided_request_changes": {"de": "{who} wünscht Änderungen an „{title}“ ({step}).",
                                   "en": "{who} requested changes to “{title}” ({step})."},
    "dm_decided_reject": {"de": "{who} hat „{title}“ abgelehnt ({step}).",
                          "en": "{who} rejected “{title}” ({step})."},
    "dm_scheduled": {"de": "„{title}“ ist freigegeben und geht am {when} raus.",
                     "en": "“{title}” is approved and goes out on {when}."},
    "dm_scheduled_now": {"de": "„{title}“ ist freigegeben und geht jetzt raus.",
                         "en": "“{title}” is approved and goes out now."},
    "dm_settled": {"de": "„{title}“: {status}.", "en": "“{title}”: {status}."},
    "dm_expired": {"de": "„{title}“ ist abgelaufen: Die Freigabe kam zu spät für den geplanten Zeitpunkt.",
                   "en": "“{title}” expired: it was not approved in time for its publish time."},
    "dm_channels_not_connected": {
        "de": "„{title}“ ist fällig, wird aber zurückgehalten: Der Kanal {channels} ist nicht "
              "verbunden. Sobald ein Admin ihn verbindet, geht der Beitrag raus (innerhalb des "
              "Spätfensters).",
        "en": "“{title}” is due but held back: the channel {channels} is not connected. It goes "
              "out once an admin connects it (within the late window)."},
    "held_channel_not_connected": {
        "de": "⚠️ Beitrag {post} ist fällig, wird aber zurückgehalten: Einer seiner Kanäle ist "
              "nicht verbunden. Bitte im Admin-Bereich der Webseite verbinden; "
              "*/freigabe channels* zeigt den Stand.",
        "en": "⚠️ Post {post} is due but held back: one of its channels is not connected. "
              "Please connect it in the web page's admin section; */freigabe channels* shows "
              "the state."},
    # publication results
    "results_header": {"de": "Veröffentlichung: {status}", "en": "Publication: {status}"},
    "result_published": {"de": "veröffentlicht", "en": "published"},
    "result_failed": {"de": "fehlgeschlagen", "en": "failed"},
    "result_unknown": {"de": "unklar (nicht erneut gesendet)", "en": "unknown (not sent again)"},
    "result_pending": {"de": "ausstehend", "en": "pending"},
    "retry": {"de": "Erneut versuchen", "en": "Retry"},
    "mark_published": {"de": "{channel}: ist erschienen", "en": "{channel}: did go out"},
    "marked_published": {"de": "{channel} als veröffentlicht vermerkt.",
                         "en": "{channel} recorded as published."},
    "retry_hint": {"de": "Nur Admins können die Veröffentlichung erneut anstoßen.",
                   "en": "Only admins can retry the publication."},
    "retry_started": {"de": "Erneuter Versuch für {channels} gestartet.",
                      "en": "Retrying {channels}."},
    "retry_refused": {"de": "Erneuter Versuch nicht möglich: {reason}", "en": "Cannot retry: {reason}"},
    "expired_header": {"de": "Abgelaufen: nicht rechtzeitig freigegeben.",
                       "en": "Expired: not approved in time."},
    # reminders
    "reminder": {"de": "Erinnerung: {who}, diese Anfrage wartet seit {hours} Stunden auf eine Prüfung.",
                 "en": "Reminder: {who}, this request has been waiting {hours} hours for a review."},
    # the tick, to the admins, once per post and problem
    "held_lacks_approvals": {
        "de": "⚠️ Beitrag {post} wird nicht veröffentlicht: ihm fehlen Freigaben, die sein "
              "Review oder der Workflow verlangt. Bitte prüfen (docs/publishing.md).",
        "en": "⚠️ Post {post} is not being published: it lacks approvals its review or the "
              "workflow asks for. Please look into it (docs/publishing.md)."},
    "held_failed": {
        "de": "⚠️ Beitrag {post} wird nicht veröffentlicht: er ließ sich nicht verarbeiten "
              "({problem}). Die übrigen Beiträge gehen weiter raus; Details im Log des Ticks.",
        "en": "⚠️ Post {post} is not being published: it could not be processed ({problem}). "
              "The other posts still go out; details are in the tick's log."},
    # slash command
    "admins_only": {"de": "Nur Admins dürfen die Veröffentlichung anhalten oder fortsetzen. "
                          "Es wurde nichts geändert.",
                    "en": "Only admins may pause or resume publishing. Nothing was changed."},
    "pause_needs_reason": {"de": "Bitte einen Grund angeben: /freigabe pause <Grund>",
                           "en": "Please give a reason: /freigabe pause <reason>"},
    "paused": {"de": "⏸️ Veröffentlichung angehalten: {reason}", "en": "⏸️ Publishing paused: {reason}"},
    "resumed": {"de": "▶️ Veröffentlichung läuft wieder.", "en": "▶️ Publishing resumed."},
    "not_paused": {"de": "Die Veröffentlichung war nicht angehalten.", "en": "Publishing was not paused."},
    "status_header": {"de": "Beiträge nach Status", "en": "Posts by status"},
    "status_paused": {"de": "⏸️ Angehalten seit {when} von {who}: {reason}",
                      "en": "⏸️ Paused since {when} by {who}: {reason}"},
    "status_running": {"de": "▶️ Veröffentlichung läuft.", "en": "▶️ Publishing is running."},
    "queue_header": {"de": "Die nächsten geplanten Beiträge", "en": "The next scheduled posts"},
    "queue_reviewers_only": {"de": "Die geplanten Beiträge sehen nur Admins und Prüfer. "
                                   "*/freigabe status* zeigt, wie viele Beiträge geplant sind.",
                             "en": "Only admins and reviewers can see the scheduled posts. "
                                   "*/freigabe status* shows how many posts are scheduled."},
    "queue_empty": {"de": "Nichts geplant.", "en": "Nothing scheduled."},
    "help": {"de": "*/freigabe status [Marke]* – Beiträge nach Status und ob veröffentlicht wird\n"
                   "*/freigabe queue [Marke]* – die nächsten geplanten Beiträge (Prüfende und Admins)\n"
                   "*/freigabe due* – Ihre Prüfungen mit Frist, die nächste zuerst\n"
                   "*/freigabe away <bis> @vertretung* – abwesend bis dann; die Vertretung entscheidet "
                   "für Sie (*/freigabe away off*: zurück)\n"
                   "*/freigabe pause <Grund>* – Veröffentlichung anhalten (Admins)\n"
                   "*/freigabe resume* – Veröffentlichung fortsetzen (Admins)\n"
                   "*/freigabe channels* – die Kanäle und ob sie verbunden sind\n"
                   "*/freigabe stats [30d]* – Kennzahlen der letzten Tage (Prüfzeiten, Pünktlichkeit)\n"
                   "*/freigabe help* – diese Hilfe",
             "en": "*/freigabe status [brand]* – posts by status and whether publishing runs\n"
                   "*/freigabe queue [brand]* – the next scheduled posts (reviewers and admins)\n"
                   "*/freigabe due* – your reviews with a deadline, the next first\n"
                   "*/freigabe away <until> @deputy* – away until then; your deputy decides for you "
                   "(*/freigabe away off*: back)\n"
                   "*/freigabe pause <reason>* – pause publishing (admins)\n"
                   "*/freigabe resume* – resume publishing (admins)\n"
                   "*/freigabe channels* – the channels and whether they are connected\n"
                   "*/freigabe stats [30d]* – figures of the last days (review times, punctuality)\n"
                   "*/freigabe help* – this help"},
    # /freigabe channels
    "channels_header": {"de": "Kanäle", "en": "Channels"},
    "channels_empty": {"de": "Keine Kanäle.", "en": "No channels."},
    "channels_line": {"de": "• *{name}* ({type}, {source}): {status}",
                      "en": "• *{name}* ({type}, {source}): {status}"},
    "channels_account": {"de": " – Konto {account}", "en": " – account {account}"},
    "channels_expires": {"de": " – Token endet {at}", "en": " – token ends {at}"},
    "channels_error": {"de": " – zuletzt: {error}", "en": " – last: {error}"},
    "channels_source_file": {"de": "Workflow-Datei", "en": "workflow file"},
    "channels_source_runtime": {"de": "Webseite", "en": "web page"},
    "channel_connected": {"de": "✅ verbunden", "en": "✅ connected"},
    "channel_expiring": {"de": "⏳ läuft bald ab", "en": "⏳ expiring soon"},
    "channel_expired": {"de": "⛔ abgelaufen", "en": "⛔ expired"},
    "channel_error": {"de": "⚠️ Fehler", "en": "⚠️ error"},
    "channel_not_connected": {"de": "🔌 nicht verbunden", "en": "🔌 not connected"},
    "channels_reconnect": {"de": "Verbinden oder neu verbinden: im Admin-Bereich der Webseite.",
                           "en": "Connect or reconnect: in the web page's admin section."},
    "unknown_command": {"de": "Das kenne ich nicht: „{text}“.", "en": "I do not know “{text}”."},
    # App Home
    "home_header": {"de": "Ihre offenen Prüfungen", "en": "Your pending reviews"},
    "home_empty": {"de": "Nichts wartet auf Sie. 🎉", "en": "Nothing is waiting for you. 🎉"},
    "home_more": {"de": "… und {count} weitere.", "en": "… and {count} more."},
    # statuses
    "status_draft": {"de": "Entwurf", "en": "draft"},
    "status_in_review": {"de": "in Prüfung", "en": "in review"},
    "status_changes_requested": {"de": "Änderungen angefordert", "en": "changes requested"},
    "status_rejected": {"de": "abgelehnt", "en": "rejected"},
    "status_scheduled": {"de": "geplant", "en": "scheduled"},
    "status_publishing": {"de": "wird veröffentlicht", "en": "publishing"},
    "status_published": {"de": "veröffentlicht", "en": "published"},
    "status_partially_published": {"de": "teilweise veröffentlicht", "en": "partially published"},
    "status_failed": {"de": "fehlgeschlagen", "en": "failed"},
    "status_withdrawn": {"de": "zurückgezogen", "en": "withdrawn"},
    "status_expired": {"de": "abgelaufen", "en": "expired"},
    # replies and mentions read from the networks (adapters/slack/conversation.py)
    "conv_reply": {"de": "Antwort von {author} auf {channel}", "en": "Reply from {author} on {channel}"},
    "conv_mention": {"de": "Erwähnung von {author} auf {channel}",
                     "en": "Mention from {author} on {channel}"},
    "conv_open": {"de": "Auf {channel} ansehen", "en": "View on {channel}"},
    "conv_no_text": {"de": "(ohne Text)", "en": "(no text)"},
    "conv_answer": {"de": "Antworten", "en": "Answer"},
    "conv_done": {"de": "Erledigt", "en": "Done"},
    "conv_done_by": {"de": "Erledigt von {user}", "en": "Done by {user}"},
    "conv_reminder": {"de": "⏰ Noch unbeantwortet seit {hours} Stunden: {author} auf {channel}",
                      "en": "⏰ Still unanswered after {hours} hours: {author} on {channel}"},
    # answers drafted in Slack (adapters/slack/answers.py)
    "answer_title": {"de": "Antwort entwerfen", "en": "Draft an answer"},
    "answer_submit": {"de": "Zur Freigabe", "en": "Send for review"},
    "answer_cancel": {"de": "Abbrechen", "en": "Cancel"},
    "answer_to": {"de": "Antwort an {author} auf {channel}", "en": "Answer to {author} on {channel}"},
    "answer_field": {"de": "Ihre Antwort", "en": "Your answer"},
    "answer_limit": {"de": "{network}: höchstens {limit} Zeichen, so gezählt wie {network} zählt",
                     "en": "{network}: at most {limit} characters, counted the way {network} counts"},
    "answer_no_limit": {"de": "{network}: ohne Längengrenze", "en": "{network}: no length limit"},
    "answer_item_gone": {"de": "Diese Antwort oder Erwähnung ist nicht mehr offen.",
                         "en": "This reply or mention is no longer open."},
    "not_a_responder": {"de": "Nur die benannten Antwortenden dürfen hier antworten.",
                        "en": "Only the named responders may answer here."},
    "answer_answered": {"de": "✅ Beantwortet: {link}", "en": "✅ Answered: {link}"},
    "answer_answered_plain": {"de": "✅ Beantwortet", "en": "✅ Answered"},
    # deputies: who decided for whom, and a request that reaches the deputy of an absent reviewer
    "decided_as_deputy": {"de": "{deputy} in Vertretung für {reviewer}",
                          "en": "{deputy} as deputy for {reviewer}"},
    "deputy_thread": {"de": "{deputy} vertritt {reviewer} bis {until} und kann hier für sie oder "
                            "ihn entscheiden.",
                      "en": "{deputy} stands in for {reviewer} until {until} and may decide here "
                            "for them."},
    "dm_deputy_request": {"de": "Sie vertreten {reviewer} bis {until}: „{title}“ wartet auf Ihre "
                                "Entscheidung ({step}).",
                          "en": "You stand in for {reviewer} until {until}: “{title}” awaits your "
                                "decision ({step})."},
    "dm_deputy_open": {"de": "Zur Anfrage", "en": "Open the request"},
}

WEEKDAYS = {
    "de": ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"],
    "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
}
MONTHS = {
    "de": ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
           "Oktober", "November", "Dezember"],
    "en": ["January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"],
}


def tr(key: str, lang: str, **params: Any) -> str:
    entry = TEXTS.get(key)
    if entry is None:
        return key
    text = entry.get(lang) or entry["en"]
    try:
        return text.format(**params)
    except (KeyError, IndexError, ValueError):
        return text


def has(key: str) -> bool:
    return key in TEXTS


def when(moment: datetime, timezone: str, lang: str) -> str:
    """A moment as people read it where the team works: "Dienstag, 1. Dezember 2026, 09:00 Uhr"
    or "Tuesday, 1 December 2026, 09:00", always with the zone's name."""
    local = moment.astimezone(ZoneInfo(timezone))
    day = WEEKDAYS.get(lang, WEEKDAYS["en"])[local.weekday()]
    month = MONTHS.get(lang, MONTHS["en"])[local.month - 1]
    if lang == "de":
        return f"{day}, {local.day}. {month} {local.year}, {local:%H:%M} Uhr ({timezone})"
    return f"{day}, {local.day} {month} {local.year}, {local:%H:%M} ({timezone})"


def status_name(status: str, lang: str) -> str:
    key = f"status_{status}"
    return tr(key, lang) if key in TEXTS else status
