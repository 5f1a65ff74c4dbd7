"""The portal's own session: a cookie of its own, sent only to /my/.

Staff and customers never share a session. Under /my/ the staff cookie is ignored and the
portal cookie (``crm_portal_session``, path ``/my/``) is read instead; everywhere else the
browser does not even send the portal cookie, and Django's session (and so staff sign-in)
works as before. Both live in the same session store: a key moved from one cookie to the
other opens nothing, since staff pages read a user from it and the portal a customer id, and
each side only ever writes its own.

In settings.MIDDLEWARE this class takes the place of Django's SessionMiddleware.
"""

import time

from django.conf import settings
from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.exceptions import SessionInterrupted
from django.contrib.sessions.middleware import SessionMiddleware
from django.utils.cache import patch_vary_headers
from django.utils.http import http_date

PORTAL_PREFIX = "/my/"
PORTAL_COOKIE_NAME = "crm_portal_session"
PORTAL_COOKIE_PATH = "/my/"


def is_portal_path(path: str) -> bool:
    return path.startswith(PORTAL_PREFIX)


class PortalSessionMiddleware(SessionMiddleware):
    """Django's SessionMiddleware, with the portal's cookie for the portal's addresses."""

    def process_request(self, request):
        if is_portal_path(request.path):
            request.session = self.SessionStore(request.COOKIES.get(PORTAL_COOKIE_NAME))
        else:
            super().process_request(request)

    def process_response(self, request, response):
        if not is_portal_path(request.path):
            return super().process_response(request, response)
        return self._portal_response(request, response)

    def _portal_response(self, request, response):
        # Django's own steps, with the portal cookie's name and path; always HttpOnly and
        # SameSite=Lax, whatever the staff cookie's settings say. Saved only when changed
        # (SESSION_SAVE_EVERY_REQUEST is for staff): portal.auth renews it once a minute.
        try:
            modified = request.session.modified
            empty = request.session.is_empty()
            need_vary_cookie = request.session.accessed
        except AttributeError:
            return response
        samesite = settings.SESSION_COOKIE_SAMESITE or "Lax"
        if PORTAL_COOKIE_NAME in request.COOKIES and empty:
            response.delete_cookie(
                PORTAL_COOKIE_NAME,
                path=PORTAL_COOKIE_PATH,
                domain=settings.SESSION_COOKIE_DOMAIN,
                samesite=samesite,
            )
            need_vary_cookie = True
        elif modified and not empty and response.status_code < 500:
            max_age = request.session.get_expiry_age()
            try:
                request.session.save()
            except UpdateError:
                raise SessionInterrupted(
                    "The portal session was deleted before the request completed: the customer "
                    "probably signed out in another tab."
                ) from None
            response.set_cookie(
                PORTAL_COOKIE_NAME,
                request.session.session_key,
                max_age=max_age,
                expires=http_date(time.time() + max_age),
                domain=settings.SESSION_COOKIE_DOMAIN,
                path=PORTAL_COOKIE_PATH,
                secure=settings.SESSION_COOKIE_SECURE or None,
                httponly=True,
                samesite=samesite,
            )
            need_vary_cookie = True
        if need_vary_cookie:
            patch_vary_headers(response, ("Cookie",))
        return response
