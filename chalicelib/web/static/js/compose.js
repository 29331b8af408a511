// Writing a post and changing one: the same form. Counters use limits.js, which counts exactly
// as the server does, so the form blocks what the API would refuse and nothing else.

import { api, ApiError } from "./api.js";
import { h, clear, uid, fill } from "./dom.js";
import { t, channelType } from "./i18n.js";
import { X_PRICES, check, usd, xCost } from "./limits.js";
import { OWN_ZONE, dateTime, fromLocalInput, toLocalInput, zoneName } from "./format.js";
import { mediaField } from "./media-field.js";
import { previewPanel } from "./preview.js";
import { errorNotice, staleNotice, toast, pageTitle } from "./ui.js";

const REVIEW_STATUSES = ["in_review", "scheduled"];

// `draft` (kept over a change of language or a new sign-in) overrides what the form starts with.
export function renderCompose(main, ctx, post = null, draft = null) {
  const editing = Boolean(post);
  const original = post ? toLocalInput(post.publish_at) : "";
  const start = draft || {
    title: post ? post.title || "" : "",
    text: post ? post.text : "",
    channels: post ? post.channels : [],
    variants: post ? post.variants || {} : {},
    at: Boolean(original),
    time: original,
    media: post ? post.media || [] : [],
    brand: post ? post.brand || "" : "",
  };
  // Brands the writer may write for (GET /api/me); each offers only its own channels. A new
  // post starts with the first; an edit keeps the post's brand.
  const brands = (ctx.me && ctx.me.brands) || [];
  const state = {
    brand: start.brand || (brands[0] ? brands[0].name : ""),
    checked: new Set(start.channels),
    variants: new Map(Object.entries(start.variants)),
    problems: "",
    busy: false,
  };

  const titleId = uid("title");
  const textId = uid("text");
  const title = h("input", { id: titleId, name: "title", type: "text", maxlength: "200", autocomplete: "off", value: start.title });
  const text = h("textarea", { id: textId, name: "text", rows: "7", required: true, "aria-describedby": "limit-status", value: start.text });
  const liveStatus = h("p", { id: "limit-status", class: "limit-status", "aria-live": "polite" });
  const notices = h("div", { class: "notices" });

  const rows = ctx.channels.map((channel) => channelRow(channel));
  const brandPicker = brandField();
  const noChannels = h("p", { class: "muted", text: t("compose.noChannels") });
  const media = mediaField({
    initial: start.media || [],
    getChannels: () => ctx.channels.filter((c) => state.checked.has(c.name)),
    requireAltText: ctx.requireAltText !== false,
    onChange: () => update(),
  });
  const preview = previewPanel(() => ({ channels: selectedChannels(), authorName: ctx.me.name, images: media.shown() }));

  const when = publishField();
  const reason = h("p", { class: "muted block-reason", id: "block-reason" });
  const buttons = actionButtons();

  const form = h("form", { class: "compose", novalidate: true, "aria-labelledby": "page-title" },
    h("div", { class: "compose-main" },
      notices,
      brandPicker,
      field(titleId, t("compose.title"), title, t("compose.titleHint")),
      field(textId, t("compose.text"), text),
      media.root,
      h("fieldset", { class: "channels" },
        h("legend", { text: t("compose.channels") }),
        h("p", { class: "muted hint", text: t("compose.channelsHint") }),
        rows.map((r) => r.root), noChannels),
      liveStatus,
      when.root,
      h("div", { class: "actions" }, buttons, reason)),
    h("aside", { class: "compose-side" }, preview.root));
  form.addEventListener("submit", (event) => event.preventDefault());
  form.snapshot = () => ({ ...payload(), brand: state.brand, channels: [...state.checked], variants: Object.fromEntries(state.variants), ...when.snapshot(), media: media.snapshot() });
  media.attach(form);
  form.addEventListener("input", update);
  form.addEventListener("change", update);

  const heading = editing ? t("compose.editHeading") : t("compose.heading");
  const header = h("div", { class: "page-head" },
    h("h1", { id: "page-title", tabindex: "-1", text: heading }),
    editing ? h("a", { class: "btn btn-ghost", href: `#/posts/${encodeURIComponent(post.id)}`, text: t("common.cancel") }) : null);
  const warning = editing && (REVIEW_STATUSES.includes(post.status) || hasApprovals(post))
    ? h("div", { class: "notice notice-warn", role: "note" },
      h("strong", { text: t("compose.voidTitle") }), " ", t("compose.voidText"))
    : null;
  fill(main, header, warning, form);
  pageTitle(heading);
  update();
  return header.querySelector("h1");

  // -- pieces ----------------------------------------------------------------------------------

  function field(id, label, input, hint) {
    const hintEl = hint ? h("p", { class: "hint muted", id: `${id}-hint`, text: hint }) : null;
    if (hintEl) input.setAttribute("aria-describedby", hintEl.id);
    return h("div", { class: "field" }, h("label", { for: id, text: label }), input, hintEl);
  }

  // The brand's channel names; without a known brand, every channel (a one-brand workflow).
  function brandChannels() {
    const brand = brands.find((b) => b.name === state.brand);
    return brand ? new Set(brand.channels) : new Set(ctx.channels.map((c) => c.name));
  }

  function offered() {
    const names = brandChannels();
    return ctx.channels.filter((c) => names.has(c.name));
  }

  // Shown only to a writer of several brands: a select on a new post, the post's brand as
  // plain text on an edit (a post stays with its brand).
  function brandField() {
    if (brands.length < 2) return null;
    const id = uid("brand");
    if (editing) {
      const known = brands.find((b) => b.name === state.brand);
      return h("div", { class: "field brand-field" },
        h("span", { class: "field-label", id, text: t("compose.brand") }),
        h("p", { class: "brand-fixed", "aria-labelledby": id, dataset: { brand: state.brand }, text: known ? known.label : state.brand }));
    }
    const select = h("select", { id, name: "brand", "aria-describedby": `${id}-hint` },
      brands.map((b) => h("option", { value: b.name, text: b.label || b.name, selected: b.name === state.brand })));
    select.addEventListener("change", () => {
      state.brand = select.value;
      // Channels of the other brand are no longer offered, so they are no longer chosen.
      const names = brandChannels();
      for (const row of rows) {
        if (!names.has(row.channel.name)) {
          state.checked.delete(row.channel.name);
          row.box.checked = false;
        }
      }
    });
    return h("div", { class: "field brand-field" },
      h("label", { for: id, text: t("compose.brand") }), select,
      h("p", { class: "hint muted", id: `${id}-hint`, text: t("compose.brandHint") }));
  }

  function channelRow(channel) {
    const boxId = uid("ch");
    const counter = h("span", { class: "counter", id: `${boxId}-count` });
    // X bills each post (domain/pricing.py): its cost sits beside the counter.
    const cost = channel.type === "x" ? h("span", { class: "cost", id: `${boxId}-cost` }) : null;
    const box = h("input", { type: "checkbox", id: boxId, value: channel.name, checked: state.checked.has(channel.name), "aria-describedby": counter.id });
    const variantId = uid("variant");
    const variant = h("textarea", { id: variantId, rows: "4", value: state.variants.get(channel.name) || "", "aria-describedby": counter.id });
    const variantBox = h("div", { class: "variant", id: uid("vbox"), hidden: !state.variants.get(channel.name) },
      h("label", { for: variantId, text: t("compose.variantFor", { channel: channel.name }) }),
      h("p", { class: "hint muted", text: t("compose.variantHint") }), variant);
    const toggle = h("button", { type: "button", class: "btn btn-small btn-ghost", "aria-expanded": String(!variantBox.hidden), "aria-controls": variantBox.id });
    const root = h("div", { class: "channel-row", dataset: { channel: channel.name } },
      h("div", { class: "channel-line" },
        h("label", { class: "check", for: boxId }, box,
          h("span", { class: "channel-text" },
            h("span", { class: "channel-name", text: channel.name }),
            h("span", { class: "channel-type muted", text: channelType(channel.type) }))),
        counter, cost, toggle),
      variantBox);
    box.addEventListener("change", () => {
      if (box.checked) state.checked.add(channel.name); else state.checked.delete(channel.name);
    });
    const row = { root, channel, box, counter, cost, toggle, variant, variantBox, open: !variantBox.hidden };
    toggle.addEventListener("click", () => {
      row.open = !row.open;
      update();
      if (row.open) variant.focus();
    });
    variant.addEventListener("input", () => state.variants.set(channel.name, variant.value));
    return row;
  }

  function publishField() {
    const nowId = uid("asap");
    const atId = uid("at");
    const inputId = uid("when");
    const asap = h("input", { type: "radio", name: "when", id: nowId, value: "asap", checked: !start.at });
    const at = h("input", { type: "radio", name: "when", id: atId, value: "at", checked: start.at });
    const input = h("input", { type: "datetime-local", id: inputId, value: start.time, min: toLocalInput(new Date().toISOString()), "aria-describedby": `${inputId}-zone` });
    const zone = h("p", { class: "hint muted", id: `${inputId}-zone` });
    input.addEventListener("focus", () => { at.checked = true; update(); });
    const root = h("fieldset", { class: "when" },
      h("legend", { text: t("compose.when") }),
      h("label", { class: "choice", for: nowId }, asap, h("span", { text: t("compose.asap") })),
      h("label", { class: "choice", for: atId }, at, h("span", { text: t("compose.at") })),
      h("div", { class: "when-input" }, h("label", { for: inputId, class: "sr-only", text: t("compose.atLabel") }), input, zone));
    return {
      root,
      value: () => (at.checked ? fromLocalInput(input.value) : null),
      wanted: () => at.checked,
      snapshot: () => ({ at: at.checked, time: input.value }),
      changed: () => (at.checked ? input.value !== original : Boolean(original)),
      describe() {
        input.disabled = !at.checked;
        const iso = fromLocalInput(input.value);
        const team = ctx.me.timezone;
        const parts = [t("compose.yourZone", { zone: zoneName(OWN_ZONE) })];
        if (at.checked && iso && team && team !== OWN_ZONE) {
          parts.push(t("compose.teamTime", { zone: zoneName(team), time: dateTime(iso, team) }));
        } else if (team && team !== OWN_ZONE) {
          parts.push(t("compose.teamZone", { zone: zoneName(team) }));
        }
        zone.textContent = parts.join(" · ");
      },
    };
  }

  function actionButtons() {
    const primary = h("button", { type: "button", class: "btn btn-primary", "aria-describedby": "block-reason" });
    const secondary = h("button", { type: "button", class: "btn", "aria-describedby": "block-reason" });
    if (!editing) {
      primary.textContent = t("compose.submit");
      secondary.textContent = t("compose.saveDraft");
      primary.addEventListener("click", () => save({ submit: true }));
      secondary.addEventListener("click", () => save({ submit: false }));
    } else if (REVIEW_STATUSES.includes(post.status)) {
      // The API sends changed content back to review by itself; the label says so.
      primary.addEventListener("click", () => save({ submit: false }));
      return [primary];
    } else {
      primary.textContent = t("compose.saveSubmit");
      secondary.textContent = t("compose.save");
      primary.addEventListener("click", () => save({ submit: true }));
      secondary.addEventListener("click", () => save({ submit: false }));
    }
    return [primary, secondary];
  }

  // -- state -----------------------------------------------------------------------------------

  function textFor(name) {
    const variant = state.variants.get(name) || "";
    return variant.trim() ? variant : text.value;
  }

  function selectedChannels() {
    return offered().filter((c) => state.checked.has(c.name))
      .map((channel) => ({ channel, text: textFor(channel.name), result: check(channel.type, textFor(channel.name)) }));
  }

  function update() {
    const over = [];
    const names = brandChannels();
    noChannels.hidden = rows.some((row) => names.has(row.channel.name));
    for (const row of rows) {
      row.root.hidden = !names.has(row.channel.name);
      if (row.root.hidden && row.box.checked) {
        row.box.checked = false;
        state.checked.delete(row.channel.name);
      }
      const on = row.box.checked;
      row.root.classList.toggle("is-on", on);
      row.counter.hidden = !on;
      if (row.cost) row.cost.hidden = !on;
      row.toggle.hidden = !on;
      row.variantBox.hidden = !on || !row.open;
      row.toggle.setAttribute("aria-expanded", String(!row.variantBox.hidden));
      row.toggle.textContent = row.variantBox.hidden ? t("compose.addVariant") : t("compose.hideVariant");
      if (!on) continue;
      const result = check(row.channel.type, textFor(row.channel.name));
      const hasVariant = Boolean((state.variants.get(row.channel.name) || "").trim());
      row.counter.textContent = result.limit ? `${result.count} / ${result.limit}` : t("compose.count", { count: result.count });
      row.counter.classList.toggle("over", !result.ok);
      row.counter.classList.toggle("variant-used", hasVariant);
      row.counter.setAttribute("title", hasVariant ? t("compose.countsVariant") : t("compose.countsText"));
      if (row.cost) {
        const prices = row.channel.x_prices || X_PRICES;
        const price = xCost(textFor(row.channel.name), prices);
        row.cost.textContent = t(price.withUrl ? "compose.xCostUrl" : "compose.xCost", { cost: usd(price.amount) });
        row.cost.setAttribute("title", t("compose.xCostHint", { post: usd(prices.post), url: usd(prices.post_with_url) }));
      }
      if (!result.ok) over.push(t("compose.tooLong", { channel: row.channel.name, count: result.count, limit: result.limit }));
    }
    // Announce only when the verdict changes, not on every keystroke.
    const problems = over.join(" ");
    if (problems !== state.problems) {
      state.problems = problems;
      liveStatus.textContent = problems;
      liveStatus.classList.toggle("is-error", Boolean(problems));
    }
    media.refresh();
    when.describe();
    preview.render();
    if (editing && REVIEW_STATUSES.includes(post.status)) {
      buttons[0].textContent = contentChanged() ? t("compose.resubmit") : t("compose.save");
    }
    const blocker = blockReason(over);
    reason.textContent = blocker;
    for (const button of buttons) button.disabled = state.busy || Boolean(blocker);
  }

  function blockReason(over) {
    if (over.length) return t("compose.blockedOver");
    const images = media.blocker();
    if (images) return images;
    if (!text.value.trim()) return t("compose.blockedText");
    if (!state.checked.size) return t("compose.blockedChannel");
    if (when.wanted() && !when.value()) return t("compose.blockedTime");
    if (when.wanted() && when.changed() && new Date(when.value()) < new Date()) return t("compose.blockedPast");
    return "";
  }

  function payload() {
    const channels = offered().filter((c) => state.checked.has(c.name)).map((c) => c.name);
    const variants = {};
    for (const name of channels) {
      const variant = state.variants.get(name) || "";
      if (variant.trim()) variants[name] = variant;
    }
    return { title: title.value.trim(), text: text.value, channels, variants };
  }

  // Sent only when there is something to say: a new post without images, or an edit that
  // leaves them as they were, keeps the request as it was before images existed.
  function mediaChanged() {
    const before = (editing ? post.media || [] : []).map((m) => ({ id: m.id, alt: (m.alt || "").trim() }));
    return JSON.stringify(media.payload()) !== JSON.stringify(before);
  }

  function contentChanged() {
    const now = payload();
    const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
    return now.title !== (post.title || "") || now.text !== post.text ||
      !same([...now.channels].sort(), [...post.channels].sort()) ||
      !same(sortedEntries(now.variants), sortedEntries(post.variants || {})) || mediaChanged();
  }

  async function save({ submit }) {
    if (state.busy || blockReason(selectedChannels().filter((c) => !c.result.ok))) return;
    state.busy = true;
    update();
    clear(notices);
    try {
      let saved;
      if (!editing) {
        const body = { ...payload(), submit };
        if (brands.length > 1) body.brand = state.brand;
        if (when.value()) body.publish_at = when.value();
        if (mediaChanged()) body.media = media.payload();
        saved = await api.create(body);
      } else {
        const body = { ...payload(), version: post.version };
        if (when.changed()) body.publish_at = when.value();
        if (mediaChanged()) body.media = media.payload();
        saved = await api.edit(post.id, body);
        if (submit && ["draft", "changes_requested"].includes(saved.status)) saved = await api.submit(post.id);
      }
      toast(saved.status === "draft" ? t("compose.savedDraft") : saved.status === "in_review" ? t("compose.submitted") : t("compose.saved"));
      location.hash = `#/posts/${encodeURIComponent(saved.id)}`;
    } catch (err) {
      state.busy = false;
      update();
      if (err instanceof ApiError && err.status === 409 && editing) {
        notices.append(staleNotice(err, () => location.reload()));
      } else {
        notices.append(errorNotice(err));
      }
      notices.querySelector("[role=alert]")?.focus();
    }
  }
}

function sortedEntries(object) {
  return Object.entries(object).sort(([a], [b]) => (a < b ? -1 : 1));
}

function hasApprovals(post) {
  return (post.steps || []).some((s) => s.status === "approved");
}
