"""What a broadcast sends: up to five text, image or Flex messages.

Message fields follow LINE's own names (`originalContentUrl`, `altText`), so a Flex message can be pasted
from LINE's Flex Message Simulator as it is.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, HttpUrl, field_validator, model_validator

from civicline.models.broadcast.base import CamelCase, Frozen

MAX_MESSAGES = 5
TEXT_MAX_CHARS = 5000
ALT_TEXT_MAX_CHARS = 1500


class TextMessage(Frozen):
    type: Literal["text"] = "text"
    text: str = Field(min_length=1)

    @field_validator("text")
    @classmethod
    def _line_length(cls, value: str) -> str:
        # LINE counts UTF-16 code units: an emoji outside the BMP takes two of the 5,000.
        if len(value.encode("utf-16-le")) // 2 > TEXT_MAX_CHARS:
            raise ValueError(f"text is longer than {TEXT_MAX_CHARS} characters")
        return value


class ImageMessage(CamelCase):
    type: Literal["image"] = "image"
    original_content_url: HttpUrl
    preview_image_url: HttpUrl

    @field_validator("original_content_url", "preview_image_url")
    @classmethod
    def _https(cls, url: HttpUrl) -> HttpUrl:
        if url.scheme != "https":
            raise ValueError("LINE only loads images over https")
        return url


class FlexMessage(CamelCase):
    type: Literal["flex"] = "flex"
    alt_text: str = Field(min_length=1, max_length=ALT_TEXT_MAX_CHARS)
    contents: dict[str, Any]

    @model_validator(mode="after")
    def _line_shape(self) -> FlexMessage:
        # The SDK's own models (pydantic v1) know every Flex component; imported here only, because
        # loading linebot.v3.messaging costs about a second and most requests carry no Flex message.
        from linebot.v3.messaging import FlexMessage as SdkFlexMessage  # noqa: PLC0415

        try:
            SdkFlexMessage.from_dict(self.line_dict())
        except (ValueError, TypeError) as error:
            raise ValueError(f"contents is not a valid Flex message: {error}") from None
        return self

    def line_dict(self) -> dict[str, Any]:
        return {"type": "flex", "altText": self.alt_text, "contents": self.contents}


BroadcastMessage = Annotated[TextMessage | ImageMessage | FlexMessage, Field(discriminator="type")]
