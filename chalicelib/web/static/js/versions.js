// "Compare versions": an earlier content version of the post beside the current one, word by
// word for every text (title, main text, each channel's own text), plus what changed in the
// images. The server computes the diff (GET /api/posts/{id}/changes?from=<content hash>).

import { api } from "./api.js";
import { h, fill, uid } from "./dom.js";
import { t } from "./i18n.js";
import { dateTime } from "./format.js";
import { errorNotice, loading } from "./ui.js";

const CONTENT_EVENTS = ["created", "submitted", "edited"];

// Every content version the timeline names, oldest first: [{hash, at, reviewed}]. A version is
// "reviewed" when a reviewer decided on it or it was sent to review.
export function contentVersions(post) {
  const versions = new Map();
  const reviewed = new Set();
  for (const event of post.timeline || []) {
    const data = event.data || {};
    if (event.type === "edited" && data.from_hash && !versions.has(data.from_hash)) {
      versions.set(data.from_hash, { hash: data.from_hash, at: event.at, reviewed: false });
    }
    if (CONTENT_EVENTS.includes(event.type) && data.content_hash) {
      if (!versions.has(data.content_hash)) {
        versions.set(data.content_hash, { hash: data.content_hash, at: event.at, reviewed: false });
      }
      if (event.type === "submitted") reviewed.add(data.content_hash);
    }
    if ((event.type === "decision" || event.type === "hold") && data.content_hash) reviewed.add(data.content_hash);
  }
  if (post.content_hash && !versions.has(post.content_hash)) {
    versions.set(post.content_hash, { hash: post.content_hash, at: post.updated_at, reviewed: false });
  }
  return [...versions.values()].map((v) => ({ ...v, reviewed: reviewed.has(v.hash) }));
}

// The section, or null for a post that only ever had one version.
export function compareSection(post) {
  const earlier = contentVersions(post).filter((v) => v.hash !== post.content_hash);
  if (!earlier.length) return null;
  const reviewed = earlier.filter((v) => v.reviewed);
  const initial = (reviewed.length ? reviewed : earlier)[(reviewed.length ? reviewed : earlier).length - 1];
  const selectId = uid("version");
  const select = h("select", { id: selectId },
    [...earlier].reverse().map((v) => h("option", {
      value: v.hash, selected: v.hash === initial.hash,
      text: t(v.reviewed ? "diff.versionReviewed" : "diff.version", { when: dateTime(v.at), hash: v.hash.slice(0, 8) }),
    })));
  const open = h("button", { type: "button", class: "btn", "aria-expanded": "false", text: t("diff.compare") });
  const result = h("div", { class: "diff-result", "aria-live": "polite", hidden: true });
  const picker = h("div", { class: "toolbar diff-picker", hidden: true },
    h("label", { for: selectId, text: t("diff.from") }), select);
  const id = "section-compare";
  const root = h("section", { class: "card section-compare", "aria-labelledby": id },
    h("h2", { id, text: t("diff.heading") }),
    h("p", { class: "muted small", text: t("diff.intro") }),
    h("div", { class: "actions" }, open), picker, result);

  async function show() {
    const wanted = select.value;
    fill(result, loading());
    let changes;
    try {
      changes = await api.changes(post.id, wanted);
    } catch (err) {
      fill(result, errorNotice(err));
      return;
    }
    if (select.value !== wanted) return; // a newer choice won
    const from = earlier.find((v) => v.hash === wanted);
    fill(result, renderChanges(changes, from));
  }

  open.addEventListener("click", () => {
    const expanded = open.getAttribute("aria-expanded") === "true";
    open.setAttribute("aria-expanded", String(!expanded));
    open.textContent = expanded ? t("diff.compare") : t("diff.hide");
    picker.hidden = expanded;
    result.hidden = expanded;
    if (!expanded) show();
  });
  select.addEventListener("change", show);
  return root;
}

