from django import template

from work.selectors import UNREAD_COUNTED, my_work_tasks, unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context) -> str:
    """The header's count of unread notices, one indexed count per page: "" for none, "99+"
    beyond what is counted."""
    user = context["request"].user
    count = unread_count(user) if user.is_authenticated else 0
    if count >= UNREAD_COUNTED:
        return f"{UNREAD_COUNTED - 1}+"
    return str(count) if count else ""


@register.simple_tag
def my_work(user, limit: int = 10) -> list:
    """My open work for the home page: ``{% my_work user 10 as items %}``."""
    return my_work_tasks(user, limit)
