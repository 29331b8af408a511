// The evidence file legal keeps (docs/api.md "Evidence"): the signed JSON as a download and the
// printable view in a new tab. Both are fetched with the writer's identity (a plain link would
// not carry it) and handed to the browser as blobs.

import { evidenceFile } from "./api.js";
import { h, fill } from "./dom.js";
import { t } from "./i18n.js";
import { errorNotice } from "./ui.js";

export function evidencePanel(post) {
  const out = h("div", { class: "evidence-out", "aria-live": "polite" });
  const download = h("button", { type: "button", class: "btn btn-ghost", text: t("evidence.download") });
  const print = h("button", { type: "button", class: "btn btn-ghost", text: t("evidence.print") });

  async function fetched(kind, button) {
    button.disabled = true;
    try {
      return await evidenceFile(post.id, kind);
    } catch (err) {
      fill(out, errorNotice(err));
      return null;
    } finally {
      button.disabled = false;
    }
  }

  download.addEventListener("click", async () => {
    const blob = await fetched("json", download);
    if (!blob) return;
    const link = h("a", { href: URL.createObjectURL(blob), download: `freigabe-evidence-${post.id}.json` });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
  });
  print.addEventListener("click", async () => {
    // Opened before the fetch, so the browser counts it as the click's own window.
    const tab = window.open("", "_blank");
    const blob = await fetched("html", print);
    if (!blob) {
      tab?.close();
      return;
    }
    const url = URL.createObjectURL(new Blob([blob], { type: "text/html" }));
    if (tab) tab.location.href = url;
    else window.location.href = url;
  });
  return h("section", { class: "evidence", "aria-labelledby": "section-evidence" },
    h("h2", { id: "section-evidence", text: t("evidence.title") }),
    h("p", { class: "muted", text: t("evidence.explain") }),
    h("div", { class: "evidence-actions" }, download, print),
    out);
}
