// One post: where it stands, what reviewers said, where it went out, and what the writer can
// still do with it (edit, submit, withdraw).

import { api, ApiError } from "./api.js";
import { h, fill } from "./dom.js";
import { t, getLang } from "./i18n.js";
import { OWN_ZONE, dateTime, zoneName } from "./format.js";
import { previewCard } from "./preview.js";
import { postTitle } from "./posts.js";
import { resultList, stepList, timelineList } from "./timeline.js";
import { holdBadge, holdBanners, markQuotes, personNames, quoteLegend, standingQuotes } from "./review-depth.js";
import { compareSection } from "./versions.js";
import { commentsSection } from "./comments.js";
import { conversationList } from "./conversation.js";
import { reviewLinkPanel } from "./review-link.js";
import { evidencePanel } from "./evidence.js";
import { badge, errorNotice, loading, pageTitle, staleNotice, toast } from "./ui.js";

const EDITABLE = ["draft", "in_review", "changes_requested", "scheduled"];
const SUBMITTABLE = ["draft", "changes_requested"];
const WITHDRAWABLE = ["draft", "in_review", "changes_requested", "scheduled"];
// While someone else (a reviewer, the publisher) may move the post, the page looks again.
const WATCHED = ["in_review", "scheduled", "publishing"];
const POLL_MS = 10000;

export async function renderPost(view, ctx, id) {
  fill(view, loading());
  let post;
  try {
    post = await api.post(id);
  } catch (err) {
    const heading = h("h1", { id: "page-title", tabindex: "-1", text: t("post.notFound") });
    fill(view, h("div", { class: "page-head" }, heading), errorNotice(err),
      h("p", {}, h("a", { href: "#/posts", text: t("post.back") })));
    return heading;
  }
  const heading = draw(view, ctx, post);
  watch(view, ctx, post);
  return heading;
}

function watch(view, ctx, shown) {
  let current = shown;
  const timer = setInterval(async () => {
    if (!view.isConnected) { clearInterval(timer); return; }
    if (document.hidden || !WATCHED.includes(current.status)) return;
    // Never redraw under a writer who is in the middle of something (a confirm, a button).
    if (view.querySelector(".confirm") || view.contains(document.activeElement) && document.activeElement.tagName === "BUTTON") return;
    // Nor under a half-written comment, a chosen version or a review link not yet copied.
    if (busy(view)) return;
    try {
      const fresh = await api.post(current.id);
      if (fresh.version !== current.version || fresh.status !== current.status) {
        current = fresh;
        draw(view, ctx, fresh);
      }
    } catch {
      // A failed look is retried on the next tick; the page keeps what it shows.
    }
  }, POLL_MS);
}

function busy(view) {
  const typing = [...view.querySelectorAll("textarea")].some((area) => area.value.trim());
  const active = document.activeElement;
  const focused = view.contains(active) && ["TEXTAREA", "INPUT", "SELECT"].includes(active.tagName);
  return typing || focused || Boolean(view.querySelector(".link-box"));
}

function draw(view, ctx, post) {
  const title = postTitle(post);
  const heading = h("h1", { id: "page-title", tabindex: "-1", text: title });
  const notices = h("div", { class: "notices" });
  const actions = h("div", { class: "actions post-actions" });
  const name = personNames(post);
  const redraw = async (message) => {
    const fresh = await api.post(post.id);
    draw(view, ctx, fresh);
    if (message) toast(message);
    view.querySelector("h1")?.focus();
  };
  const held = (post.holds || []).length > 0;
  fill(view,
    h("p", { class: "crumbs" }, h("a", { href: "#/posts", text: t("post.back") })),
    h("div", { class: "page-head" }, heading, badge(post.status),
      held ? holdBadge() : null),
    h("p", { class: "status-line muted", text: held ? t("hold.explain") : t(`explain.${post.status}`) }),
    notices,
    holdBanners(post, name, (hold, button) => release(post, hold, button, notices, redraw)),
    facts(post, ctx),
    actions,
    reviewLinkPanel(post),
    section(t("post.review"), [stepList(post), post.workflow_version
      ? h("p", { class: "muted workflow-version", text: t("post.workflowVersion", { version: post.workflow_version }) })
      : null], "review"),
    post.results && Object.keys(post.results).length
      ? section(t("post.results"), resultList(post, ctx.channels), "results") : null,
    conversationList(post) ? section(t("post.conversation"), conversationList(post), "conversation") : null,
    post.media && post.media.length ? section(t("post.images"), imageList(post.media), "images") : null,
    section(t("post.content"), contentCards(post, ctx), "content"),
    compareSection(post),
    commentsSection(post, name, redraw),
    section(t("post.history"), timelineList(post), "history"),
    evidencePanel(post));
  pageTitle(title);
  fillActions(actions, notices, view, ctx, post);
  return heading;
}

async function release(post, hold, button, notices, redraw) {
  button.disabled = true;
  try {
    await api.release(post.id, hold.step);
  } catch (err) {
    button.disabled = false;
    fill(notices, errorNotice(err));
    notices.querySelector("[role=alert]")?.focus();
    return;
  }
  await redraw(t("hold.released"));
}

