"""Where a page goes back to once its form is done."""

from django.utils.http import url_has_allowed_host_and_scheme


def back_to(request, default: str) -> str:
    """The ``next`` the page was opened with, if it is a path on this site, else ``default``:
    a list links to an action with ``?next=`` so the user lands back on the same page."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default
