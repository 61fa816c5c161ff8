# Written by hand: the evidence synthesis stored on each claim (claims/synthesis.py), the
# study-quality items of evidence, and trigram search for similar claims on PostgreSQL.

from django.db import migrations, models

import claims.models.claims

QUALITY = {
    "randomised": ("Were animals allocated to groups at random? Blank: not reported.", None),
    "blinded_assessment": ("Were outcomes assessed without knowing the group? Blank: not reported.",
                           "blinded outcome assessment"),
    "sample_size_calculation": ("Was the sample size calculated beforehand? Blank: not reported.",
                                None),
    "both_sexes": ("Were animals of both sexes studied? Blank: not reported.", None),
    "litter_matched_controls": ("Were controls matched by litter? Blank: not reported.", None),
}

# Similar claims (claims/similar.py) compare texts by trigrams: pg_trgm, and a GIN index that
# its % operator uses. PostgreSQL only, so the models do not declare the index.
TRIGRAM_INDEX = "claims_claim_text_trgm"


def add_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(f"CREATE INDEX {TRIGRAM_INDEX} ON claims_claim USING gin (text gin_trgm_ops)")


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}")


def synthesise_existing_claims(apps, schema_editor):
    from claims import synthesis

    synthesis.refresh_all(apps=apps, using=schema_editor.connection.alias)


def _quality_field(name):
    help_text, verbose_name = QUALITY[name]
    options = {"verbose_name": verbose_name} if verbose_name else {}
    return models.BooleanField(blank=True, help_text=help_text, null=True, **options)


class Migration(migrations.Migration):

    dependencies = [
        ("claims", "0007_webhooks"),
    ]

    operations = [
        migrations.AddField(
            model_name="claim",
            name="synthesis",
            field=models.JSONField(default=claims.models.claims.no_synthesis, editable=False,
                                   help_text="What its accepted evidence adds up to, and the rule "
                                             "that says why (claims/synthesis.py)."),
        ),
        migrations.AddField(
            model_name="claim",
            name="synthesis_level",
            field=models.CharField(choices=[("strong", "Strong"), ("moderate", "Moderate"),
                                            ("weak", "Weak"), ("contested", "Contested"),
                                            ("contradicted", "Contradicted"), ("none", "None")],
                                   db_index=True, default="none", editable=False, max_length=16),
        ),
        migrations.AddField(
            model_name="claim",
            name="contested",
            field=models.BooleanField(db_index=True, default=False, editable=False,
                                      help_text="Accepted evidence both supports and contradicts it."),
        ),
        *(migrations.AddField(model_name=model, name=name, field=_quality_field(name))
          for model in ("evidence", "historicalevidence") for name in QUALITY),
        migrations.RunPython(synthesise_existing_claims, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(add_trigram_index, drop_trigram_index, elidable=False),
    ]
