""" "Score every customer now" clicked twice starts one run, on every backend.

With tasks in-process (the embedded default: SQLite, no broker) the first click carries out the
whole run inside its own request, holding SQLite's write lock while it scores; the second click
waits on that lock and gets to the "one run in progress" check only once the first run is over.
The check then finds nothing in progress, rightly, and a second run started. What tells a
repeat from a new request is the page it came from: the click carries the newest run the page
showed, and a run started since then answers it.
"""

import html
import re
import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse

from risk import runs
from risk.models import ScoringRun

URL = reverse("risk:run_start")


def _messages(response) -> str:
    # Read from the page itself: the test client's response.context is filled by a signal that
    # every thread's rendering sends, so two requests at once could see each other's context.
    said = re.findall(r'<li class="message[^"]*">(.*?)</li>', response.content.decode(), re.S)
    return " ".join(html.unescape(text) for text in said)


def _newest_run_on_the_page(client) -> int:
    page = client.get(reverse("risk:overview"))
    return page.context["newest_run_id"]


# Transactions commit as in production, so a request's tasks run when it commits.
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("tasks_in_process")
def test_a_second_click_after_the_first_run_ended_is_told_about_it_and_starts_nothing(
    client, analyst, established
):
    established(3)
    client.force_login(analyst)
    form = {"newest_run": _newest_run_on_the_page(client)}

    first = client.post(URL, form, follow=True)
    second = client.post(URL, form, follow=True)

    run = ScoringRun.objects.get()
    assert run.status == ScoringRun.Status.DONE  # carried out within the first request
    assert _messages(first) == f"Scoring run {run.pk} done: 3 customers scored."
    assert f"Scoring run {run.pk} was started at" in _messages(second)
    assert _messages(second).endswith(
        "after this page was shown (status: done). No second run was started."
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("tasks_in_process")
def test_a_click_from_a_page_shown_after_the_last_run_starts_a_new_one(
    client, analyst, established
):
    established(2)
    client.force_login(analyst)
    client.post(URL, {"newest_run": _newest_run_on_the_page(client)})

    response = client.post(URL, {"newest_run": _newest_run_on_the_page(client)}, follow=True)

    assert ScoringRun.objects.filter(status=ScoringRun.Status.DONE).count() == 2
    assert "2 customers scored" in _messages(response)


@pytest.mark.django_db
@pytest.mark.parametrize("form", [{}, {"newest_run": "x"}, {"newest_run": "-1"}])
def test_a_click_without_a_readable_page_state_starts_nothing_and_says_so(client, analyst, form):
    client.force_login(analyst)

    response = client.post(URL, form, follow=True)

    assert response.status_code == 200
    assert _messages(response) == "Nothing was started: reload the page and try again."
    assert not ScoringRun.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("tasks_in_process")
def test_two_clicks_at_the_same_moment_start_one_run_with_tasks_in_process(analyst, established):
    established(3)
    clients = [Client(), Client()]
    for client in clients:
        client.force_login(analyst)
    form = {"newest_run": _newest_run_on_the_page(clients[0])}
    barrier = threading.Barrier(2)
    said = [None, None]

    def click(index):
        try:
            barrier.wait(timeout=10)
            said[index] = _messages(clients[index].post(URL, form, follow=True))
        finally:
            connection.close()  # the thread's own connection

    threads = [threading.Thread(target=click, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    run = ScoringRun.objects.get()
    assert run.status == ScoringRun.Status.DONE
    started = [text for text in said if text.startswith(f"Scoring run {run.pk} done")]
    refused = [text for text in said if "No second run" in text or "already in progress" in text]
    assert len(started) == 1 and len(refused) == 1, said


@pytest.mark.broker
@pytest.mark.django_db(transaction=True)
def test_a_second_click_while_a_worker_scores_the_first_run_starts_nothing(
    worker, analyst, established
):
    established(3)
    client = Client()
    client.force_login(analyst)
    form = {"newest_run": _newest_run_on_the_page(client)}

    first = client.post(URL, form, follow=True)
    second = client.post(URL, form, follow=True)

    run = ScoringRun.objects.get()
    assert _messages(first).startswith(f"Scoring run {run.pk} ")
    assert "No second run" in _messages(second) or "already in progress" in _messages(second)
    deadline = time.monotonic() + 60
    while run.in_progress and time.monotonic() < deadline:
        time.sleep(0.2)
        run.refresh_from_db()
    assert run.status == ScoringRun.Status.DONE and run.customers_scored == 3
    assert ScoringRun.objects.count() == 1


def test_the_service_refuses_a_run_requested_from_before_the_newest_one(db):
    first = runs.scoring_run_start()
    runs.scoring_run_fail(run=first, error="over")

    with pytest.raises(ValidationError, match=r"after this page was shown \(status: failed\)"):
        runs.scoring_run_start(newest_seen_run_id=first.pk - 1)
    assert runs.scoring_run_start(newest_seen_run_id=first.pk).pk > first.pk


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_second_click_while_the_first_is_answered_sends_nothing_from_the_browser(
    browser_page, analyst, established
):
    established(2)
    page = browser_page
    page.goto("/login/")
    page.get_by_label("Username").fill(analyst.username)
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Log in").click()
    page.goto(reverse("risk:overview"))
    held = []  # the requests that left the page, answered only at the end (a slow server)
    page.route(f"**{URL}", lambda route: held.append(route))
    box = page.get_by_role("button", name="Score every customer now").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2

    page.mouse.click(x, y)
    page.wait_for_timeout(400)
    page.mouse.click(x, y)  # the user, seeing nothing happen yet, clicks again
    page.wait_for_timeout(400)

    assert len(held) == 1  # the button was disabled once the form was sent
    held[0].continue_()
    page.get_by_role("status").filter(has_text="Scoring run").wait_for()
    assert ScoringRun.objects.count() == 1
