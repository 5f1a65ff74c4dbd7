"""Page permissions that depend on what the request does: reading a page asks for the view
permission of what it shows, a form sent from it for the permission of what that changes."""

from functools import wraps

from django.core.exceptions import PermissionDenied


def permission_by_method(**permissions: str):
    """``@permission_by_method(GET="app.view_x", POST="app.add_x")``: each method needs its own
    permission (HEAD follows GET); a method not named is refused. Sign-in is left to
    ``login_required``, which goes above this."""

    def decorate(view):
        @wraps(view)
        def check(request, *args, **kwargs):
            method = "GET" if request.method == "HEAD" else request.method
            needed = permissions.get(method)
            if needed is None or not request.user.has_perm(needed):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return check

    return decorate
