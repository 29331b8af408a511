// The workflow edited at run time (#/admin/workflow; docs/workflow.md "Managing the workflow at
// run time"): a form per brand for its steps (reviewers, when-rules, checklist), reason labels
// and channels; the TOML of the current version to download, or to edit and import; and every
// saved version with who saved it and what changed. The server validates with the same model
// as the workflow file and names each problem by its key path (brands[1].steps[0].reviewers):
// the form shows it beside the field of that path. Admins only; the API refuses anyone else.

import { api } from "./api.js";
import { h, uid, fill } from "./dom.js";
import { t, channelType } from "./i18n.js";
import { dateTime } from "./format.js";
import { errorNotice, loading, pageTitle, toast } from "./ui.js";

// Keys of a step the form edits; anything else the step has is kept as it is.
const LIST = "list";
const STEP_FIELDS = [
  ["name", "text"], ["label", "text"], ["slack_channel", "text"], ["reviewers", LIST],
  ["reviewer_group", "text"], ["approvals_required", "count"],
];

export async function renderWorkflowAdmin(view, ctx) {
  const heading = h("h1", { id: "page-title", tabindex: "-1", text: t("wfadmin.title") });
  pageTitle(t("wfadmin.title"));
  if (!ctx.me || !ctx.me.admin) {
    fill(view, heading, h("div", { class: "notice notice-error", role: "alert" }, t("wfadmin.notAdmin")));
    return heading;
  }
  fill(view, loading());
  let current;
  let versions;
  try {
    [current, versions] = await Promise.all([api.adminWorkflow(), api.workflowVersions()]);
  } catch (err) {
    fill(view, errorNotice(err));
    return null;
  }
  const data = current.workflow || {};
  const fields = new Map(); // key path -> { input, error, read }
  const notice = h("div", { class: "wf-notice", role: "alert", "aria-live": "assertive" });
  const scopes = Array.isArray(data.brands) && data.brands.length
    ? data.brands.map((brand, i) => [`brands[${i}].`, brand, brand.label || brand.name])
    : [["", data, null]];
  const save = h("button", { type: "submit", class: "btn btn-primary wf-save", text: t("wfadmin.save") });
  const form = h("form", { class: "wf-form", novalidate: true },
    scopes.map(([prefix, scope, title]) => scopeSection(prefix, scope, title)),
    h("div", { class: "actions" }, save));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const edited = structuredClone(data);
    for (const [path, field] of fields) setAt(edited, path, field.read());
    await send(save, { version: current.version, workflow: edited });
  });
  fill(view,
    h("header", { class: "page-head" }, heading,
      h("p", { class: "muted", text: t("wfadmin.intro", { version: current.version }) }),
      h("p", { class: "muted wf-current", dataset: { version: String(current.version) },
        text: t("wfadmin.current", { version: current.version, by: current.saved_by,
          at: dateTime(current.saved_at, ctx.me.timezone) }) }),
      h("p", {}, h("a", { href: "#/admin", text: t("wfadmin.back") }))),
    notice, form, tomlBox(), versionList(versions.versions || []));
  return heading;

  async function send(control, payload) {
    clearProblems();
    control.disabled = true;
    try {
      const saved = await api.saveWorkflow(payload);
      toast(t("wfadmin.saved", { version: saved.version }));
      await renderWorkflowAdmin(view, ctx);
    } catch (err) {
      control.disabled = false;
      showProblems(err);
    }
  }

  function clearProblems() {
    notice.replaceChildren();
    for (const field of fields.values()) {
      field.error.textContent = "";
      field.error.hidden = true;
      field.input.removeAttribute("aria-invalid");
    }
  }

  function showProblems(err) {
    const problems = (err && err.body && Array.isArray(err.body.problems)) ? err.body.problems : [];
    const unplaced = [];
    let first = null;
    for (const problem of problems) {
      const field = fieldFor(String(problem.path || ""));
      if (!field) {
        unplaced.push(`${problem.path}: ${problem.message}`);
        continue;
      }
      field.error.textContent = field.error.textContent
        ? `${field.error.textContent} · ${problem.message}` : problem.message;
      field.error.hidden = false;
      field.input.setAttribute("aria-invalid", "true");
      first = first || field.input;
    }
    const message = (err && err.message) || t("error.generic");
    notice.append(h("div", { class: "notice notice-error" }, message,
      unplaced.length ? h("ul", {}, unplaced.map((line) => h("li", { text: line }))) : null));
    (first || notice).focus?.();
  }

  // The field whose path is the problem's path or its nearest parent (reviewers[0] -> reviewers).
  function fieldFor(path) {
    let probe = path;
    while (probe) {
      if (fields.has(probe)) return fields.get(probe);
      const cut = Math.max(probe.lastIndexOf("."), probe.lastIndexOf("["));
      if (cut <= 0) break;
      probe = probe.slice(0, cut);
    }
    return null;
  }

  function input(path, kind, value, labelText, hint) {
    const id = uid("wf");
    const error = h("p", { class: "field-error", id: `${id}-error`, hidden: true });
    const attrs = { id, name: path, dataset: { path }, autocomplete: "off",
      "aria-describedby": `${id}-error${hint ? ` ${id}-hint` : ""}` };
    let control;
    if (kind === "lines") {
      control = h("textarea", { ...attrs, rows: "3", value: (value || []).map(lineOf).join("\n") });
    } else if (kind === "count") {
      control = h("input", { ...attrs, type: "text", inputmode: "numeric",
        value: value === undefined ? "" : String(value) });
    } else {
      control = h("input", { ...attrs, type: "text",
        value: Array.isArray(value) ? value.join(", ") : value === undefined || value === null ? "" : String(value) });
    }
    const read = () => readValue(kind, control.value, value);
    fields.set(path, { input: control, error, read });
    return h("div", { class: "field" }, h("label", { for: id, text: labelText }), control,
      hint ? h("p", { class: "hint muted", id: `${id}-hint`, text: hint }) : null, error);
  }

  function scopeSection(prefix, scope, title) {
    const steps = Array.isArray(scope.steps) ? scope.steps : [];
    const channels = scope.channels && typeof scope.channels === "object" ? scope.channels : {};
    return h("section", { class: "card wf-brand", dataset: { brand: scope.name || "default" } },
      h("h2", { text: title ? t("wfadmin.brand", { brand: title }) : t("wfadmin.workflow") }),
      h("h3", { text: t("wfadmin.steps") }),
      steps.map((step, i) => stepFields(`${prefix}steps[${i}]`, step)),
      input(`${prefix}reason_labels`, LIST, scope.reason_labels || [], t("wfadmin.reasonLabels"),
        t("wfadmin.listHint")),
      h("h3", { text: t("wfadmin.channels") }),
      Object.entries(channels).map(([name, channel]) => channelFields(`${prefix}channels.${name}`, name, channel)));
  }

  function stepFields(path, step) {
    const when = step.when || {};
    return h("fieldset", { class: "wf-step", dataset: { step: step.name || "" } },
      h("legend", { text: t("wfadmin.step", { step: step.label || step.name || "" }) }),
      STEP_FIELDS.filter(([key]) => key in step || key !== "reviewer_group")
        .map(([key, kind]) => input(`${path}.${key}`, kind, step[key], t(`wfadmin.field.${key}`),
          kind === LIST ? t("wfadmin.listHint") : null)),
      input(`${path}.when.keywords`, LIST, when.keywords || [], t("wfadmin.field.keywords"), t("wfadmin.whenHint")),
      input(`${path}.when.channels`, LIST, when.channels || [], t("wfadmin.field.whenChannels"), t("wfadmin.listHint")),
      input(`${path}.checklist`, "lines", step.checklist || [], t("wfadmin.field.checklist"), t("wfadmin.checklistHint")));
  }

  function channelFields(path, name, channel) {
    const settings = Object.entries(channel || {}).filter(([key, value]) =>
      key !== "type" && (typeof value === "string" || typeof value === "number"));
    return h("fieldset", { class: "wf-channel", dataset: { channel: name } },
      h("legend", { text: `${name} (${channelType(channel && channel.type)})` }),
      settings.map(([key, value]) => input(`${path}.${key}`, typeof value === "number" ? "count" : "text",
        value, key, null)));
  }

  function tomlBox() {
    const id = uid("wf-toml");
    const text = h("textarea", { id, class: "wf-toml", rows: "16", spellcheck: "false", value: current.toml || "" });
    const file = h("input", { type: "file", accept: ".toml,text/plain", "aria-label": t("wfadmin.tomlFile") });
    file.addEventListener("change", async () => {
      if (file.files && file.files[0]) text.value = await file.files[0].text();
    });
    const importButton = h("button", { type: "button", class: "btn wf-import", text: t("wfadmin.import") });
    importButton.addEventListener("click", () => send(importButton, { version: current.version, toml: text.value }));
    const download = h("button", { type: "button", class: "btn", text: t("wfadmin.download") });
    download.addEventListener("click", () => {
      const url = URL.createObjectURL(new Blob([current.toml || ""], { type: "application/toml" }));
      const link = h("a", { href: url, download: `workflow-v${current.version}.toml` });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    });
    return h("section", { class: "card wf-toml-box" },
      h("h2", { text: t("wfadmin.toml") }),
      h("p", { class: "muted", text: t("wfadmin.tomlIntro") }),
      h("label", { for: id, text: t("wfadmin.tomlLabel") }), text,
      h("div", { class: "actions" }, file, importButton, download));
  }

  function versionList(list) {
    return h("section", { class: "card wf-versions" },
      h("h2", { text: t("wfadmin.versions") }),
      h("ol", { class: "wf-version-list", reversed: true }, list.map((v) =>
        h("li", { class: "wf-version", dataset: { version: String(v.version) } },
          h("strong", { text: t("wfadmin.versionLine", { version: v.version, by: v.saved_by,
            at: dateTime(v.saved_at, ctx.me.timezone) }) }),
          (v.changes || []).length ? h("ul", { class: "wf-changes" }, v.changes.map((c) =>
            h("li", { text: changeText(c) }))) : null))));
  }
}

