// The Away form (#/away, docs/api.md "Deputies"): a reviewer names who decides for them until
// a date (PUT /api/me/away), sees the absence, and ends it (DELETE). Whom the person stands in
// for is listed too. The header offers the page only to reviewers and deputies.

import { api } from "./api.js";
import { h, fill, uid } from "./dom.js";
import { t } from "./i18n.js";
import { dateTime } from "./format.js";
import { errorNotice, loading, pageTitle, toast } from "./ui.js";

// Which field an API error belongs to, by its code (services/deputies.py, domain/deputies.py).
const UNTIL_ERRORS = /^away_(until|too_long)/;
const DEPUTY_ERRORS = /^deputy_/;

// The header's link, shown once GET /api/me/away says the person reviews or stands in for
// someone; people Slack does not know (a 403) never see it. Asked once per page load.
export function awayLink(ctx) {
  const link = h("a", { href: "#/away", class: "away-link", hidden: true, text: t("away.link") });
  if (!ctx.awayAnswer) ctx.awayAnswer = api.away().catch(() => null);
  ctx.awayAnswer.then((answer) => {
    if (answer && (answer.reviewer || answer.away || (answer.covering || []).length)) link.hidden = false;
  });
  return link;
}

export async function renderAway(view, ctx) {
  pageTitle(t("away.title"));
  const heading = h("h1", { id: "page-title", tabindex: "-1", text: t("away.title") });
  fill(view, heading, loading());
  let answer;
  try {
    answer = await api.away();
  } catch (err) {
    fill(view, heading, errorNotice(err));
    return heading;
  }
  draw(view, ctx, heading, answer);
  return heading;
}

function draw(view, ctx, heading, answer) {
  ctx.awayAnswer = Promise.resolve(answer);
  const parts = [heading];
  if (answer.away) parts.push(current(view, ctx, heading, answer.away));
  if (answer.reviewer || answer.away) parts.push(form(view, ctx, heading, Boolean(answer.away)));
  else parts.push(h("p", { class: "muted", text: t("away.notReviewer") }));
  if ((answer.covering || []).length) {
    parts.push(h("h2", { text: t("away.covering") }), h("ul", { class: "away-covering" },
      answer.covering.map((a) => h("li", {
        text: t("away.coveringItem", { who: a.reviewer_email || a.reviewer, until: lastMinute(a.until) }),
      }))));
  }
  fill(view, ...parts);
}

function current(view, ctx, heading, away) {
  const end = h("button", { type: "button", class: "btn btn-small away-end", text: t("away.end") });
  end.addEventListener("click", async () => {
    end.disabled = true;
    try {
      const answer = await api.endAway();
      toast(t("away.ended"));
      draw(view, ctx, heading, answer);
    } catch (err) {
      end.disabled = false;
      end.after(errorNotice(err));
    }
  });
  return h("section", { class: "card away-current", "aria-live": "polite" },
    h("p", { text: t("away.current", { deputy: away.deputy_email || away.deputy, until: lastMinute(away.until) }) }),
    h("div", { class: "actions" }, end));
}

function form(view, ctx, heading, replacing) {
  const untilId = uid("away-until");
  const deputyId = uid("away-deputy");
  const untilError = h("p", { class: "field-error", id: `${untilId}-error`, role: "alert" });
  const deputyError = h("p", { class: "field-error", id: `${deputyId}-error`, role: "alert" });
  const general = h("div", { class: "away-error" });
  const until = h("input", {
    id: untilId, name: "until", type: "date", required: true, min: today(),
    "aria-describedby": untilError.id,
  });
  const deputy = h("input", {
    id: deputyId, name: "deputy", type: "email", required: true, autocomplete: "off",
    placeholder: "name@example.com", "aria-describedby": `${deputyId}-hint ${deputyError.id}`,
  });
  const save = h("button", { type: "submit", class: "btn", text: t(replacing ? "away.replace" : "away.save") });
  const el = h("form", { class: "away-form card", novalidate: true },
    h("h2", { text: t(replacing ? "away.change" : "away.set") }),
    h("div", { class: "field" }, h("label", { for: untilId, text: t("away.until") }), until, untilError),
    h("div", { class: "field" }, h("label", { for: deputyId, text: t("away.deputy") }), deputy,
      h("p", { class: "hint small muted", id: `${deputyId}-hint`, text: t("away.deputyHint") }), deputyError),
    general,
    h("div", { class: "actions" }, save));
  el.addEventListener("submit", async (event) => {
    event.preventDefault();
    for (const [input, error] of [[until, untilError], [deputy, deputyError]]) {
      error.textContent = "";
      input.removeAttribute("aria-invalid");
    }
    fill(general);
    const missing = [[until, untilError, "away.untilMissing"], [deputy, deputyError, "away.deputyMissing"]]
      .filter(([input]) => !input.value.trim());
    if (missing.length) {
      for (const [input, error, key] of missing) shown(input, error, t(key));
      missing[0][0].focus();
      return;
    }
    save.disabled = true;
    try {
      const answer = await api.setAway({ until: until.value, deputy: deputy.value.trim() });
      toast(t("away.saved"));
      draw(view, ctx, heading, answer);
    } catch (err) {
      save.disabled = false;
      const code = String(err.code || "");
      if (UNTIL_ERRORS.test(code)) shown(until, untilError, err.message);
      else if (DEPUTY_ERRORS.test(code)) shown(deputy, deputyError, err.message);
      else fill(general, errorNotice(err));
    }
  });
  return el;
}

function shown(input, error, message) {
  error.textContent = message || t("error.generic");
  input.setAttribute("aria-invalid", "true");
  input.focus();
}

// The stored end is exclusive (the day after a date); people read the last minute.
function lastMinute(iso) {
  const end = new Date(iso);
  return Number.isNaN(end.getTime()) ? "" : dateTime(new Date(end.getTime() - 60000).toISOString());
}

function today() {
  const now = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}
