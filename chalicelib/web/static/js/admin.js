// The admin section (#/admin): every channel with its account's health, channels created at run
// time, connecting an account at the network (OAuth) or with a Bluesky app password,
// disconnecting and deleting (docs/api.md "Admin: channels"). Only web admins see it; the API
// refuses everyone else (403) whatever this page shows.

import { api, ApiError } from "./api.js";
import { h, uid, fill } from "./dom.js";
import { t, channelType } from "./i18n.js";
import { dateTime } from "./format.js";
import { usd } from "./limits.js";
import { errorNotice, loading, pageTitle, toast } from "./ui.js";

// Networks an admin may add here; webhooks and the outbox stay in the workflow file.
const RUNTIME_TYPES = ["mastodon", "x", "linkedin", "facebook_page", "bluesky"];
const OAUTH_TYPES = ["mastodon", "x", "linkedin", "facebook_page"];
// Settings each network's form asks for (all optional; the network's documented endpoints are
// the default). client_secret is stored as a secret and never shown again.
const SETTINGS = {
  mastodon: [],
  x: ["client_id", "client_secret", "auth_url", "token_url"],
  linkedin: ["client_id", "client_secret", "auth_url", "token_url", "linkedin_version", "author"],
  facebook_page: ["client_id", "client_secret", "auth_url", "token_url", "page_id"],
  bluesky: [],
};
const BASE_URL_TYPES = ["mastodon", "x", "linkedin", "facebook_page", "bluesky"];
const STATUS_CLASS = {
  connected: "published", expiring: "in_review", expired: "failed", error: "failed",
  not_connected: "draft",
};

