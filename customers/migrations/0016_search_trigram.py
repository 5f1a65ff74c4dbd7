"""The indexes of the global search (``customers/search.py``).

On PostgreSQL, pg_trgm and two GIN trigram indexes: parties by their normalised name (a
mistyped name finds the customer) and partners by name (any part of it, any case). On every
database, customers by a partner's own reference alone (the unique constraint leads with the
partner, so it cannot serve a search across partners).

They live in the database only: the GIN indexes cannot be declared on a model that SQLite must
also create, and the models keep no state of any of them, so ``makemigrations`` leaves them be.
PostgreSQL builds them CONCURRENTLY, so a large base keeps answering while they are made.
"""

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models
from django.db.models.functions import Upper


def _indexes(apps, vendor: str):
    Customer = apps.get_model("customers", "Customer")
    Party = apps.get_model("customers", "Party")
    Partner = apps.get_model("customers", "Partner")
    indexes = [
        (
            Customer,
            models.Index(
                fields=["partner_reference"],
                name="customer_partner_ref_idx",
                condition=~models.Q(partner_reference=""),
            ),
        )
    ]
    if vendor == "postgresql":
        indexes += [
            (
                Party,
                GinIndex(OpClass("name_key", name="gin_trgm_ops"), name="party_name_key_trgm_idx"),
            ),
            # Django's icontains compares UPPER(name): the index holds the same expression.
            (
                Partner,
                GinIndex(OpClass(Upper("name"), name="gin_trgm_ops"), name="partner_name_trgm_idx"),
            ),
        ]
    return indexes


def indexes_create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for model, index in _indexes(apps, vendor):
        if vendor == "postgresql":
            schema_editor.add_index(model, index, concurrently=True)
        else:
            schema_editor.add_index(model, index)


def indexes_drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for model, index in _indexes(apps, vendor):
        if vendor == "postgresql":
            schema_editor.remove_index(model, index, concurrently=True)
        else:
            schema_editor.remove_index(model, index)


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [
        ("customers", "0015_customer_partner_party_idx"),
    ]

    operations = [
        TrigramExtension(),  # PostgreSQL only: Django skips it on other databases
        migrations.RunPython(indexes_create, indexes_drop, elidable=False),
    ]
