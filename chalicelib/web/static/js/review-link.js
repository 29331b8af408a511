// A step reviewed outside the company: the author (or an admin) creates a signed link to hand
// to the client. The link is bound to this exact content: an edit voids it.

import { api } from "./api.js";
import { h, fill, uid } from "./dom.js";
import { t } from "./i18n.js";
import { dateTime } from "./format.js";
import { errorNotice, toast } from "./ui.js";

// The open link steps: in review, required, still waiting for their decision.
export function openLinkSteps(post) {
  if (post.status !== "in_review") return [];
  return (post.steps || []).filter((s) => s.kind === "link" && s.required !== false && s.status === "pending");
}

export function reviewLinkPanel(post) {
  const steps = openLinkSteps(post);
  if (!steps.length) return null;
  const out = h("div", { class: "review-link-out", "aria-live": "polite" });
  const buttons = steps.map((step) => {
    const button = h("button", { type: "button", class: "btn btn-primary", dataset: { step: step.name },
      text: steps.length > 1 ? t("link.createFor", { step: step.label }) : t("link.create") });
    button.addEventListener("click", async () => {
      button.disabled = true;
      let link;
      try {
        link = await api.reviewLink(post.id, steps.length > 1 ? step.name : undefined);
      } catch (err) {
        button.disabled = false;
        fill(out, errorNotice(err));
        out.querySelector("[role=alert]")?.focus();
        return;
      }
      button.disabled = false;
      fill(out, linkBox(link, step));
      out.querySelector("input")?.focus();
    });
    return button;
  });
  const id = "section-link";
  return h("section", { class: "card section-link", "aria-labelledby": id },
    h("h2", { id, text: t("link.heading") }),
    h("p", { class: "muted small", text: t("link.intro") }),
    h("div", { class: "actions" }, buttons),
    out);
}

function linkBox(link, step) {
  const fieldId = uid("link");
  const field = h("input", { type: "text", id: fieldId, class: "link-url", value: link.url, readOnly: true });
  field.addEventListener("focus", () => field.select());
  const copy = h("button", { type: "button", class: "btn", text: t("link.copy") });
  copy.addEventListener("click", () => copyText(field));
  return h("div", { class: "link-box", dataset: { step: step.name } },
    h("label", { for: fieldId, text: t("link.url", { step: step.label }) }),
    h("div", { class: "link-row" }, field, copy),
    h("p", { class: "small link-expiry", text: t("link.expires", { when: dateTime(link.expires_at) }) }),
    h("p", { class: "muted small", text: t("link.voided") }));
}

async function copyText(field) {
  try {
    await navigator.clipboard.writeText(field.value);
  } catch {
    // Without clipboard access (an insecure origin, a denied permission) the selection is copied.
    field.focus();
    field.select();
    if (!document.execCommand || !document.execCommand("copy")) {
      toast(t("link.copyManually"));
      return;
    }
  }
  toast(t("link.copied"));
}

