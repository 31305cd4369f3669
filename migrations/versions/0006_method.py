"""The method's variants of every stored score, the rules version they were computed with,
and the history of every submission's scores.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

from assessment.database import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("assessments") as batch:
        batch.add_column(sa.Column("overall_conservative", sa.Float(), nullable=True))
        batch.add_column(sa.Column("overall_evidenced", sa.Float(), nullable=True))
        batch.add_column(sa.Column("scoring_version", sa.Integer(), nullable=True))
    with op.batch_alter_table("element_scores") as batch:
        batch.add_column(sa.Column("conservative", sa.Float(), nullable=True))
        batch.add_column(sa.Column("evidenced", sa.Float(), nullable=True))
        batch.add_column(sa.Column("dont_know_share", sa.Float(), nullable=False,
                                   server_default="0"))
        batch.add_column(sa.Column("dont_know_flagged", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
    # Scores stored before this revision were computed by the first rules (a yes worth 4, the
    # weakest element the lowest score).
    op.execute("UPDATE assessments SET scoring_version = 1 WHERE overall_index IS NOT NULL "
               "OR submitted_at IS NOT NULL")
    op.create_table(
        "score_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("submitted_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("submitted_by_id", sa.Integer(), nullable=True),
        sa.Column("questionnaire_version_id", sa.Integer(), nullable=False),
        sa.Column("scoring_version", sa.Integer(), nullable=False),
        sa.Column("completeness", sa.Float(), nullable=False),
        sa.Column("overall_index", sa.Float(), nullable=True),
        sa.Column("overall_geometric", sa.Float(), nullable=True),
        sa.Column("overall_conservative", sa.Float(), nullable=True),
        sa.Column("overall_evidenced", sa.Float(), nullable=True),
        sa.Column("weakest_element_id", sa.String(length=40), nullable=True),
        sa.Column("elements", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["assessment_id"], ["assessments.id"],
                                name="fk_score_history_assessment_id_assessments", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["submitted_by_id"], ["users.id"],
                                name="fk_score_history_submitted_by_id_users", ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["questionnaire_version_id"], ["questionnaire_versions.id"],
                                name="fk_score_history_questionnaire_version_id",
                                ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name="pk_score_history"),
    )
    op.create_index("ix_score_history_assessment_id", "score_history", ["assessment_id"])


def downgrade() -> None:
    op.drop_index("ix_score_history_assessment_id", table_name="score_history")
    op.drop_table("score_history")
    with op.batch_alter_table("element_scores") as batch:
        batch.drop_column("dont_know_flagged")
        batch.drop_column("dont_know_share")
        batch.drop_column("evidenced")
        batch.drop_column("conservative")
    with op.batch_alter_table("assessments") as batch:
        batch.drop_column("scoring_version")
        batch.drop_column("overall_evidenced")
        batch.drop_column("overall_conservative")