function changeText(change) {
  if (change.kind === "added") return t("wfadmin.change.added", { path: change.path, value: change.new || "" });
  if (change.kind === "removed") return t("wfadmin.change.removed", { path: change.path });
  return t("wfadmin.change.changed", { path: change.path, old: change.old, new: change.new });
}

// A checklist item as one line: "id | label (de) | label (en) | optional".
function lineOf(item) {
  const label = item.label || {};
  return [item.id, label.de || "", label.en || ""].join(" | ") + (item.required === false ? " | optional" : "");
}

function readValue(kind, raw, original) {
  const text = String(raw || "").trim();
  if (kind === LIST) return text ? text.split(/[,\n]/).map((part) => part.trim()).filter(Boolean) : [];
  if (kind === "lines") {
    return text.split("\n").map((line) => line.trim()).filter(Boolean).map((line) => {
      const [id, de, en, optional] = line.split("|").map((part) => part.trim());
      const item = { id: id || "", label: { de: de || "", en: en || de || "" } };
      if (optional && /^(optional|optional\.)$/i.test(optional)) item.required = false;
      return item;
    });
  }
  if (kind === "count") {
    if (!text) return undefined;
    if (text === "all") return "all";
    const number = Number(text);
    // Not a number: sent as typed, so the server names the field.
    return Number.isFinite(number) ? number : text;
  }
  if (!text && (original === undefined || original === null)) return undefined;
  return text;
}

// Set a value at a key path of the file ("brands[0].steps[1].when.keywords"); undefined removes
// the key (the file leaves it out), an empty when-rule is dropped.
function setAt(root, path, value) {
  const parts = [];
  for (const piece of path.split(".")) {
    const match = piece.match(/^([^[]+)((?:\[\d+\])*)$/);
    parts.push(match[1]);
    for (const index of match[2].matchAll(/\[(\d+)\]/g)) parts.push(Number(index[1]));
  }
  let node = root;
  for (let i = 0; i < parts.length - 1; i += 1) {
    const key = parts[i];
    if (node[key] === undefined || node[key] === null) {
      if (value === undefined || (Array.isArray(value) && !value.length)) return;
      node[key] = typeof parts[i + 1] === "number" ? [] : {};
    }
    node = node[key];
  }
  const last = parts[parts.length - 1];
  // An empty list where the file had none stays out (no change to record).
  if (Array.isArray(value) && !value.length && !(last in node)) return;
  if (value === undefined) delete node[last];
  else node[last] = value;
}
