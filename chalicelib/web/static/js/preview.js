// How a post will look on each network: a neutral card per channel, the text exactly as it
// will be sent (variant or main text), rendered as text only, and the images cropped the way
// the network's feed crops them (media-layout.js).

import { h, clear } from "./dom.js";
import { t, channelType } from "./i18n.js";
import { imageLayout } from "./media-layout.js";

// `images`: [{url, alt, width, height}] in the post's order.
export function previewImages(channel, images) {
  const layout = imageLayout(channel.type, images || []);
  if (layout.kind === "none") return null;
  const box = h("div", {
    class: `preview-media layout-${layout.kind} count-${layout.count}`,
    dataset: { layout: layout.kind, count: String(layout.count) },
  });
  if (layout.aspect) box.style.aspectRatio = String(layout.aspect); // CSSOM: allowed by the CSP
  for (const cell of layout.cells) {
    const image = images[cell.index];
    const frame = h("div", { class: `preview-cell fit-${cell.fit}`, dataset: { aspect: cell.aspect.toFixed(4), index: String(cell.index) } },
      h("img", { src: image.url || "", alt: image.alt || "", loading: "lazy", decoding: "async" }));
    if (layout.kind !== "grid") frame.style.aspectRatio = String(cell.aspect);
    if (layout.more && cell.index === layout.cells.length - 1) {
      frame.append(h("span", { class: "preview-more", text: `+${layout.more}`, "aria-label": t("preview.more", { count: layout.more }) }));
    }
    box.append(frame);
  }
  return box;
}

export function previewCard(channel, text, authorName, result, note = "", images = []) {
  const name = authorName || "Freigabe";
  const initial = (name.trim()[0] || "F").toUpperCase();
  const body = text.trim()
    ? h("p", { class: "preview-text", text })
    : h("p", { class: "preview-text muted", text: t("preview.empty") });
  const footer = [channelType(channel.type)];
  if (result && result.limit) footer.push(`${result.count} / ${result.limit}`);
  if (note) footer.push(note);
  return h("article", { class: `preview-card net-${channel.type}`, "aria-label": t("preview.of", { channel: channel.name }) },
    h("header", { class: "preview-head" },
      h("span", { class: "avatar", "aria-hidden": "true", text: initial }),
      h("span", { class: "preview-who" },
        h("strong", { text: name }),
        h("span", { class: "muted", text: `@${channel.name}` }))),
    body,
    previewImages(channel, images),
    h("footer", { class: "preview-foot muted", text: footer.join(" · ") }));
}

// A tab per channel; `getState()` answers {channels: [{channel, text, result}], authorName, images}.
export function previewPanel(getState) {
  let selected = null;
  const tabs = h("div", { class: "tabs", role: "tablist", "aria-label": t("preview.title") });
  const panel = h("div", { class: "tabpanel", role: "tabpanel", tabindex: "0" });
  const root = h("section", { class: "preview", "aria-labelledby": "preview-heading" },
    h("h2", { id: "preview-heading", text: t("preview.title") }), tabs, panel);

  function render() {
    const { channels, authorName, images } = getState();
    clear(tabs);
    clear(panel);
    if (!channels.length) {
      panel.append(h("p", { class: "muted", text: t("preview.pickChannel") }));
      return;
    }
    if (!channels.some((c) => c.channel.name === selected)) selected = channels[0].channel.name;
    for (const { channel, result } of channels) {
      const active = channel.name === selected;
      const tab = h("button", {
        type: "button", role: "tab", class: "tab" + (result && !result.ok ? " tab-over" : ""),
        "aria-selected": active ? "true" : "false", tabindex: active ? "0" : "-1",
        id: `tab-${channel.name}`, text: channel.name,
      });
      tab.addEventListener("click", () => { selected = channel.name; render(); focusTab(); });
      tab.addEventListener("keydown", (event) => moveTab(event, channels));
      tabs.append(tab);
    }
    const current = channels.find((c) => c.channel.name === selected);
    panel.setAttribute("aria-labelledby", `tab-${selected}`);
    panel.append(previewCard(current.channel, current.text, authorName, current.result, "", images || []));
  }

  function focusTab() {
    const tab = tabs.querySelector("[aria-selected=true]");
    if (tab) tab.focus();
  }

  // Arrow keys move between tabs, as in every other tab strip (WAI-ARIA practice).
  function moveTab(event, channels) {
    const names = channels.map((c) => c.channel.name);
    const index = names.indexOf(selected);
    let next = null;
    if (event.key === "ArrowRight") next = names[(index + 1) % names.length];
    if (event.key === "ArrowLeft") next = names[(index - 1 + names.length) % names.length];
    if (event.key === "Home") next = names[0];
    if (event.key === "End") next = names[names.length - 1];
    if (next === null) return;
    event.preventDefault();
    selected = next;
    render();
    focusTab();
  }

  return { root, render };
}
