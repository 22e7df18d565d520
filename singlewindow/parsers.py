"""Request parsers (a module of its own: DRF's settings import it while loading)."""

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class BoundedJSONParser(JSONParser):
    """JSON whose nesting the decoder cannot follow (tens of thousands of `[`) is a 400, not a
    RecursionError: the C decoder gives up at Python's recursion limit, and DRF catches only ValueError."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - the document is nested too deeply.") from None
