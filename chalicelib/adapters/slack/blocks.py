"""Every Block Kit payload Freigabe sends, built from slack_sdk's models so Slack's limits are
checked here rather than discovered as `invalid_blocks` in production.

Anything a person typed (post text, title, names, comments, errors from networks) goes
through `escape` and into mrkdwn objects marked `verbatim`, so `<!channel>`, `<@U123>` or
`<https://evil.example|bank>` in a draft show literally instead of pinging or disguising a link.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    CheckboxesElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    ImageBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    StaticMultiSelectElement,
)
from slack_sdk.models.views import View

from chalicelib.adapters.slack.codec import PublicationTarget, ReviewTarget
from chalicelib.adapters.slack.files import ShownImage
from chalicelib.adapters.slack.texts import status_name, tr, when
from chalicelib.domain.content import Content
from chalicelib.domain.diff import content_changes, word_diff
from chalicelib.domain.limits import x_has_url
from chalicelib.domain.media import image_changes
from chalicelib.domain.post import Post, Step
from chalicelib.domain.pricing import usd
from chalicelib.domain.serialize import parse_time
from chalicelib.domain.workflow import ChecklistItem, Workflow

APPROVE = "freigabe_approve"
REQUEST_CHANGES = "freigabe_request_changes"
REJECT = "freigabe_reject"
DECISION_ACTIONS = {APPROVE: "approve", REQUEST_CHANGES: "request_changes", REJECT: "reject"}
RETRY = "freigabe_retry"
MARK_PUBLISHED = "freigabe_mark_published"
DECISION_MODAL = "freigabe_decision"
REVIEW = "freigabe_review"  # opens REVIEW_MODAL: the whole content, then Approve
REVIEW_MODAL = "freigabe_review_modal"
COMMENT_BLOCK = "comment"
COMMENT_ACTION = "comment"
HOLD = "freigabe_hold"  # opens DECISION_MODAL for a reason; the modal's submit holds
RELEASE = "freigabe_release"
LABELS_BLOCK = LABELS_ACTION = "labels"
QUOTE_BLOCK = QUOTE_ACTION = "quote"
CHECKLIST_BLOCK = CHECKLIST_ACTION = "checklist"

SECTION_LIMIT = 3000
MESSAGE_BLOCKS = 50
MODAL_BLOCKS = 100
HOME_BLOCKS = 100
IMAGE_ALT_LIMIT = 2000  # an image block's alt_text
HOME_ITEMS = 20
SLACK_ID = re.compile(r"^[UWBS][A-Z0-9]{2,20}$")
SAFE_URL = re.compile(r"^https?://[^\s<>|]+$")

Blocks = list[dict[str, Any]]


def escape(text: str) -> str:
    """Slack's three control characters; nothing else needs escaping in mrkdwn."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def chunks(raw: str, limit: int, max_chunks: int) -> tuple[list[str], int]:
    """The escaped text in pieces of at most ``limit`` characters (never splitting an
    entity), and how many raw characters did not fit into ``max_chunks`` pieces."""
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    for index, char in enumerate(raw):
        escaped = escape(char)
        if size + len(escaped) > limit:
            pieces.append("".join(current))
            if len(pieces) == max_chunks:
                return pieces, len(raw) - index
            current, size = [], 0
        current.append(escaped)
        size += len(escaped)
    if current or not pieces:
        pieces.append("".join(current))
    return pieces, 0


def clip(raw: str, limit: int) -> str:
    """Escaped and cut to fit ``limit`` characters, with an ellipsis when cut."""
    pieces, rest = chunks(raw, limit - 1, 1)
    return pieces[0] + ("…" if rest else "")


def mention(user_id: str) -> str:
    """A Slack user as a mention; a link step's reviewer (``external:<name>``) by name."""
    if SLACK_ID.match(user_id):
        return f"<@{user_id}>"
    return escape(user_id.removeprefix("external:"))


def link(url: str | None, label: str) -> str:
    if url and SAFE_URL.match(url):
        return f"<{url}|{escape(label)}>"
    return escape(label)


def title_of(post: Post) -> str:
    """What people call the post: its title, else the start of its text (raw, unescaped)."""
    if post.content.title.strip():
        return post.content.title.strip()
    first = post.content.text.strip().splitlines()[0] if post.content.text.strip() else post.id
    return first if len(first) <= 60 else first[:59] + "…"


