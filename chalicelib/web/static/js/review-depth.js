// What the review says beyond approve or not (docs/api.md, "Review depth"): holds with their
// reasons, reason labels and the quoted sentence, checklists ticked with an approval, and the
// deadlines of review requests. Each piece is built from the post JSON alone.

import { h } from "./dom.js";
import { t, getLang } from "./i18n.js";
import { dateTime } from "./format.js";

const EXTERNAL = "external:";

// Reviewers act in Slack, so the post names them by Slack id; decision events also carry the
// reviewer's e-mail, which means more to a writer. Someone outside the company decided through
// a link under the name they gave.
export function personNames(post) {
  const names = new Map();
  for (const event of post.timeline || []) {
    if (event.type === "decision" && event.data && event.data.reviewer_email) {
      names.set(event.actor, event.data.reviewer_email);
    }
  }
  for (const hold of post.holds || []) {
    const known = hold.by_name || hold.by_email;
    if (known) names.set(hold.by, known);
  }
  return (id) => {
    const key = String(id || "");
    if (key.startsWith(EXTERNAL)) return t("person.external", { name: key.slice(EXTERNAL.length) });
    return names.get(key) || key;
  };
}

// -- holds -------------------------------------------------------------------------------------

// One banner per hold: who, why, since when, and a Release button. Everyone signed in sees
// the button; the server decides who may release (a 403 says why in the writer's words).
export function holdBanners(post, name, onRelease) {
  const holds = post.holds || [];
  if (!holds.length) return null;
  const labels = new Map((post.steps || []).map((s) => [s.name, s.label]));
  return h("div", { class: "holds", dataset: { holds: String(holds.length) } }, holds.map((hold) => {
    const step = labels.get(hold.step) || hold.step;
    const release = h("button", { type: "button", class: "btn btn-small", dataset: { step: hold.step },
      text: t("hold.release"), "aria-label": t("hold.releaseStep", { step }) });
    release.addEventListener("click", () => onRelease(hold, release));
    return h("section", { class: "hold-banner", role: "region", "aria-label": t("hold.title", { step }),
      dataset: { step: hold.step } },
      h("p", { class: "hold-title" },
        pauseIcon(),
        h("strong", { text: t("hold.title", { step }) })),
      h("p", { class: "hold-who", text: t("hold.by", { who: name(hold.by), when: dateTime(hold.at) }) }),
      h("blockquote", { class: "comment hold-reason", text: hold.reason }),
      h("p", { class: "muted small", text: t("hold.effect") }),
      h("div", { class: "actions" }, release));
  }));
}

// Two bars drawn by CSS: the pause sign is missing from many fonts.
export function pauseIcon() {
  return h("span", { class: "pause-icon", "aria-hidden": "true" });
}

export function holdBadge() {
  return h("span", { class: "badge badge-hold" }, pauseIcon(), t("hold.badge"));
}

// -- reason labels and the quoted sentence -----------------------------------------------------

export function labelChips(labels) {
  if (!labels || !labels.length) return null;
  return h("ul", { class: "chips", "aria-label": t("labels.title") },
    labels.map((label) => h("li", { class: "chip", text: label })));
}

export function quoteLine(quote) {
  if (!quote || !String(quote).trim()) return null;
  return h("p", { class: "quote-line small" },
    h("span", { class: "muted", text: `${t("labels.quote")} ` }),
    h("q", { class: "quoted", text: quote }));
}

// The sentences standing decisions refer to: [{quote, step, labels}] of each step that has one.
export function standingQuotes(post) {
  return (post.steps || [])
    .filter((s) => s.quote && String(s.quote).trim())
    .map((s) => ({ quote: String(s.quote).trim(), step: s.label || s.name, labels: s.labels || [] }));
}

// Marks each quoted sentence where it occurs in an element's text, as <mark> elements; the
// text stays text nodes (no HTML is ever parsed). Returns the quotes that were found.
export function markQuotes(el, quotes) {
  const text = el.textContent || "";
  const hits = [];
  for (const entry of quotes) {
    let from = text.indexOf(entry.quote);
    while (from !== -1) {
      hits.push({ start: from, end: from + entry.quote.length, entry });
      from = text.indexOf(entry.quote, from + entry.quote.length);
    }
  }
  hits.sort((a, b) => a.start - b.start);
  const parts = [];
  let at = 0;
  const found = new Set();
  for (const hit of hits) {
    if (hit.start < at) continue; // overlaps an earlier mark: that one stays
    if (hit.start > at) parts.push(document.createTextNode(text.slice(at, hit.start)));
    const about = [hit.entry.step, ...hit.entry.labels].join(" · ");
    parts.push(h("mark", { class: "quote-mark", title: about, dataset: { step: hit.entry.step } },
      h("span", { class: "sr-only", text: `${t("labels.markStart", { about })} ` }),
      text.slice(hit.start, hit.end),
      h("span", { class: "sr-only", text: ` ${t("labels.markEnd")}` })));
    found.add(hit.entry);
    at = hit.end;
  }
  if (!hits.length) return [];
  if (at < text.length) parts.push(document.createTextNode(text.slice(at)));
  el.replaceChildren(...parts);
  return [...found];
}

// Beside the marked text: which step refers to it, and why.
export function quoteLegend(found) {
  if (!found.length) return null;
  return h("ul", { class: "quote-legend small" }, found.map((entry) =>
    h("li", {},
      h("span", { class: "legend-swatch", "aria-hidden": "true" }),
      t("labels.marked", { step: entry.step }), " ",
      labelChips(entry.labels))));
}

// -- checklists --------------------------------------------------------------------------------

// The item's words in the page's language when the API gives the step's checklist, else its id.
export function checklistNames(step) {
  const items = (step && (step.checklist_items || step.checklist_definition)) || [];
  const names = new Map();
  for (const item of Array.isArray(items) ? items : []) {
    if (!item || !item.id) continue;
    const label = item.label;
    const text = typeof label === "string" ? label
      : label && (label[getLang()] || label.en || label.de);
    names.set(item.id, text || item.id);
  }
  return (id) => names.get(id) || id;
}

export function checklistList(ids, name) {
  if (!ids || !ids.length) return null;
  return h("div", { class: "checklist-done small" },
    h("span", { class: "muted", text: t("checklist.ticked") }),
    h("ul", { class: "checklist" }, ids.map((id) =>
      h("li", { dataset: { item: id } },
        h("span", { class: "tick", "aria-hidden": "true", text: "☑" }), " ", name(id)))));
}

// -- deadlines ---------------------------------------------------------------------------------

export function isOverdue(step, now = Date.now()) {
  if (typeof step.overdue === "boolean") return step.overdue;
  return step.status === "pending" && Boolean(step.due_at) && new Date(step.due_at).getTime() <= now;
}

// Overdue is said in words and with a sign, not by colour alone.
export function dueLine(step) {
  if (!step.due_at) return null;
  if (isOverdue(step)) {
    return h("p", { class: "due due-overdue small", dataset: { overdue: "true" } },
      h("span", { class: "badge badge-overdue", text: `⚠ ${t("due.overdueBadge")}` }), " ",
      t("due.overdueSince", { when: dateTime(step.due_at) }));
  }
  if (step.status !== "pending") return null;
  return h("p", { class: "due small muted", dataset: { overdue: "false" } },
    t("due.at", { when: dateTime(step.due_at) }));
}

export function hasOverdueStep(post) {
  return (post.steps || []).some((step) => isOverdue(step));
}
