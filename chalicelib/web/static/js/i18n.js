// Every word on the page, in German and English. The first choice is the writer's own (kept in
// localStorage), then the language the server picked from Accept-Language (<html lang>), then
// the browser's.

import { STRINGS_DE } from "./strings-de.js";
import { STRINGS_EN } from "./strings-en.js";

export const LANGUAGES = ["de", "en"];
export const STATUSES = ["draft", "in_review", "changes_requested", "rejected", "scheduled", "publishing",
  "published", "partially_published", "failed", "withdrawn", "expired"];
const STRINGS = { de: STRINGS_DE, en: STRINGS_EN };
const KEY = "freigabe.lang";
let current = "en";

function pick(value) {
  const lang = String(value || "").slice(0, 2).toLowerCase();
  return LANGUAGES.includes(lang) ? lang : null;
}

export function initLang() {
  let stored = null;
  try {
    stored = localStorage.getItem(KEY);
  } catch {
    stored = null; // storage can be switched off; the page still works without remembering
  }
  current = pick(stored) || pick(document.documentElement.lang) || pick(navigator.language) || "en";
  document.documentElement.lang = current;
}

export function getLang() {
  return current;
}

export function setLang(lang) {
  current = pick(lang) || current;
  document.documentElement.lang = current;
  try {
    localStorage.setItem(KEY, current);
  } catch {
    // not remembered, but switched for this page
  }
}

export function t(key, params = {}) {
  const text = STRINGS[current][key] ?? STRINGS.en[key];
  if (text === undefined) return key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

export function statusLabel(status) {
  const key = `status.${status}`;
  const text = t(key);
  return text === key ? String(status) : text;
}

const NETWORKS = {
  x: "X", bluesky: "Bluesky", mastodon: "Mastodon", linkedin: "LinkedIn",
  facebook_page: "Facebook", webhook: "Webhook", outbox: "Outbox",
};

export function channelType(type) {
  return NETWORKS[type] || String(type || "");
}
