"""Action plans: the steps a city takes on its report's recommendations, carried across rounds.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

from assessment.database import UTCDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("city_id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("questionnaire_version_id", sa.Integer(), nullable=False),
        sa.Column("element_id", sa.String(length=40), nullable=False),
        sa.Column("question_id", sa.String(length=40), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("status", sa.Enum("planned", "in_progress", "done", "dropped", name="actionstatus",
                                    native_enum=False, length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["city_id"], ["cities.id"], name="fk_actions_city_id_cities",
                                ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["assessment_id"], ["assessments.id"],
                                name="fk_actions_assessment_id_assessments", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["questionnaire_version_id"], ["questionnaire_versions.id"],
                                name="fk_actions_questionnaire_version_id_questionnaire_versions",
                                ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name="fk_actions_created_by_id_users",
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["updated_by_id"], ["users.id"], name="fk_actions_updated_by_id_users",
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_actions"),
    )
    op.create_index("ix_actions_city_id", "actions", ["city_id"])
    op.create_index("ix_actions_assessment_id", "actions", ["assessment_id"])


def downgrade() -> None:
    op.drop_index("ix_actions_assessment_id", table_name="actions")
    op.drop_index("ix_actions_city_id", table_name="actions")
    op.drop_table("actions")