function fieldName(field) {
  if (field === "title") return t("diff.field.title");
  if (field === "text") return t("diff.field.text");
  if (String(field).startsWith("variant:")) return t("diff.field.variant", { channel: field.slice(8) });
  return String(field);
}

// One column of a field: "before" shows what stayed and what was removed, "after" what stayed
// and what was added. Changes are <del>/<ins> with words for screen readers, not colour alone.
function column(parts, side) {
  const text = h("p", { class: "diff-text" });
  for (const [kind, words] of sideParts(parts, side)) {
    if (kind === "same") text.append(words);
    else if (kind === "removed" && side === "before") {
      text.append(h("del", {}, h("span", { class: "sr-only", text: `${t("diff.removed")}: ` }), words));
    } else if (kind === "added" && side === "after") {
      text.append(h("ins", {}, h("span", { class: "sr-only", text: `${t("diff.added")}: ` }), words));
    }
  }
  if (!text.textContent.trim()) text.append(h("span", { class: "muted", text: t("diff.empty") }));
  return text;
}

// The parts one side shows, with a lone space between two changes counted as changed: "morgen
// früh" replaced by "heute" reads as one removal, not two with a kept space between them.
export function sideParts(parts, side) {
  const own = side === "before" ? "removed" : "added";
  const shown = [];
  parts.forEach(([kind, words], index) => {
    const prev = parts[index - 1];
    const next = parts[index + 1];
    const between = kind === "same" && /^\s+$/.test(words) && prev && next && prev[0] !== "same" && next[0] !== "same";
    const as = between ? own : kind;
    if (as !== "same" && as !== own) return;
    const last = shown[shown.length - 1];
    if (last && last[0] === as) last[1] += words;
    else shown.push([as, words]);
  });
  return shown;
}

function changed(entry) {
  if (typeof entry.changed === "boolean") return entry.changed;
  return (entry.diff || []).some(([kind]) => kind !== "same");
}

export function renderChanges(changes, from) {
  const texts = (changes.texts || []).filter(changed);
  const images = changes.images || [];
  const before = from ? t("diff.before", { when: dateTime(from.at) }) : t("diff.beforePlain");
  const fields = texts.map((entry) => {
    const name = fieldName(entry.field);
    return h("div", { class: "diff-field", dataset: { field: entry.field } },
      h("h3", { text: name }),
      h("div", { class: "diff-sides" },
        h("div", { class: "diff-side diff-before", dataset: { side: "before" } },
          h("h4", { class: "diff-side-title", text: before }), column(entry.diff || [], "before")),
        h("div", { class: "diff-side diff-after", dataset: { side: "after" } },
          h("h4", { class: "diff-side-title", text: t("diff.after") }), column(entry.diff || [], "after"))));
  });
  return h("div", { class: "diff" },
    fields.length ? fields : h("p", { class: "muted", text: t("diff.textsSame") }),
    h("div", { class: "diff-images" },
      h("h3", { text: t("diff.images") }),
      images.length
        ? h("ul", { class: "diff-image-list" }, images.map((change) => h("li", { text: imageChange(change) })))
        : h("p", { class: "muted", text: t("diff.imagesSame") })));
}

// The server says image changes in fixed English phrases ("image 2 replaced"); the page says
// them in the writer's language.
const IMAGE_CHANGE = /^image (\d+) (added|removed|replaced|alt text changed)$/;
const IMAGE_KEYS = { added: "diff.imageAdded", removed: "diff.imageRemoved", replaced: "diff.imageReplaced",
  "alt text changed": "diff.imageAlt" };

export function imageChange(change) {
  const text = typeof change === "string" ? change : String((change && change.text) || "");
  if (text === "images reordered") return t("diff.imagesReordered");
  const m = IMAGE_CHANGE.exec(text);
  return m ? t(IMAGE_KEYS[m[2]], { position: m[1] }) : text;
}
