"""Error pages for the pages the public reaches: survey links, the partner application.

Staff pages answer an error with the staff layout, in English. Someone who followed a survey
link is not staff: a form refused because the browser blocks cookies, an address that leads
nowhere or a failure on our side is explained to them in the look and the language of the page
they came from, with what to do next.

The apps declare where their public pages are (``public_area_register``, in their
``AppConfig.ready``) and, where they know it, how to find the visitor's language; the app that
owns the public look draws the page (``public_error_renderer_register``). Every other address
keeps Django's own pages, and the partner API its TMF error bodies (customers.partners.api.errors).
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.views import csrf, defaults

logger = logging.getLogger(__name__)

# What went wrong, as the renderer is told: a form refused by the CSRF check, a request that
# could not be read, an address that leads nowhere, a failure on our side.
CSRF, BAD_REQUEST, NOT_FOUND, SERVER_ERROR = "csrf", "bad_request", "not_found", "server_error"

LanguageOf = Callable[[HttpRequest], str | None]
Renderer = Callable[..., HttpResponse]


@dataclass(frozen=True)
class PublicArea:
    # Read at request time (a lazy reverse() is welcome): URLs are not loaded when apps are.
    prefix: object
    language_of: LanguageOf | None = None


_areas: dict[str, PublicArea] = {}
_renderers: list[Renderer] = []


def public_area_register(*, name: str, prefix, language_of: LanguageOf | None = None) -> None:
    """Addresses starting with ``prefix`` are public pages; ``language_of`` may tell the
    language the visitor reads them in (None: the browser's)."""
    _areas[name] = PublicArea(prefix=prefix, language_of=language_of)


def public_error_renderer_register(render: Renderer) -> None:
    """``render(request, *, problem, status, language)`` draws a public error page."""
    _renderers[:] = [render]


def public_area_of(request: HttpRequest) -> PublicArea | None:
    for area in _areas.values():
        if request.path.startswith(str(area.prefix)):
            return area
    return None


def public_error(request: HttpRequest, *, problem: str, status: int) -> HttpResponse | None:
    """The public error page for ``request``, or None where the address is not public."""
    area = public_area_of(request)
    if area is None or not _renderers:
        return None
    language = None
    # After a failure on our side the database may be what failed: the browser's language.
    if area.language_of is not None and problem != SERVER_ERROR:
        try:
            language = area.language_of(request)
        except DatabaseError:
            logger.exception("The language of %s could not be looked up", request.path)
    return _renderers[0](request, problem=problem, status=status, language=language)


def csrf_failure(request, reason=""):
    """settings.CSRF_FAILURE_VIEW."""
    return public_error(request, problem=CSRF, status=403) or csrf.csrf_failure(request, reason)


def bad_request(request, exception=None):
    return public_error(request, problem=BAD_REQUEST, status=400) or defaults.bad_request(
        request, exception
    )


def page_not_found(request, exception=None):
    return public_error(request, problem=NOT_FOUND, status=404) or defaults.page_not_found(
        request, exception
    )


def server_error(request):
    return public_error(request, problem=SERVER_ERROR, status=500) or defaults.server_error(request)
