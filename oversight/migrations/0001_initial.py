"""The models of judicial suggestions and group risk, moved from dashboards with their tables (state only)."""

import django.db.models.deletion
import notices.storage
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('cases', '0002_batch_import'),
        ('core', '0003_centre_auto_assign'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ('dashboards', '0002_move_to_oversight'),
    ]

    # The tables exist already (created as dashboards' in dashboards.0001, kept by dashboards.0002): state only.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='LenderStatus',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('licensed', models.BooleanField(default=True, verbose_name='licensed financial institution')),
                        ('creditor', models.OneToOneField(limit_choices_to={'kind': 'creditor'}, on_delete=django.db.models.deletion.CASCADE, related_name='lender_status', to='core.organisation')),
                    ],
                    options={
                        'verbose_name': 'lender status',
                        'verbose_name_plural': 'lender statuses',
                        'db_table': 'dashboards_lenderstatus',
                    },
                ),
                migrations.CreateModel(
                    name='RuleSettings',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('window_days', models.PositiveSmallIntegerField(default=365, verbose_name='cases received in the last (days)')),
                        ('min_cases', models.PositiveIntegerField(default=20, help_text='A share is judged only over this many cases.', verbose_name='smallest sample for a share')),
                        ('undeliverable_share', models.DecimalField(decimal_places=3, default=Decimal('0.200'), max_digits=4, verbose_name='undeliverable notices: share')),
                        ('wrong_phone_share', models.DecimalField(decimal_places=3, default=Decimal('0.200'), max_digits=4, verbose_name='wrong or unreachable phones: share')),
                        ('no_service_address_share', models.DecimalField(decimal_places=3, default=Decimal('0.100'), max_digits=4, verbose_name='no service address nor consent: share')),
                        ('charges_ratio', models.DecimalField(decimal_places=3, default=Decimal('0.500'), max_digits=5, verbose_name='(interest + fees) / principal above')),
                        ('charges_share', models.DecimalField(decimal_places=3, default=Decimal('0.050'), max_digits=4, verbose_name='cases with such charges: share')),
                        ('rate_cap_cases', models.PositiveIntegerField(default=1, verbose_name='cases above 4x LPR (non-licensed lenders)')),
                        ('upheld_objections', models.PositiveIntegerField(default=5, verbose_name='upheld objections on one ground')),
                        ('quiet_hour_contacts', models.PositiveIntegerField(default=3, verbose_name='contacts in the quiet hours')),
                        ('examples', models.PositiveSmallIntegerField(default=5, verbose_name='example cases per finding')),
                        ('answer_days', models.PositiveSmallIntegerField(default=30, verbose_name='days for the creditor to answer')),
                        ('district_debtors', models.PositiveIntegerField(default=30, verbose_name='group risk: debtors of one creditor in one district')),
                        ('launch_cases', models.PositiveIntegerField(default=50, verbose_name='group risk: cases of one product overdue in the same month')),
                        ('centre', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='dashboard_rules', to='core.centre')),
                    ],
                    options={
                        'verbose_name': 'suggestion and group-risk thresholds',
                        'verbose_name_plural': 'suggestion and group-risk thresholds',
                        'db_table': 'dashboards_rulesettings',
                    },
                ),
                migrations.CreateModel(
                    name='GroupRiskFlag',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('kind', models.CharField(choices=[('district', 'Many debtors in one district'), ('product_launch', 'One product overdue in the same month')], max_length=16, verbose_name='kind')),
                        ('key', models.CharField(max_length=40, verbose_name='cluster')),
                        ('status', models.CharField(choices=[('open', 'To review'), ('applied', 'Cases marked red'), ('dismissed', 'Dismissed')], default='open', max_length=10, verbose_name='status')),
                        ('case_count', models.PositiveIntegerField(verbose_name='cases')),
                        ('debtor_count', models.PositiveIntegerField(verbose_name='debtors')),
                        ('claimed', models.DecimalField(decimal_places=2, max_digits=18, verbose_name='claimed')),
                        ('detected_at', models.DateTimeField(verbose_name='detected at')),
                        ('decided_at', models.DateTimeField(blank=True, null=True, verbose_name='decided at')),
                        ('cases', models.ManyToManyField(blank=True, related_name='group_risk_flags', to='cases.case')),
                        ('centre', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='group_risk_flags', to='core.centre')),
                        ('creditor', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.organisation')),
                        ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'group-risk flag',
                        'verbose_name_plural': 'group-risk flags',
                        'db_table': 'dashboards_groupriskflag',
                        'ordering': ['status', '-case_count', 'pk'],
                        'constraints': [models.UniqueConstraint(fields=('creditor', 'kind', 'key'), name='group_risk_flag_unique')],
                    },
                ),
                migrations.CreateModel(
                    name='JudicialSuggestion',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('status', models.CharField(choices=[('draft', 'Draft'), ('issued', 'Issued, awaiting the answer'), ('answered', 'Answered')], default='draft', max_length=10, verbose_name='status')),
                        ('title', models.CharField(max_length=120, verbose_name='title')),
                        ('body', models.TextField(verbose_name='text of the letter')),
                        ('body_edited', models.BooleanField(default=False)),
                        ('findings', models.JSONField(default=list, verbose_name='findings')),
                        ('cases_from', models.DateField(verbose_name='cases received from')),
                        ('cases_to', models.DateField(verbose_name='cases received until')),
                        ('year', models.PositiveSmallIntegerField(blank=True, null=True)),
                        ('seq', models.PositiveIntegerField(blank=True, null=True)),
                        ('issued_at', models.DateTimeField(blank=True, null=True, verbose_name='issued at')),
                        ('answer_due_on', models.DateField(blank=True, null=True, verbose_name='answer due on')),
                        ('pdf', models.FileField(blank=True, storage=notices.storage.private_storage, upload_to='suggestions/', verbose_name='letter (PDF)')),
                        ('sha256', models.CharField(blank=True, max_length=64, verbose_name='SHA-256')),
                        ('answer', models.TextField(blank=True, verbose_name='answer')),
                        ('answer_file', models.FileField(blank=True, storage=notices.storage.private_storage, upload_to='suggestion_answers/', verbose_name='attachment')),
                        ('answer_file_name', models.CharField(blank=True, max_length=200, verbose_name='attachment name')),
                        ('answered_at', models.DateTimeField(blank=True, null=True, verbose_name='answered at')),
                        ('answered_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('centre', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='judicial_suggestions', to='core.centre')),
                        ('creditor', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='judicial_suggestions', to='core.organisation')),
                        ('issued_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('issuer', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.organisation')),
                    ],
                    options={
                        'verbose_name': 'judicial suggestion',
                        'verbose_name_plural': 'judicial suggestions',
                        'db_table': 'dashboards_judicialsuggestion',
                        'ordering': ['-created_at', '-pk'],
                        'indexes': [models.Index(fields=['centre', 'status'], name='dashboards__centre__b61a63_idx'), models.Index(fields=['creditor', 'status'], name='dashboards__credito_d26807_idx')],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('status', 'draft')), fields=('creditor',), name='suggestion_one_draft_per_creditor'), models.UniqueConstraint(fields=('centre', 'year', 'seq'), name='suggestion_number_unique')],
                    },
                ),
                migrations.CreateModel(
                    name='LprRate',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('effective_from', models.DateField(verbose_name='effective from')),
                        ('one_year_rate', models.DecimalField(decimal_places=3, max_digits=5, verbose_name='one-year LPR (%)')),
                        ('centre', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='lpr_rates', to='core.centre')),
                    ],
                    options={
                        'verbose_name': 'one-year LPR',
                        'verbose_name_plural': 'one-year LPR',
                        'db_table': 'dashboards_lprrate',
                        'ordering': ['centre', '-effective_from'],
                        'constraints': [models.UniqueConstraint(fields=('centre', 'effective_from'), name='lpr_rate_unique')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
