"""Peer groups: cities an administrator puts together for comparison.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "peer_groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_peer_groups"),
        sa.UniqueConstraint("name", name="uq_peer_groups_name"),
    )
    op.create_table(
        "peer_group_cities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("city_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["group_id"], ["peer_groups.id"],
                                name="fk_peer_group_cities_group_id_peer_groups", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["city_id"], ["cities.id"],
                                name="fk_peer_group_cities_city_id_cities", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_peer_group_cities"),
        sa.UniqueConstraint("group_id", "city_id", name="uq_peer_group_cities_group_id_city_id"),
    )
    op.create_index("ix_peer_group_cities_city_id", "peer_group_cities", ["city_id"])


def downgrade() -> None:
    op.drop_index("ix_peer_group_cities_city_id", table_name="peer_group_cities")
    op.drop_table("peer_group_cities")
    op.drop_table("peer_groups")
