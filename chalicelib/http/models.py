"""The writers' request bodies: one pydantic model each, used to validate requests and to
describe them in the OpenAPI document."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr

from chalicelib.domain.status import Status

STATUSES = tuple(status.value for status in Status)
Text = Annotated[StrictStr, Field(max_length=70000)]
ChannelName = Annotated[StrictStr, Field(max_length=40)]


class MediaItem(BaseModel):
    """One image of a post: a ready upload of the caller's (or one the post carries), by its id,
    with its alt text (each network's limit is checked per channel; this only bounds a body)."""

    model_config = ConfigDict(extra="forbid")
    id: Annotated[StrictStr, Field(max_length=100)]
    alt: Annotated[StrictStr, Field(max_length=10000)] = ""


# More than a post may carry, so that a few too many are told in words (writing.py) rather
# than as a field error; the bound keeps a body small.
MediaList = Annotated[list[MediaItem], Field(max_length=50)]


class PostCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: Text
    channels: Annotated[list[ChannelName], Field(max_length=20)]
    variants: dict[ChannelName, Text] | None = None
    publish_at: AwareDatetime | None = None
    title: Annotated[StrictStr, Field(max_length=1000)] | None = None
    submit: StrictBool = True
    media: MediaList = []
    brand: Annotated[StrictStr, Field(max_length=40)] | None = None  # needed with several


class PostPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: StrictInt
    text: Text | None = None
    channels: Annotated[list[ChannelName], Field(max_length=20)] | None = None
    variants: dict[ChannelName, Text] | None = None
    publish_at: AwareDatetime | None = None
    title: Annotated[StrictStr, Field(max_length=1000)] | None = None
    media: MediaList | None = None  # absent: keep the images; []: remove them


class NoBody(BaseModel):
    model_config = ConfigDict(extra="ignore")


class CommentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: Annotated[StrictStr, Field(max_length=4000)]
    visibility: Literal["internal", "shared"] = "internal"
