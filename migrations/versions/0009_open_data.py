"""Open data: a city's consent, round by round, to have its scores published.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

from assessment.database import UTCDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "open_data_consents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("city_id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("consented", sa.Boolean(), nullable=False),
        sa.Column("changed_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["city_id"], ["cities.id"], name="fk_open_data_consents_city_id_cities",
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["round_id"], ["rounds.id"], name="fk_open_data_consents_round_id_rounds",
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["changed_by_id"], ["users.id"],
                                name="fk_open_data_consents_changed_by_id_users", ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_open_data_consents"),
        sa.UniqueConstraint("city_id", "round_id", name="uq_open_data_consents_city_id_round_id"),
    )
    op.create_index("ix_open_data_consents_round_id", "open_data_consents", ["round_id"])


def downgrade() -> None:
    op.drop_index("ix_open_data_consents_round_id", table_name="open_data_consents")
    op.drop_table("open_data_consents")
