"""Lockout after failed passwords, by django-axes: CRM_SIGNIN_FAILURE_LIMIT wrong passwords for
one username from one address lock that pair out for CRM_SIGNIN_COOLOFF_MINUTES, and the right
password is refused until then. An administrator unlocks early by deleting the pair's access
attempts in Django admin. The partner API authenticates with tokens and is not concerned."""

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.shortcuts import render


def lockout_message() -> str:
    return (
        "Too many failed sign-ins for this account from this address: it is locked for "
        f"{settings.CRM_SIGNIN_COOLOFF_MINUTES} minutes. Try again later, or ask an "
        "administrator to unlock it."
    )


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout check, for sign-ins made over the web. ``authenticate()`` called
    without a request (the test client's ``login``, a shell) is no web sign-in: there is no
    address to count, and nothing is checked here."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def locked_out(request, original_response=None, credentials=None):
    """The login page again, saying that the account is locked and for how long (429)."""
    from crm.staff import StaffAuthenticationForm

    return render(
        request,
        "registration/login.html",
        {
            "form": StaffAuthenticationForm(request),
            "locked_out": lockout_message(),
            "next": request.POST.get("next", ""),
        },
        status=429,
    )
