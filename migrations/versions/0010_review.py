"""The review of a submitted assessment: evidence documents (and their bytes when kept in the
database), reviewer decisions, the city's replies, the reviewed scores, an assigned reviewer,
and the answers of each submission kept with its scores.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

from assessment.database import UTCDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("assessments") as batch:
        batch.add_column(sa.Column("reviewer_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("reviewed_overall", sa.Float(), nullable=True))
        batch.add_column(sa.Column("reviewed_at", UTCDateTime(timezone=True), nullable=True))
        batch.create_foreign_key("fk_assessments_reviewer_id_users", "users", ["reviewer_id"], ["id"],
                                 ondelete="SET NULL")
    with op.batch_alter_table("score_history") as batch:
        batch.add_column(sa.Column("answers", sa.JSON(), nullable=True))
    op.create_table(
        "reviewed_scores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("element_id", sa.String(length=40), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(["assessment_id"], ["assessments.id"],
                                name="fk_reviewed_scores_assessment_id_assessments", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_reviewed_scores"),
        sa.UniqueConstraint("assessment_id", "element_id",
                            name="uq_reviewed_scores_assessment_id_element_id"),
    )
    op.create_table(
        "review_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.Enum("accept", "query", "adjust", name="decisionkind", native_enum=False,
                                  length=20), nullable=False),
        sa.Column("level", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("answer_revision", sa.Integer(), nullable=True),
        sa.Column("decided_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["assessment_id"], ["assessments.id"],
                                name="fk_review_decisions_assessment_id_assessments", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["decided_by_id"], ["users.id"],
                                name="fk_review_decisions_decided_by_id_users", ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_review_decisions"),
    )
    op.create_index("ix_review_decisions_assessment_id", "review_decisions", ["assessment_id"])
    op.create_table(
        "query_replies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("replied_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("replied_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["decision_id"], ["review_decisions.id"],
                                name="fk_query_replies_decision_id_review_decisions", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["replied_by_id"], ["users.id"],
                                name="fk_query_replies_replied_by_id_users", ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_query_replies"),
    )
    op.create_index("ix_query_replies_decision_id", "query_replies", ["decision_id"])
    op.create_table(
        "evidence_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.String(length=40), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=120), nullable=False),
        sa.Column("extension", sa.String(length=10), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("storage", sa.String(length=20), nullable=False),
        sa.Column("storage_key", sa.String(length=64), nullable=False),
        sa.Column("uploaded_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["assessment_id"], ["assessments.id"],
                                name="fk_evidence_documents_assessment_id_assessments", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["uploaded_by_id"], ["users.id"],
                                name="fk_evidence_documents_uploaded_by_id_users", ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_evidence_documents"),
        sa.UniqueConstraint("storage_key", name="uq_evidence_documents_storage_key"),
    )
    op.create_index("ix_evidence_documents_assessment_id", "evidence_documents", ["assessment_id"])
    op.create_table(
        "document_blobs",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_document_blobs"),
    )


def downgrade() -> None:
    op.drop_table("document_blobs")
    op.drop_index("ix_evidence_documents_assessment_id", table_name="evidence_documents")
    op.drop_table("evidence_documents")
    op.drop_index("ix_query_replies_decision_id", table_name="query_replies")
    op.drop_table("query_replies")
    op.drop_index("ix_review_decisions_assessment_id", table_name="review_decisions")
    op.drop_table("review_decisions")
    op.drop_table("reviewed_scores")
    with op.batch_alter_table("score_history") as batch:
        batch.drop_column("answers")
    with op.batch_alter_table("assessments") as batch:
        batch.drop_constraint("fk_assessments_reviewer_id_users", type_="foreignkey")
        batch.drop_column("reviewed_at")
        batch.drop_column("reviewed_overall")
        batch.drop_column("reviewer_id")
