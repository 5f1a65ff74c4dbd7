"""Save, list and delete saved views."""

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import QueryDict

from crm.keyset import query_without_cursor

from .models import SavedView


def saved_views_for(*, user, list_name: str) -> QuerySet:
    """The views of ``list_name`` that ``user`` owns or that a group of theirs shares."""
    return (
        SavedView.objects.filter(list_name=list_name)
        .filter(Q(owner=user) | Q(group__in=user.groups.all()))
        .select_related("owner", "group")
        .order_by("name", "pk")
    )


def saved_views_context(*, user, list_name: str) -> dict:
    """What a list page gives ``crm/_saved_views.html``: the views ``user`` may apply and the
    groups they may share one with."""
    return {
        "saved_views": saved_views_for(user=user, list_name=list_name),
        "share_groups": user.groups.order_by("name"),
    }


def saved_view_save(*, owner, list_name: str, name: str, query: str, group_id=None) -> SavedView:
    """Keep the list's filters and sort (never its page) under ``name``; saving a name again
    replaces what it held. A view is shared only with a group its owner belongs to."""
    name = name.strip()
    if not name:
        raise ValidationError("Give the view a name.")
    if len(name) > 80:
        raise ValidationError("A view's name is at most 80 characters.")
    group = None
    if group_id:
        group = owner.groups.filter(pk=group_id).first()
        if group is None:
            raise ValidationError("Share a view only with a group you belong to.")
    view, _ = SavedView.objects.update_or_create(
        owner=owner,
        list_name=list_name,
        name=name,
        defaults={"query": query_without_cursor(QueryDict(query)), "group": group},
    )
    return view


def saved_view_delete(*, view_id: int, user) -> SavedView:
    """Delete a view of one's own; anyone else's is DoesNotExist."""
    view = SavedView.objects.get(pk=view_id, owner=user)
    view.delete()
    return view
