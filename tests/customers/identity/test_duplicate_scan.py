"""The background scan for duplicates: id-range chunks, claimed once, resumable, never repeating."""

import math
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone

from crm.celery import app as celery_app
from crm.jobs.services import job_lease
from crm.jobs.tasks import job_dispatch
from customers.identity.models import (
    DuplicateCandidate,
    DuplicateScan,
    DuplicateScanChunk,
    IdentityKey,
)
from customers.identity.selectors import duplicate_queue
from customers.identity.services import identity
from customers.identity.services.duplicate_scans import (
    duplicate_scan_chunk_run,
    duplicate_scan_pending_chunks,
    duplicate_scan_start,
)
from customers.identity.services.merge import customers_merge, duplicate_mark_distinct
from customers.models import ContactMedium
from customers.services import ContactMediumInput
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

Kind = ContactMedium.Kind
Status = DuplicateScan.Status
BIRTHDAY = date(1980, 5, 17)


def _email(value):
    return ContactMediumInput(kind=Kind.EMAIL, value=value)


def _mobile(value):
    return ContactMediumInput(kind=Kind.MOBILE, value=value)


def _postal(street, city, postcode):
    return ContactMediumInput(kind=Kind.POSTAL, street=street, city=city, postcode=postcode)


@pytest.fixture
def base(agent):
    """Two pairs of one person each, among people who merely look alike on one count."""

    def customer(given, family, **fields):
        return CustomerFactory(actor=agent, given_name=given, family_name=family, **fields)

    people = {
        "smith": customer(
            "Jonathan",
            "Smith",
            birth_date=BIRTHDAY,
            contact_media=[_postal("10 Downing Street", "London", "SW1A 2AA")],
        ),
        "zoe": customer("Zoë", "Brennan", contact_media=[_email("zoe@example.com")]),
        # Born the same day in the same city as Jonathan Smith.
        "priya": customer(
            "Priya",
            "Raman",
            birth_date=BIRTHDAY,
            contact_media=[_postal("4 Baker Street", "London", "NW1 6XE")],
        ),
        # The family e-mail address of Zoë's household.
        "paul": customer("Paul", "Brennan", contact_media=[_email("zoe@example.com")]),
        "omar": customer("Omar", "Haddad", contact_media=[_mobile("07911 123456")]),
        "smyth": customer(
            "Jonathan",
            "Smyth",
            birth_date=BIRTHDAY,
            contact_media=[_postal("10 Downing St", "London", "SW1A 2AA")],
        ),
        "zoe_again": customer(
            "Zoe",
            "Brennan",
            contact_media=[_email("ZOE@example.com"), _mobile("07400 123456")],
        ),
    }
    return people


def _pair(first, second) -> tuple[int, int]:
    return tuple(sorted((first.pk, second.pk)))


def _expected_pairs(base) -> set[tuple[int, int]]:
    return {_pair(base["smith"], base["smyth"]), _pair(base["zoe"], base["zoe_again"])}


def _stored_pairs() -> set[tuple[int, int]]:
    return set(DuplicateCandidate.objects.values_list("customer_low_id", "customer_high_id"))


def _run(scan: DuplicateScan) -> DuplicateScan:
    """What the workers do: take every chunk still to do."""
    for chunk_id in duplicate_scan_pending_chunks(scan=scan):
        duplicate_scan_chunk_run(chunk_id=chunk_id)
    scan.refresh_from_db()
    return scan


def _expected_chunks(chunk_size: int) -> int:
    ids = IdentityKey.objects.values_list("party_id", flat=True)
    return math.ceil((max(ids) - min(ids) + 1) / chunk_size)


@pytest.fixture
def eager_tasks():
    # In-process, whatever the broker settings: the chunks a dispatch queues run at once.
    conf = celery_app.conf
    saved = conf.task_always_eager, conf.task_eager_propagates
    conf.task_always_eager = conf.task_eager_propagates = True
    yield
    conf.task_always_eager, conf.task_eager_propagates = saved


def test_a_scan_finds_the_probable_duplicates_and_not_the_look_alikes(base, manager):
    scan = _run(duplicate_scan_start(actor=manager, chunk_size=2))

    assert _stored_pairs() == _expected_pairs(base)
    for pair in DuplicateCandidate.objects.all():
        assert pair.customer_low_id < pair.customer_high_id
        assert pair.status == DuplicateCandidate.Status.OPEN
        assert pair.source == DuplicateCandidate.Source.SCAN
        assert pair.score >= 0.5
        assert pair.reasons
        assert pair.found_at >= scan.requested_at
    smith = DuplicateCandidate.objects.get(customer_low=base["smith"])
    assert "same date of birth" in smith.reasons
    zoe = DuplicateCandidate.objects.get(customer_low=base["zoe"])
    assert "same e-mail" in zoe.reasons


