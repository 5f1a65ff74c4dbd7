"""Every migration of the customer core up to 0012 in one: what a new database runs."""

import customers.models.customer
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


from importlib import import_module

number_sequence = import_module("customers.migrations.0002_customer_number_sequence")


class Migration(migrations.Migration):

    replaces = [
        ('customers', '0001_initial'),
        ('customers', '0002_customer_number_sequence'),
        ('customers', '0003_identity_and_imports'),
        ('customers', '0004_leaner_indexes'),
        ('customers', '0005_latestscores'),
        ('customers', '0006_scores_value_at_risk'),
        ('customers', '0007_backfill_value_at_risk'),
        ('customers', '0008_scores_fewer_indexes'),
        ('customers', '0009_partners_tokens_hub'),
        ('customers', '0010_billing_currency_missed_payments_interaction_owner'),
        ('customers', '0011_jobs_scans_and_imports'),
        ('customers', '0012_models_moved_to_identity_and_partners'),
    ]

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Customer',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.CharField(editable=False, max_length=12, unique=True)),
                ('status', models.CharField(choices=[('lead', 'Lead'), ('prospect', 'Prospect'), ('active', 'Active'), ('suspended', 'Suspended'), ('terminated', 'Terminated'), ('disqualified', 'Disqualified'), ('merged', 'Merged into another customer')], default='lead', max_length=12)),
                ('status_reason', models.CharField(blank=True, max_length=40)),
                ('status_changed_at', models.DateTimeField()),
                ('segment', models.CharField(choices=[('residential', 'Residential'), ('small_business', 'Small business'), ('enterprise', 'Enterprise'), ('wholesale', 'Wholesale')], default='residential', max_length=16)),
                ('payment_method', models.CharField(blank=True, choices=[('direct_debit', 'Direct debit'), ('card', 'Credit card'), ('bank_transfer', 'Bank transfer'), ('cash', 'Cash / voucher')], default='', max_length=16)),
                ('lead_source', models.CharField(blank=True, max_length=40)),
                ('currency', models.CharField(db_default='EUR', default=customers.models.customer.default_currency, help_text='ISO 4217 code of the currency the customer is billed in; every amount of their billing facts (charges, invoices, payments, lifetime value) is in it.', max_length=3)),
                ('external_ref', models.CharField(blank=True, help_text="The customer's id in the system it came from; makes imports re-runnable.", max_length=64, null=True, unique=True)),
                ('partner_reference', models.CharField(blank=True, default='', help_text="The partner's own id for the customer, unique among that partner's customers.", max_length=64)),
                ('valid_from', models.DateTimeField(help_text='When the relationship began.')),
                ('valid_to', models.DateTimeField(blank=True, help_text='When it last ended.', null=True)),
                ('last_activity_at', models.DateTimeField(help_text='Last change or interaction: what makes a lead stale.')),
                ('stale_since', models.DateTimeField(blank=True, null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('account_manager', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='managed_customers', to=settings.AUTH_USER_MODEL)),
                ('merged_into', models.ForeignKey(blank=True, help_text='Set once the customer has been merged into another; it is then read-only.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='merged_customers', to='customers.customer')),
            ],
            options={
                'permissions': [('qualify_customer', 'Can qualify a lead'), ('establish_customer', 'Can establish a customer relationship'), ('disqualify_customer', 'Can disqualify a lead'), ('suspend_customer', 'Can suspend a customer'), ('resume_customer', 'Can resume a suspended customer'), ('terminate_customer', 'Can terminate a customer relationship'), ('reestablish_customer', 'Can re-establish a customer relationship'), ('merge_customer', 'Can merge duplicate customers')],
            },
        ),
        migrations.CreateModel(
            name='CustomerNumberCounter',
            fields=[
                ('name', models.CharField(max_length=40, primary_key=True, serialize=False)),
                ('last_value', models.BigIntegerField(default=0)),
            ],
        ),
        migrations.CreateModel(
            name='Partner',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=200, unique=True)),
                ('registration_number', models.CharField(blank=True, max_length=40)),
                ('contact_name', models.CharField(blank=True, max_length=200)),
                ('contact_email', models.EmailField(blank=True, max_length=254)),
                ('website', models.URLField(blank=True)),
                ('notes', models.TextField(blank=True)),
                ('status', models.CharField(choices=[('applied', 'Applied'), ('validated', 'Validated'), ('approved', 'Approved'), ('suspended', 'Suspended'), ('terminated', 'Terminated')], default='applied', max_length=12)),
                ('status_reason', models.CharField(blank=True, max_length=200)),
                ('status_changed_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('rate_limit_per_minute', models.PositiveIntegerField(default=600, help_text="API requests allowed per minute, over all of the partner's tokens.")),
                ('created_at', models.DateTimeField(auto_now_add=True)),
            ],
            options={
                'ordering': ['name'],
                'permissions': [('approve_partner', 'Can validate, approve, suspend and terminate partners'), ('manage_partner_tokens', 'Can issue, rotate and revoke partner API tokens')],
            },
        ),
        migrations.CreateModel(
            name='Product',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.CharField(max_length=30, unique=True)),
                ('name', models.CharField(max_length=120)),
                ('family', models.CharField(choices=[('mobile', 'Mobile'), ('broadband', 'Broadband'), ('fixed_voice', 'Fixed voice'), ('tv', 'TV'), ('bundle', 'Bundle'), ('device', 'Device plan'), ('add_on', 'Add-on')], max_length=12)),
                ('list_price', models.DecimalField(decimal_places=2, max_digits=9)),
                ('margin_rate', models.DecimalField(decimal_places=3, default=0.35, max_digits=4)),
                ('is_active', models.BooleanField(default=True)),
            ],
            options={
                'ordering': ['family', 'name'],
            },
        ),
        migrations.CreateModel(
            name='CustomerAlias',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.CharField(max_length=12, unique=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('customer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='aliases', to='customers.customer')),
            ],
            options={
                'verbose_name_plural': 'customer aliases',
            },
        ),
        migrations.CreateModel(
            name='Invoice',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.CharField(max_length=30, unique=True)),
                ('period_start', models.DateField()),
                ('issued_on', models.DateField()),
                ('due_on', models.DateField()),
                ('amount', models.DecimalField(decimal_places=2, max_digits=10)),
                ('paid_amount', models.DecimalField(decimal_places=2, default=0, max_digits=10)),
                ('paid_on', models.DateField(blank=True, help_text='When it was paid in full.', null=True)),
                ('missed_at', models.DateTimeField(blank=True, help_text='When the daily job found it unpaid after its due date (payment missed).', null=True)),
                ('customer', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='invoices', to='customers.customer')),
            ],
            options={
                'ordering': ['-issued_on', '-id'],
            },
        ),
        migrations.CreateModel(
            name='LifecycleEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('action', models.CharField(max_length=20)),
                ('from_status', models.CharField(blank=True, max_length=12)),
                ('to_status', models.CharField(max_length=12)),
                ('reason', models.CharField(blank=True, max_length=40)),
                ('note', models.TextField(blank=True)),
                ('occurred_at', models.DateTimeField()),
                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL)),
                ('customer', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='lifecycle_events', to='customers.customer')),
            ],
            options={
                'ordering': ['-occurred_at', '-id'],
            },
        ),
        migrations.AddField(
            model_name='customer',
            name='partner',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='customers', to='customers.partner'),
        ),
        migrations.CreateModel(
            name='ActionLog',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('action', models.CharField(help_text='Dotted name, e.g. customer.terminated', max_length=60)),
                ('actor_label', models.CharField(blank=True, help_text='The user, partner or job that acted.', max_length=150)),
                ('data', models.JSONField(blank=True, default=dict)),
                ('created_at', models.DateTimeField(db_index=True)),
                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL)),
                ('customer', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='action_log', to='customers.customer')),
                ('partner', models.ForeignKey(blank=True, db_index=False, help_text='The partner that acted through the API, or whose on-boarding this records.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='customers.partner')),
            ],
            options={
                'ordering': ['-created_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='Party',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('individual', 'Individual'), ('organization', 'Organization')], default='individual', max_length=12)),
                ('title', models.CharField(blank=True, max_length=20)),
                ('given_name', models.CharField(blank=True, max_length=100)),
                ('family_name', models.CharField(blank=True, max_length=100)),
                ('birth_date', models.DateField(blank=True, null=True)),
                ('national_id', models.CharField(blank=True, help_text='Passport, ID card or social security number.', max_length=40)),
                ('legal_name', models.CharField(blank=True, max_length=200)),
                ('trading_name', models.CharField(blank=True, max_length=200)),
                ('registration_number', models.CharField(blank=True, max_length=40)),
                ('display_name', models.CharField(max_length=220)),
                ('name_key', models.CharField(max_length=220)),
                ('family_name_key', models.CharField(blank=True, max_length=200)),
                ('sort_key', models.CharField(default='', max_length=220)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
            ],
            options={
                'verbose_name_plural': 'parties',
                'indexes': [models.Index(fields=['name_key'], name='party_name_key_idx', opclasses=['varchar_pattern_ops']), models.Index(fields=['sort_key', 'id'], name='party_sort_order_idx'), models.Index(fields=['sort_key'], name='party_sort_key_idx', opclasses=['varchar_pattern_ops']), models.Index(fields=['family_name_key'], name='party_family_key_idx', opclasses=['varchar_pattern_ops']), models.Index(condition=models.Q(('national_id', ''), _negated=True), fields=['national_id'], name='party_national_id_idx')],
                'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('family_name__gt', ''), ('kind', 'individual')), models.Q(('given_name__gt', ''), ('kind', 'individual')), models.Q(('kind', 'organization'), ('legal_name__gt', '')), _connector='OR'), name='party_has_a_name')],
            },
        ),
        migrations.AddField(
            model_name='customer',
            name='party',
            field=models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='customer', to='customers.party'),
        ),
        migrations.CreateModel(
            name='ContactMedium',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('email', 'E-mail'), ('phone', 'Phone'), ('mobile', 'Mobile'), ('postal', 'Postal address'), ('web', 'Web portal'), ('social', 'Social media')], max_length=8)),
                ('value', models.CharField(max_length=320)),
                ('label', models.CharField(blank=True, help_text='Home, work, billing …', max_length=40)),
                ('street', models.CharField(blank=True, max_length=200)),
                ('city', models.CharField(blank=True, max_length=100)),
                ('postcode', models.CharField(blank=True, max_length=20)),
                ('country', models.CharField(blank=True, help_text='ISO 3166-1 alpha-2', max_length=2)),
                ('is_preferred', models.BooleanField(default=False)),
                ('is_verified', models.BooleanField(default=False)),
                ('valid_from', models.DateField(blank=True, null=True)),
                ('valid_to', models.DateField(blank=True, null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('party', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='contact_media', to='customers.party')),
            ],
            options={
                'ordering': ['kind', '-is_preferred', 'id'],
            },
        ),
        migrations.CreateModel(
            name='Payment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('amount', models.DecimalField(decimal_places=2, max_digits=10)),
                ('received_on', models.DateField()),
                ('method', models.CharField(choices=[('direct_debit', 'Direct debit'), ('card', 'Card'), ('bank_transfer', 'Bank transfer'), ('cash', 'Cash')], max_length=16)),
                ('reference', models.CharField(max_length=60, unique=True)),
                ('customer', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='payments', to='customers.customer')),
                ('invoice', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='payments', to='customers.invoice')),
            ],
            options={
                'ordering': ['-received_on', '-id'],
            },
        ),
        migrations.CreateModel(
            name='Subscription',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('service_id', models.CharField(blank=True, help_text='MSISDN, line or account id in the network.', max_length=40)),
                ('monthly_charge', models.DecimalField(decimal_places=2, max_digits=9)),
                ('contract_term_months', models.PositiveSmallIntegerField(default=0, help_text='0 for month-to-month.')),
                ('start_date', models.DateField()),
                ('end_date', models.DateField(blank=True, null=True)),
                ('status', models.CharField(choices=[('pending', 'Pending activation'), ('active', 'Active'), ('suspended', 'Suspended'), ('terminated', 'Terminated')], default='active', max_length=10)),
                ('external_ref', models.CharField(blank=True, help_text="The subscription's id in the ordering system; makes imports re-runnable.", max_length=64, null=True, unique=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('customer', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='subscriptions', to='customers.customer')),
                ('product', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='subscriptions', to='customers.product')),
            ],
            options={
                'ordering': ['-start_date', '-id'],
            },
        ),
        migrations.CreateModel(
            name='LatestScores',
            fields=[
                ('customer', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='latest_scores', serialize=False, to='customers.customer')),
                ('churn_risk', models.FloatField(help_text='Probability of leaving in the next 90 days.')),
                ('credit_score', models.PositiveSmallIntegerField()),
                ('credit_rating', models.CharField(choices=[('A', 'A: under 2 % default risk'), ('B', 'B: 2 to 5 %'), ('C', 'C: 5 to 10 %'), ('D', 'D: 10 to 20 %'), ('E', 'E: 20 % or more')], max_length=2)),
                ('fraud_risk', models.FloatField()),
                ('influence', models.FloatField(help_text='Expected churn this customer could pull with them.')),
                ('lifetime_value', models.DecimalField(decimal_places=2, max_digits=12)),
                ('value_segment', models.CharField(choices=[('top', 'Top 5 %'), ('high', 'Next 15 %'), ('standard', 'Rest')], max_length=8)),
                ('value_at_risk', models.DecimalField(decimal_places=2, default=0, help_text='Lifetime value times churn risk: what is lost if nothing is done.', max_digits=12)),
                ('scored_at', models.DateTimeField()),
            ],
            options={
                'verbose_name_plural': 'latest scores',
                'indexes': [models.Index(fields=['-value_at_risk', '-customer'], name='scores_retention_idx'), models.Index(fields=['-churn_risk', '-customer'], name='scores_churn_idx'), models.Index(fields=['-fraud_risk', '-customer'], name='scores_fraud_idx'), models.Index(fields=['-lifetime_value', '-customer'], name='scores_value_idx'), models.Index(fields=['credit_rating', 'credit_score'], name='scores_credit_idx')],
            },
        ),
        migrations.CreateModel(
            name='Consent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('channel', models.CharField(choices=[('email', 'E-mail'), ('sms', 'SMS'), ('phone', 'Phone call'), ('post', 'Post'), ('push', 'App notification')], max_length=8)),
                ('purpose', models.CharField(choices=[('service', 'Service messages'), ('marketing', 'Marketing'), ('surveys', 'Satisfaction surveys'), ('profiling', 'Profiling and analytics'), ('third_party', 'Sharing with partners')], max_length=12)),
                ('granted', models.BooleanField()),
                ('source', models.CharField(choices=[('web', 'Web portal'), ('store', 'Store'), ('call_centre', 'Call centre'), ('paper', 'Paper form'), ('api', 'Partner API'), ('import', 'Import')], max_length=12)),
                ('recorded_at', models.DateTimeField()),
                ('recorded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL)),
                ('customer', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='consents', to='customers.customer')),
            ],
            options={
                'ordering': ['purpose', 'channel'],
                'constraints': [models.UniqueConstraint(fields=('customer', 'channel', 'purpose'), name='consent_one_per_channel_purpose')],
            },
        ),
        migrations.CreateModel(
            name='CommunicationPreferences',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('language', models.CharField(default='en', help_text='BCP 47 language tag', max_length=8)),
                ('preferred_channel', models.CharField(choices=[('email', 'E-mail'), ('sms', 'SMS'), ('phone', 'Phone call'), ('post', 'Post'), ('push', 'App notification')], default='email', max_length=8)),
                ('contact_time_from', models.TimeField(blank=True, null=True)),
                ('contact_time_to', models.TimeField(blank=True, null=True)),
                ('contact_on_weekends', models.BooleanField(default=False)),
                ('statement_format', models.CharField(choices=[('email', 'E-mail (PDF)'), ('portal', 'Web portal only'), ('paper', 'Paper')], default='email', max_length=8)),
                ('statement_frequency', models.CharField(choices=[('monthly', 'Monthly'), ('quarterly', 'Quarterly')], default='monthly', max_length=10)),
                ('itemised_statement', models.BooleanField(default=False)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('customer', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='preferences', to='customers.customer')),
            ],
            options={
                'verbose_name_plural': 'communication preferences',
                'constraints': [models.CheckConstraint(condition=models.Q(('contact_time_from__isnull', True), ('contact_time_to__isnull', True), models.Q(('contact_time_from', models.F('contact_time_to')), _negated=True), _connector='OR'), name='preferences_contact_window_not_empty')],
            },
        ),
        migrations.CreateModel(
            name='CustomerRelationship',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('referred_by', 'Referred by'), ('household', 'Same household as'), ('organisation_contact', 'Contact person of')], max_length=24)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('from_customer', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='relationships_out', to='customers.customer')),
                ('to_customer', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='relationships_in', to='customers.customer')),
            ],
            options={
                'indexes': [models.Index(fields=['to_customer', 'kind'], name='relationship_to_idx')],
                'constraints': [models.UniqueConstraint(fields=('from_customer', 'to_customer', 'kind'), name='relationship_unique'), models.CheckConstraint(condition=models.Q(('from_customer', models.F('to_customer')), _negated=True), name='relationship_not_to_self')],
            },
        ),
        migrations.CreateModel(
            name='Interaction',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('channel', models.CharField(choices=[('phone', 'Phone'), ('email', 'E-mail'), ('web', 'Web portal'), ('store', 'Store'), ('chat', 'Chat'), ('social', 'Social media'), ('sms', 'SMS'), ('field', 'Field visit')], max_length=8)),
                ('direction', models.CharField(choices=[('inbound', 'Inbound'), ('outbound', 'Outbound')], max_length=8)),
                ('kind', models.CharField(choices=[('inquiry', 'Inquiry'), ('complaint', 'Complaint'), ('order', 'Order'), ('billing', 'Billing'), ('support', 'Technical support'), ('sales', 'Sales'), ('retention', 'Retention'), ('survey', 'Survey')], max_length=10)),
                ('occurred_at', models.DateTimeField()),
                ('summary', models.TextField()),
                ('outcome', models.CharField(choices=[('open', 'Open'), ('resolved', 'Resolved'), ('escalated', 'Escalated'), ('follow_up', 'Follow-up needed'), ('no_action', 'No action needed')], default='resolved', max_length=10)),
                ('closed_at', models.DateTimeField(blank=True, null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('closed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='closed_interactions', to=settings.AUTH_USER_MODEL)),
                ('customer', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='interactions', to='customers.customer')),
                ('owner', models.ForeignKey(blank=True, db_index=False, help_text='Who sees an open interaction through to its resolution.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='owned_interactions', to=settings.AUTH_USER_MODEL)),
                ('staff', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-occurred_at', '-id'],
                'indexes': [models.Index(fields=['customer', '-occurred_at'], name='interaction_customer_idx'), models.Index(fields=['kind', 'occurred_at'], name='interaction_kind_idx'), models.Index(condition=models.Q(('closed_at__isnull', True)), fields=['owner', 'occurred_at'], name='interaction_open_owner_idx'), models.Index(condition=models.Q(('closed_at__isnull', True)), fields=['occurred_at'], name='interaction_open_idx')],
            },
        ),
        migrations.AddIndex(
            model_name='invoice',
            index=models.Index(fields=['customer', '-issued_on'], name='invoice_customer_idx'),
        ),
        migrations.AddIndex(
            model_name='invoice',
            index=models.Index(condition=models.Q(('missed_at__isnull', True), ('paid_on__isnull', True)), fields=['due_on', 'id'], name='invoice_unpaid_unmissed_idx'),
        ),
        migrations.AddConstraint(
            model_name='invoice',
            constraint=models.CheckConstraint(condition=models.Q(('due_on__gte', models.F('issued_on'))), name='invoice_due_after_issue'),
        ),
        migrations.AddConstraint(
            model_name='invoice',
            constraint=models.CheckConstraint(condition=models.Q(('paid_amount__gte', 0)), name='invoice_paid_not_negative'),
        ),
        migrations.AddIndex(
            model_name='lifecycleevent',
            index=models.Index(fields=['customer', '-occurred_at'], name='lifecycle_customer_idx'),
        ),
        migrations.AddIndex(
            model_name='actionlog',
            index=models.Index(fields=['customer', '-created_at'], name='actionlog_customer_idx'),
        ),
        migrations.AddIndex(
            model_name='actionlog',
            index=models.Index(condition=models.Q(('partner__isnull', False)), fields=['partner', '-created_at'], name='actionlog_partner_idx'),
        ),
        migrations.AddIndex(
            model_name='customer',
            index=models.Index(fields=['status', '-id'], name='customer_status_idx'),
        ),
        migrations.AddIndex(
            model_name='customer',
            index=models.Index(fields=['segment', '-id'], name='customer_segment_idx'),
        ),
        migrations.AddIndex(
            model_name='customer',
            index=models.Index(fields=['status', 'segment', '-id'], name='customer_status_segment_idx'),
        ),
        migrations.AddIndex(
            model_name='customer',
            index=models.Index(fields=['partner', '-id'], name='customer_partner_idx'),
        ),
        migrations.AddIndex(
            model_name='customer',
            index=models.Index(fields=['partner', 'status', '-id'], name='customer_partner_status_idx'),
        ),
        migrations.AddIndex(
            model_name='customer',
            index=models.Index(fields=['account_manager', '-id'], name='customer_manager_idx'),
        ),
        migrations.AddIndex(
            model_name='customer',
            index=models.Index(fields=['created_at', 'id'], name='customer_created_idx'),
        ),
        migrations.AddIndex(
            model_name='customer',
            index=models.Index(condition=models.Q(('stale_since__isnull', True), ('status', 'lead')), fields=['last_activity_at'], name='customer_open_lead_idx'),
        ),
        migrations.AddConstraint(
            model_name='customer',
            constraint=models.UniqueConstraint(condition=models.Q(('partner_reference', ''), _negated=True), fields=('partner', 'partner_reference'), name='customer_partner_reference_unique'),
        ),
        migrations.AddIndex(
            model_name='contactmedium',
            index=models.Index(fields=['value', 'kind'], name='contact_value_idx', opclasses=['varchar_pattern_ops', 'varchar_ops']),
        ),
        migrations.AddIndex(
            model_name='contactmedium',
            index=models.Index(fields=['party', 'kind'], name='contact_party_idx'),
        ),
        migrations.AddConstraint(
            model_name='contactmedium',
            constraint=models.UniqueConstraint(fields=('party', 'kind', 'value'), name='contact_unique_per_party'),
        ),
        migrations.AddConstraint(
            model_name='contactmedium',
            constraint=models.UniqueConstraint(condition=models.Q(('is_preferred', True)), fields=('party', 'kind'), name='contact_one_preferred_per_kind'),
        ),
        migrations.AddIndex(
            model_name='payment',
            index=models.Index(fields=['customer', '-received_on'], name='payment_customer_idx'),
        ),
        migrations.AddConstraint(
            model_name='payment',
            constraint=models.CheckConstraint(condition=models.Q(('amount__gt', 0)), name='payment_positive'),
        ),
        migrations.AddIndex(
            model_name='subscription',
            index=models.Index(fields=['customer', 'status'], name='subscription_customer_idx'),
        ),
        migrations.AddConstraint(
            model_name='subscription',
            constraint=models.CheckConstraint(condition=models.Q(('monthly_charge__gte', 0)), name='subscription_charge_not_negative'),
        ),
        migrations.AddConstraint(
            model_name='subscription',
            constraint=models.CheckConstraint(condition=models.Q(('end_date__isnull', True), ('end_date__gte', models.F('start_date')), _connector='OR'), name='subscription_ends_after_start'),
        ),
        migrations.RunPython(number_sequence.create_sequence, number_sequence.drop_sequence),
    ]
