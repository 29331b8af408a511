// The page's entry: language, sign-in, the header, and hash routes
// (#/compose, #/posts, #/posts/{id}, #/posts/{id}/edit, #/calendar, #/stats, #/away for
// reviewers, and for admins #/admin).

import { api, publicConfig, setIdentity } from "./api.js";
import { establish } from "./auth.js";
import { h, byId, clear, fill } from "./dom.js";
import { t, getLang, setLang, initLang, LANGUAGES } from "./i18n.js";
import { renderCompose } from "./compose.js";
import { renderPosts } from "./posts.js";
import { renderPost } from "./post.js";
import { renderCalendar } from "./calendar.js";
import { renderAdmin } from "./admin.js";
import { renderWorkflowAdmin } from "./workflow-admin.js";
import { renderStats } from "./stats.js";
import { awayLink, renderAway } from "./away.js";
import { errorNotice, loading, onSignInAgain } from "./ui.js";

const ctx = { config: null, session: null, me: null, channels: [], requireAltText: true };
let firstRoute = true;
const DRAFT_KEY = "freigabe.unsavedDraft";

const ROUTES = [
  [/^#\/compose$/, (view) => renderCompose(view, ctx, null, takeDraft())],
  [/^#\/posts\/([^/?]+)\/edit$/, (view, m) => renderEdit(view, decodeURIComponent(m[1]))],
  [/^#\/posts\/([^/?]+)$/, (view, m) => renderPost(view, ctx, decodeURIComponent(m[1]))],
  [/^#\/posts(?:\?(.*))?$/, (view, m) => renderPosts(view, ctx, new URLSearchParams(m[1] || ""))],
  [/^#\/calendar(?:\?(.*))?$/, (view, m) => renderCalendar(view, ctx, new URLSearchParams(m[1] || ""))],
  [/^#\/stats(?:\?(.*))?$/, (view, m) => renderStats(view, ctx, new URLSearchParams(m[1] || ""))],
  [/^#\/admin\/workflow$/, (view) => renderWorkflowAdmin(view, ctx)],
  [/^#\/away$/, (view) => renderAway(view, ctx)],
  // The OAuth callback comes back to #admin/channels/{name} (http/oauth_routes.py).
  [/^#\/?admin(?:\/channels(?:\/([^/?]+))?)?$/, (view, m) => renderAdmin(view, ctx, m[1] ? decodeURIComponent(m[1]) : null)],
];
const EDITABLE = ["draft", "in_review", "changes_requested", "scheduled"];
const NAV = [["#/compose", "nav.compose"], ["#/posts", "nav.posts"], ["#/calendar", "nav.calendar"], ["#/stats", "nav.stats"]];

async function start() {
  initLang();
  const main = byId("main");
  drawChrome();
  try {
    ctx.config = await publicConfig();
  } catch (err) {
    fill(main, errorNotice(err));
    return;
  }
  ctx.session = await establish(ctx.config, main);
  setIdentity(ctx.session.headers, () => ctx.session.onUnauthorized());
  fill(main, loading());
  try {
    const [me, channels] = await Promise.all([api.me(), api.channels()]);
    ctx.me = me;
    ctx.channels = channels.channels || [];
    // The workflow's alt text rule (docs/workflow.md, require_alt_text); on unless it says false.
    ctx.requireAltText = channels.require_alt_text !== false;
  } catch (err) {
    const again = h("button", { type: "button", class: "btn", text: t("auth.again") });
    again.addEventListener("click", () => location.reload());
    fill(main, h("h1", { text: t("error.title") }), errorNotice(err), again);
    return;
  }
  drawChrome();
  window.addEventListener("hashchange", route);
  route();
}

async function renderEdit(view, id) {
  fill(view, loading());
  let post;
  try {
    post = await api.post(id);
  } catch (err) {
    fill(view, errorNotice(err));
    return null;
  }
  if (!EDITABLE.includes(post.status)) {
    // Past the point of changes (published, withdrawn …): the post page says why.
    location.replace(`#/posts/${encodeURIComponent(post.id)}`);
    return null;
  }
  return renderCompose(view, ctx, post, takeDraft());
}

async function route() {
  const hash = location.hash || "#/posts";
  const found = ROUTES.map(([pattern, render]) => [pattern.exec(hash), render]).find(([m]) => m);
  if (!found) {
    location.replace("#/posts");
    return;
  }
  // Each navigation renders into a fresh element; a slow answer for a page the writer already
  // left lands in a detached element and never overwrites the current page.
  const view = h("div", { class: "view" });
  fill(byId("main"), view);
  markNav(hash);
  const heading = await found[1](view, found[0]);
  if (heading && view.isConnected && !firstRoute) heading.focus();
  firstRoute = false;
}

function markNav(hash) {
  for (const link of byId("mainnav").querySelectorAll("a")) {
    const target = link.getAttribute("href");
    const active = hash === target || hash.startsWith(target + "?") || hash.startsWith(target + "/");
    if (active) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

function drawChrome() {
  document.documentElement.lang = getLang();
  byId("skip-link").textContent = t("nav.skip");
  const nav = byId("mainnav");
  nav.setAttribute("aria-label", t("nav.label"));
  clear(nav);
  if (ctx.me) {
    const links = ctx.me.admin ? [...NAV, ["#/admin", "nav.admin"]] : NAV;
    nav.append(h("ul", {}, links.map(([href, key]) => h("li", {}, h("a", { href, text: t(key) })))));
    markNav(location.hash || "#/posts");
  }
  const session = clear(byId("session"));
  session.append(languageSwitch());
  if (ctx.me) {
    const out = h("button", { type: "button", class: "btn btn-small btn-ghost", text: t("auth.signOut") });
    out.addEventListener("click", () => ctx.session.signOut());
    session.append(
      h("span", { class: "who", title: ctx.me.email },
        h("span", { class: "who-name", text: ctx.me.name }),
        h("span", { class: "who-email", text: ctx.me.email })),
      awayLink(ctx),
      out);
  }
}

function languageSwitch() {
  const group = h("div", { class: "lang-switch", role: "group", "aria-label": t("nav.language") });
  for (const lang of LANGUAGES) {
    const button = h("button", {
      type: "button", class: "lang", lang, "aria-pressed": String(lang === getLang()),
      title: lang === "de" ? "Deutsch" : "English", text: lang.toUpperCase(),
    });
    button.addEventListener("click", () => switchLanguage(lang));
    group.append(button);
  }
  return group;
}

// A half-written post survives a change of language (the form is drawn again with its values)
// and an expired sign-in (kept in sessionStorage across the round trip to sign in again).
let pendingDraft = null;
function takeDraft() {
  let draft = pendingDraft;
  pendingDraft = null;
  const kept = JSON.parse(sessionStorage.getItem(DRAFT_KEY) || "null");
  sessionStorage.removeItem(DRAFT_KEY);
  if (!draft && kept && kept.hash === location.hash) draft = kept.draft;
  return draft;
}

function snapshot() {
  const form = document.querySelector("form.compose");
  return form && typeof form.snapshot === "function" ? form.snapshot() : null;
}

onSignInAgain(() => {
  const draft = snapshot();
  if (draft) sessionStorage.setItem(DRAFT_KEY, JSON.stringify({ hash: location.hash, draft }));
  location.reload();
});

function switchLanguage(lang) {
  if (lang === getLang()) return;
  pendingDraft = snapshot();
  setLang(lang);
  drawChrome();
  const pressed = byId("session").querySelector(`button.lang[lang="${lang}"]`);
  if (ctx.me) route().then(() => pressed && pressed.focus());
  else location.reload();
}

start();
