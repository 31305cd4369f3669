"""Running a programme: invitations, mail preferences, round times and time zones, reminder
days, deadline extensions, background jobs and the mail outbox.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

from assessment.database import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("invited_at", UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("invited_by_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("accepted_at", UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("mail_opt_outs", sa.String(length=200), nullable=False,
                                   server_default=""))
        batch.create_foreign_key("fk_users_invited_by_id_users", "users", ["invited_by_id"], ["id"],
                                 ondelete="SET NULL")
    with op.batch_alter_table("rounds") as batch:
        batch.add_column(sa.Column("opens_time", sa.Time(), nullable=False, server_default="00:00:00"))
        batch.add_column(sa.Column("closes_time", sa.Time(), nullable=False, server_default="23:59:00"))
        batch.add_column(sa.Column("time_zone", sa.String(length=64), nullable=False, server_default="UTC"))
        batch.add_column(sa.Column("reminder_days", sa.String(length=40), nullable=False,
                                   server_default="14,7,1"))
    op.create_table(
        "deadline_extensions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("city_id", sa.Integer(), nullable=False),
        sa.Column("closes_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("granted_by_id", sa.Integer(), nullable=True),
        sa.Column("granted_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["round_id"], ["rounds.id"], name="fk_deadline_extensions_round_id_rounds",
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["city_id"], ["cities.id"], name="fk_deadline_extensions_city_id_cities",
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["granted_by_id"], ["users.id"],
                                name="fk_deadline_extensions_granted_by_id_users", ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_deadline_extensions"),
        sa.UniqueConstraint("round_id", "city_id", name="uq_deadline_extensions_round_id_city_id"),
    )
    op.create_index("ix_deadline_extensions_round_id", "deadline_extensions", ["round_id"])
    op.create_index("ix_deadline_extensions_city_id", "deadline_extensions", ["city_id"])
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("args", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("started_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("next_attempt_at", UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_jobs"),
    )
    op.create_index("ix_jobs_status", "jobs", ["status"])
    op.create_index("ix_jobs_created_at", "jobs", ["created_at"])
    op.create_table(
        "outgoing_mail",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("to_address", sa.String(length=254), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_outgoing_mail_user_id_users",
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_outgoing_mail"),
        sa.UniqueConstraint("key", name="uq_outgoing_mail_key"),
    )
    op.create_index("ix_outgoing_mail_kind", "outgoing_mail", ["kind"])
    op.create_index("ix_outgoing_mail_user_id", "outgoing_mail", ["user_id"])
    op.create_index("ix_outgoing_mail_status", "outgoing_mail", ["status"])
    op.create_index("ix_outgoing_mail_created_at", "outgoing_mail", ["created_at"])


def downgrade() -> None:
    op.drop_table("outgoing_mail")
    op.drop_table("jobs")
    op.drop_table("deadline_extensions")
    with op.batch_alter_table("rounds") as batch:
        for column in ("reminder_days", "time_zone", "closes_time", "opens_time"):
            batch.drop_column(column)
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint("fk_users_invited_by_id_users", type_="foreignkey")
        for column in ("mail_opt_outs", "accepted_at", "invited_by_id", "invited_at"):
            batch.drop_column(column)
