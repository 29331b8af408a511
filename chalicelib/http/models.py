"""The writers' request bodies: one pydantic model each, used to validate requests and to
describe them in the OpenAPI document."""

from __future__ import annotations

from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr

from chalicelib.domain.status import Status

STATUSES = tuple(status.value for status in Status)
Text = Annotated[StrictStr, Field(max_length=70000)]
ChannelName = Annotated[StrictStr, Field(max_length=40)]


class PostCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: Text
    channels: Annotated[list[ChannelName], Field(max_length=20)]
    variants: dict[ChannelName, Text] | None = None
    publish_at: AwareDatetime | None = None
    title: Annotated[StrictStr, Field(max_length=1000)] | None = None
    submit: StrictBool = True


class PostPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: StrictInt
    text: Text | None = None
    channels: Annotated[list[ChannelName], Field(max_length=20)] | None = None
    variants: dict[ChannelName, Text] | None = None
    publish_at: AwareDatetime | None = None
    title: Annotated[StrictStr, Field(max_length=1000)] | None = None


class NoBody(BaseModel):
    model_config = ConfigDict(extra="ignore")