def test_a_scan_reports_its_progress_chunk_by_chunk(base, manager):
    scan = duplicate_scan_start(actor=manager, chunk_size=2)
    assert (scan.status, scan.requested_by, scan.chunks_done) == (Status.QUEUED, manager, 0)
    assert scan.chunks_total == _expected_chunks(2) > 2
    assert scan.chunks.count() == scan.chunks_total

    first, *others = duplicate_scan_pending_chunks(scan=scan)
    duplicate_scan_chunk_run(chunk_id=first)
    scan.refresh_from_db()
    assert (scan.status, scan.chunks_done) == (Status.RUNNING, 1)
    assert scan.started_at is not None
    assert scan.finished_at is None
    assert duplicate_scan_pending_chunks(scan=scan) == others

    scan = _run(scan)

    assert scan.status == Status.DONE
    assert scan.chunks_done == scan.chunks_total
    assert scan.percent_done == 100
    assert scan.pairs_found == 2
    assert scan.pairs_compared >= 2
    assert scan.finished_at >= scan.started_at
    chunks = DuplicateScanChunk.objects.filter(run=scan)
    assert not chunks.filter(done_at__isnull=True).exists()
    assert sum(chunk.pairs_found for chunk in chunks) == 2


def test_the_dispatch_task_runs_every_chunk_of_the_scan(base, manager, eager_tasks):
    scan = duplicate_scan_start(actor=manager, chunk_size=3)

    queued = job_dispatch.delay("duplicate_scan", scan.pk).get()

    scan.refresh_from_db()
    assert queued == scan.chunks_total == _expected_chunks(3)
    assert (scan.status, scan.chunks_done, scan.pairs_found) == (Status.DONE, queued, 2)
    assert _stored_pairs() == _expected_pairs(base)
    assert job_dispatch.delay("duplicate_scan", scan.pk).get() == 0


def test_running_a_chunk_twice_stores_nothing_twice_and_counts_once(base, manager):
    scan = duplicate_scan_start(actor=manager, chunk_size=10_000)
    (chunk_id,) = duplicate_scan_pending_chunks(scan=scan)
    assert duplicate_scan_chunk_run(chunk_id=chunk_id) == 2
    pairs = list(DuplicateCandidate.objects.values_list("pk", "customer_low", "customer_high"))

    assert duplicate_scan_chunk_run(chunk_id=chunk_id) == 0

    scan.refresh_from_db()
    assert (scan.status, scan.chunks_done, scan.chunks_total) == (Status.DONE, 1, 1)
    assert scan.pairs_found == 2
    assert list(DuplicateCandidate.objects.values_list("pk", "customer_low", "customer_high")) == (
        pairs
    )


def test_a_pair_marked_distinct_is_never_proposed_again(base, manager):
    _run(duplicate_scan_start(actor=manager, chunk_size=2))
    zoes = DuplicateCandidate.objects.get(customer_low=base["zoe"])
    duplicate_mark_distinct(candidate=zoes, actor=manager)

    later = _run(duplicate_scan_start(chunk_size=2))

    assert later.status == Status.DONE
    assert later.pairs_found == 0
    zoes.refresh_from_db()
    assert zoes.status == DuplicateCandidate.Status.NOT_DUPLICATE
    assert zoes.decided_by == manager
    assert DuplicateCandidate.objects.count() == 2
    assert [(c.customer_low, c.customer_high) for c in duplicate_queue()] == [
        (base["smith"], base["smyth"])
    ]


def test_a_second_scan_cannot_start_while_one_is_running(base, manager):
    scan = duplicate_scan_start(actor=manager, chunk_size=2)
    with pytest.raises(ValidationError, match="already running"):
        duplicate_scan_start(actor=manager)
    duplicate_scan_chunk_run(chunk_id=duplicate_scan_pending_chunks(scan=scan)[0])
    assert DuplicateScan.objects.get().status == Status.RUNNING

    with pytest.raises(ValidationError, match="already running"):
        duplicate_scan_start(actor=manager)

    assert DuplicateScan.objects.count() == 1
    _run(scan)
    assert duplicate_scan_start(actor=manager).status == Status.QUEUED


def test_a_chunk_whose_worker_died_is_offered_again_and_completes(base, manager):
    scan = duplicate_scan_start(actor=manager, chunk_size=10_000)
    (chunk_id,) = duplicate_scan_pending_chunks(scan=scan)
    # A worker claimed the chunk, started the scan and was killed before finishing.
    died_at = timezone.now() - job_lease() - timedelta(minutes=1)
    DuplicateScanChunk.objects.filter(pk=chunk_id).update(claimed_at=died_at)
    DuplicateScan.objects.filter(pk=scan.pk).update(status=Status.RUNNING, started_at=died_at)

    assert duplicate_scan_pending_chunks(scan=scan) == [chunk_id]
    assert duplicate_scan_chunk_run(chunk_id=chunk_id) == 2

    scan.refresh_from_db()
    assert (scan.status, scan.chunks_done, scan.pairs_found) == (Status.DONE, 1, 2)
    assert _stored_pairs() == _expected_pairs(base)
    assert DuplicateScanChunk.objects.get(pk=chunk_id).done_at is not None


