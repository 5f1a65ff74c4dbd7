"""Every migration of satisfaction up to 0003 in one: what a new database runs."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    replaces = [
        ('satisfaction', '0001_surveys'),
        ('satisfaction', '0002_response_filter_indexes'),
        ('satisfaction', '0003_follow_ups_owned'),
    ]

    initial = True

    dependencies = [
        ('customers', '0001_squashed_0012_models_moved_to_identity_and_partners'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Survey',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=120, unique=True)),
                ('kind', models.CharField(choices=[('nps', 'Net Promoter Score (0 to 10)'), ('csat', 'Customer satisfaction (1 to 5)'), ('ces', 'Customer effort (1 to 7)')], max_length=4)),
                ('trigger', models.CharField(choices=[('touch_point', 'After an interaction closes'), ('onboarding', 'After on-boarding'), ('periodic', 'Periodic relationship survey'), ('exit', 'Exit survey on termination')], max_length=12)),
                ('interaction_kinds', models.JSONField(blank=True, default=list, help_text='Touch point surveys: the interaction types whose closing sends it.')),
                ('period_days', models.PositiveSmallIntegerField(default=180, help_text='Periodic surveys: days between two invitations of a customer.')),
                ('expires_after_days', models.PositiveSmallIntegerField(default=14)),
                ('remind_after_days', models.PositiveSmallIntegerField(default=5, help_text='One reminder this many days after the invitation, if unanswered.')),
                ('follow_up_days', models.PositiveSmallIntegerField(default=3, help_text='A low answer opens a follow-up due this many days later.')),
                ('is_active', models.BooleanField(default=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
            ],
            options={
                'ordering': ['name'],
                'indexes': [models.Index(fields=['trigger', 'is_active'], name='survey_trigger_idx')],
            },
        ),
        migrations.CreateModel(
            name='Invitation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('trigger_key', models.CharField(max_length=64)),
                ('touch_point', models.CharField(help_text='The interaction type, or onboarding, relationship, exit.', max_length=16)),
                ('channel', models.CharField(choices=[('email', 'E-mail'), ('sms', 'SMS')], max_length=5)),
                ('address', models.CharField(help_text='The e-mail or number it went to.', max_length=320)),
                ('language', models.CharField(max_length=8)),
                ('segment', models.CharField(help_text="The customer's segment when invited.", max_length=16)),
                ('status', models.CharField(choices=[('pending', 'Being sent'), ('sent', 'Sent'), ('responded', 'Answered'), ('bounced', 'Bounced'), ('opted_out', 'Opted out')], default='pending', max_length=10)),
                ('created_at', models.DateTimeField()),
                ('sent_at', models.DateTimeField(blank=True, null=True)),
                ('reminded_at', models.DateTimeField(blank=True, null=True)),
                ('expires_at', models.DateTimeField()),
                ('closed_at', models.DateTimeField(blank=True, help_text='When it was answered, bounced or opted out of.', null=True)),
                ('customer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='survey_invitations', to='customers.customer')),
                ('survey', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='invitations', to='satisfaction.survey')),
            ],
            options={
                'ordering': ['-created_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='SurveyVersion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.PositiveIntegerField()),
                ('texts', models.JSONField(help_text='Per language: {"en": {"question": …, "comment": …, "follow_ups": [...]}}.')),
                ('created_at', models.DateTimeField()),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL)),
                ('survey', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='versions', to='satisfaction.survey')),
            ],
            options={
                'ordering': ['survey', '-number'],
            },
        ),
        migrations.CreateModel(
            name='Response',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('nps', 'Net Promoter Score (0 to 10)'), ('csat', 'Customer satisfaction (1 to 5)'), ('ces', 'Customer effort (1 to 7)')], max_length=4)),
                ('score', models.PositiveSmallIntegerField()),
                ('sentiment', models.CharField(choices=[('positive', 'Positive'), ('neutral', 'Neutral'), ('negative', 'Negative')], max_length=8)),
                ('comment', models.TextField(blank=True)),
                ('follow_up_answers', models.JSONField(blank=True, default=list)),
                ('language', models.CharField(max_length=8)),
                ('channel', models.CharField(choices=[('email', 'E-mail'), ('sms', 'SMS')], max_length=5)),
                ('touch_point', models.CharField(max_length=16)),
                ('segment', models.CharField(max_length=16)),
                ('responded_at', models.DateTimeField()),
                ('customer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='survey_responses', to='customers.customer')),
                ('invitation', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='response', to='satisfaction.invitation')),
                ('survey', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='responses', to='satisfaction.survey')),
                ('survey_version', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, to='satisfaction.surveyversion')),
            ],
            options={
                'ordering': ['-responded_at', '-id'],
            },
        ),
        migrations.AddField(
            model_name='invitation',
            name='survey_version',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, to='satisfaction.surveyversion'),
        ),
        migrations.CreateModel(
            name='FollowUp',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('reason', models.CharField(max_length=300)),
                ('due_on', models.DateField()),
                ('status', models.CharField(choices=[('open', 'Open'), ('done', 'Done')], default='open', max_length=4)),
                ('outcome', models.CharField(blank=True, choices=[('resolved', 'Spoke to the customer: resolved'), ('unresolved', 'Spoke to the customer: not resolved'), ('unreachable', 'Could not reach the customer'), ('no_action', 'No action needed')], max_length=12)),
                ('note', models.TextField(blank=True)),
                ('created_at', models.DateTimeField()),
                ('closed_at', models.DateTimeField(blank=True, null=True)),
                ('assigned_to', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='survey_follow_ups', to=settings.AUTH_USER_MODEL)),
                ('closed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('customer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='survey_follow_ups', to='customers.customer')),
                ('response', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='follow_up', to='satisfaction.response')),
            ],
            options={
                'ordering': ['due_on', 'id'],
                'indexes': [models.Index(condition=models.Q(('status', 'open')), fields=['due_on'], name='followup_open_idx'), models.Index(condition=models.Q(('status', 'open')), fields=['assigned_to', 'due_on'], name='followup_assigned_idx')],
            },
        ),
        migrations.CreateModel(
            name='DailyResult',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField()),
                ('touch_point', models.CharField(max_length=16)),
                ('segment', models.CharField(max_length=16)),
                ('channel', models.CharField(max_length=5)),
                ('invited', models.PositiveIntegerField(default=0)),
                ('responded', models.PositiveIntegerField(default=0)),
                ('positive', models.PositiveIntegerField(default=0)),
                ('neutral', models.PositiveIntegerField(default=0)),
                ('negative', models.PositiveIntegerField(default=0)),
                ('score_sum', models.PositiveBigIntegerField(default=0)),
                ('survey', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='satisfaction.survey')),
            ],
            options={
                'indexes': [models.Index(fields=['survey', 'day'], name='dailyresult_survey_day_idx')],
                'constraints': [models.UniqueConstraint(fields=('day', 'survey', 'touch_point', 'segment', 'channel'), name='dailyresult_unique')],
            },
        ),
        migrations.AddConstraint(
            model_name='surveyversion',
            constraint=models.UniqueConstraint(fields=('survey', 'number'), name='surveyversion_unique'),
        ),
        migrations.AddIndex(
            model_name='response',
            index=models.Index(fields=['survey', '-responded_at', '-id'], name='response_survey_idx'),
        ),
        migrations.AddIndex(
            model_name='response',
            index=models.Index(fields=['customer', '-responded_at'], name='response_customer_idx'),
        ),
        migrations.AddIndex(
            model_name='response',
            index=models.Index(fields=['-responded_at', '-id'], name='response_recent_idx'),
        ),
        migrations.AddIndex(
            model_name='response',
            index=models.Index(fields=['segment', '-responded_at', '-id'], name='response_segment_idx'),
        ),
        migrations.AddIndex(
            model_name='response',
            index=models.Index(fields=['touch_point', '-responded_at', '-id'], name='response_touch_point_idx'),
        ),
        migrations.AddIndex(
            model_name='invitation',
            index=models.Index(fields=['customer', '-created_at'], name='invitation_customer_idx'),
        ),
        migrations.AddIndex(
            model_name='invitation',
            index=models.Index(condition=models.Q(('reminded_at__isnull', True), ('status', 'sent')), fields=['sent_at'], name='invitation_to_remind_idx'),
        ),
        migrations.AddConstraint(
            model_name='invitation',
            constraint=models.UniqueConstraint(fields=('survey', 'customer', 'trigger_key'), name='invitation_once_per_cause'),
        ),
    ]
