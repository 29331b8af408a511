// The team's month: scheduled and published posts (everyone's, since they are bound for the
// public anyway) and the writer's own drafts, by day in the writer's own time zone.

import { api } from "./api.js";
import { h, clear, fill, uid } from "./dom.js";
import { t } from "./i18n.js";
import { longDate, monthTitle, time, weekdayNames } from "./format.js";
import { postTitle } from "./posts.js";
import { badge, errorNotice, loading, pageTitle } from "./ui.js";
import { previewCard } from "./preview.js";

function parseMonth(value) {
  const match = /^(\d{4})-(\d{2})$/.exec(value || "");
  const now = new Date();
  if (!match) return { year: now.getFullYear(), month: now.getMonth() };
  return { year: Number(match[1]), month: Math.min(11, Math.max(0, Number(match[2]) - 1)) };
}

function monthParam(year, month) {
  const date = new Date(year, month, 1);
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, "0")}`;
}

function dayKey(date) {
  return `${date.getFullYear()}-${date.getMonth()}-${date.getDate()}`;
}

// Where a post stands: its publish time, or (published as soon as approved) its last change.
function placedAt(post) {
  return post.publish_at || post.updated_at;
}

export async function renderCalendar(view, ctx, params) {
  const { year, month } = parseMonth(params.get("month"));
  const first = new Date(year, month, 1);
  const start = new Date(year, month, 1 - ((first.getDay() + 6) % 7)); // back to Monday
  const last = new Date(year, month + 1, 0);
  const weeks = Math.ceil(((first.getDay() + 6) % 7 + last.getDate()) / 7);
  const end = new Date(start.getFullYear(), start.getMonth(), start.getDate() + weeks * 7);

  // A writer of several brands may look at one brand's month (GET /api/calendar?brand=).
  const brands = (ctx.me && ctx.me.brands) || [];
  const brand = brands.some((b) => b.name === params.get("brand")) ? params.get("brand") : "";
  const link = (monthValue) => {
    const query = new URLSearchParams();
    if (monthValue) query.set("month", monthValue);
    if (brand) query.set("brand", brand);
    return query.size ? `#/calendar?${query}` : "#/calendar";
  };
  const title = monthTitle(year, month);
  const heading = h("h1", { id: "page-title", tabindex: "-1", text: title });
  const brandId = uid("cal-brand");
  const brandSelect = brands.length > 1
    ? h("select", { id: brandId, name: "brand" },
      h("option", { value: "", text: t("posts.allBrands") }),
      brands.map((b) => h("option", { value: b.name, text: b.label || b.name, selected: b.name === brand })))
    : null;
  if (brandSelect) {
    brandSelect.addEventListener("change", () => {
      const query = new URLSearchParams();
      query.set("month", monthParam(year, month));
      if (brandSelect.value) query.set("brand", brandSelect.value);
      window.location.hash = `#/calendar?${query}`;
    });
  }
  const nav = h("div", { class: "cal-nav" },
    h("a", { class: "btn btn-small", href: link(monthParam(year, month - 1)), "aria-label": t("cal.prev"), text: "‹" }),
    h("a", { class: "btn btn-small", href: link(""), text: t("cal.today") }),
    h("a", { class: "btn btn-small", href: link(monthParam(year, month + 1)), "aria-label": t("cal.next"), text: "›" }),
    brandSelect ? [h("label", { for: brandId, class: "cal-brand-label", text: t("posts.brand") }), brandSelect] : null);
  const body = h("div", { class: "cal-body" }, loading());
  const detail = h("div", { class: "cal-detail", "aria-live": "polite" });
  fill(view, h("div", { class: "page-head" }, heading, nav), body, detail);
  pageTitle(`${t("nav.calendar")} – ${title}`);

  let posts;
  try {
    posts = (await api.calendar(start.toISOString(), end.toISOString(), brand)).posts;
  } catch (err) {
    fill(body, errorNotice(err));
    return heading;
  }
  const byDay = new Map();
  for (const post of posts) {
    const key = dayKey(new Date(placedAt(post)));
    if (!byDay.has(key)) byDay.set(key, []);
    byDay.get(key).push(post);
  }
  for (const list of byDay.values()) list.sort((a, b) => (placedAt(a) < placedAt(b) ? -1 : 1));

  const todayKey = dayKey(new Date());
  const cells = [];
  for (let i = 0; i < weeks * 7; i += 1) {
    const day = new Date(start.getFullYear(), start.getMonth(), start.getDate() + i);
    const dayPosts = byDay.get(dayKey(day)) || [];
    const classes = ["cal-day"];
    if (day.getMonth() !== month) classes.push("other-month");
    if (dayKey(day) === todayKey) classes.push("today");
    if (dayPosts.length) classes.push("has-posts");
    cells.push(h("li", { class: classes.join(" "), "aria-current": dayKey(day) === todayKey ? "date" : null },
      h("span", { class: "cal-date", "aria-hidden": "true", text: String(day.getDate()) }),
      h("span", { class: "cal-longdate", text: longDate(day) }),
      dayPosts.length ? h("ul", { class: "cal-posts" }, dayPosts.map((post) => h("li", {}, chip(post, ctx, detail)))) : null));
  }
  fill(body, 
    h("ol", { class: "cal-weekdays", "aria-hidden": "true" }, weekdayNames().map((d) => h("li", { text: d }))),
    h("ol", { class: "cal-grid", "aria-label": title }, cells),
    h("ul", { class: "cal-legend" },
      h("li", { class: "chip-scheduled", text: t("cal.legendScheduled") }),
      h("li", { class: "chip-published", text: t("cal.legendPublished") }),
      h("li", { class: "chip-in_review", text: t("cal.legendOpen") })),
    posts.length ? null : h("p", { class: "empty muted", text: t("cal.empty") }));
  return heading;
}

function chip(post, ctx, detail) {
  const label = [time(placedAt(post)), postTitle(post)];
  const content = [h("span", { class: "chip-time", text: label[0] }), h("span", { class: "chip-title", text: label[1] })];
  const attrs = {
    class: `cal-chip chip-${post.status}`, dataset: { postId: post.id },
    title: `${label.join(" ")} (${t(`status.${post.status}`)})`,
  };
  // The writer's own posts open their page; a colleague's post is shown right here, since the
  // post page is only its author's.
  if (post.author === ctx.me.email) {
    return h("a", { ...attrs, href: `#/posts/${encodeURIComponent(post.id)}` }, content);
  }
  const button = h("button", { ...attrs, type: "button" }, content);
  button.addEventListener("click", () => showDetail(detail, post, ctx));
  return button;
}

function showDetail(detail, post, ctx) {
  const close = h("button", { type: "button", class: "btn btn-small btn-ghost", text: t("common.close") });
  const channels = post.channels.map((name) => ctx.channels.find((c) => c.name === name) || { name, type: "" });
  const card = h("section", { class: "card cal-popover", "aria-labelledby": "cal-detail-title", tabindex: "-1" },
    h("div", { class: "page-head" },
      h("h2", { id: "cal-detail-title", text: postTitle(post) }), badge(post.status), close),
    h("p", { class: "muted", text: t("cal.by", { author: post.author_name || post.author }) }),
    h("div", { class: "content-grid" }, channels.map((channel) =>
      previewCard(channel, ((post.variants || {})[channel.name] || "").trim() ? post.variants[channel.name] : post.text,
        post.author_name || post.author))));
  close.addEventListener("click", () => clear(detail));
  fill(detail, card);
  card.focus();
}
