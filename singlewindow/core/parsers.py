"""Request parsers (a module of its own: DRF's settings import it while loading)."""

import codecs
import io
from collections.abc import Mapping
from typing import IO, Any

import orjson
from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class BoundedJSONParser(JSONParser):
    """JSON whose nesting the decoder cannot follow (tens of thousands of `[`) is a 400, not a
    RecursionError: the C decoder gives up at Python's recursion limit, and DRF catches only ValueError.

    A UTF-8 body is decoded by orjson, several times faster than the standard library on intake's
    500-document batches. Whatever orjson refuses (a lone surrogate, NaN, malformed JSON) goes on to
    DRF's own parser, which accepts or words it exactly as before; so does a body that may hold an
    integer of 19 digits or more, which orjson would read as a float.
    """

    def parse(
        self, stream: IO[Any], media_type: str | None = None, parser_context: Mapping[str, Any] | None = None
    ) -> Any:  # a list for a batch: wider than the stub's dict
        if is_utf8((parser_context or {}).get("encoding") or settings.DEFAULT_CHARSET):
            body = stream.read()
            stream = io.BytesIO(body)
            if _LONG_RUN not in body.translate(_DIGITS_AS_ZERO):
                try:
                    return orjson.loads(body)
                except orjson.JSONDecodeError:
                    pass
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - the document is nested too deeply.") from None


# 19 digits in a row anywhere (a string of them too, to be safe): two passes in C over the body, where
# a regular expression took four times as long as the parse itself.
_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")
_LONG_RUN = b"0" * 19


def is_utf8(encoding: str) -> bool:
    try:
        return codecs.lookup(encoding).name == "utf-8"
    except LookupError:
        return False
