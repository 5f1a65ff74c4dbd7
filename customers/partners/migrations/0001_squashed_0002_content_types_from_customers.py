"""Every migration of partners up to 0002 in one.

The partners models moved here from the customer core (customers 0012), keeping their tables. On a
new database this migration creates them; on one whose customer core migrations up to 0011 ran
before (and created the tables), it takes the models over and leaves the tables as they are.
"""

import django.db.models.deletion
import django.utils.timezone
import uuid
from django.conf import settings
from django.db import migrations, models

from crm.schema import content_types_moved, tables_created_where_missing

MOVED_IN = ['apitoken', 'hubdelivery', 'hubevent', 'hubsubscription']


class Migration(migrations.Migration):

    replaces = [
        ('partners', '0001_initial'),
        ('partners', '0002_content_types_from_customers'),
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
                    name='ApiToken',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(help_text="What the token is for, e.g. 'billing sync'.", max_length=100)),
                        ('prefix', models.CharField(max_length=16, unique=True)),
                        ('secret_hash', models.CharField(help_text='SHA-256 of the whole token.', max_length=64)),
                        ('scopes', models.JSONField(default=list)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('expires_at', models.DateTimeField(blank=True, help_text="Set when the token was rotated: the old one's last day.", null=True)),
                        ('last_used_at', models.DateTimeField(blank=True, null=True)),
                        ('revoked_at', models.DateTimeField(blank=True, null=True)),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('partner', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='tokens', to='customers.partner')),
                        ('revoked_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'customers_apitoken',
                        'ordering': ['-created_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='HubEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('event_id', models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                        ('event_type', models.CharField(max_length=60)),
                        ('customer_id', models.BigIntegerField()),
                        ('payload', models.JSONField()),
                        ('occurred_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('partner', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='customers.partner')),
                    ],
                    options={
                        'db_table': 'customers_hubevent',
                        'ordering': ['-occurred_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='HubSubscription',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('callback', models.URLField(max_length=500)),
                        ('query', models.CharField(blank=True, help_text="Which events to send, e.g. 'eventType=CustomerStateChangeEvent'; all if empty.", max_length=500)),
                        ('secret', models.CharField(help_text='Signs every delivery (HMAC-SHA256), so the receiver can trust it.', max_length=128)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('deleted_at', models.DateTimeField(blank=True, null=True)),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('partner', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='hubs', to='customers.partner')),
                    ],
                    options={
                        'db_table': 'customers_hubsubscription',
                        'ordering': ['-created_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='HubDelivery',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('status', models.CharField(choices=[('pending', 'Pending'), ('delivered', 'Delivered'), ('dead', 'Failed for good'), ('cancelled', 'Cancelled (hub removed)')], default='pending', max_length=10)),
                        ('attempts', models.PositiveSmallIntegerField(default=0)),
                        ('next_attempt_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('last_attempt_at', models.DateTimeField(blank=True, null=True)),
                        ('response_status', models.PositiveSmallIntegerField(blank=True, null=True)),
                        ('last_error', models.TextField(blank=True)),
                        ('delivered_at', models.DateTimeField(blank=True, null=True)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('event', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='deliveries', to='partners.hubevent')),
                        ('subscription', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='deliveries', to='partners.hubsubscription')),
                    ],
                    options={
                        'verbose_name_plural': 'hub deliveries',
                        'db_table': 'customers_hubdelivery',
                        'ordering': ['-id'],
                    },
                ),
                migrations.AddIndex(
                    model_name='hubsubscription',
                    index=models.Index(condition=models.Q(('deleted_at', None)), fields=['partner'], name='hub_live_partner_idx'),
                ),
                migrations.AddIndex(
                    model_name='hubdelivery',
                    index=models.Index(condition=models.Q(('status', 'pending')), fields=['next_attempt_at'], name='hub_delivery_due_idx'),
                ),
                migrations.AddIndex(
                    model_name='hubdelivery',
                    index=models.Index(fields=['status', '-id'], name='hub_delivery_status_idx'),
                ),
                migrations.AddIndex(
                    model_name='hubdelivery',
                    index=models.Index(fields=['subscription', '-id'], name='hub_delivery_hub_idx'),
                ),
                migrations.AddConstraint(
                    model_name='hubdelivery',
                    constraint=models.UniqueConstraint(fields=('event', 'subscription'), name='hub_delivery_once_per_hub'),
                ),
            ],
        ),
        tables_created_where_missing("partners"),
        content_types_moved(MOVED_IN, from_app="customers", to_app="partners"),
    ]
