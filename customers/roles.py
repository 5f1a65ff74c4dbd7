"""Staff roles as Django groups. Synchronised after every migrate, so they never drift.

The staff UI is for active users marked as staff (crm/staff.py). Members of these roles are
staff: ``roles_sync`` marks them after every migrate (so the members of an older installation
keep working after an upgrade) and ``role_members_marked_staff`` marks whoever joins a role
from then on. Taking someone's access away is taking them out of their roles, or deactivating
them.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db.models import Exists, OuterRef, Q, QuerySet

from crm.staff import is_staff_member

AGENT = "agent"
MANAGER = "manager"
RISK_ANALYST = "risk analyst"
ADMINISTRATOR = "administrator"

_VIEW_CUSTOMER_DATA = [
    "customers.view_customer",
    "retention.view_campaign",
    "customers.view_party",
    "customers.view_contactmedium",
    "customers.view_consent",
    "customers.view_communicationpreferences",
    "customers.view_interaction",
    "customers.view_subscription",
    "customers.view_invoice",
    "customers.view_usagesummary",
    "customers.view_payment",
    "customers.view_product",
    "customers.view_customerrelationship",
    "customers.view_lifecycleevent",
    "customers.view_actionlog",
    "customers.view_partner",
    # Scores are part of the customer picture every role works with.
    "customers.view_latestscores",
    "risk.view_customerscore",
    # So is what customers said in surveys, and the follow-ups it opened.
    "satisfaction.view_survey",
    "satisfaction.view_invitation",
    "satisfaction.view_response",
    "satisfaction.view_followup",
    # Tasks and notes on customers, and one's own notifications.
    "work.view_task",
    "work.view_note",
    "work.view_notification",
    # The statements and lifecycle messages customers were sent, beside their invoices.
    "statements.view_statement",
    "messaging.view_outboundmessage",
]
_AGENT = [
    *_VIEW_CUSTOMER_DATA,
    "retention.record_outcome",
    "customers.add_customer",
    "customers.change_customer",
    "customers.change_party",
    "customers.add_contactmedium",
    "customers.change_contactmedium",
    "customers.delete_contactmedium",
    "customers.add_consent",
    "customers.change_consent",
    "customers.change_communicationpreferences",
    "customers.add_interaction",
    # Resolve open interactions and pass them on to a colleague.
    "customers.change_interaction",
    "customers.add_customerrelationship",
    "customers.qualify_customer",
    "customers.establish_customer",
    "customers.disqualify_customer",
    "satisfaction.change_followup",
    "work.add_task",
    "work.change_task",
    "work.add_note",
    "work.change_note",
    # Pass on a person's request to be forgotten; a manager approves it.
    "privacy.add_erasurerequest",
    "privacy.view_erasurerequest",
]
_MANAGER = [
    *_AGENT,
    "retention.start_campaign",
    "customers.suspend_customer",
    "customers.resume_customer",
    "customers.terminate_customer",
    "customers.reestablish_customer",
    "customers.merge_customer",
    # Who changed what in a customer's data, before and after (customers/history).
    "history.view_field_history",
    "identity.view_duplicatecandidate",
    "identity.change_duplicatecandidate",
    "identity.view_duplicatescan",
    "identity.add_duplicatescan",
    "customers.delete_customerrelationship",
    "customers.add_subscription",
    "customers.add_usagesummary",
    "customers.change_subscription",
    "identity.add_importjob",
    "identity.view_importjob",
    "satisfaction.add_survey",
    "satisfaction.change_survey",
    # Partner on-boarding, its API credentials and the event hub's delivery log.
    "customers.add_partner",
    "customers.change_partner",
    "customers.approve_partner",
    "customers.manage_partner_tokens",
    "partners.view_hubsubscription",
    "partners.view_hubdelivery",
    "partners.change_hubdelivery",
    "work.delete_task",
    "work.oversee_task",
    "work.delete_note",
    "work.add_notification",
    "work.change_notification",
    "work.delete_notification",
    # Data rights: approve erasure (someone else's request), answer a subject-access request,
    # and hold a customer's data for legal reasons.
    "privacy.approve_erasurerequest",
    "privacy.view_subjectaccessexport",
    "privacy.add_subjectaccessexport",
    "privacy.download_subjectaccessexport",
    "privacy.view_legalhold",
    "privacy.add_legalhold",
    "privacy.delete_legalhold",
    # What lifecycle messages say, per language, and the statement runs.
    "messaging.view_messagetemplate",
    "messaging.change_messagetemplate",
    "statements.view_statementrun",
    "statements.start_statementrun",
]

# Analysts own the models: they train them, follow the runs and rescore on demand.
_RISK_ANALYST = [
    *_VIEW_CUSTOMER_DATA,
    "retention.start_campaign",
    "risk.view_riskmodel",
    "risk.train_riskmodel",
    "risk.view_scoringrun",
    "risk.start_scoringrun",
    "risk.view_creditapplication",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    AGENT: _AGENT,
    MANAGER: _MANAGER,
    RISK_ANALYST: _RISK_ANALYST,
    ADMINISTRATOR: ["*"],
}


def roles_holding(permission: str) -> list[str]:
    """The roles whose members hold ``permission`` ("app.codename"). Administrators, who hold
    every permission, are named only when no other role does."""
    named = [
        role for role, names in ROLE_PERMISSIONS.items() if names != ["*"] and permission in names
    ]
    return named or [ADMINISTRATOR]


def _joined(words: list[str], conjunction: str) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {conjunction} {words[-1]}"


def permission_refusal(*, permission: str, doing: str) -> str:
    """Why someone may not do something, and whom to ask: 'Only managers may terminate a
    relationship. Ask a manager.' ``doing`` is what the permission allows, after "may"."""
    roles = roles_holding(permission)
    who = _joined([f"{role}s" for role in roles], "and")
    ask = _joined([f"{'an' if role[0] in 'aeiou' else 'a'} {role}" for role in roles], "or")
    return f"Only {who} may {doing}. Ask {ask}."


