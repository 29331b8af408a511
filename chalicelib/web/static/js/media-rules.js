// The networks' image rules as the form shows them: limits.js holds the rules (the copy of
// chalicelib/domain/limits.py); this module turns its verdicts into words next to the image
// they concern. limits.js is read as a namespace so the page still loads where it lacks a rule
// function (the API's 422 then says the same after submitting).

import * as limits from "./limits.js";
import { t } from "./i18n.js";

function graphemes(text) {
  let n = 0;
  for (const _ of new Intl.Segmenter("en", { granularity: "grapheme" }).segment(text)) n += 1; // eslint-disable-line no-unused-vars
  return n;
}

function rulesOf(channelType) {
  const table = limits.IMAGE_RULES;
  return table && Object.hasOwn(table, channelType) ? table[channelType] : null;
}

// The alt text's length as the network counts it, and that network's limit (null: none known).
export function altVerdict(channelType, alt) {
  // As the server reads it: Python's strip(), which limits.js mirrors.
  const text = typeof limits.stripped === "function" ? limits.stripped(String(alt || "")) : String(alt || "").trim();
  const rules = rulesOf(channelType);
  const count = rules && typeof limits.altLength === "function" ? limits.altLength(channelType, text) : graphemes(text);
  const limit = rules ? rules.maxAlt ?? rules.max_alt ?? null : null;
  return { channelType, count, limit, ok: limit === null || count <= limit };
}

// The strictest alt text limit among the selected channels, for the counter under the field.
export function strictestAlt(channels, alt) {
  let strictest = null;
  for (const channel of channels) {
    const verdict = altVerdict(channel.type, alt);
    if (verdict.limit !== null && (strictest === null || verdict.limit < strictest.limit)) {
      strictest = { ...verdict, channel };
    }
  }
  return strictest || { count: altVerdict("", alt).count, limit: null, ok: true, channel: null };
}

// Every rule of the selected channels that the images break: `byImage[i]` lists the messages
// for image i (from 0), `general` those about the images as a whole. The same rule broken on
// several channels is said once, naming them all ("mastodon, bluesky: image 1 needs …").
export function mediaProblems(channels, images, requireAltText) {
  const byImage = images.map(() => []);
  const general = [];
  if (typeof limits.imageProblems !== "function" || !images.length) return { byImage, general, count: 0 };
  const shaped = images.map((image) => ({
    content_type: image.content_type, size: image.size, width: image.width, height: image.height,
    alt: image.alt || "",
  }));
  const found = new Map();
  for (const channel of channels) {
    for (const problem of limits.imageProblems(channel.type, shaped, requireAltText) || []) {
      const same = JSON.stringify([problem.key, problem.image, problem.params || {}]);
      if (found.has(same)) found.get(same).names.push(channel.name);
      else found.set(same, { ...problem, names: [channel.name] });
    }
  }
  for (const problem of found.values()) {
    const message = describe(problem);
    const position = Number(problem.image) || 0;
    if (position >= 1 && position <= images.length) byImage[position - 1].push(message);
    else if (problem.key === "too_many_images") {
      // Beside each image the network would not take, so the writer sees which to remove.
      const limit = Number((problem.params || {}).limit) || 0;
      for (let index = limit; index < images.length; index += 1) byImage[index].push(message);
      general.push(message);
    } else {
      general.push(message);
    }
  }
  return { byImage, general, count: found.size };
}

function describe(problem) {
  const params = { ...(problem.params || {}), channel: problem.names.join(", "), image: problem.image };
  const key = `rule.${problem.key}`;
  const text = t(key, params);
  return text === key ? t("rule.other", params) : text;
}
