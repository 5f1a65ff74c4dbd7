"""JSON request bodies: plain and merge-patch, both bounded in size and required to be objects."""

import io

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class LimitedJSONParser(JSONParser):
    """``application/json`` that refuses bodies over CRM_API_MAX_BODY_BYTES before reading them."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.CRM_API_MAX_BODY_BYTES
        request = (parser_context or {}).get("request")
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        if declared and declared.isdigit() and int(declared) > limit:
            raise ParseError(f"The body is larger than {limit} bytes.", code="payload_too_large")
        if stream is not None:
            # A chunked body declares no length: read one byte past the limit to find out.
            raw = stream.read(limit + 1)
            if len(raw) > limit:
                raise ParseError(
                    f"The body is larger than {limit} bytes.", code="payload_too_large"
                )
            stream = io.BytesIO(raw)
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("The JSON is nested too deeply.") from None
        if not isinstance(data, dict):
            raise ParseError("The body must be a JSON object.")
        return data


class MergePatchJSONParser(LimitedJSONParser):
    """``application/merge-patch+json`` (RFC 7386): same JSON, with null meaning 'remove'."""

    media_type = "application/merge-patch+json"
