"""Who may use the staff UI, decided in one place.

The rule: an active user marked as staff (``is_staff``). Members of the staff roles are marked
by ``customers.roles`` (after every migrate and whenever someone joins a role); anyone else is
marked by an administrator. Every page is a staff page except the open ones below: the login
and logout pages, the public pages the apps register (survey links, the partner application),
the partner API (which authenticates its own callers) and Django admin (which applies this
same rule itself). Static files never reach Django's URLs.
"""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError

from crm.public_errors import public_area_of

NOT_STAFF = (
    "This account may not use the staff pages: it is not a staff account. "
    "Ask an administrator to give it a staff role."
)

# Open addresses, by URL name and by URL namespace.
_OPEN_URL_NAMES = {"login", "logout"}
_OPEN_NAMESPACES = {"admin", "api"}


def is_staff_member(user) -> bool:
    """The rule: an active user marked as staff (None and anonymous visitors are not)."""
    return bool(
        getattr(user, "is_authenticated", False)
        and getattr(user, "is_active", False)
        and getattr(user, "is_staff", False)
    )


def is_open(request) -> bool:
    match = request.resolver_match
    return (
        match.url_name in _OPEN_URL_NAMES
        or bool(_OPEN_NAMESPACES.intersection(match.namespaces))
        or public_area_of(request) is not None
    )


class StaffOnlyMiddleware:
    """Keeps everyone but staff out of the staff pages: a visitor who is not logged in is sent
    to the login page, a logged-in user who is not staff is refused with the reason."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if is_open(request) or is_staff_member(request.user):
            return None
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        raise PermissionDenied(NOT_STAFF)


class StaffAuthenticationForm(AuthenticationForm):
    """The login form, refusing accounts that may not use the staff pages."""

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not is_staff_member(user):
            raise ValidationError(NOT_STAFF, code="not_staff")


login = auth_views.LoginView.as_view(authentication_form=StaffAuthenticationForm)
