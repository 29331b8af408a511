// Who is writing. In AWS: Cognito's hosted UI with the authorization code flow and PKCE (S256);
// the id token lives in sessionStorage (gone with the tab) and travels as a Bearer token.
// Locally (FREIGABE_AUTH=dev): a picker of dev users, remembered in localStorage and sent as
// X-Freigabe-User, which the API refuses to trust inside AWS.

import { h, uid, fill } from "./dom.js";
import { t } from "./i18n.js";

const DEV_USER_KEY = "freigabe.devUser";
const TOKEN_KEY = "freigabe.idToken";
const PKCE_KEY = "freigabe.pkce";
const EMAIL = /^[^@\s<>"']{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,24}$/;

export async function establish(config, mount) {
  if (config.auth === "cognito") return cognitoSession(config.cognito, mount);
  return devSession(config.dev_users || [], mount);
}

// -- dev ---------------------------------------------------------------------------------------

async function devSession(users, mount) {
  const stored = localStorage.getItem(DEV_USER_KEY) || "";
  const email = EMAIL.test(stored) ? stored : await pickDevUser(users, mount);
  const known = users.find((user) => user.email === email);
  // Header values must be Latin-1: the name travels percent-encoded.
  const name = known ? { "X-Freigabe-Name": encodeURIComponent(known.name) } : {};
  return {
    headers: { "X-Freigabe-User": email, ...name },
    email,
    signOut() {
      localStorage.removeItem(DEV_USER_KEY);
      location.reload();
    },
    onUnauthorized() {
      localStorage.removeItem(DEV_USER_KEY);
    },
  };
}

function pickDevUser(users, mount) {
  return new Promise((resolve) => {
    const otherId = uid("dev-other");
    const error = h("p", { class: "field-error", id: uid("dev-error"), role: "alert" });
    const other = h("input", {
      type: "email", id: otherId, name: "other", autocomplete: "email",
      placeholder: "name@example.com", "aria-describedby": error.id,
    });
    const options = users.map((user, index) =>
      h("label", { class: "choice" },
        h("input", { type: "radio", name: "who", value: user.email, checked: index === 0 }),
        h("span", {}, h("strong", { text: user.name }), " ", h("span", { class: "muted", text: user.email }))));
    const otherChoice = h("label", { class: "choice" },
      h("input", { type: "radio", name: "who", value: "", checked: users.length === 0 }),
      h("span", { text: t("auth.devOther") }));
    other.addEventListener("focus", () => { otherChoice.querySelector("input").checked = true; });
    const form = h("form", { class: "card signin", novalidate: true },
      h("h1", { text: t("auth.devTitle"), tabindex: "-1" }),
      h("p", { class: "muted", text: t("auth.devIntro") }),
      h("fieldset", {},
        h("legend", { text: t("auth.devWho") }),
        options, otherChoice,
        h("label", { for: otherId, class: "sr-only", text: t("auth.devOtherEmail") }),
        other),
      error,
      h("div", { class: "actions" }, h("button", { type: "submit", class: "btn btn-primary", text: t("auth.continue") })));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const chosen = form.querySelector("input[name=who]:checked");
      const email = ((chosen && chosen.value) || other.value).trim().toLowerCase();
      if (!EMAIL.test(email)) {
        error.textContent = t("auth.devInvalid");
        other.focus();
        return;
      }
      localStorage.setItem(DEV_USER_KEY, email);
      resolve(email);
    });
    fill(mount, form);
    form.querySelector("h1").focus();
  });
}

// -- Cognito -----------------------------------------------------------------------------------

function base64url(bytes) {
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function randomString(size = 32) {
  return base64url(crypto.getRandomValues(new Uint8Array(size)));
}

async function s256(verifier) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

// Read only to show who is signed in and when to ask again; the API Gateway authorizer is what
// actually checks the token.
function claims(token) {
  try {
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const bytes = Uint8Array.from(atob(part), (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return null;
  }
}

function redirectUri(cognito) {
  return cognito.redirect_uri || location.origin + location.pathname;
}

async function cognitoSession(cognito, mount) {
  if (!cognito) throw new Error("Cognito is not configured (FREIGABE_COGNITO_DOMAIN, FREIGABE_COGNITO_CLIENT_ID)");
  const params = new URLSearchParams(location.search);
  if (params.has("code") || params.has("error")) await finishSignIn(cognito, params);
  const token = sessionStorage.getItem(TOKEN_KEY) || "";
  const payload = token ? claims(token) : null;
  if (!payload || !payload.exp || payload.exp * 1000 < Date.now() + 30000) {
    sessionStorage.removeItem(TOKEN_KEY);
    await showSignIn(cognito, mount);
    return new Promise(() => {}); // the browser is on its way to the hosted UI
  }
  return {
    headers: { Authorization: `Bearer ${token}` },
    email: String(payload.email || payload["cognito:username"] || ""),
    signOut() {
      sessionStorage.removeItem(TOKEN_KEY);
      const url = new URL("/logout", cognito.domain);
      url.searchParams.set("client_id", cognito.client_id);
      url.searchParams.set("logout_uri", redirectUri(cognito));
      location.assign(url.href);
    },
    onUnauthorized() {
      sessionStorage.removeItem(TOKEN_KEY);
    },
  };
}

async function finishSignIn(cognito, params) {
  const saved = JSON.parse(sessionStorage.getItem(PKCE_KEY) || "null");
  sessionStorage.removeItem(PKCE_KEY);
  // Drop ?code=… from the address bar and history before anything else can read it.
  history.replaceState(null, "", location.pathname + ((saved && saved.hash) || location.hash));
  if (!saved || params.get("state") !== saved.state || !params.get("code")) return;
  const body = new URLSearchParams({
    grant_type: "authorization_code",
    client_id: cognito.client_id,
    code: params.get("code"),
    redirect_uri: redirectUri(cognito),
    code_verifier: saved.verifier,
  });
  const response = await fetch(new URL("/oauth2/token", cognito.domain), {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body,
  });
  if (!response.ok) return;
  const tokens = await response.json();
  if (tokens.id_token) sessionStorage.setItem(TOKEN_KEY, tokens.id_token);
}

function showSignIn(cognito, mount) {
  const button = h("button", { type: "button", class: "btn btn-primary", text: t("auth.signIn") });
  button.addEventListener("click", async () => {
    button.disabled = true;
    const verifier = randomString(48);
    const state = randomString(16);
    sessionStorage.setItem(PKCE_KEY, JSON.stringify({ verifier, state, hash: location.hash }));
    const url = new URL("/oauth2/authorize", cognito.domain);
    url.searchParams.set("response_type", "code");
    url.searchParams.set("client_id", cognito.client_id);
    url.searchParams.set("redirect_uri", redirectUri(cognito));
    url.searchParams.set("scope", "openid email profile");
    url.searchParams.set("state", state);
    url.searchParams.set("code_challenge", await s256(verifier));
    url.searchParams.set("code_challenge_method", "S256");
    location.assign(url.href);
  });
  const card = h("section", { class: "card signin" },
    h("h1", { text: t("auth.title"), tabindex: "-1" }),
    h("p", { class: "muted", text: t("auth.intro") }),
    h("div", { class: "actions" }, button));
  fill(mount, card);
  card.querySelector("h1").focus();
}
