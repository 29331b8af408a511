// Dates and times for people: formatted by Intl in the page's language, in the writer's own
// time zone unless a zone is named (the workflow's, shown beside it). Storage is UTC ISO-8601.

import { getLang } from "./i18n.js";

export const OWN_ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";

function locale() {
  return getLang() === "de" ? "de-DE" : "en-GB";
}

export function dateTime(iso, timeZone = OWN_ZONE) {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  return new Intl.DateTimeFormat(locale(), {
    weekday: "short", day: "numeric", month: "short", year: "numeric",
    hour: "2-digit", minute: "2-digit", timeZone,
  }).format(date);
}

export function shortDateTime(iso, timeZone = OWN_ZONE) {
  if (!iso) return "";
  return new Intl.DateTimeFormat(locale(), {
    day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", timeZone,
  }).format(new Date(iso));
}

export function time(iso, timeZone = OWN_ZONE) {
  return new Intl.DateTimeFormat(locale(), { hour: "2-digit", minute: "2-digit", timeZone })
    .format(new Date(iso));
}

export function monthTitle(year, month) {
  return new Intl.DateTimeFormat(locale(), { month: "long", year: "numeric" })
    .format(new Date(year, month, 1));
}

export function weekdayNames() {
  // 2024-01-01 was a Monday; the calendar's weeks start on Monday in both languages.
  const fmt = new Intl.DateTimeFormat(locale(), { weekday: "short" });
  return Array.from({ length: 7 }, (_, i) => fmt.format(new Date(2024, 0, 1 + i)));
}

export function longDate(date) {
  return new Intl.DateTimeFormat(locale(), { weekday: "long", day: "numeric", month: "long" }).format(date);
}

export function zoneName(timeZone) {
  return String(timeZone || "").replace(/_/g, " ");
}

// <input type=datetime-local> holds a wall-clock time in the writer's own zone.
export function toLocalInput(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

export function fromLocalInput(value) {
  if (!value) return null;
  const date = new Date(value); // no offset in the value: the browser reads it as local time
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}
