"""Staff to look at pages as: a member of a role, or of a custom group holding only the
permissions a test names ("app.codename")."""

from django.contrib.auth.models import Group, Permission

from tests.factories import UserFactory


def member_of(group: Group):
    user = UserFactory()
    user.groups.add(group)
    return user


def role_member(role: str):
    return member_of(Group.objects.get(name=role))


def custom_group_member(*permissions: str):
    group = Group.objects.create(name=f"custom {Group.objects.count()}")
    for permission in permissions:
        app_label, codename = permission.split(".")
        group.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return member_of(group)