export async function renderAdmin(view, ctx, focusName) {
  if (!ctx.me || !ctx.me.admin) {
    const heading = h("h1", { id: "page-title", tabindex: "-1", text: t("admin.title") });
    fill(view, heading, h("div", { class: "notice notice-error", role: "alert" }, t("admin.notAdmin")));
    pageTitle(t("admin.title"));
    return heading;
  }
  fill(view, loading());
  let channels;
  try {
    channels = (await api.adminChannels()).channels || [];
  } catch (err) {
    fill(view, errorNotice(err));
    return null;
  }
  const heading = h("h1", { id: "page-title", tabindex: "-1", text: t("admin.title") });
  const list = h("div", { class: "admin-channels" }, channels.map((c) => channelCard(c)));
  const notice = h("div", { class: "admin-notice", role: "status", "aria-live": "polite" });
  fill(view,
    h("header", { class: "page-head" }, heading, h("p", { class: "muted", text: t("admin.intro") }),
      h("p", {}, h("a", { href: "#/admin/workflow", class: "wf-link", text: t("wfadmin.link") }))),
    notice, list, createForm());
  pageTitle(t("admin.title"));
  if (focusName) {
    const card = list.querySelector(`[data-channel="${CSS.escape(focusName)}"]`);
    if (card) {
      card.classList.add("is-focused");
      card.scrollIntoView({ block: "center" });
    }
  }
  return heading;

  function reload(message) {
    if (message) toast(message);
    return renderAdmin(view, ctx, null);
  }

  function channelCard(channel) {
    const status = channel.status || "not_connected";
    const facts = h("dl", { class: "admin-facts" },
      fact(t("admin.network"), channelType(channel.type)),
      fact(t("admin.source"), t(`admin.source.${channel.source}`)),
      channel.account ? fact(t("admin.account"), channel.account) : null,
      channel.expires_at ? fact(t("admin.expires"), dateTime(channel.expires_at, ctx.me.timezone)) : null,
      channel.last_ok_at ? fact(t("admin.lastOk"), dateTime(channel.last_ok_at, ctx.me.timezone)) : null,
      channel.x_monthly_budget_usd !== null && channel.x_monthly_budget_usd !== undefined
        ? fact(t("admin.budget"), usd(Number(channel.x_monthly_budget_usd))) : null);
    const problem = channel.last_error
      ? h("p", { class: "admin-error", text: t("admin.lastError", { error: channel.last_error }) }) : null;
    const actions = h("div", { class: "actions" });
    const titleId = uid("channel-title");
    const card = h("section", { class: "card admin-channel", dataset: { channel: channel.name, status },
      "aria-labelledby": titleId },
      h("div", { class: "admin-channel-head" },
        h("h2", { class: "admin-channel-name", id: titleId, text: channel.name }),
        h("span", { class: `badge badge-${STATUS_CLASS[status] || "draft"} account-status`,
          dataset: { status }, text: t(`admin.status.${status}`) })),
      h("p", { class: "muted admin-status-text", text: t(`admin.statusText.${status}`) }),
      facts, problem, actions);
    if (channel.source !== "runtime") {
      actions.append(h("p", { class: "hint muted", text: t("admin.fileChannel") }));
      return card;
    }
    if (OAUTH_TYPES.includes(channel.type)) {
      const connect = button(status === "not_connected" ? t("admin.connect") : t("admin.reconnect"), "btn-primary");
      connect.addEventListener("click", () => startConnect(channel, connect, card));
      actions.append(connect);
    } else if (channel.type === "bluesky") {
      actions.append(blueskyForm(channel));
    }
    if (status !== "not_connected") {
      const disconnect = button(t("admin.disconnect"));
      disconnect.addEventListener("click", () => act(card, disconnect,
        () => api.disconnectChannel(channel.name), t("admin.disconnected", { name: channel.name })));
      actions.append(disconnect);
    }
    const remove = button(t("admin.delete"), "btn-danger");
    remove.addEventListener("click", () => {
      if (!window.confirm(t("admin.deleteConfirm", { name: channel.name }))) return;
      act(card, remove, () => api.deleteChannel(channel.name), t("admin.deleted", { name: channel.name }));
    });
    actions.append(remove);
    return card;
  }

  async function startConnect(channel, connect, card) {
    connect.disabled = true;
    try {
      // Fetched with the sign-in, then followed: a plain link would reach the API without it.
      const answer = await api.connectChannel(channel.name);
      if (!answer || typeof answer.url !== "string" || !/^https?:\/\//.test(answer.url)) {
        throw new ApiError(0, t("error.generic"));
      }
      location.assign(answer.url);
    } catch (err) {
      connect.disabled = false;
      showProblem(card, err);
    }
  }

  async function act(card, control, call, done) {
    control.disabled = true;
    try {
      await call();
      await reload(done);
    } catch (err) {
      control.disabled = false;
      showProblem(card, err);
    }
  }

  function blueskyForm(channel) {
    const handleId = uid("bsky-handle");
    const passwordId = uid("bsky-password");
    const handle = h("input", { id: handleId, type: "text", autocomplete: "username", required: true,
      placeholder: "name.bsky.social", value: (channel.settings && channel.settings.identifier) || "" });
    const password = h("input", { id: passwordId, type: "password", autocomplete: "off", required: true,
      placeholder: "xxxx-xxxx-xxxx-xxxx" });
    const submit = h("button", { type: "submit", class: "btn btn-primary", text: t("admin.blueskySave") });
    const form = h("form", { class: "admin-bluesky", novalidate: true },
      h("div", { class: "field" }, h("label", { for: handleId, text: t("admin.blueskyHandle") }), handle),
      h("div", { class: "field" }, h("label", { for: passwordId, text: t("admin.blueskyPassword") }), password,
        h("p", { class: "hint muted", text: t("admin.blueskyHint") })),
      h("div", { class: "actions" }, submit));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const card = form.closest(".admin-channel");
      if (!handle.value.trim() || !password.value) {
        showProblem(card, new ApiError(0, t("admin.blueskyMissing")));
        return;
      }
      submit.disabled = true;
      try {
        await api.channelCredentials(channel.name, { handle: handle.value.trim(), app_password: password.value });
        password.value = "";
        await reload(t("admin.connected", { name: channel.name }));
      } catch (err) {
        submit.disabled = false;
        showProblem(card, err);
      }
    });
    return form;
  }

  function createForm() {
    const nameId = uid("new-name");
    const typeId = uid("new-type");
    const name = h("input", { id: nameId, type: "text", required: true, maxlength: "40",
      pattern: "[a-z0-9_\\-]{1,40}", autocomplete: "off", "aria-describedby": `${nameId}-hint` });
    const type = h("select", { id: typeId },
      RUNTIME_TYPES.map((kind) => h("option", { value: kind, text: channelType(kind) })));
    const extra = h("div", { class: "admin-settings" });
    const problem = h("div", { class: "form-problem", role: "alert" });
    const submit = h("button", { type: "submit", class: "btn btn-primary", text: t("admin.create") });
    const form = h("form", { class: "card admin-create", novalidate: true },
      h("h2", { text: t("admin.createTitle") }),
      h("div", { class: "field" }, h("label", { for: nameId, text: t("admin.name") }), name,
        h("p", { class: "hint muted", id: `${nameId}-hint`, text: t("admin.nameHint") })),
      h("div", { class: "field" }, h("label", { for: typeId, text: t("admin.network") }), type),
      extra, problem, h("div", { class: "actions" }, submit));
    const inputs = new Map();

    function drawSettings() {
      inputs.clear();
      const kind = type.value;
      const fields = [];
      if (BASE_URL_TYPES.includes(kind)) fields.push("base_url");
      fields.push(...SETTINGS[kind]);
      if (kind === "x") fields.push("x_monthly_budget_usd");
      fill(extra, fields.map((key) => {
        const id = uid(`new-${key}`);
        const input = h("input", {
          id, name: key, autocomplete: "off",
          type: key === "client_secret" ? "password" : key === "x_monthly_budget_usd" ? "number" : "text",
          min: key === "x_monthly_budget_usd" ? "0" : undefined,
          step: key === "x_monthly_budget_usd" ? "0.01" : undefined,
          required: kind === "mastodon" && key === "base_url",
          "aria-describedby": `${id}-hint`,
        });
        inputs.set(key, input);
        const hint = t(`admin.setting.${key}.hint`, { network: channelType(kind) });
        return h("div", { class: "field" }, h("label", { for: id, text: t(`admin.setting.${key}`) }), input,
          h("p", { class: "hint muted", id: `${id}-hint`, text: hint }));
      }));
    }
    type.addEventListener("change", drawSettings);
    drawSettings();

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      problem.textContent = "";
      const wanted = name.value.trim();
      if (!/^[a-z0-9_-]{1,40}$/.test(wanted)) {
        problem.textContent = t("admin.nameInvalid");
        name.focus();
        return;
      }
      const payload = { name: wanted, type: type.value, settings: {} };
      for (const [key, input] of inputs) {
        const value = input.value.trim();
        if (!value) continue;
        if (key === "base_url") payload.base_url = value;
        else if (key === "x_monthly_budget_usd") {
          const amount = Number(value);
          if (!Number.isFinite(amount) || amount < 0) {
            problem.textContent = t("admin.budgetInvalid");
            input.focus();
            return;
          }
          payload.x_monthly_budget_usd = amount;
        } else payload.settings[key] = value;
      }
      submit.disabled = true;
      try {
        await api.createChannel(payload);
        await reload(t("admin.created", { name: wanted }));
      } catch (err) {
        submit.disabled = false;
        problem.textContent = (err && err.message) || t("error.generic");
      }
    });
    return form;
  }
}

function fact(label, value) {
  return h("div", { class: "admin-fact" }, h("dt", { text: label }), h("dd", { text: value }));
}

function button(text, variant = "") {
  return h("button", { type: "button", class: `btn btn-small ${variant}`.trim(), text });
}

function showProblem(card, err) {
  const old = card.querySelector(".admin-problem");
  if (old) old.remove();
  const message = (err && err.message) || (err && err.code === "network" ? t("error.network") : t("error.generic"));
  card.append(h("p", { class: "admin-problem notice notice-error", role: "alert", text: message }));
}