def roles_sync(**kwargs) -> None:
    """Create the role groups, give each exactly its permissions and mark their members as
    staff."""
    all_permissions = Permission.objects.select_related("content_type")
    by_name = {f"{p.content_type.app_label}.{p.codename}": p for p in all_permissions}
    for role, names in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        if names == ["*"]:
            group.permissions.set(all_permissions)
            continue
        group.permissions.set([by_name[name] for name in names if name in by_name])
    _mark_staff(get_user_model().objects.filter(groups__name__in=ROLE_PERMISSIONS))


def _mark_staff(users: QuerySet) -> None:
    # By primary key: an update cannot follow the join to the groups.
    unmarked = users.filter(is_staff=False).values("pk")
    get_user_model().objects.filter(pk__in=unmarked).update(is_staff=True)


def role_members_marked_staff(sender, instance, action, pk_set, **kwargs) -> None:
    """``m2m_changed`` of the users' groups: whoever joins a role, from the user admin or
    anywhere else, is marked as staff."""
    if action != "post_add" or not pk_set:
        return
    User = get_user_model()
    if isinstance(instance, Group):  # group.user_set.add(...)
        if instance.name in ROLE_PERMISSIONS:
            _mark_staff(User.objects.filter(pk__in=pk_set))
    elif Group.objects.filter(pk__in=pk_set, name__in=ROLE_PERMISSIONS).exists():
        _mark_staff(User.objects.filter(pk=instance.pk))
        instance.is_staff = True


def staff_with_permission(permission: str) -> QuerySet:
    """Staff (active, marked as staff) who hold ``permission`` ("app.codename") through a role,
    on their own or as superusers: the people a piece of work may be given to. One query, no
    DISTINCT."""
    app_label, codename = permission.split(".", 1)
    User = get_user_model()
    granted = Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    through_role = User.groups.through.objects.filter(
        user_id=OuterRef("pk"),
        group_id__in=Group.permissions.through.objects.filter(
            permission_id__in=granted.values("pk")
        ).values("group_id"),
    )
    directly = User.user_permissions.through.objects.filter(
        user_id=OuterRef("pk"), permission_id__in=granted.values("pk")
    )
    return User.objects.filter(
        Q(is_superuser=True) | Exists(through_role) | Exists(directly),
        is_active=True,
        is_staff=True,
    ).order_by("username")


def may_be_given(user, permission: str) -> bool:
    """Whether work needing ``permission`` may be given to ``user``."""
    return is_staff_member(user) and user.has_perm(permission)