def test_a_chunk_a_live_worker_holds_is_left_to_it(base, manager):
    scan = duplicate_scan_start(actor=manager, chunk_size=10_000)
    (chunk_id,) = duplicate_scan_pending_chunks(scan=scan)
    DuplicateScanChunk.objects.filter(pk=chunk_id).update(
        claimed_at=timezone.now() - job_lease() + timedelta(minutes=1)
    )

    assert duplicate_scan_pending_chunks(scan=scan) == []
    assert duplicate_scan_chunk_run(chunk_id=chunk_id) == 0

    scan.refresh_from_db()
    assert scan.chunks_done == 0
    assert not DuplicateCandidate.objects.exists()


def test_an_empty_base_gives_a_scan_that_is_done_at_once(db):
    scan = duplicate_scan_start()

    assert scan.status == Status.DONE
    assert (scan.chunks_total, scan.chunks_done, scan.pairs_found) == (0, 0, 0)
    assert scan.started_at is not None
    assert scan.finished_at is not None
    assert scan.percent_done == 100
    assert duplicate_scan_pending_chunks(scan=scan) == []
    # Done, so it does not stand in the way of the next one.
    assert duplicate_scan_start().status == Status.DONE


def test_a_merged_away_customer_is_never_proposed(base, manager):
    customers_merge(survivor=base["zoe"], merged=base["zoe_again"], actor=manager)

    _run(duplicate_scan_start(chunk_size=2))

    assert _stored_pairs() == {_pair(base["smith"], base["smyth"])}


def test_a_key_shared_by_more_parties_than_the_block_cap_links_nobody(agent, monkeypatch):
    switchboard = _mobile("+44 20 7946 0018")
    janes = [
        CustomerFactory(
            actor=agent, given_name="Jane", family_name="Doe", contact_media=[switchboard]
        )
        for _ in range(2)
    ]
    CustomerFactory(
        actor=agent, given_name="Kwame", family_name="Mensah", contact_media=[switchboard]
    )
    CustomerFactory(actor=agent, given_name="Jane", family_name="Doe", birth_date=date(1950, 1, 1))
    # The number and the name are each on three records.
    assert IdentityKey.objects.filter(kind="phone").count() == 3
    assert IdentityKey.objects.filter(kind="phonetic_name", party__given_name="Jane").count() == 3

    monkeypatch.setattr(identity, "BLOCK_CAP", 2)
    capped = _run(duplicate_scan_start())
    assert (capped.status, capped.pairs_compared, capped.pairs_found) == (Status.DONE, 0, 0)

    monkeypatch.setattr(identity, "BLOCK_CAP", 3)
    _run(duplicate_scan_start())
    assert _stored_pairs() == {_pair(*janes)}


# --- The management command -------------------------------------------------------------------


def test_the_command_scans_the_base_and_prints_a_summary(base):
    out = StringIO()

    call_command("scan_duplicates", stdout=out, stderr=StringIO())

    scan = DuplicateScan.objects.get()
    assert scan.status == Status.DONE
    assert out.getvalue() == (
        f"Scan {scan.pk}: done, {scan.pairs_compared} pairs compared, "
        "2 probable duplicates queued for review.\n"
    )
    assert _stored_pairs() == _expected_pairs(base)


def test_the_command_resumes_an_interrupted_scan(base):
    scan = duplicate_scan_start(chunk_size=2)
    duplicate_scan_chunk_run(chunk_id=duplicate_scan_pending_chunks(scan=scan)[0])
    out = StringIO()

    call_command("scan_duplicates", "--resume", str(scan.pk), stdout=out, stderr=StringIO())

    scan.refresh_from_db()
    assert (scan.status, scan.chunks_done) == (Status.DONE, scan.chunks_total)
    assert out.getvalue().startswith(f"Scan {scan.pk}: done,")
    assert _stored_pairs() == _expected_pairs(base)


def test_the_command_refuses_a_chunk_size_below_100(base):
    with pytest.raises(CommandError, match="--chunk-size must be at least 100"):
        call_command("scan_duplicates", "--chunk-size", "5", stdout=StringIO())

    assert not DuplicateScan.objects.exists()


def test_the_command_refuses_to_start_while_a_scan_runs(base):
    duplicate_scan_start(chunk_size=2)

    with pytest.raises(CommandError, match="already running"):
        call_command("scan_duplicates", stdout=StringIO(), stderr=StringIO())

    assert DuplicateScan.objects.count() == 1
