"""The media routes' request body, and a media object as the API shows it (CONTRACT §7)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr

from chalicelib.domain.media import MediaObject


class MediaCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    filename: Annotated[StrictStr, Field(max_length=1000)]
    content_type: Annotated[StrictStr, Field(max_length=200)]
    # Bytes; bounded so that the number stays a number (the real limit is the service's).
    size: Annotated[StrictInt, Field(ge=-(2**53), le=2**53)]


MEDIA_OBJECT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["id", "status", "content_type", "size", "width", "height", "sha256", "url"],
    "properties": {
        "id": {"type": "string"}, "status": {"enum": ["uploading", "ready"]},
        "filename": {"type": "string"},
        "content_type": {"type": "string"}, "size": {"type": "integer"},
        "width": {"type": ["integer", "null"]}, "height": {"type": ["integer", "null"]},
        "sha256": {"type": ["string", "null"]}, "url": {"type": ["string", "null"]},
    },
}


def media_to_api(media: MediaObject, url: str | None = None) -> dict[str, Any]:
    """Until the bytes are checked, the type and size are the declared ones and the pixels
    and hash unknown."""
    return {
        "id": media.id, "status": media.status, "filename": media.filename,
        "content_type": media.content_type or media.declared_type,
        "size": media.size if media.size is not None else media.declared_size,
        "width": media.width, "height": media.height, "sha256": media.sha256, "url": url,
    }
