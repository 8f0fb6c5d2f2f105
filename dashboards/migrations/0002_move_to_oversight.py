"""Judicial suggestions, group-risk flags and their thresholds move to the oversight app (state only)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('dashboards', '0001_initial'),
    ]

    # The models moved to oversight; their tables stay (db_table "dashboards_..."): state only, no SQL.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='judicialsuggestion',
                    name='answered_by',
                ),
                migrations.RemoveField(
                    model_name='judicialsuggestion',
                    name='centre',
                ),
                migrations.RemoveField(
                    model_name='judicialsuggestion',
                    name='creditor',
                ),
                migrations.RemoveField(
                    model_name='judicialsuggestion',
                    name='issued_by',
                ),
                migrations.RemoveField(
                    model_name='judicialsuggestion',
                    name='issuer',
                ),
                migrations.RemoveField(
                    model_name='lenderstatus',
                    name='creditor',
                ),
                migrations.RemoveField(
                    model_name='lprrate',
                    name='centre',
                ),
                migrations.RemoveField(
                    model_name='rulesettings',
                    name='centre',
                ),
                migrations.DeleteModel(
                    name='GroupRiskFlag',
                ),
                migrations.DeleteModel(
                    name='JudicialSuggestion',
                ),
                migrations.DeleteModel(
                    name='LenderStatus',
                ),
                migrations.DeleteModel(
                    name='LprRate',
                ),
                migrations.DeleteModel(
                    name='RuleSettings',
                ),
            ],
            database_operations=[],
        ),
    ]
