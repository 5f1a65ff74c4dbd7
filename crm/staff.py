"""Who may use the staff UI, decided in one place.

The rule: an active user marked as staff (``is_staff``) who, when a second factor is needed,
has verified one in this session. Members of the staff roles are marked by ``customers.roles``
(after every migrate and whenever someone joins a role); anyone else is marked by an
administrator.

A second factor is needed by whoever has set one up and, where ``CRM_REQUIRE_SECOND_FACTOR``
is on (production's default), by superusers and members of ``CRM_SECOND_FACTOR_ROLES``
(managers and administrators). It is decided at sign-in and kept in the session, so a page
costs no query for it. Until it is verified such a user is sent to verify it, or to set it
up, and nowhere else: in Django admin too, and the partner API refuses their session.

Every page is a staff page except the open ones below: the sign-in pages (login, logout,
second factor), the public pages the apps register (survey links, the partner application),
the partner API (which authenticates its own callers) and Django admin (which applies the
staff part of this rule itself). Static files never reach Django's URLs.
"""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError

from crm.public_errors import public_area_of
from crm.signin.second_factor import has_second_factor

NOT_STAFF = (
    "This account may not use the staff pages: it is not a staff account. "
    "Ask an administrator to give it a staff role."
)
SECOND_FACTOR_NOT_VERIFIED = (
    "This session has not verified its second factor: sign in on the staff pages first."
)

# Open addresses, by URL name and by URL namespace.
SIGN_IN_URL_NAMES = {"login", "logout", "second_factor_verify", "second_factor_enrol"}
_OWN_RULES_NAMESPACES = {"admin", "api"}
_SECOND_FACTOR_REQUIRED = "crm_second_factor_required"


def is_staff_member(user) -> bool:
    """The rule: an active user marked as staff (None and anonymous visitors are not)."""
    return bool(
        getattr(user, "is_authenticated", False)
        and getattr(user, "is_active", False)
        and getattr(user, "is_staff", False)
    )


def second_factor_required(user) -> bool:
    """Whether ``user`` must verify a second factor after the password."""
    if has_second_factor(user):
        return True
    if not settings.CRM_REQUIRE_SECOND_FACTOR:
        return False
    return (
        user.is_superuser or user.groups.filter(name__in=settings.CRM_SECOND_FACTOR_ROLES).exists()
    )


def second_factor_decide(sender, request, user, **kwargs) -> None:
    """``user_logged_in``: decides once per sign-in whether this session needs the factor."""
    request.session[_SECOND_FACTOR_REQUIRED] = second_factor_required(user)


def second_factor_pending(request) -> bool:
    """A signed-in user who needs a second factor and has not verified it in this session."""
    user = request.user
    if not user.is_authenticated or getattr(user, "is_verified", lambda: False)():
        return False
    required = request.session.get(_SECOND_FACTOR_REQUIRED)
    if required is None:  # a session signed in before second factors existed
        required = request.session[_SECOND_FACTOR_REQUIRED] = second_factor_required(user)
    return required


def redirect_to_second_factor(request):
    step = "second_factor_verify" if has_second_factor(request.user) else "second_factor_enrol"
    return redirect_to_login(request.get_full_path(), step)


class StaffOnlyMiddleware:
    """Keeps everyone but staff out of the staff pages: a visitor who is not logged in is sent
    to the login page, a user who still owes a second factor to its verification, a logged-in
    user who is not staff is refused with the reason."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match.url_name in SIGN_IN_URL_NAMES or public_area_of(request) is not None:
            return None
        if second_factor_pending(request):
            if "api" in match.namespaces:
                raise PermissionDenied(SECOND_FACTOR_NOT_VERIFIED)
            return redirect_to_second_factor(request)
        if _OWN_RULES_NAMESPACES.intersection(match.namespaces) or is_staff_member(request.user):
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