def _md(text: str) -> MarkdownTextObject:
    return MarkdownTextObject(text=text or " ", verbatim=True)


def _section(text: str) -> SectionBlock:
    return SectionBlock(text=_md(text))


def _context(text: str) -> ContextBlock:
    return ContextBlock(elements=[_md(text)])


def _dicts(blocks: list[Block]) -> Blocks:
    return [block.to_dict() for block in blocks]


def decision_buttons(post: Post, step: Step, lang: str, shown_in_full: bool = True,
                     approve: bool = True, hold_only: bool = False) -> ActionsBlock:
    """Approve binds to the whole content hash, so it stands only under the whole content;
    elsewhere Review opens a modal that shows everything before it approves. Without
    ``approve`` (an image could not be shown) neither is offered. Hold stands beside them, and
    alone (``hold_only``) under a step that approved while the post may still be held; Release
    wherever a hold on this step stands."""
    value = ReviewTarget(post.id, step.name, post.content_hash).encode()
    first = (ButtonElement(text=tr("approve", lang), action_id=APPROVE, value=value, style="primary")
             if shown_in_full else
             ButtonElement(text=tr("review", lang), action_id=REVIEW, value=value, style="primary"))
    decisions = [] if hold_only else [
        *([first] if approve else []),
        ButtonElement(text=tr("request_changes", lang), action_id=REQUEST_CHANGES, value=value),
        ButtonElement(text=tr("reject", lang), action_id=REJECT, value=value, style="danger"),
    ]
    held = any(hold.step == step.name for hold in holds_of(post))
    return ActionsBlock(block_id=f"freigabe:{post.id}:{step.name}"[:255], elements=[
        *decisions,
        ButtonElement(text=tr("hold", lang), action_id=HOLD, value=value),
        *([ButtonElement(text=tr("release", lang), action_id=RELEASE, value=value)] if held else []),
    ])


def holds_of(post: Post) -> list[Any]:
    """The post's standing holds (posts stored before holds existed have none)."""
    return list(getattr(post, "holds", None) or [])


def hold_lines(post: Post, step_name: str | None, lang: str) -> list[str]:
    """"On hold: <reason> — <who>" for each standing hold (of one step, or of all)."""
    return [with_mention("on_hold_line", lang, hold.by, reason=hold.reason[:1000])
            for hold in holds_of(post) if step_name is None or hold.step == step_name]


# -- images -----------------------------------------------------------------------------------


def shown_images(post: Post, images: Sequence[ShownImage] | None) -> list[ShownImage]:
    """The images a message shows; none given means none could be shown."""
    if images is None:
        return [ShownImage(image, None) for image in post.content.media]
    return list(images)


def image_blocks(images: Sequence[ShownImage], lang: str) -> list[Block]:
    """Each image in order (a Slack file, never a public URL) under its alt text, which
    reviewers judge too; an image that could not be shown says so in its place."""
    blocks: list[Block] = []
    for position, item in enumerate(images, start=1):
        title = tr("image_title", lang, n=position)
        alt = item.image.alt.strip()
        if item.file_id:
            blocks.append(ImageBlock(slack_file={"id": item.file_id}, title=title,
                                     alt_text=clip(alt, IMAGE_ALT_LIMIT) if alt
                                     else tr("image_no_alt", lang)))
        else:
            blocks.append(_section(escape(tr("image_not_shown", lang, n=position))))
        marker = "\x00"
        said = (escape(tr("image_alt", lang, alt=marker)).replace(marker, clip(alt, 1900)) if alt
                else f"_{escape(tr('image_no_alt', lang))}_")
        blocks.append(_context(f"*{escape(title)}* · {said}"))
    return blocks


def image_change_lines(before: Content, after: Content, lang: str) -> list[str]:
    """What changed among the images, in the reader's language (escaped)."""
    said = []
    for change in image_changes(before.media, after.media):
        found = re.fullmatch(r"image (\d+) (added|removed|replaced|alt text changed)", change)
        if found:
            kind = {"alt text changed": "alt"}.get(found.group(2), found.group(2))
            said.append(tr(f"image_changed_{kind}", lang, n=found.group(1)))
        elif change == "images reordered":
            said.append(tr("images_reordered", lang))
        else:
            said.append(change)
    return [escape(line) for line in said]


# -- review requests --------------------------------------------------------------------------


def publish_time(post: Post, workflow: Workflow, lang: str) -> str:
    return when(post.publish_at, workflow.timezone, lang) if post.publish_at else tr("asap", lang)


