// The images of a post in the compose form: add by picker, drop or paste, watch each upload,
// reorder, remove, and write each image's alt text. What a network's rule refuses is said
// beside the image it concerns, and the form blocks submitting until it is fixed.

import { h, uid } from "./dom.js";
import { t } from "./i18n.js";
import { moveItem } from "./media-layout.js";
import { mediaProblems, strictestAlt } from "./media-rules.js";
import { ACCEPTED_TYPES, transferredFiles, uploadImage } from "./upload.js";

const FIELDS = ["id", "alt", "url", "width", "height", "size", "content_type", "sha256"];

// `initial`: the post's images (or a kept draft's), ready; `getChannels()`: the selected
// channels ({name, type}); `requireAltText`: the workflow's rule; `onChange()`: redraw the rest.
export function mediaField({ initial = [], getChannels, requireAltText = true, onChange }) {
  let items = initial.map((image) => ({ ...pick(image), key: uid("img"), status: "ready", progress: 1, name: "" }));
  let problems = { byImage: [], general: [], count: 0 };

  const inputId = uid("files");
  const input = h("input", { type: "file", id: inputId, class: "sr-only file-input", accept: ACCEPTED_TYPES.join(","), multiple: true });
  const list = h("ol", { class: "media-list", "aria-label": t("media.listLabel") });
  const general = h("p", { class: "media-general", id: uid("media-general") });
  const announce = h("p", { class: "sr-only", "aria-live": "polite", role: "status" });
  const root = h("fieldset", { class: "media" },
    h("legend", { text: t("media.legend") }),
    h("p", { class: "muted hint", text: t("media.hint") }),
    list,
    general,
    h("div", { class: "media-add" },
      input,
      h("label", { for: inputId, class: "btn btn-small media-pick", text: t("media.add") }),
      h("span", { class: "muted small media-drop-hint", text: t("media.dropHint") })),
    announce);
  input.addEventListener("change", () => {
    add([...input.files]);
    input.value = ""; // the same file may be chosen again after removing it
  });
  for (const item of items) build(item);
  list.append(...items.map((item) => item.el.root));

  function pick(image) {
    const picked = {};
    for (const name of FIELDS) picked[name] = image[name] ?? (name === "alt" ? "" : null);
    return picked;
  }

  function add(files) {
    const added = files.map((file) => ({
      key: uid("img"), id: null, alt: "", url: URL.createObjectURL(file), local: true, status: "uploading",
      progress: 0, name: file.name || "", width: null, height: null, size: file.size, content_type: file.type,
      sha256: null, error: "", handle: {},
    }));
    for (const item of added) {
      build(item);
      list.append(item.el.root);
      items.push(item);
      start(item, files[added.indexOf(item)]);
    }
    if (added.length) say(t("media.added", { count: added.length }));
    changed();
  }

  async function start(item, file) {
    try {
      const media = await uploadImage(file, (phase, fraction) => {
        item.status = phase;
        item.progress = fraction;
        refresh();
      }, item.handle);
      if (!items.includes(item)) return;
      if (item.local) URL.revokeObjectURL(item.url);
      Object.assign(item, pick({ ...media, alt: item.alt }), { status: "ready", progress: 1, local: false });
      item.el.img.src = item.url;
      say(t("media.ready", { position: items.indexOf(item) + 1 }));
    } catch (err) {
      if (!items.includes(item) || (err && err.code === "aborted")) return;
      item.status = "failed";
      item.error = (err && err.message) || (err && err.code === "network" ? t("media.uploadNetwork") : t("media.uploadFailed"));
      say(item.error);
    }
    changed();
  }

  function build(item) {
    const altId = uid("alt");
    const errorsId = uid("media-errors");
    const img = h("img", { src: item.url || "", alt: item.alt || "", loading: "lazy", decoding: "async" });
    const progress = h("progress", { class: "media-progress", max: "100", value: "0" });
    const state = h("span", { class: "media-state-text" });
    const altLabel = h("label", { for: altId });
    const alt = h("textarea", { id: altId, class: "alt-input", rows: "2", value: item.alt || "", "aria-describedby": `${altId}-count ${errorsId}` });
    const counter = h("span", { class: "counter alt-counter", id: `${altId}-count` });
    const errors = h("ul", { class: "media-errors", id: errorsId });
    const left = h("button", { type: "button", class: "btn btn-small move-left", text: "←" });
    const right = h("button", { type: "button", class: "btn btn-small move-right", text: "→" });
    const remove = h("button", { type: "button", class: "btn btn-small btn-danger-ghost media-remove", text: t("media.remove") });
    const rootEl = h("li", { class: "media-item", dataset: { key: item.key } },
      h("figure", { class: "media-thumb" }, img),
      h("div", { class: "media-body" },
        h("div", { class: "media-state" }, progress, state),
        h("div", { class: "alt-field" },
          altLabel,
          h("p", { class: "hint muted", text: t("media.altHint") }),
          alt,
          h("div", { class: "alt-foot" }, counter)),
        errors,
        h("div", { class: "media-buttons", role: "group", "aria-label": t("media.order") }, left, right, remove)));
    alt.addEventListener("input", () => {
      item.alt = alt.value;
      img.alt = alt.value.trim();
      changed();
    });
    left.addEventListener("click", () => move(item, -1, left));
    right.addEventListener("click", () => move(item, 1, right));
    remove.addEventListener("click", () => drop(item));
    item.el = { root: rootEl, img, progress, state, altLabel, alt, counter, errors, left, right, remove };
  }

  function move(item, delta, button) {
    const index = items.indexOf(item);
    items = moveItem(items, index, delta);
    list.append(...items.map((i) => i.el.root));
    const position = items.indexOf(item) + 1;
    changed();
    // Moving an element takes focus from it; give it back, or to the other arrow at an end.
    (button.disabled ? (delta < 0 ? item.el.right : item.el.left) : button).focus();
    say(t("media.moved", { position, count: items.length }));
  }

  function drop(item) {
    const index = items.indexOf(item);
    if (item.handle && item.handle.abort) item.handle.abort();
    if (item.local) URL.revokeObjectURL(item.url);
    items = items.filter((i) => i !== item);
    item.el.root.remove();
    changed();
    const next = items[Math.min(index, items.length - 1)];
    (next ? next.el.remove : root.querySelector(".media-pick")).focus();
    say(t("media.removed"));
  }

  function say(text) {
    announce.textContent = text;
  }

  function changed() {
    refresh();
    onChange();
  }

  function refresh() {
    const channels = getChannels();
    const ready = items.filter((i) => i.status === "ready");
    problems = mediaProblems(channels, ready, requireAltText);
    items.forEach((item, index) => {
      const el = item.el;
      const position = index + 1;
      el.root.dataset.status = item.status;
      el.root.dataset.position = String(position);
      if (item.id) el.root.dataset.mediaId = item.id; else delete el.root.dataset.mediaId;
      el.img.alt = (item.alt || "").trim();
      el.progress.value = String(Math.round(item.progress * 100));
      el.progress.hidden = item.status === "ready" || item.status === "failed";
      el.progress.setAttribute("aria-label", t("media.progressOf", { position }));
      el.state.textContent = stateText(item);
      el.altLabel.textContent = t("media.altFor", { position });
      el.left.disabled = index === 0;
      el.right.disabled = index === items.length - 1;
      el.left.setAttribute("aria-label", t("media.moveLeft", { position }));
      el.right.setAttribute("aria-label", t("media.moveRight", { position }));
      el.left.title = el.left.getAttribute("aria-label");
      el.right.title = el.right.getAttribute("aria-label");
      el.remove.setAttribute("aria-label", t("media.removeImage", { position }));
      const verdict = strictestAlt(channels, item.alt);
      el.counter.textContent = verdict.limit === null
        ? t("compose.count", { count: verdict.count })
        : t("media.altCount", { count: verdict.count, limit: verdict.limit, channel: verdict.channel.name });
      el.counter.classList.toggle("over", !verdict.ok);
      const messages = item.status === "failed" ? [item.error]
        : item.status === "ready" ? problems.byImage[ready.indexOf(item)] || [] : [];
      el.errors.replaceChildren(...messages.map((message) => h("li", { text: message })));
      el.root.classList.toggle("has-error", messages.length > 0);
      el.alt.setAttribute("aria-invalid", String(messages.length > 0));
    });
    general.textContent = problems.general.join(" ");
  }

  function stateText(item) {
    if (item.status === "uploading") return t("media.uploading", { percent: Math.round(item.progress * 100) });
    if (item.status === "checking") return t("media.checking");
    if (item.status === "failed") return t("media.failed");
    return item.width && item.height ? t("media.readySize", { width: item.width, height: item.height }) : t("media.done");
  }

  // Drop files anywhere on the form; paste images while the form is on the page.
  function attach(form) {
    const carriesFiles = (event) => [...(event.dataTransfer?.types || [])].includes("Files");
    form.addEventListener("dragover", (event) => {
      if (!carriesFiles(event)) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = "copy";
      form.classList.add("is-dropping");
    });
    form.addEventListener("dragleave", (event) => {
      if (!form.contains(event.relatedTarget)) form.classList.remove("is-dropping");
    });
    form.addEventListener("drop", (event) => {
      form.classList.remove("is-dropping");
      const files = transferredFiles(event.dataTransfer);
      if (!files.length) return;
      event.preventDefault();
      add(files);
    });
    const onPaste = (event) => {
      if (!form.isConnected) {
        document.removeEventListener("paste", onPaste);
        return;
      }
      const files = transferredFiles(event.clipboardData);
      if (!files.length) return; // text is pasted as text
      event.preventDefault();
      add(files);
    };
    document.addEventListener("paste", onPaste);
  }

  return {
    root,
    attach,
    refresh,
    // What the API takes, in order: ready images only.
    payload: () => items.filter((i) => i.status === "ready").map((i) => ({ id: i.id, alt: i.alt.trim() })),
    // What a preview shows: every image that has a picture yet.
    shown: () => items.filter((i) => i.url).map((i) => ({ ...pick(i), alt: (i.alt || "").trim() })),
    snapshot: () => items.filter((i) => i.status === "ready").map(pick),
    blocker() {
      if (items.some((i) => i.status === "uploading" || i.status === "checking")) return t("compose.blockedUploading");
      if (items.some((i) => i.status === "failed")) return t("compose.blockedUploadFailed");
      if (problems.count) return t("compose.blockedMedia");
      return "";
    },
  };
}
