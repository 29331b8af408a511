// "My posts": the writer's posts, newest first, with a status filter.

import { api } from "./api.js";
import { h, clear, uid, fill } from "./dom.js";
import { t, STATUSES } from "./i18n.js";
import { shortDateTime } from "./format.js";
import { badge, emptyState, errorNotice, loading, pageTitle } from "./ui.js";
import { hasOverdueStep, holdBadge } from "./review-depth.js";

export async function renderPosts(view, ctx, params) {
  let status = STATUSES.includes(params.get("status")) ? params.get("status") : "";
  // A writer of several brands may narrow the list to one (GET /api/posts?brand=).
  const brands = (ctx.me && ctx.me.brands) || [];
  let brand = brands.some((b) => b.name === params.get("brand")) ? params.get("brand") : "";
  const brandId = uid("brand");
  const brandSelect = brands.length > 1
    ? h("select", { id: brandId, name: "brand" },
      h("option", { value: "", text: t("posts.allBrands") }),
      brands.map((b) => h("option", { value: b.name, text: b.label || b.name, selected: b.name === brand })))
    : null;
  const filterId = uid("filter");
  const select = h("select", { id: filterId },
    h("option", { value: "", text: t("posts.all") }),
    STATUSES.map((s) => h("option", { value: s, text: t(`status.${s}`), selected: s === status })));
  const list = h("div", { class: "post-list-wrap", "aria-live": "polite", "aria-busy": "true" }, loading());
  const heading = h("h1", { id: "page-title", tabindex: "-1", text: t("posts.heading") });
  fill(view, 
    h("div", { class: "page-head" }, heading,
      h("a", { class: "btn btn-primary", href: "#/compose", text: t("posts.new") })),
    h("div", { class: "toolbar" },
      h("label", { for: filterId, text: t("posts.filter") }), select,
      brandSelect ? [h("label", { for: brandId, text: t("posts.brand") }), brandSelect] : null),
    list);
  pageTitle(t("posts.heading"));

  // The filter changes the list in place and the address without a navigation, so focus stays
  // on the select for keyboard users.
  const refilter = () => {
    status = select.value;
    brand = brandSelect ? brandSelect.value : "";
    const query = new URLSearchParams();
    if (status) query.set("status", status);
    if (brand) query.set("brand", brand);
    history.replaceState(null, "", query.size ? `#/posts?${query}` : "#/posts");
    load();
  };
  select.addEventListener("change", refilter);
  if (brandSelect) brandSelect.addEventListener("change", refilter);
  load();
  return heading;

  async function load() {
    const wanted = status;
    const wantedBrand = brand;
    list.setAttribute("aria-busy", "true");
    let posts;
    try {
      posts = (await api.posts(wanted, wantedBrand)).posts;
    } catch (err) {
      fill(list, errorNotice(err));
      return;
    }
    if (wanted !== status || wantedBrand !== brand) return; // a newer filter won
    list.setAttribute("aria-busy", "false");
    clear(list);
    if (!posts.length) {
      list.append(emptyState(wanted ? t("posts.noneWithStatus") : wantedBrand ? t("posts.noneForBrand") : t("posts.none"),
        wanted || wantedBrand ? null : h("a", { class: "btn btn-primary", href: "#/compose", text: t("posts.writeFirst") })));
      return;
    }
    list.append(h("ul", { class: "post-list" }, posts.map(row)));
  }
}

export function postTitle(post) {
  const title = (post.title || "").trim();
  if (title) return title;
  const line = (post.text || "").trim().split("\n")[0];
  return line.length > 80 ? `${line.slice(0, 79)}…` : line || t("post.untitled");
}

function row(post) {
  const when = post.publish_at
    ? t("posts.publishAt", { time: shortDateTime(post.publish_at) })
    : t("posts.asap");
  const excerpt = (post.title || "").trim() ? post.text : "";
  const overdue = post.status === "in_review" && hasOverdueStep(post);
  return h("li", {},
    h("a", { class: "post-row", href: `#/posts/${encodeURIComponent(post.id)}`, dataset: { postId: post.id } },
      h("div", { class: "row-main" },
        h("span", { class: "row-title", text: postTitle(post) }),
        excerpt ? h("span", { class: "row-excerpt muted", text: excerpt }) : null),
      h("div", { class: "row-meta" },
        badge(post.status),
        // Said in words and with a sign, not by colour alone.
        overdue ? h("span", { class: "badge badge-overdue", dataset: { overdue: "true" }, text: `⚠ ${t("due.overdueBadge")}` }) : null,
        (post.holds || []).length ? holdBadge() : null,
        h("span", { class: "row-channels muted", text: post.channels.join(", ") }),
        h("span", { class: "row-when muted", text: when }))));
}
