// Small pieces every view shares: status badges, notices, the toast, the document title.

import { h, byId } from "./dom.js";
import { t, statusLabel } from "./i18n.js";

export function badge(status) {
  return h("span", { class: `badge badge-${status}`, dataset: { status }, text: statusLabel(status) });
}

let signInAgain = () => location.reload();
export function onSignInAgain(handler) {
  signInAgain = handler;
}

export function errorNotice(err) {
  const message = (err && err.message) || (err && err.code === "network" ? t("error.network") : t("error.generic"));
  let again = null;
  if (err && err.status === 401) {
    again = h("div", { class: "actions" }, h("button", { type: "button", class: "btn btn-small", text: t("auth.signInAgain") }));
    again.firstChild.addEventListener("click", () => signInAgain());
  }
  return h("div", { class: "notice notice-error", role: "alert", tabindex: "-1" },
    h("strong", { text: t("error.title") }), " ", message, again);
}

// A 409: someone (maybe the writer in another tab) changed the post since this form loaded.
export function staleNotice(err, reload) {
  const button = h("button", { type: "button", class: "btn btn-small", text: t("stale.reload") });
  button.addEventListener("click", reload);
  return h("div", { class: "notice notice-warn stale", role: "alert", tabindex: "-1" },
    h("strong", { text: t("stale.title") }), " ",
    h("span", { text: (err && err.message) || t("stale.text") }), " ",
    h("span", { text: t("stale.keep") }),
    h("div", { class: "actions" }, button));
}

let toastTimer = null;
export function toast(message) {
  const el = byId("toast");
  if (!el) return;
  el.textContent = message;
  el.classList.add("is-visible");
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => el.classList.remove("is-visible"), 4000);
}

export function pageTitle(text) {
  document.title = text ? `${text} · Freigabe` : "Freigabe";
}

export function loading() {
  return h("p", { class: "loading", text: t("common.loading") });
}

export function emptyState(text, action) {
  return h("div", { class: "empty" }, h("p", { text }), action || null);
}
