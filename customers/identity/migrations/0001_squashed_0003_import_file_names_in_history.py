"""Every migration of identity up to 0003 in one.

The identity models moved here from the customer core (customers 0012), keeping their tables. On a
new database this migration creates them; on one whose customer core migrations up to 0011 ran
before (and created the tables), it takes the models over, keeps the tables and their rows,
and renames the constraints named after the app label as the unsquashed 0001 did.
"""

from importlib import import_module

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from crm.schema import (
    constraints_renamed_from,
    content_types_moved,
    tables_created_where_missing,
)

MOVED_IN = ['duplicatecandidate', 'duplicatescan', 'duplicatescanchunk', 'identitykey', 'importchunk', 'importjob', 'importrowerror']


class Migration(migrations.Migration):

    replaces = [
        ('identity', '0001_initial'),
        ('identity', '0002_content_types_from_customers'),
        ('identity', '0003_import_file_names_in_history'),
    ]

    initial = True

    dependencies = [
        ('customers', '0011_jobs_scans_and_imports'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='DuplicateScan',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('status', models.CharField(choices=[('queued', 'Queued'), ('running', 'Running'), ('done', 'Done'), ('failed', 'Failed')], default='queued', max_length=8)),
                        ('requested_at', models.DateTimeField()),
                        ('started_at', models.DateTimeField(blank=True, null=True)),
                        ('finished_at', models.DateTimeField(blank=True, null=True)),
                        ('chunks_total', models.PositiveIntegerField(default=0)),
                        ('chunks_done', models.PositiveIntegerField(default=0, help_text='Chunks that have ended, the failed ones included.')),
                        ('chunks_failed', models.PositiveIntegerField(default=0)),
                        ('error', models.TextField(blank=True)),
                        ('first_party_id', models.BigIntegerField(default=0)),
                        ('last_party_id', models.BigIntegerField(default=0)),
                        ('chunk_size', models.PositiveIntegerField(default=5000)),
                        ('pairs_compared', models.BigIntegerField(default=0)),
                        ('pairs_found', models.PositiveIntegerField(default=0)),
                        ('requested_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'customers_duplicatescan',
                        'ordering': ['-requested_at'],
                        'abstract': False,
                    },
                ),
                migrations.CreateModel(
                    name='DuplicateScanChunk',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('first_id', models.BigIntegerField()),
                        ('last_id', models.BigIntegerField()),
                        ('claimed_at', models.DateTimeField(blank=True, null=True)),
                        ('attempts', models.PositiveSmallIntegerField(default=0)),
                        ('done_at', models.DateTimeField(blank=True, help_text='When it ended, or failed.', null=True)),
                        ('failed', models.BooleanField(default=False)),
                        ('error', models.TextField(blank=True)),
                        ('pairs_found', models.PositiveIntegerField(default=0)),
                        ('run', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='chunks', to='identity.duplicatescan')),
                    ],
                    options={
                        'db_table': 'customers_duplicatescanchunk',
                        'ordering': ['run', 'first_id'],
                        'abstract': False,
                    },
                ),
                migrations.CreateModel(
                    name='IdentityKey',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(max_length=20)),
                        ('value', models.CharField(max_length=120)),
                        ('party', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='identity_keys', to='customers.party')),
                    ],
                    options={
                        'db_table': 'customers_identitykey',
                    },
                ),
                migrations.CreateModel(
                    name='ImportJob',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('status', models.CharField(choices=[('queued', 'Queued'), ('running', 'Running'), ('done', 'Done'), ('failed', 'Failed')], default='queued', max_length=8)),
                        ('requested_at', models.DateTimeField()),
                        ('started_at', models.DateTimeField(blank=True, null=True)),
                        ('finished_at', models.DateTimeField(blank=True, null=True)),
                        ('chunks_total', models.PositiveIntegerField(default=0)),
                        ('chunks_done', models.PositiveIntegerField(default=0, help_text='Chunks that have ended, the failed ones included.')),
                        ('chunks_failed', models.PositiveIntegerField(default=0)),
                        ('error', models.TextField(blank=True)),
                        ('kind', models.CharField(choices=[('customers', 'Customers with contact media'), ('subscriptions', 'Subscriptions'), ('invoices', 'Invoices and payments')], max_length=16)),
                        ('on_duplicate', models.CharField(choices=[('refuse', 'Refuse certain duplicates, queue probable ones for review'), ('queue', 'Import every row, queue all matches for review')], default='refuse', max_length=8)),
                        ('file', models.FileField(upload_to='imports/%Y/%m/')),
                        ('original_name', models.CharField(max_length=200)),
                        ('rows_total', models.PositiveIntegerField(default=0)),
                        ('rows_done', models.PositiveIntegerField(default=0)),
                        ('rows_created', models.PositiveIntegerField(default=0)),
                        ('rows_skipped', models.PositiveIntegerField(default=0, help_text='Already imported earlier (same external reference).')),
                        ('rows_failed', models.PositiveIntegerField(default=0)),
                        ('duplicates_queued', models.PositiveIntegerField(default=0)),
                        ('uploaded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'customers_importjob',
                        'ordering': ['-requested_at'],
                        'abstract': False,
                    },
                ),
                migrations.CreateModel(
                    name='ImportChunk',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('first_id', models.BigIntegerField()),
                        ('last_id', models.BigIntegerField()),
                        ('claimed_at', models.DateTimeField(blank=True, null=True)),
                        ('attempts', models.PositiveSmallIntegerField(default=0)),
                        ('done_at', models.DateTimeField(blank=True, help_text='When it ended, or failed.', null=True)),
                        ('failed', models.BooleanField(default=False)),
                        ('error', models.TextField(blank=True)),
                        ('run', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='chunks', to='identity.importjob')),
                    ],
                    options={
                        'db_table': 'customers_importchunk',
                        'ordering': ['run', 'first_id'],
                        'abstract': False,
                    },
                ),
                migrations.CreateModel(
                    name='ImportRowError',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('row_number', models.PositiveIntegerField(help_text='Line in the file, the header being 1.')),
                        ('external_ref', models.CharField(blank=True, max_length=64)),
                        ('field', models.CharField(blank=True, max_length=40)),
                        ('message', models.TextField()),
                        ('job', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='row_errors', to='identity.importjob')),
                    ],
                    options={
                        'db_table': 'customers_importrowerror',
                        'ordering': ['row_number', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='DuplicateCandidate',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('score', models.FloatField()),
                        ('reasons', models.JSONField(default=list)),
                        ('status', models.CharField(choices=[('open', 'Open'), ('merged', 'Merged'), ('not_duplicate', 'Not a duplicate')], default='open', max_length=16)),
                        ('source', models.CharField(choices=[('scan', 'Duplicate scan'), ('create', 'Check at create'), ('import', 'Import'), ('api', 'Partner API')], default='scan', max_length=8)),
                        ('found_at', models.DateTimeField()),
                        ('decided_at', models.DateTimeField(blank=True, null=True)),
                        ('customer_high', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='customers.customer')),
                        ('customer_low', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='customers.customer')),
                        ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'customers_duplicatecandidate',
                        'ordering': ['-score', 'id'],
                        'indexes': [models.Index(fields=['status', '-score'], name='duplicate_queue_idx'), models.Index(fields=['customer_high'], name='duplicate_high_idx')],
                        'constraints': [models.UniqueConstraint(fields=('customer_low', 'customer_high'), name='duplicate_pair_unique'), models.CheckConstraint(condition=models.Q(('customer_low__lt', models.F('customer_high'))), name='duplicate_pair_ordered')],
                    },
                ),
                migrations.AddConstraint(
                    model_name='duplicatescan',
                    constraint=models.UniqueConstraint(models.Value(1), condition=models.Q(('status__in', ['queued', 'running'])), name='identity_duplicatescan_one_in_progress'),
                ),
                migrations.AddConstraint(
                    model_name='duplicatescanchunk',
                    constraint=models.UniqueConstraint(fields=('run', 'first_id'), name='identity_duplicatescanchunk_range_unique'),
                ),
                migrations.AddIndex(
                    model_name='identitykey',
                    index=models.Index(fields=['kind', 'value'], name='identity_key_lookup_idx'),
                ),
                migrations.AddConstraint(
                    model_name='identitykey',
                    constraint=models.UniqueConstraint(fields=('party', 'kind', 'value'), name='identity_key_unique'),
                ),
                migrations.AddConstraint(
                    model_name='importjob',
                    constraint=models.UniqueConstraint(models.Value(1), condition=models.Q(('status__in', ['queued', 'running'])), name='identity_importjob_one_in_progress'),
                ),
                migrations.AddConstraint(
                    model_name='importchunk',
                    constraint=models.UniqueConstraint(fields=('run', 'first_id'), name='identity_importchunk_range_unique'),
                ),
                migrations.AddIndex(
                    model_name='importrowerror',
                    index=models.Index(fields=['job', 'row_number'], name='import_error_row_idx'),
                ),
            ],
        ),
        tables_created_where_missing("identity"),
        constraints_renamed_from("identity", old_label="customers"),
        content_types_moved(MOVED_IN, from_app="customers", to_app="identity"),
        migrations.RunPython(
            import_module(
                "customers.identity.migrations.0003_import_file_names_in_history"
            ).file_names_into_entries,
            migrations.RunPython.noop,
            elidable=True,
        ),
    ]
