// Comments on a post: "internal" ones stay with the team, "shared" ones are also shown to
// reviewers outside the company on the page behind a review link.

import { api } from "./api.js";
import { h, fill, uid } from "./dom.js";
import { t } from "./i18n.js";
import { dateTime } from "./format.js";
import { errorNotice } from "./ui.js";

export const VISIBILITIES = ["internal", "shared"];

export function commentEvents(post) {
  return (post.timeline || []).filter((e) => e.type === "comment" && e.data && typeof e.data.text === "string");
}

function visibilityBadge(visibility) {
  const known = VISIBILITIES.includes(visibility) ? visibility : "internal";
  return h("span", { class: `badge badge-visibility-${known}`, dataset: { visibility: known },
    text: t(`comments.${known}`) });
}

function commentList(post, name) {
  const comments = commentEvents(post);
  if (!comments.length) return h("p", { class: "muted small", text: t("comments.none") });
  return h("ol", { class: "comments" }, comments.map((event) =>
    h("li", { class: "comment-entry", dataset: { visibility: event.data.visibility || "internal" } },
      h("p", { class: "comment-head small" },
        h("strong", { text: name(event.actor) }), " ",
        h("time", { class: "muted", datetime: event.at, text: dateTime(event.at) }), " ",
        visibilityBadge(event.data.visibility)),
      h("blockquote", { class: "comment", text: event.data.text }))));
}

// `onAdded()` draws the post again once the comment is stored.
export function commentsSection(post, name, onAdded) {
  const textId = uid("comment");
  const area = h("textarea", { id: textId, rows: "3", maxlength: "10000", required: true });
  const choices = VISIBILITIES.map((visibility) => {
    const id = uid("visibility");
    return h("label", { class: "choice", for: id },
      h("input", { type: "radio", id, name: `visibility-${textId}`, value: visibility,
        checked: visibility === "internal" }),
      h("span", {}, h("strong", { text: t(`comments.${visibility}Choice`) }), " ",
        h("span", { class: "muted", text: t(`comments.${visibility}Hint`) })));
  });
  const send = h("button", { type: "submit", class: "btn btn-primary", text: t("comments.add") });
  const problem = h("div", { class: "comment-problem" });
  const form = h("form", { class: "comment-form", novalidate: true },
    h("div", { class: "field" }, h("label", { for: textId, text: t("comments.label") }), area),
    h("fieldset", { class: "visibility" },
      h("legend", { text: t("comments.visibility") }), choices),
    problem,
    h("div", { class: "actions" }, send));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = area.value.trim();
    if (!text) {
      fill(problem, h("p", { class: "field-error", role: "alert", text: t("comments.empty") }));
      area.focus();
      return;
    }
    const visibility = form.querySelector("input[type=radio]:checked")?.value || "internal";
    send.disabled = true;
    try {
      await api.comment(post.id, { text, visibility });
    } catch (err) {
      send.disabled = false;
      fill(problem, errorNotice(err));
      problem.querySelector("[role=alert]")?.focus();
      return;
    }
    await onAdded(t(visibility === "shared" ? "comments.addedShared" : "comments.addedInternal"));
  });
  const id = "section-comments";
  return h("section", { class: "card section-comments", "aria-labelledby": id },
    h("h2", { id, text: t("comments.heading") }),
    commentList(post, name),
    form);
}
