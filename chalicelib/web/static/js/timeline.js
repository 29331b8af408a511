// A post's review steps and its audit timeline, in words a writer understands.

import { h, safeHref } from "./dom.js";
import { t, statusLabel } from "./i18n.js";
import { dateTime, shortDateTime } from "./format.js";
import { checklistList, checklistNames, dueLine, labelChips, personNames, quoteLine } from "./review-depth.js";

function reasonText(reason) {
  const [kind, ...rest] = String(reason).split(":");
  const value = rest.join(":");
  if (kind === "always") return t("step.always");
  if (kind === "keyword") return t("step.keyword", { keyword: value });
  if (kind === "channel") return t("step.channel", { channel: value });
  return String(reason);
}

export function stepList(post) {
  const name = personNames(post);
  if (!post.steps || !post.steps.length) {
    return h("p", { class: "muted", text: t("step.none") });
  }
  return h("ol", { class: "steps" }, post.steps.map((step) => {
    const who = step.decided_by ? name(step.decided_by) : null;
    const reasons = (step.reasons || []).map(reasonText);
    const decided = step.status !== "pending" && step.status !== "not_required";
    return h("li", { class: `step step-${step.status}`, dataset: { step: step.name, kind: step.kind || "slack" } },
      h("div", { class: "step-head" },
        h("span", { class: "step-label", text: step.label }),
        h("span", { class: `badge badge-step-${step.status}`, text: t(`step.status.${step.status}`) }),
        step.kind === "link" ? h("span", { class: "muted small", text: t("step.kindLink") }) : null),
      step.required && reasons.length
        ? h("p", { class: "muted small", text: t("step.why", { reasons: reasons.join(", ") }) }) : null,
      step.required ? dueLine(step) : null,
      who ? h("p", { class: "small" },
        t("step.decided", { who, when: dateTime(step.decided_at) })) : null,
      decided ? labelChips(step.labels) : null,
      step.comment ? h("blockquote", { class: "comment", text: step.comment }) : null,
      decided ? quoteLine(step.quote) : null,
      step.status === "approved" ? checklistList(step.checklist, checklistNames(step)) : null);
  }));
}

export function resultList(post, channels) {
  const entries = Object.entries(post.results || {});
  if (!entries.length) return null;
  return h("ul", { class: "results" }, entries.map(([channel, result]) => {
    const href = result.url ? safeHref(result.url) : null;
    const type = (channels.find((c) => c.name === channel) || {}).type;
    return h("li", { class: `result result-${result.status}`, dataset: { channel } },
      h("span", { class: "result-channel", text: channel }),
      type ? h("span", { class: "muted small", text: type }) : null,
      h("span", { class: `badge badge-result-${result.status}`, text: t(`result.${result.status}`) }),
      href ? h("a", { href, target: "_blank", rel: "noopener noreferrer", class: "result-link", text: t("result.open") }) : null,
      result.error ? h("p", { class: "result-error small", text: result.error }) : null);
  }));
}

function describe(event, name, label) {
  const data = event.data || {};
  switch (event.type) {
    case "decision":
      return t("event.decision", {
        step: label(data.step), who: name(event.actor),
        decision: t(`decision.${data.decision}`),
      });
    case "in_review":
      return t("event.in_review", { steps: (data.steps || []).map(label).join(", ") || "–" });
    case "scheduled":
      return data.publish_at
        ? t("event.scheduled", { time: shortDateTime(data.publish_at) })
        : t("event.scheduledNow");
    case "rescheduled":
      return data.to ? t("event.rescheduled", { time: shortDateTime(data.to) }) : t("event.rescheduledNow");
    case "edited":
      return t("event.edited", { fields: (data.changed || []).map((f) => t(`field.${f}`)).join(", ") });
    case "approvals_voided":
      return t("event.approvals_voided");
    case "publish_result":
      return t("event.publish_result", { channel: data.channel || "", status: t(`result.${data.status}`) });
    case "hold":
      return t("event.hold", { step: label(data.step), who: name(event.actor) });
    case "hold_released":
      return t("event.hold_released", { step: label(data.step), who: name(event.actor) });
    case "comment":
      return t(data.visibility === "shared" ? "event.commentShared" : "event.commentInternal", { who: name(event.actor) });
    case "review_overdue":
      return t("event.review_overdue", { step: label(data.step) });
    default: {
      const key = `event.${event.type}`;
      const text = t(key);
      return text === key ? statusLabel(event.type) : text;
    }
  }
}

// The actor is named in the sentence itself for these; for the rest it follows it.
const NAMED = ["decision", "hold", "hold_released", "comment"];

export function timelineList(post) {
  const name = personNames(post);
  const steps = new Map((post.steps || []).map((s) => [s.name, s]));
  const label = (step) => (steps.get(step) || {}).label || String(step || "");
  const events = post.timeline || [];
  return h("ol", { class: "timeline" }, events.map((event) => {
    const data = event.data || {};
    const href = event.type === "publish_result" && data.url ? safeHref(data.url) : null;
    const actor = event.actor && event.actor !== "freigabe" ? name(event.actor) : null;
    const text = event.type === "comment" ? data.text : event.type === "hold" ? data.reason : data.comment;
    return h("li", { class: `event event-${event.type}` },
      h("time", { datetime: event.at, text: dateTime(event.at) }),
      h("div", { class: "event-body" },
        h("span", { class: "event-text", text: describe(event, name, label) }),
        event.type === "decision" && data.as_deputy_for
          ? h("span", { class: "event-deputy", text: ` ${t("event.asDeputyFor", { who: name(data.as_deputy_for) })}` })
          : null,
        actor && !NAMED.includes(event.type) ? h("span", { class: "muted small", text: ` · ${actor}` }) : null,
        event.type === "decision" ? labelChips(data.labels) : null,
        text ? h("blockquote", { class: "comment", text }) : null,
        event.type === "decision" ? quoteLine(data.quote) : null,
        event.type === "decision"
          ? checklistList(data.checklist, checklistNames(steps.get(data.step))) : null,
        href ? h("a", { href, target: "_blank", rel: "noopener noreferrer", text: t("result.open") }) : null,
        data.error ? h("p", { class: "result-error small", text: data.error }) : null));
  }));
}
