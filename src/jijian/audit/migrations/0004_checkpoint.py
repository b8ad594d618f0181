"""Retention checkpoints, and the append-only trigger taught about them: on PostgreSQL a sealed entry
may be deleted only at or below the newest checkpoint (retention pruning writes the checkpoint first,
in the same transaction); checkpoints themselves are never updated or deleted."""

import importlib

import django.utils.timezone
from django.db import migrations, models

PG_FORWARD = """
CREATE OR REPLACE FUNCTION audit_event_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.seq IS NOT NULL
           AND OLD.seq <= (SELECT COALESCE(MAX(seq), 0) FROM audit_auditcheckpoint) THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'audit entries are append-only (delete of id %)', OLD.id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF (NEW."id", NEW."created_at", NEW."actor_id", NEW."actor_name", NEW."ip_address", NEW."action",
        NEW."object_type", NEW."object_id", NEW."org_unit_id", NEW."summary", NEW."before", NEW."after",
        NEW."content_hash")
       IS DISTINCT FROM
       (OLD."id", OLD."created_at", OLD."actor_id", OLD."actor_name", OLD."ip_address", OLD."action",
        OLD."object_type", OLD."object_id", OLD."org_unit_id", OLD."summary", OLD."before", OLD."after",
        OLD."content_hash")
       OR (OLD.seq IS NOT NULL AND (NEW.seq IS DISTINCT FROM OLD.seq OR NEW.chain_hash IS DISTINCT FROM OLD.chain_hash))
    THEN
        RAISE EXCEPTION 'audit entries are append-only (update of id %)', OLD.id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END
$$;
CREATE OR REPLACE FUNCTION audit_checkpoint_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit checkpoints are append-only' USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_checkpoint_guard BEFORE UPDATE OR DELETE ON audit_auditcheckpoint
    FOR EACH ROW EXECUTE FUNCTION audit_checkpoint_guard();
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS audit_checkpoint_guard ON audit_auditcheckpoint;
DROP FUNCTION IF EXISTS audit_checkpoint_guard();
"""
SQLITE_FORWARD = """
CREATE TRIGGER audit_checkpoint_guard BEFORE UPDATE ON audit_auditcheckpoint
BEGIN
    SELECT RAISE(ABORT, 'audit checkpoints are append-only');
END;
"""
SQLITE_BACKWARD = "DROP TRIGGER IF EXISTS audit_checkpoint_guard;"


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FORWARD, None)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_FORWARD, None)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD, None)
        # Back to 0003's function, which does not read the checkpoint table about to be dropped.
        previous = importlib.import_module("jijian.audit.migrations.0003_append_only_triggers")
        schema_editor.execute(previous.PG_FORWARD.split("CREATE TRIGGER")[0], None)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_BACKWARD, None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_append_only_triggers")]

    operations = [
        migrations.CreateModel(
            name="AuditCheckpoint",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("seq", models.BigIntegerField(unique=True)),
                ("chain_hash", models.CharField(max_length=64)),
                ("pruned_before", models.DateTimeField(verbose_name="清理截止时间")),
                ("pruned_count", models.BigIntegerField(verbose_name="清理条数")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="时间")),
            ],
            options={"verbose_name": "审计日志检查点", "verbose_name_plural": "审计日志检查点"},
        ),
        migrations.RunPython(forward, backward, elidable=False),
    ]
