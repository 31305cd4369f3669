"""An index holding every column the dashboard's and the open data page's figures read from
``element_scores`` (assessment, element, score, target), so that a round's scores for
thousands of cities are read from the index alone.

Revision ID: 0012
Revises: 0011
"""

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

NAME = "ix_element_scores_assessment_id_element_id_score_target"


def upgrade() -> None:
    op.create_index(NAME, "element_scores", ["assessment_id", "element_id", "score", "target"])


def downgrade() -> None:
    op.drop_index(NAME, table_name="element_scores")
