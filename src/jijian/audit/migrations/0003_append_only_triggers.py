"""Append-only at the database level too, for whoever bypasses the application with SQL by mistake.

PostgreSQL: a trigger refuses every DELETE, and every UPDATE except the one that seals an entry
(seq and chain_hash set once, on a row that has no seq yet). SQLite: the same rule for UPDATE;
DELETE is left to the model and to `jijian audit verify`, because Django's `flush` (tests, restore
drills) empties SQLite tables with DELETE, and on the embedded default whoever can write the
database file can drop a trigger anyway. TRUNCATE is not blocked on PostgreSQL for the same reason.
A database owner can still disable the trigger: that is what the hash chain and the external
anchor (docs/audit.md) are for."""

from django.db import migrations

CONTENT = (
    "id",
    "created_at",
    "actor_id",
    "actor_name",
    "ip_address",
    "action",
    "object_type",
    "object_id",
    "org_unit_id",
    "summary",
    "before",
    "after",
    "content_hash",
)

PG_FORWARD = f"""
CREATE OR REPLACE FUNCTION audit_event_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'audit entries are append-only (delete of id %)', OLD.id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF ({", ".join(f'NEW."{c}"' for c in CONTENT)}) IS DISTINCT FROM ({", ".join(f'OLD."{c}"' for c in CONTENT)})
       OR (OLD.seq IS NOT NULL AND (NEW.seq IS DISTINCT FROM OLD.seq OR NEW.chain_hash IS DISTINCT FROM OLD.chain_hash))
    THEN
        RAISE EXCEPTION 'audit entries are append-only (update of id %)', OLD.id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER audit_event_guard BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_event_guard();
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS audit_event_guard ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_event_guard();
"""

SQLITE_FORWARD = f"""
CREATE TRIGGER audit_event_guard BEFORE UPDATE ON audit_auditevent
WHEN {" OR ".join(f'NEW."{c}" IS NOT OLD."{c}"' for c in CONTENT)}
     OR (OLD.seq IS NOT NULL AND (NEW.seq IS NOT OLD.seq OR NEW.chain_hash IS NOT OLD.chain_hash))
BEGIN
    SELECT RAISE(ABORT, 'audit entries are append-only');
END;
"""
SQLITE_BACKWARD = "DROP TRIGGER IF EXISTS audit_event_guard;"


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
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_BACKWARD, None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_initial")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
