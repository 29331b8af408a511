// A post's conversation on the networks: the replies and mentions read there and the answers
// written under it (GET /api/posts/{id} -> conversation), oldest first. Every string is text.

import { h } from "./dom.js";
import { t } from "./i18n.js";
import { dateTime } from "./format.js";

function safeUrl(url) {
  return typeof url === "string" && /^https?:\/\//.test(url) ? url : null;
}

function entry(item) {
  const answer = item.kind === "answer";
  const url = safeUrl(item.url);
  const status = answer ? t(`status.${item.status}`) : t(`conversation.status.${item.status}`);
  return h("li", { class: `conversation-entry ${answer ? "conversation-answer" : "conversation-incoming"}`,
                   dataset: { kind: item.kind, status: item.status || "" } },
    h("div", { class: "conversation-head" },
      h("strong", { text: answer ? t("conversation.answer", { author: item.author || "?" })
                                 : t("conversation.incoming", { author: item.author || "?" }) }),
      " · ", h("span", { class: "muted", text: item.channel || "" }),
      item.at ? [" · ", h("time", { datetime: item.at, text: dateTime(item.at) })] : null,
      " · ", h("span", { class: "conversation-status", text: status })),
    h("p", { class: "conversation-text", text: item.text || "" }),
    url ? h("a", { href: url, rel: "noopener noreferrer", target: "_blank",
                   text: t("conversation.open", { channel: item.channel || "" }) }) : null);
}

// The section's body, or null for a post without a conversation.
export function conversationList(post) {
  const items = Array.isArray(post.conversation) ? post.conversation : [];
  if (!items.length) return null;
  return h("ol", { class: "conversation" }, items.map(entry));
}
