"""One progress view for every kind of job, behind the permission the kind names."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _allowed(permission: str):
    app_label, codename = permission.split(".")
    user = UserFactory(username=f"may-{codename}")
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
    )
    return user


def test_the_progress_of_a_job_says_its_status_its_chunks_and_its_own_counts(client, job):
    run = job.start(job.populate(2))
    client.force_login(_allowed(job.kind.progress_permission))

    progress = client.get(reverse("jobs:progress", args=[job.name, run.pk])).json()

    assert progress == {
        "status": "queued",
        "status_label": "Queued",
        "percent": 0,
        "chunks_done": 0,
        "chunks_total": 2,
        "chunks_failed": 0,
        **{name: getattr(run, name) for name in job.kind.counters},
    }


def test_the_progress_of_a_job_is_refused_without_the_kinds_permission(client, job):
    run = job.start(job.populate(1))
    client.force_login(UserFactory(username="nobody"))

    response = client.get(reverse("jobs:progress", args=[job.name, run.pk]))

    assert response.status_code == 403


def test_an_unknown_kind_or_run_is_not_found(client):
    client.force_login(UserFactory(username="root", is_superuser=True))

    assert client.get(reverse("jobs:progress", args=["payroll", 1])).status_code == 404
    assert client.get(reverse("jobs:progress", args=["scoring", 999999])).status_code == 404
