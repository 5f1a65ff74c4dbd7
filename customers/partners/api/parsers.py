"""JSON request bodies: plain and merge-patch, bounded in size, objects, and only text that can
be stored and written back."""

import io
import re

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from customers.partners.api.errors import ApiError, api_body_limit, payload_too_large

# JSON may escape half of a UTF-16 pair ("\ud800"), which no UTF-8 text can hold; a valid pair
# arrives joined into one character, so any surrogate left is a lone one.
UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")


class LimitedJSONParser(JSONParser):
    """``application/json`` that refuses bodies over the API's limit before parsing them."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = api_body_limit()
        request = (parser_context or {}).get("request")
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        if declared and declared.isdigit() and int(declared) > limit:
            raise payload_too_large()
        if stream is not None:
            # A chunked body declares no length: read one byte past the limit to find out.
            raw = stream.read(limit + 1)
            if len(raw) > limit:
                raise payload_too_large()
            stream = io.BytesIO(raw)
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("The JSON is nested too deeply.") from None
        if not isinstance(data, dict):
            raise ParseError("The body must be a JSON object.")
        refuse_unstorable_text(data)
        return data


class MergePatchJSONParser(LimitedJSONParser):
    """``application/merge-patch+json`` (RFC 7386): same JSON, with null meaning 'remove'."""

    media_type = "application/merge-patch+json"


def refuse_unstorable_text(data: dict) -> None:
    """Refuse a null character or a lone surrogate anywhere in ``data``, in names as in values:
    the database cannot store either, and an answer echoing a surrogate cannot be encoded.

    The walk keeps its own stack: a body nested as deeply as the JSON parser allows must not
    exhaust Python's.
    """
    pending: list[tuple[str, object]] = [("", data)]
    while pending:
        path, value = pending.pop()
        if isinstance(value, dict):
            for name, item in value.items():
                if UNSTORABLE.search(name):
                    raise _unstorable(f"{path or 'The body'}: an attribute name")
                pending.append((f"{path}.{name}" if path else name, item))
        elif isinstance(value, list):
            pending.extend((f"{path}[{index}]", item) for index, item in enumerate(value))
        elif isinstance(value, str) and UNSTORABLE.search(value):
            raise _unstorable(path)


def _unstorable(where: str) -> ApiError:
    return ApiError(
        400,
        "invalid",
        f"{where} holds a null character or a lone UTF-16 surrogate; send valid Unicode text.",
    )
