"""The audit trail records the client address, and is append-only.

Events keep who did what, when, to which assessment and from where: none of that can be
changed or deleted. Only the details can be rewritten, which anonymising a departed user does
to remove their name and e-mail.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

MESSAGE = "audit events are append-only"
KEPT = "at, user_id, action, assessment_id, client"


def upgrade() -> None:
    with op.batch_alter_table("audit_events") as batch:
        batch.add_column(sa.Column("client", sa.String(length=45), nullable=True))
    op.create_index("ix_audit_events_at", "audit_events", ["at"])
    op.create_index("ix_audit_events_user_id_at", "audit_events", ["user_id", "at"])
    if op.get_bind().dialect.name == "postgresql":
        # OR REPLACE: restoring an older backup replaces tables but keeps functions.
        op.execute(f"""
            CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION '{MESSAGE}'; END $$""")
        op.execute(f"""CREATE TRIGGER audit_events_no_update BEFORE UPDATE OF {KEPT} ON audit_events
                       FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()""")
        op.execute("""CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
                      FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()""")
    else:
        op.execute(f"""CREATE TRIGGER audit_events_no_update BEFORE UPDATE OF {KEPT} ON audit_events
                       BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""")
        op.execute(f"""CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
                       BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_update ON audit_events")
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_delete ON audit_events")
        op.execute("DROP FUNCTION IF EXISTS audit_events_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_delete")
    op.drop_index("ix_audit_events_user_id_at", table_name="audit_events")
    op.drop_index("ix_audit_events_at", table_name="audit_events")
    with op.batch_alter_table("audit_events") as batch:
        batch.drop_column("client")
