"""Every migration of risk up to 0005 in one: what a new database runs."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    replaces = [
        ('risk', '0001_initial'),
        ('risk', '0002_rescore_requests'),
        ('risk', '0003_one_run_in_progress'),
        ('risk', '0004_model_activation'),
        ('risk', '0005_scoring_runs_as_jobs'),
    ]

    initial = True

    dependencies = [
        ('customers', '0001_squashed_0012_models_moved_to_identity_and_partners'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='CreditApplication',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('applied_on', models.DateField()),
                ('characteristics', models.JSONField(help_text="Declared facts by name, e.g. {'employment_years': 4, 'housing': 'own'}.")),
                ('external_ref', models.CharField(blank=True, max_length=64, null=True, unique=True)),
                ('customer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='credit_applications', to='customers.customer')),
            ],
            options={
                'ordering': ['-applied_on', '-id'],
            },
        ),
        migrations.CreateModel(
            name='RescoreRequest',
            fields=[
                ('customer', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='rescore_request', serialize=False, to='customers.customer')),
                ('requested_at', models.DateTimeField()),
                ('reasons', models.JSONField(default=list, help_text='The events that asked for it.')),
            ],
            options={
                'indexes': [models.Index(fields=['requested_at'], name='rescorerequest_age_idx')],
            },
        ),
        migrations.CreateModel(
            name='ScoringRun',
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
                ('as_of', models.DateField()),
                ('requested_label', models.CharField(blank=True, max_length=150)),
                ('customers_total', models.PositiveIntegerField(default=0)),
                ('customers_scored', models.PositiveIntegerField(default=0)),
                ('models_used', models.JSONField(default=dict, help_text='Model version id per kind.')),
                ('value_thresholds', models.JSONField(blank=True, default=dict, help_text='Lifetime values that open the top and high segments.')),
                ('requested_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-requested_at', '-id'],
                'permissions': [('start_scoringrun', 'Can start a scoring run or rescore a customer')],
                'abstract': False,
            },
        ),
        migrations.CreateModel(
            name='ScoringChunk',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('first_id', models.BigIntegerField()),
                ('last_id', models.BigIntegerField()),
                ('claimed_at', models.DateTimeField(blank=True, null=True)),
                ('attempts', models.PositiveSmallIntegerField(default=0)),
                ('done_at', models.DateTimeField(blank=True, help_text='When it ended, or failed.', null=True)),
                ('failed', models.BooleanField(default=False)),
                ('error', models.TextField(blank=True)),
                ('customers_scored', models.PositiveIntegerField(default=0)),
                ('run', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='chunks', to='risk.scoringrun')),
            ],
            options={
                'ordering': ['run', 'first_id'],
                'abstract': False,
            },
        ),
        migrations.CreateModel(
            name='CustomerScore',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('scored_at', models.DateTimeField()),
                ('churn_risk', models.FloatField()),
                ('credit_score', models.PositiveSmallIntegerField()),
                ('credit_rating', models.CharField(max_length=2)),
                ('fraud_risk', models.FloatField()),
                ('influence', models.FloatField()),
                ('lifetime_value', models.DecimalField(decimal_places=2, max_digits=12)),
                ('network_reach', models.FloatField(default=0, help_text='PageRank in the relationship graph; 1.0 is the average customer.')),
                ('reasons', models.JSONField(default=dict, help_text='Readable reasons per kind.')),
                ('models_used', models.JSONField(default=dict, help_text='Model version id per kind.')),
                ('customer', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='score_history', to='customers.customer')),
                ('run', models.ForeignKey(blank=True, help_text='Empty for a single-customer rescore.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='scores', to='risk.scoringrun')),
            ],
            options={
                'ordering': ['-scored_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='RiskModel',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('churn', 'Churn risk'), ('credit', 'Credit'), ('fraud', 'Fraud risk'), ('influence', 'Influence'), ('value', 'Lifetime value')], max_length=10)),
                ('version', models.PositiveIntegerField()),
                ('artifact', models.JSONField(help_text='The fitted parameters the scorer reads.')),
                ('as_of', models.DateField(help_text='Features were taken as of this day.')),
                ('horizon_days', models.PositiveSmallIntegerField(help_text='Outcomes were read from this many days after as_of.')),
                ('training_rows', models.PositiveIntegerField()),
                ('metrics', models.JSONField(blank=True, default=dict)),
                ('trained_at', models.DateTimeField()),
                ('trained_by_label', models.CharField(help_text='The user, command or job that trained it.', max_length=150)),
                ('is_active', models.BooleanField(default=False)),
                ('activated_at', models.DateTimeField(blank=True, help_text='When it last became the active version; a roll back returns to the version active before the current one.', null=True)),
                ('trained_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['kind', '-version'],
                'permissions': [('train_riskmodel', 'Can train and activate value and risk models')],
                'constraints': [models.UniqueConstraint(fields=('kind', 'version'), name='riskmodel_version_unique'), models.UniqueConstraint(condition=models.Q(('is_active', True)), fields=('kind',), name='riskmodel_one_active_per_kind')],
            },
        ),
        migrations.AddConstraint(
            model_name='scoringrun',
            constraint=models.UniqueConstraint(models.Value(1), condition=models.Q(('status__in', ['queued', 'running'])), name='risk_scoringrun_one_in_progress'),
        ),
        migrations.AddConstraint(
            model_name='scoringchunk',
            constraint=models.UniqueConstraint(fields=('run', 'first_id'), name='risk_scoringchunk_range_unique'),
        ),
        migrations.AddIndex(
            model_name='customerscore',
            index=models.Index(fields=['customer', '-scored_at'], name='customerscore_customer_idx'),
        ),
        migrations.AddIndex(
            model_name='customerscore',
            index=models.Index(fields=['run'], name='customerscore_run_idx'),
        ),
    ]