function section(title, body, name) {
  const id = `section-${name}`;
  return h("section", { class: `card section-${name}`, "aria-labelledby": id },
    h("h2", { id, text: title }), body);
}

function facts(post, ctx) {
  const rows = [[t("post.channels"), post.channels.join(", ")]];
  if (post.publish_at) {
    const team = ctx.me.timezone;
    let when = dateTime(post.publish_at);
    if (team && team !== OWN_ZONE) when += ` (${zoneName(team)}: ${dateTime(post.publish_at, team)})`;
    rows.push([t("post.publishAt"), when]);
  } else {
    rows.push([t("post.publishAt"), t("post.asap")]);
  }
  rows.push([t("post.updated"), dateTime(post.updated_at)], [t("post.version"), String(post.version)]);
  return h("dl", { class: "facts" }, rows.map(([k, v]) => h("div", {}, h("dt", { text: k }), h("dd", { text: v }))));
}

// Each channel's text as it will go out, with the sentences that standing decisions refer to
// marked where they occur, and beside them which step refers to them and why.
function contentCards(post, ctx) {
  const quotes = standingQuotes(post);
  const cards = post.channels.map((name) => {
    const channel = ctx.channels.find((c) => c.name === name) || { name, type: "" };
    const variant = (post.variants || {})[name];
    const own = Boolean(variant && variant.trim());
    const card = previewCard(channel, own ? variant : post.text, ctx.me.name, null, own ? t("post.variantUsed") : "", post.media || []);
    const text = quotes.length ? card.querySelector(".preview-text") : null;
    if (text) {
      const found = markQuotes(text, quotes);
      const legend = quoteLegend(found);
      if (legend) text.after(legend);
    }
    return card;
  });
  return h("div", { class: "content-grid" }, cards);
}

// Each image whole, in order, with its alt text in plain sight: the words reviewers approve.
function imageList(media) {
  return h("ol", { class: "image-list" }, media.map((image, index) => {
    const alt = (image.alt || "").trim();
    return h("li", { class: "image-entry", dataset: { mediaId: image.id || "", sha256: image.sha256 || "" } },
      h("figure", {},
        h("img", { src: image.url || "", alt, loading: "lazy", decoding: "async" }),
        h("figcaption", {},
          h("strong", { text: t("post.imageN", { position: index + 1 }) }), " ",
          h("span", { class: "muted small", text: imageFacts(image) }),
          alt ? h("p", { class: "image-alt", text: alt })
            : h("p", { class: "image-alt image-alt-missing", text: t("post.noAlt") }))));
  }));
}

function imageFacts(image) {
  const kind = String(image.content_type || "").replace("image/", "").toUpperCase();
  const number = new Intl.NumberFormat(getLang() === "de" ? "de-DE" : "en-GB", { maximumFractionDigits: 2 });
  const size = image.size ? `${number.format(image.size / 1_000_000)} MB` : "";
  const pixels = image.width && image.height ? `${image.width} × ${image.height}` : "";
  return [kind, pixels, size].filter(Boolean).join(" · ");
}

function fillActions(actions, notices, view, ctx, post) {
  const redraw = (fresh) => { draw(view, ctx, fresh); view.querySelector("h1")?.focus(); };
  const fail = (err) => {
    fill(notices, err instanceof ApiError && err.status === 409
      ? staleNotice(err, async () => redraw(await api.post(post.id)))
      : errorNotice(err));
    notices.querySelector("[role=alert]")?.focus();
  };
  if (EDITABLE.includes(post.status)) {
    actions.append(h("a", { class: "btn", href: `#/posts/${encodeURIComponent(post.id)}/edit`, text: t("post.edit") }));
  }
  if (SUBMITTABLE.includes(post.status)) {
    const submit = h("button", { type: "button", class: "btn btn-primary", text: t("post.submit") });
    submit.addEventListener("click", async () => {
      submit.disabled = true;
      try {
        await api.submit(post.id);
        toast(t("compose.submitted"));
        redraw(await api.post(post.id));
      } catch (err) {
        submit.disabled = false;
        fail(err);
      }
    });
    actions.prepend(submit);
  }
  if (WITHDRAWABLE.includes(post.status)) {
    const withdraw = h("button", { type: "button", class: "btn btn-danger-ghost", text: t("post.withdraw") });
    withdraw.addEventListener("click", () => {
      withdraw.hidden = true;
      const yes = h("button", { type: "button", class: "btn btn-danger", text: t("post.withdrawYes") });
      const no = h("button", { type: "button", class: "btn btn-ghost", text: t("common.cancel") });
      const confirm = h("div", { class: "confirm", role: "group", "aria-label": t("post.withdraw") },
        h("p", { text: t("post.withdrawConfirm") }), yes, no);
      no.addEventListener("click", () => { confirm.remove(); withdraw.hidden = false; withdraw.focus(); });
      yes.addEventListener("click", async () => {
        yes.disabled = true;
        try {
          await api.withdraw(post.id);
          toast(t("post.withdrawn"));
          redraw(await api.post(post.id));
        } catch (err) {
          confirm.remove();
          withdraw.hidden = false;
          fail(err);
        }
      });
      actions.append(confirm);
      yes.focus();
    });
    actions.append(withdraw);
  }
  if (!actions.childElementCount) actions.remove();
}
