"""The demo base: the same seed gives the same rows, every row is counted, and the data reads
as a real installation's would."""

from datetime import date
from io import StringIO

import numpy as np
import pytest
from django.core.management import call_command

from crm.demo import demo_base_seed
from crm.demo.context import Ids
from crm.demo.generator import TABLE_ORDER, copy_payload
from crm.demo.seed import run_context
from crm.sealed import EncryptedFieldMixin, decrypt
from customers.models import Customer

pytestmark = pytest.mark.django_db


def test_the_same_seed_gives_the_same_rows_whatever_the_batch_size():
    ctx = run_context(customers=2000, seed=7, as_of=date(2026, 1, 15), counts={})
    keys = np.arange(1, 2001, dtype=np.int64)
    ids = Ids(party=keys, customer=keys, serial=keys)

    whole, _ = copy_payload(ctx, 0, ids)
    first, _ = copy_payload(ctx, 0, ids[:1000])
    second, _ = copy_payload(ctx, 1000, ids[1000:])

    assert list(whole) == list(TABLE_ORDER)
    for model, (columns, text) in whole.items():
        assert first[model][0] == second[model][0] == columns
        assert _opened(model, columns, first[model][1] + second[model][1]) == _opened(
            model, columns, text
        )


def _opened(model, columns, text: bytes) -> list[list[str]]:
    """COPY rows with their encrypted columns decrypted: encryption is randomised, so the same
    value is stored as new ciphertext each time."""
    encrypted = {
        columns.index(f.column)
        for f in model._meta.concrete_fields
        if isinstance(f, EncryptedFieldMixin) and f.column in columns
    }
    rows = [line.split("\t") for line in text.decode().splitlines()]
    for row in rows:
        for i in encrypted:
            if row[i] not in ("", "\\N"):
                row[i] = decrypt(row[i])
    return rows


def test_seeding_returns_the_rows_it_wrote_per_table():
    counts = demo_base_seed(customers=300, seed=3)

    assert counts["customers"] == Customer.objects.count() == 300
    for model in TABLE_ORDER:
        assert counts[str(model._meta.verbose_name_plural)] == model.objects.count(), model


def test_demo_lead_sources_are_written_as_people_type_them():
    call_command("seed_demo", customers=200, seed=5, stdout=StringIO())

    sources = set(Customer.objects.values_list("lead_source", flat=True))

    assert "Comparison site" in sources
    assert not any("_" in source for source in sources)
