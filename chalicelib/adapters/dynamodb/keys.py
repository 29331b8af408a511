"""The only place that spells the table's key attributes, prefixes and index names."""

from __future__ import annotations

PK = "PK"
SK = "SK"

GSI_DUE = "due"  # sparse: only scheduled posts carry it; sorted by publish time
GSI_DUE_PK = "due_pk"
GSI_DUE_SK = "due_sk"
GSI_AUTHOR = "by_author"  # an author's posts, newest first
GSI_AUTHOR_PK = "author_pk"
GSI_AUTHOR_SK = "author_sk"
GSI_CALENDAR = "calendar"  # posts with a publication time, bucketed by month
GSI_CALENDAR_PK = "calendar_pk"
GSI_CALENDAR_SK = "calendar_sk"

GSI_STATUS = "by_status"  # posts per status, most recently changed first
GSI_STATUS_PK = "status"
GSI_STATUS_SK = "status_sk"

DUE_PARTITION = "DUE"
POST_SK = "POST"
CONTROL_PK = "CONTROL"
# How many posts are in each status, kept by every save that changes a status (ADD) and
# recounted from the status index every 15 minutes (the reminders' schedule).
COUNTS_SK = "COUNTS"
PAUSE_SK = "PAUSE"
TICK_SK = "TICK"


POST_PREFIX = "POST#"


def post_pk(post_id: str) -> str:
    return f"{POST_PREFIX}{post_id}"


def post_id_of(pk: str) -> str:
    """The post id in a post partition's key (a stream record's)."""
    return pk.removeprefix(POST_PREFIX)


# One item per content version, keyed by its hash: steps refer to it instead of copying it.
# "CONTENT#" sorts before "EVENT#", so the timeline query starts after the versions.
CONTENT_PREFIX = "CONTENT#"
EVENT_PREFIX = "EVENT#"
OUTBOX_ATTR = "outbox"  # on an event item: the messages its change recorded
REF_PREFIX = "REF#"


def event_sk(seq: int) -> str:
    return f"{EVENT_PREFIX}{seq:06d}"


def content_sk(content_hash: str) -> str:
    return f"{CONTENT_PREFIX}{content_hash}"


def ref_sk(name: str) -> str:
    return f"{REF_PREFIX}{name}"


# An upload's record (services.ports.PostRepository.save_media), in its own partition.
MEDIA_SK = "MEDIA"


def media_pk(media_id: str) -> str:
    return f"MEDIA#{media_id}"


def author_pk(author: str) -> str:
    return f"AUTHOR#{author.lower()}"


def calendar_pk(month: str) -> str:
    """``month`` as ``YYYY-MM``."""
    return f"CAL#{month}"


# The publish worker's bookkeeping, outside the posts' partitions.
IDEMPOTENCY_PK = "IDEMPOTENCY#publish"  # Powertools idempotency records; their key is the SK


def send_pk(post_id: str) -> str:
    """The send ledger: one item per publication attempt whose request may have left."""
    return f"SEND#{post_id}"


def send_sk(channel: str, content_hash: str, attempt: int) -> str:
    return f"{channel}#{content_hash}#{attempt:04d}"


# Channels managed at run time (adapters/dynamodb/channels.py): the record and its change log
# in the channel's own partition; one pointer per channel and every channel's last publish
# result in the CHANNELS partition, so listing them is one query instead of a scan.
CHANNEL_SK = "CHANNEL"
CHANNEL_LOG_PREFIX = "LOG#"
CHANNELS_PK = "CHANNELS"
CHANNEL_NAME_PREFIX = "NAME#"
CHANNEL_RESULT_PREFIX = "RESULT#"


def channel_pk(name: str) -> str:
    return f"CHANNEL#{name}"


def channel_log_sk(at: str, seq: int) -> str:
    return f"{CHANNEL_LOG_PREFIX}{at}#{seq:06d}"


# What each X channel's posts cost per calendar month (adapters/dynamodb/x_spend.py): one
# item per channel and month, kept by conditional ADDs.
def x_spend_pk(channel: str) -> str:
    return f"XSPEND#{channel}"


def x_spend_sk(month: str) -> str:
    """``month`` as ``YYYY-MM`` in the workflow's time zone."""
    return f"MONTH#{month}"


# Analytics facts (adapters/dynamodb/stats.py): one small item per relevant timeline event in
# the partition of the event's UTC day, so a period reads only its days (one query each).
def stats_pk(day: str) -> str:
    """``day`` as ``YYYY-MM-DD`` (UTC)."""
    return f"STATS#{day}"


def stats_sk(brand: str, subject: str, key: str) -> str:
    """``subject``: a post id (or a conversation); ``key``: unique within it (an event's seq)."""
    return f"{brand}#{subject}#{key}"


# The workflow edited at run time (adapters/dynamodb/workflows.py): every saved version in one
# partition, and the current one's pointer (with a copy of its text, so reading it is one read).
WORKFLOW_PK = "WORKFLOW"
WORKFLOW_CURRENT_SK = "CURRENT"
WORKFLOW_VERSION_PREFIX = "V#"


def workflow_version_sk(number: int) -> str:
    return f"{WORKFLOW_VERSION_PREFIX}{number:05d}"


# Reviewers' absences (adapters/dynamodb/deputies.py): per reviewer, sorted by their end, and
# the same absence per deputy, so either side is one query.
def deputy_pk(reviewer: str) -> str:
    return f"DEPUTY#{reviewer}"


def covers_pk(deputy: str) -> str:
    return f"COVERS#{deputy}"


# Replies and mentions (adapters/dynamodb/conversations.py): one partition per conversation (a
# post, or a brand's inbox), a partition of the open items, a cursor per channel, and which post
# each of our network ids belongs to.
CONVERSATIONS_OPEN_PK = "CONVERSATIONS#OPEN"
CURSOR_SK = "READ"


def conversation_pk(conversation: str) -> str:
    return f"CONVERSATION#{conversation}"


def cursor_pk(channel: str) -> str:
    return f"CURSOR#{channel}"


def published_pk(channel: str) -> str:
    return f"PUBLISHED#{channel}"


# Connects under way and notices told once (adapters/oauth/states.py).
OAUTH_STATE_PREFIX = "OAUTH#"
OAUTH_STATE_SK = "STATE"
NOTICE_PREFIX = "NOTICE#"
NOTICE_SK = "NOTICE"
