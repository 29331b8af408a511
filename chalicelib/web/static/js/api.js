// The writers' JSON API (docs/api.md). Every call carries the identity (the dev header or
// the Cognito id token) and the page's language, so error messages match what the writer reads.

import { getLang } from "./i18n.js";

// Two folders up from this module is where the page lives, stage prefix included (/api/ in AWS).
export const ROOT = new URL("../../", import.meta.url);

const identity = { headers: {}, onUnauthorized: null };

export function setIdentity(headers, onUnauthorized) {
  identity.headers = { ...headers };
  identity.onUnauthorized = onUnauthorized || null;
}

export class ApiError extends Error {
  constructor(status, message, code, body) {
    super(message);
    this.status = status;
    this.code = code || "";
    this.body = body || null;
  }
}

async function call(method, path, payload) {
  const headers = { Accept: "application/json", "Accept-Language": getLang(), ...identity.headers };
  const init = { method, headers, credentials: "same-origin", cache: "no-store" };
  if (payload !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(payload);
  }
  let response;
  try {
    response = await fetch(new URL(path, ROOT), init);
  } catch {
    throw new ApiError(0, "", "network");
  }
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (!response.ok) {
    if (response.status === 401 && identity.onUnauthorized) identity.onUnauthorized();
    const message = body && typeof body.message === "string" ? body.message : "";
    throw new ApiError(response.status, message, body && body.error, body);
  }
  return body;
}

// The evidence file (kind "json") or its printable view ("html"), as a Blob.
export async function evidenceFile(id, kind) {
  const path = `api/posts/${encodeURIComponent(id)}/evidence${kind === "html" ? `.html?lang=${getLang()}` : ""}`;
  const headers = { "Accept-Language": getLang(), ...identity.headers };
  let response;
  try {
    response = await fetch(new URL(path, ROOT), { headers, credentials: "same-origin", cache: "no-store" });
  } catch {
    throw new ApiError(0, "", "network");
  }
  if (!response.ok) {
    let body = null;
    try { body = await response.json(); } catch { body = null; }
    if (response.status === 401 && identity.onUnauthorized) identity.onUnauthorized();
    throw new ApiError(response.status, body && typeof body.message === "string" ? body.message : "",
      body && body.error, body);
  }
  return response.blob();
}

export async function publicConfig() {
  const response = await fetch(new URL("config.json", ROOT), { cache: "no-store" });
  if (!response.ok) throw new ApiError(response.status, "", "config");
  return response.json();
}

export const api = {
  me: () => call("GET", "api/me"),
  channels: () => call("GET", "api/channels"),
  posts: (status, brand) => {
    const query = new URLSearchParams();
    if (status) query.set("status", status);
    if (brand) query.set("brand", brand);
    return call("GET", "api/posts" + (query.size ? `?${query}` : ""));
  },
  post: (id) => call("GET", `api/posts/${encodeURIComponent(id)}`),
  create: (payload) => call("POST", "api/posts", payload),
  edit: (id, payload) => call("PATCH", `api/posts/${encodeURIComponent(id)}`, payload),
  submit: (id) => call("POST", `api/posts/${encodeURIComponent(id)}/submit`, {}),
  withdraw: (id) => call("POST", `api/posts/${encodeURIComponent(id)}/withdraw`, {}),
  // Images (docs/api.md "Media"): an upload is announced, sent straight to the bucket
  // (upload.js), then completed, which checks what arrived.
  createMedia: (payload) => call("POST", "api/media", payload),
  completeMedia: (id) => call("POST", `api/media/${encodeURIComponent(id)}/complete`, {}),
  media: (id) => call("GET", `api/media/${encodeURIComponent(id)}`),
  // Review depth (docs/api.md): releasing a hold, comments, what changed since a version, and
  // the signed link of a step reviewed outside the company.
  release: (id, step) =>
    call("POST", `api/posts/${encodeURIComponent(id)}/holds/${encodeURIComponent(step)}/release`, {}),
  comment: (id, payload) => call("POST", `api/posts/${encodeURIComponent(id)}/comments`, payload),
  changes: (id, fromHash) =>
    call("GET", `api/posts/${encodeURIComponent(id)}/changes?from=${encodeURIComponent(fromHash)}`),
  reviewLink: (id, step) =>
    call("POST", `api/posts/${encodeURIComponent(id)}/review-links`, step ? { step } : {}),
  // Admins (docs/api.md "Admin: channels"): channels and their accounts. connect answers the
  // network's authorization URL as JSON (Accept), which the page then opens.
  adminChannels: () => call("GET", "api/admin/channels"),
  createChannel: (payload) => call("POST", "api/admin/channels", payload),
  connectChannel: (name) => call("GET", `api/admin/channels/${encodeURIComponent(name)}/connect`),
  channelCredentials: (name, payload) =>
    call("POST", `api/admin/channels/${encodeURIComponent(name)}/credentials`, payload),
  disconnectChannel: (name) => call("POST", `api/admin/channels/${encodeURIComponent(name)}/disconnect`, {}),
  deleteChannel: (name) => call("DELETE", `api/admin/channels/${encodeURIComponent(name)}`),
  // The workflow edited at run time (docs/api.md "Admin: workflow").
  adminWorkflow: () => call("GET", "api/admin/workflow"),
  saveWorkflow: (payload) => call("PUT", "api/admin/workflow", payload),
  workflowVersions: () => call("GET", "api/admin/workflow/versions"),
  stats: (from, to, brand) =>
    call("GET", `api/stats?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}` +
      (brand ? `&brand=${encodeURIComponent(brand)}` : "")),
  // A reviewer's absence and their deputy (docs/api.md "Deputies").
  away: () => call("GET", "api/me/away"),
  setAway: (payload) => call("PUT", "api/me/away", payload),
  endAway: () => call("DELETE", "api/me/away"),
  calendar: (from, to, brand) =>
    call("GET", `api/calendar?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`
      + (brand ? `&brand=${encodeURIComponent(brand)}` : "")),
};