def reasons_text(reasons: list[str], lang: str) -> str:
    said = []
    for reason in reasons:
        kind, _, value = reason.partition(":")
        key = {"keyword": "reason_keyword", "channel": "reason_channel"}.get(kind, "reason_always")
        said.append(tr(key, lang, value=value))
    return ", ".join(said) or tr("reason_always", lang)


def changes_blocks(seen: dict[str, Any] | None, content: Content, lang: str) -> list[Block]:
    """What changed since the version this step last reviewed: the fields, each changed text
    as a word-level diff (added words bold, removed ones struck through), the channels, and
    each image change."""
    if not seen:
        return []
    previous = Content.from_dict(seen)
    fields = previous.changed_fields(content)
    if not fields:
        return []
    names = ", ".join(tr(f"field_{name}", lang) for name in fields)
    lines = [f"*{escape(tr('changed_since', lang, fields=names))}*",
             f"_{escape(tr('diff_legend', lang))}_"]
    if "media" in fields:
        lines.append(f"_{escape(tr('field_media', lang))}_: "
                     + "; ".join(image_change_lines(previous, content, lang)))
    if "channels" in fields:
        lines.append(f"_{escape(tr('field_channels', lang))}_: "
                     + diff_mrkdwn(word_diff(", ".join(previous.channels), ", ".join(content.channels)), 300))
    changes = content_changes(previous, content)
    texts = [change for change in changes.get("texts") or [] if change.get("changed")]
    budget = max(200, (SECTION_LIMIT - 600) // max(1, min(len(texts), 4)))
    for change in texts[:4]:
        field_name = str(change.get("field") or "")
        if field_name.startswith("variant:"):
            label = tr("text_for", lang, channels=field_name.removeprefix("variant:"))
        else:
            label = tr("title" if field_name == "title" else "field_text", lang)
        lines.append(f"_{escape(label)}_\n{diff_mrkdwn(change.get('diff') or [], budget)}")
    return [_section(clip_md("\n".join(lines)))]


def _marked(text: str, marker: str) -> str:
    """Escaped text in mrkdwn ``marker``s, line by line and without the whitespace at either
    end (Slack formats ``*word*``, not ``* word *``)."""
    out = []
    for line in text.split("\n"):
        core = line.strip()
        if not core:
            out.append(line)
            continue
        lead = line[: len(line) - len(line.lstrip())]
        trail = line[len(line.rstrip()):]
        out.append(f"{lead}{marker}{escape(core).replace(marker, ' ')}{marker}{trail}")
    return "\n".join(out)


def diff_mrkdwn(ops: Sequence[Sequence[str]], limit: int, context: int = 60) -> str:
    """A word diff as mrkdwn: added runs bold, removed ones struck through, long unchanged runs
    cut to ``context`` characters either side of a change; at most about ``limit`` characters."""
    runs: list[list[str]] = []
    for kind, token in ops:
        if runs and runs[-1][0] == kind:
            runs[-1][1] += token
        else:
            runs.append([str(kind), str(token)])
    out: list[str] = []
    size = 0
    previous = "same"
    for index, (kind, text) in enumerate(runs):
        if kind != "same" and previous != "same":
            out.append(" ")  # "~old~ *new*": Slack formats neither when they touch
        if kind == "same":
            first, last = index == 0, index == len(runs) - 1
            if len(text) > 2 * context:
                head = "" if first else text[:context]
                tail = "" if last else text[-context:]
                text = head + " … " + tail
            piece = escape(text)
        else:
            piece = _marked(text, "*" if kind == "added" else "~")
        if size + len(piece) > limit:
            out.append(" …")
            break
        out.append(piece)
        size += len(piece)
        previous = kind
    return "".join(out)


def clip_md(text: str) -> str:
    """Already-escaped mrkdwn cut to a section's limit."""
    return text if len(text) <= SECTION_LIMIT else text[: SECTION_LIMIT - 1] + "…"


def text_groups(content: Content) -> dict[str, list[str]]:
    """Each distinct text that goes out, with the channels that publish it."""
    groups: dict[str, list[str]] = {}
    for channel in content.channels:
        groups.setdefault(content.text_for(channel), []).append(channel)
    return groups


def text_blocks(content: Content, lang: str, budget: int) -> tuple[list[Block], bool]:
    """The text each channel publishes, channels with the same text together, and whether
    any of it had to be cut to fit ``budget`` blocks."""
    groups = text_groups(content)
    per_group = max(1, budget // max(1, len(groups)))
    blocks: list[Block] = []
    cut = False
    for text, channels in groups.items():
        label = f"*{escape(tr('text_for', lang, channels=', '.join(channels)))}*\n"
        pieces, rest = chunks(text, SECTION_LIMIT - len(label) - 80, per_group)
        cut = cut or rest > 0
        for index, piece in enumerate(pieces):
            shown = (label if index == 0 else "") + piece
            if rest and index == len(pieces) - 1:
                shown += "\n" + escape(tr("truncated", lang, count=rest))
            blocks.append(_section(shown))
    return blocks, cut


@dataclass(frozen=True)
class RequestState:
    """What the request message shows besides the post: open buttons, a decision, or why it
    closed."""

    buttons: bool = True
    lines: tuple[str, ...] = ()  # already escaped mrkdwn
    hold_only: bool = False  # closed for decisions, but the post can still be held


def review_request(post: Post, step: Step, workflow: Workflow, lang: str,
                   state: RequestState = RequestState(), with_text: bool = True,
                   seen: dict[str, Any] | None = None,
                   images: Sequence[ShownImage] | None = None) -> tuple[str, Blocks]:
    """The request a step's reviewers decide on; ``seen`` is the content the step last
    reviewed, for "what changed since"; ``images`` the post's images as Slack can show them
    (not given: none could be shown, so there is no Approve)."""
    title = title_of(post)
    blocks: list[Block] = [HeaderBlock(text=clip(tr("request_header", lang, step=step.label), 150))]
    if post.content.title.strip():
        blocks.append(_section(f"*{clip(post.content.title, 2900)}*"))
    blocks.append(SectionBlock(fields=[
        _md(f"*{tr('author', lang)}*\n{clip(post.author_name, 900)} ({clip(post.author, 900)})"),
        _md(f"*{tr('channels', lang)}*\n{clip(', '.join(post.content.channels), 1400)}"
            + "".join(f"\n_{escape(line)}_" for line in x_cost_lines(post, workflow, lang))),
        _md(f"*{tr('publish_at', lang)}*\n{escape(publish_time(post, workflow, lang))}"),
        _md(f"*{tr('why', lang)}*\n{clip(reasons_text(step.reasons, lang), 1900)}"),
    ]))
    if with_text:
        blocks += changes_blocks(seen, post.content, lang)
    blocks.append(_context(escape(tr("post_ref", lang, post=post.id, hash=post.content_hash[:8]))))
    said = [*state.lines, *hold_lines(post, step.name, lang)]
    tail: list[Block] = [_section(clip_md("\n".join(said)))] if said else []
    shown = shown_images(post, images)
    all_shown = all(item.file_id for item in shown)
    if with_text:
        pictures = image_blocks(shown, lang)
        # room for the buttons and the note that replaces Approve when the text is cut
        budget = MESSAGE_BLOCKS - len(blocks) - len(pictures) - len(tail) - 3
        texts, cut = text_blocks(post.content, lang, budget)
        blocks[-1:-1] = [*texts, *pictures]
        if not all_shown and state.buttons:
            tail.append(_context(escape(tr("images_not_shown", lang))))
        elif cut and state.buttons:
            tail.append(_context(escape(tr("review_in_modal", lang))))
    if getattr(step, "kind", "slack") == "link":
        # Decided outside Slack, by whoever holds the step's signed link: nothing to click here.
        if state.buttons:
            tail.append(_context(escape(tr("link_step_note", lang))))
    elif state.buttons:
        tail.append(decision_buttons(post, step, lang, shown_in_full=with_text and not cut,
                                     approve=all_shown))
    elif state.hold_only:
        tail.append(decision_buttons(post, step, lang, hold_only=True))
    blocks += tail
    fallback = escape(tr("request_fallback", lang, step=step.label, title=title))
    return fallback, _dicts(blocks)


def x_cost_lines(post: Post, workflow: Workflow, lang: str) -> list[str]:
    """What publishing costs on each X channel of the post (X bills each post request;
    domain/pricing.py), so reviewers see that a link makes it dearer."""
    lines: list[str] = []
    for channel in post.content.channels:
        costing = workflow.x_costing(channel)
        if costing is None:
            continue
        text = post.content.text_for(channel)
        lines.append(tr("x_cost_url" if x_has_url(text) else "x_cost", lang, channel=channel,
                        cost=usd(costing.prices.cost(text))))
    return lines


def decision_line(decision: str, reviewer_id: str, at: datetime, comment: str,
                  workflow: Workflow, lang: str, *, labels: Sequence[str] = (),
                  quote: str | None = None, checklist: Sequence[str] = (),
                  step: str | None = None, as_deputy_for: str | None = None) -> tuple[str, ...]:
    """Who decided what and when (a deputy: for whom), with the reasons, the quoted sentence
    and the ticked checklist items (in the reader's language) the decision carries."""
    who = as_deputy(reviewer_id, as_deputy_for, lang) if as_deputy_for else mention(reviewer_id)
    line = tr(f"decided_{decision}", lang, who=who,
              when=escape(when(at, workflow.timezone, lang)))
    lines = [line, *detail_lines(workflow, lang, labels=labels, quote=quote, checklist=checklist,
                                 step=step)]
    if comment.strip():
        lines.append(f"*{escape(tr('comment', lang))}:* {clip(comment, 2000)}")
    return tuple(lines)


def checklist_items(workflow: Workflow, step: str | None) -> tuple[ChecklistItem, ...]:
    rule = next((r for r in workflow.steps if r.name == step), None)
    return tuple(getattr(rule, "checklist", ()) or ())


def detail_lines(workflow: Workflow, lang: str, *, labels: Sequence[str] = (),
                 quote: str | None = None, checklist: Sequence[str] = (),
                 step: str | None = None) -> list[str]:
    lines = []
    if labels:
        lines.append(escape(tr("labels_line", lang, labels=", ".join(labels)))[:1000])
    if quote and quote.strip():
        lines.append(f"*{escape(tr('quote_line', lang))}:* „{clip(quote, 900)}“")
    if checklist:
        names = {item.id: item.label_in(lang) for item in checklist_items(workflow, step)}
        ticked = ", ".join("☑ " + names.get(item, item) for item in checklist)
        lines.append(escape(tr("checklist_line", lang, items=ticked))[:1500])
    return lines


def approvals_line(approvers: list[str], required: int, lang: str) -> str:
    marker = "\x00"
    text = escape(tr("approvals_so_far", lang, count=len(approvers), required=required, who=marker))
    return text.replace(marker, ", ".join(mention(a) for a in approvers))


def as_deputy(deputy_id: str, reviewer_id: str, lang: str) -> str:
    """"<@deputy> as deputy for <@reviewer>", escaped around the mentions."""
    return escape(tr("decided_as_deputy", lang, deputy="\x00", reviewer="\x01")
                  ).replace("\x00", mention(deputy_id)).replace("\x01", mention(reviewer_id))


def with_mention(key: str, lang: str, user_id: str, **params: str) -> str:
    """A catalogue text, escaped, with a real mention of ``user_id`` where it says {who}."""
    marker = "\x00"
    return escape(tr(key, lang, who=marker, **params)).replace(marker, mention(user_id))


def voided_line(reason: str, lang: str) -> tuple[str, ...]:
    key = f"voided_{reason}"
    return (escape(tr(key if key in _VOIDED else "voided_other", lang)),)


_VOIDED = {"voided_edited", "voided_withdrawn", "voided_request_changes", "voided_reject",
           "voided_duplicate"}


# -- the modal --------------------------------------------------------------------------------


def decision_modal(post: Post, step: Step, decision: str, lang: str, metadata: str,
                   workflow: Workflow | None = None) -> dict[str, Any]:
    """Request changes and Reject: the comment, the workflow's reason labels (required when it
    has any) and optionally the sentence meant; Hold: its reason; Approve: the step's
    checklist (required items marked; the domain checks them). Submitting decides."""
    blocks: list[Block] = [_section(clip(tr("modal_intro", lang, step=step.label,
                                            title=title_of(post)), 2900))]
    labels = tuple(getattr(workflow, "reason_labels", ()) or ()) if workflow else ()
    if decision in ("request_changes", "reject") and labels:
        blocks.append(InputBlock(
            block_id=LABELS_BLOCK, label=tr("modal_labels", lang),
            element=StaticMultiSelectElement(action_id=LABELS_ACTION, options=[
                Option(value=label[:150], text=PlainTextObject(text=label[:75])) for label in labels[:100]])))
    if decision == "approve":
        items = checklist_items(workflow, step.name) if workflow else ()
        if items:
            blocks.append(checklist_block(items, lang))
    else:
        label_key = {"reject": "modal_comment_reject", "hold": "modal_hold_reason"}.get(
            decision, "modal_comment")
        blocks.append(InputBlock(block_id=COMMENT_BLOCK, label=tr(label_key, lang),
                                 hint=tr("modal_hold_hint", lang) if decision == "hold" else None,
                                 element=PlainTextInputElement(action_id=COMMENT_ACTION,
                                                               multiline=True, max_length=3000)))
    if decision in ("request_changes", "reject"):
        blocks.append(InputBlock(block_id=QUOTE_BLOCK, label=tr("modal_quote", lang), optional=True,
                                 element=PlainTextInputElement(action_id=QUOTE_ACTION, max_length=3000)))
    view = View(
        type="modal",
        callback_id=DECISION_MODAL,
        title=PlainTextObject(text=tr(f"modal_title_{decision}", lang)[:24]),
        submit=PlainTextObject(text=tr("approve" if decision == "approve" else "modal_submit", lang)),
        close=PlainTextObject(text=tr("modal_close", lang)),
        private_metadata=metadata,
        blocks=blocks,
    )
    return view.to_dict()


OPTION_TEXT_LIMIT = 75  # an option's text and its description each


def split_words(text: str, limit: int, ellipsis: bool = False) -> tuple[str, str]:
    """``text`` cut at the last space within ``limit`` characters, and what is left (with
    ``ellipsis``: the head ends in "…" when something is left)."""
    if len(text) <= limit:
        return text, ""
    room = limit - 1 if ellipsis else limit
    cut = text.rfind(" ", 0, room + 1)
    cut = cut if cut > 0 else room
    opened = text.rfind(" (", 0, cut)
    if opened > 0 and text.find(")", opened, cut) < 0:
        cut = opened  # keep a parenthesis such as "(§ 5a UWG, …)" together
    head, rest = text[:cut].rstrip(), text[cut:].strip()
    return (head + "…" if ellipsis else head), rest


def checklist_block(items: Sequence[ChecklistItem], lang: str) -> InputBlock:
    """The checklist as checkboxes in the reader's language, each marked required or optional.
    Slack's client can only insist on one tick, so it does where any item is required; which
    ticks are enough is the domain's to say, and its answer is shown under this block."""
    options = []
    for item in items[:10]:
        mark = tr("checklist_required" if item.required else "checklist_optional", lang)
        head, rest = split_words(item.label_in(lang), OPTION_TEXT_LIMIT)
        if rest:
            rest, _ = split_words(rest, OPTION_TEXT_LIMIT - len(mark) - 4, ellipsis=True)
        options.append(Option(value=item.id[:150], text=PlainTextObject(text=head),
                              description=PlainTextObject(text=f"{rest} · {mark}" if rest else mark)))
    return InputBlock(block_id=CHECKLIST_BLOCK, label=tr("modal_checklist", lang),
                      optional=not any(item.required for item in items),
                      hint=tr("modal_checklist_hint", lang),
                      element=CheckboxesElement(action_id=CHECKLIST_ACTION, options=options))


def review_modal(post: Post, step: Step, workflow: Workflow, lang: str,
                 metadata: str, images: Sequence[ShownImage] | None = None) -> dict[str, Any]:
    """Everything the approval binds to, in full: title, channels, publish time, every
    distinct channel text and every image with its alt text. Submitting approves; content too
    long to show, or an image that could not be shown, leaves no submit."""
    blocks: list[Block] = [_section(clip(tr("modal_intro", lang, step=step.label,
                                            title=title_of(post)), 2900))]
    if post.content.title.strip():
        title = f"*{escape(tr('title', lang))}*\n"
        blocks += [_section((title if i == 0 else "") + piece) for i, piece in
                   enumerate(chunks(post.content.title, SECTION_LIMIT - len(title), 1000)[0])]
    blocks.append(SectionBlock(fields=[
        _md(f"*{tr('channels', lang)}*\n{clip(', '.join(post.content.channels), 1900)}"),
        _md(f"*{tr('publish_at', lang)}*\n{escape(publish_time(post, workflow, lang))}"),
    ]))
    for text, channels in text_groups(post.content).items():
        label = f"*{escape(tr('text_for', lang, channels=', '.join(channels)))}*\n"
        pieces, _ = chunks(text, SECTION_LIMIT - len(label), 10_000)
        blocks += [_section((label if i == 0 else "") + piece) for i, piece in enumerate(pieces)]
    shown = shown_images(post, images)
    blocks += image_blocks(shown, lang)
    blocks.append(_context(escape(tr("post_ref", lang, post=post.id, hash=post.content_hash[:8]))))
    items = checklist_items(workflow, step.name)
    fits = len(blocks) + (1 if items else 0) <= MODAL_BLOCKS
    if not fits:
        blocks = [*blocks[:MODAL_BLOCKS - 1], _section(escape(tr("too_long_for_slack", lang)))]
    elif not all(item.file_id for item in shown):
        fits = False
        blocks[-1:-1] = [_context(escape(tr("images_not_shown", lang)))]
        blocks = blocks[:MODAL_BLOCKS]
    elif items:  # ticked with the approval this modal submits
        blocks.append(checklist_block(items, lang))
    view = View(
        type="modal",
        callback_id=REVIEW_MODAL,
        title=PlainTextObject(text=tr("review_title", lang)[:24]),
        submit=PlainTextObject(text=tr("approve", lang)) if fits else None,
        close=PlainTextObject(text=tr("modal_close", lang)),
        private_metadata=metadata,
        blocks=blocks,
    )
    return view.to_dict()


# -- App Home ---------------------------------------------------------------------------------


def due_lines(due: Sequence[tuple[Post, Step]], workflow: Workflow, lang: str,
              now: datetime) -> list[str]:
    """One line per review with a deadline, as given (soonest first), overdue ones marked."""
    lines = []
    for post, step in due:
        at = parse_time(getattr(step, "due_at", None))
        if at is None:
            continue
        mark = f" *{escape(tr('overdue_mark', lang))}*" if at <= now else ""
        lines.append(f"• *{clip(title_of(post), 200)}* ({escape(step.label)}) – "
                     f"{escape(tr('due_at', lang, when=when(at, workflow.timezone, lang)))}{mark}")
    return lines


def due_answer(due: Sequence[tuple[Post, Step]], workflow: Workflow, lang: str,
               now: datetime) -> tuple[str, Blocks]:
    """`/freigabe due`: the person's reviews with a deadline, soonest first."""
    lines = due_lines(due, workflow, lang, now)
    if not lines:
        return notice(escape(tr("due_empty", lang)))
    return notice(clip_md(f"*{escape(tr('due_header', lang))}*\n" + "\n".join(lines)))


def held_blocks(held: Sequence[Post], lang: str) -> list[Block]:
    """Posts on hold that the viewer may release: the holds, and Release per held step."""
    if not held:
        return []
    blocks: list[Block] = [HeaderBlock(text=tr("held_header", lang))]
    for post in held[:10]:
        steps = sorted({hold.step for hold in holds_of(post)})
        blocks.append(_section(clip_md(f"*{clip(title_of(post), 300)}*\n"
                                       + "\n".join(hold_lines(post, None, lang)))))
        blocks.append(ActionsBlock(block_id=f"held:{post.id}"[:255], elements=[
            ButtonElement(text=f"{tr('release', lang)} ({name})"[:75], action_id=RELEASE,
                          value=ReviewTarget(post.id, name, post.content_hash).encode())
            for name in steps[:5]]))
    return blocks


def home_view(items: list[tuple[Post, Step]], workflow: Workflow, lang: str,
              images: Mapping[str, Sequence[ShownImage]] | None = None, *,
              due: Sequence[tuple[Post, Step]] = (), held: Sequence[Post] = (),
              now: datetime | None = None,
              brands: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The viewer's reviews with a deadline (soonest first, overdue marked), posts on hold
    they may release, then their pending reviews, each with its images (``images``: post id ->
    the post's images as Slack can show them); as many as fit Slack's 100 blocks. ``brands``
    (brand -> label, given when there are several) puts each item's brand before its step."""
    blocks: list[Block] = []
    lines = due_lines(due, workflow, lang, now) if now else []
    if lines:
        blocks += [HeaderBlock(text=tr("due_header", lang)),
                   _section(clip_md("\n".join(lines))), DividerBlock()]
    blocks += held_blocks(held, lang)
    blocks.append(HeaderBlock(text=tr("home_header", lang)))
    if not items:
        blocks.append(_section(escape(tr("home_empty", lang))))
    listed = 0
    for post, step in items[:HOME_ITEMS]:
        pieces, rest = chunks(post.content.text, 2400, 1)
        text = pieces[0] + ("\n" + escape(tr("truncated", lang, count=rest)) if rest else "")
        shown = shown_images(post, (images or {}).get(post.id))
        item: list[Block] = [
            DividerBlock(),
            _section(f"{_brand_of(post, brands)}*{escape(step.label)}* · "
                     f"*{clip(title_of(post), 300)}*\n{text}"),
            *image_blocks(shown, lang),
            _context(f"{clip(post.author_name, 300)} · {clip(', '.join(post.content.channels), 500)} · "
                     f"{escape(publish_time(post, workflow, lang))}"),
            decision_buttons(post, step, lang, shown_in_full=False,
                             approve=all(picture.file_id for picture in shown)),
        ]
        if len(blocks) + len(item) + 1 > HOME_BLOCKS:  # one left for "and n more"
            break
        blocks += item
        listed += 1
    if len(items) > listed:
        blocks.append(_context(escape(tr("home_more", lang, count=len(items) - listed))))
    return View(type="home", blocks=blocks).to_dict()


def _brand_of(post: Post, brands: Mapping[str, str] | None) -> str:
    return f"*{clip(brands.get(post.brand, post.brand), 100)}* · " if brands else ""


# -- publication results, reminders, commands -------------------------------------------------


def results_message(post: Post, lang: str, retry_channels: list[str]) -> tuple[str, Blocks]:
    status = status_name(post.status.value, lang)
    lines = []
    for channel, result in post.results.items():
        said = tr(f"result_{result.status.value}", lang)
        detail = ""
        if result.url:
            detail = " – " + link(result.url, result.url)
        elif result.error:
            detail = " – " + clip(result.error, 300)
        lines.append(f"• *{escape(channel)}*: {escape(said)}{detail}")
    blocks: list[Block] = [
        _section(clip_md(f"*{escape(tr('results_header', lang, status=status))}*\n" + "\n".join(lines))),
    ]
    if retry_channels:
        value = PublicationTarget(post.id, tuple(retry_channels)).encode_all()
        elements = [ButtonElement(text=tr("retry", lang), action_id=RETRY, value=value,
                                  style="danger")]
        # An unknown result may well have gone out: an admin who checked the network can
        # say so instead of risking a second post with Retry.
        for channel in retry_channels:
            if post.results[channel].status.value == "unknown":
                mark = PublicationTarget(post.id, (channel,)).encode_one()
                elements.append(ButtonElement(
                    text=tr("mark_published", lang, channel=channel)[:75],
                    action_id=f"{MARK_PUBLISHED}:{channel}"[:255], value=mark))
        blocks += [
            ActionsBlock(block_id=f"retry:{post.id}"[:255], elements=elements[:25]),
            _context(escape(tr("retry_hint", lang))),
        ]
    fallback = escape(tr("dm_settled", lang, title=title_of(post), status=status))
    return fallback, _dicts(blocks)


def notice(text: str) -> tuple[str, Blocks]:
    """A short message whose only content is our own (already escaped) mrkdwn."""
    return text, _dicts([_section(clip_md(text))])


def status_answer(counts: dict[str, int], pause: dict[str, Any] | None, workflow: Workflow,
                  lang: str) -> tuple[str, Blocks]:
    rows = [f"• {escape(status_name(status, lang))}: *{count}*"
            for status, count in counts.items() if count]
    if pause:
        at = datetime.fromisoformat(str(pause["at"]))
        state = tr("status_paused", lang, when=escape(when(at, workflow.timezone, lang)),
                   who=mention(str(pause["by"])), reason=escape(str(pause["reason"])))
    else:
        state = escape(tr("status_running", lang))
    text = f"*{escape(tr('status_header', lang))}*\n" + ("\n".join(rows) or "–") + "\n\n" + state
    return notice(clip_md(text))


def queue_answer(posts: list[Post], workflow: Workflow, lang: str) -> tuple[str, Blocks]:
    if not posts:
        return notice(escape(tr("queue_empty", lang)))
    rows = [f"• {escape(publish_time(p, workflow, lang))} – *{clip(title_of(p), 200)}* "
            f"({clip(', '.join(p.content.channels), 200)})" for p in posts]
    return notice(clip_md(f"*{escape(tr('queue_header', lang))}*\n" + "\n".join(rows)))
