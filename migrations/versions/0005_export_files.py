"""Export files prepared in the background (Excel, Parquet), kept for a day.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

from assessment.database import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "export_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("table", sa.String(length=20), nullable=False),
        sa.Column("format", sa.String(length=10), nullable=False),
        sa.Column("filters", sa.JSON(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("error", sa.String(length=40), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("expires_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("file_name", sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_export_files_user_id_users",
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["job_id"], ["jobs.id"], name="fk_export_files_job_id_jobs",
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_export_files"),
        sa.UniqueConstraint("file_name", name="uq_export_files_file_name"),
    )
    op.create_index("ix_export_files_user_id", "export_files", ["user_id"])
    op.create_index("ix_export_files_expires_at", "export_files", ["expires_at"])


def downgrade() -> None:
    op.drop_table("export_files")
