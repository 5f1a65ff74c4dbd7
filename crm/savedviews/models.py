from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models


class SavedView(models.Model):
    """A list's filters and sort under a name; seen by its owner and the members of ``group``."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    list_name = models.CharField(max_length=40, help_text="The list, e.g. customers.")
    name = models.CharField(max_length=80)
    query = models.TextField(blank=True, help_text="Filters and sort, as a query string.")
    group = models.ForeignKey(
        Group,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Shared with the members of this group; only the owner sees it without one.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "list_name", "name"], name="savedview_owner_name_unique"
            )
        ]
        indexes = [
            models.Index(fields=["list_name", "group", "name"], name="savedview_group_idx"),
        ]

    def __str__(self):
        return f"{self.name} ({self.list_name})"
