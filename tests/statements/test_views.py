"""Staff pages: a customer's statements and their downloads, the runs; each behind its
permission."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from statements.models import Statement, StatementRun
from statements.runs import statement_run_start

from .test_runs import run_here


@pytest.fixture
def clerk(agent):
    """An agent given the permission to read statements (the role does not have it yet)."""
    agent.user_permissions.add(
        Permission.objects.get(codename="view_statement", content_type__app_label="statements")
    )
    return agent


@pytest.fixture
def stated(seeded):
    run_here(statement_run_start(period="2026-11"))
    return Statement.objects.get(customer=seeded)


def test_staff_without_the_permission_are_refused(client, agent, stated):
    client.force_login(agent)
    agent.groups.clear()
    agent.user_permissions.clear()

    assert (
        client.get(reverse("statements:customer", args=[stated.customer.number])).status_code == 403
    )
    assert client.get(reverse("statements:download", args=[stated.pk, "pdf"])).status_code == 403
    assert client.get(reverse("statements:runs")).status_code == 403


def test_the_customers_statements_are_listed_with_their_downloads(client, clerk, stated):
    client.force_login(clerk)

    response = client.get(reverse("statements:customer", args=[stated.customer.number]))

    assert response.status_code == 200
    page = response.content.decode()
    assert reverse("statements:download", args=[stated.pk, "html"]) in page
    assert reverse("statements:download", args=[stated.pk, "pdf"]) in page
    assert "2026-11-01 to 2026-11-30" in page


def test_the_pdf_downloads_as_a_file_and_the_html_opens_in_the_browser(client, clerk, stated):
    client.force_login(clerk)

    pdf = client.get(reverse("statements:download", args=[stated.pk, "pdf"]))
    html = client.get(reverse("statements:download", args=[stated.pk, "html"]))

    assert pdf["Content-Type"] == "application/pdf"
    assert "attachment" in pdf["Content-Disposition"]
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert html["Content-Type"].startswith("text/html")
    assert "default-src 'none'" in html["Content-Security-Policy"]


def test_an_unknown_kind_of_file_is_not_found(client, clerk, stated):
    client.force_login(clerk)

    assert client.get(reverse("statements:download", args=[stated.pk, "docx"])).status_code == 404


def test_the_runs_page_shows_a_run_in_progress_with_its_progress(client, admin_user, seeded):
    run = statement_run_start(period="2026-11")
    client.force_login(admin_user)

    page = client.get(reverse("statements:runs")).content.decode()
    progress = client.get(reverse("jobs:progress", args=["statements", run.pk])).json()

    assert reverse("jobs:progress", args=["statements", run.pk]) in page
    assert progress["chunks_total"] == 1 and progress["statements_written"] == 0


def test_a_run_is_started_from_the_runs_page(
    client, admin_user, seeded, tasks_in_process, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("statements:run_start"), {"period": "2026-11"}, follow=True)

    assert "started" in response.content.decode()
    assert StatementRun.objects.get().status == StatementRun.Status.DONE
    assert Statement.objects.filter(customer=seeded).exists()


def test_a_bad_month_is_refused_on_the_runs_page(client, admin_user):
    client.force_login(admin_user)

    response = client.post(reverse("statements:run_start"), {"period": "November"}, follow=True)

    assert "YYYY-MM" in response.content.decode()
    assert not StatementRun.objects.exists()
