// The external review page (reached through a signed link, no account): the server renders the
// content; this script adds how the post will look on each network and sends the decision.
// Every word comes from the page's data (review_texts.py), every value becomes a text node.

import { h, fill, byId } from "./dom.js";
import { initLang } from "./i18n.js";
import { previewCard } from "./preview.js";

function pageData() {
  try {
    return JSON.parse(byId("review-data")?.textContent || "{}");
  } catch {
    return {};
  }
}

const data = pageData();

function say(key, params = {}) {
  const text = (data.texts || {})[key] || key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

function renderPreviews() {
  const box = byId("review-previews");
  if (!box) return;
  const cards = (data.channels || []).map((channel) =>
    previewCard({ name: channel.name, type: channel.type }, channel.text || "", data.author, null, "",
      data.images || []));
  fill(box, ...cards);
}

function show(status, kind, message) {
  status.className = `review-status notice${kind === "error" ? " notice-error" : ""}${kind === "ok" ? " review-ok" : ""}`;
  fill(status, h("span", { text: message }));
}

function decisionUrl() {
  return `${window.location.pathname.replace(/\/+$/, "")}/decision`;
}

function wireForm() {
  const form = byId("review-form");
  if (!form) return;
  const status = byId("review-status");
  const nameField = byId("reviewer-name");
  const commentField = byId("reviewer-comment");
  const buttons = Array.from(form.querySelectorAll("button[type=submit]"));
  const setBusy = (busy) => buttons.forEach((button) => { button.disabled = busy; });

  // Set in the same task as the listener below: tests (and people's scripts) know the form
  // is handled here, not by the browser's own submit.
  form.dataset.ready = "true";
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const decision = event.submitter?.value === "request_changes" ? "request_changes" : "approve";
    const name = nameField.value.trim();
    const comment = commentField.value.trim();
    nameField.removeAttribute("aria-invalid");
    commentField.removeAttribute("aria-invalid");
    if (!name) {
      nameField.setAttribute("aria-invalid", "true");
      show(status, "error", say("need_name"));
      nameField.focus();
      return;
    }
    if (decision === "request_changes" && !comment) {
      commentField.setAttribute("aria-invalid", "true");
      show(status, "error", say("need_comment"));
      commentField.focus();
      return;
    }
    setBusy(true);
    show(status, "info", say("sending"));
    let response;
    let answer = {};
    try {
      response = await fetch(decisionUrl(), {
        method: "POST",
        headers: { "Content-Type": "application/json", "Accept-Language": data.lang || "de" },
        body: JSON.stringify({ decision, name, comment }),
        credentials: "omit",
        cache: "no-store",
      });
      answer = await response.json().catch(() => ({}));
    } catch {
      setBusy(false);
      show(status, "error", say("offline"));
      return;
    }
    if (response.ok) {
      form.dataset.done = decision;
      nameField.readOnly = true;
      commentField.readOnly = true;
      buttons.forEach((button) => { button.hidden = true; });
      show(status, "ok", say(`done_${decision}`, { name }));
      return;
    }
    // 409 and 410: the link no longer decides anything; other refusals can be corrected.
    setBusy(response.status === 409 || response.status === 410);
    show(status, "error", say("failed", { message: answer.message || String(response.status) }));
  });
}

initLang();
renderPreviews();
wireForm();
