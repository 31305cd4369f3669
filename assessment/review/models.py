"""Evidence documents, review decisions and the city's replies to queries.

Decisions and replies are append-only: a later decision on the same answer supersedes an
earlier one, which stays, so the whole exchange between a reviewer and a city is kept.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assessment.auth.models import User
from assessment.database import Base, utcnow
from assessment.places.models import enum_column


class DecisionKind(enum.StrEnum):
    ACCEPT = "accept"  # the answer stands as given
    QUERY = "query"  # a question to the city, in ``comment``
    ADJUST = "adjust"  # the reviewer's level in ``level``, with the reason in ``comment``


class ReviewDecision(Base):
    """A reviewer's decision on one answer; the latest per question is the one in force."""

    __tablename__ = "review_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"),
                                               index=True)
    question_id: Mapped[str] = mapped_column(String(40))
    kind: Mapped[DecisionKind] = mapped_column(enum_column(DecisionKind))
    level: Mapped[int | None] = mapped_column(Integer)  # 0..4, for an adjustment
    comment: Mapped[str] = mapped_column(Text, default="")
    # The answer's revision when the decision was made: a later one means the city changed it.
    answer_revision: Mapped[int | None] = mapped_column(Integer)
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    decided_by: Mapped[User | None] = relationship()


class QueryReply(Base):
    """The city's reply to a query."""

    __tablename__ = "query_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("review_decisions.id", ondelete="CASCADE"),
                                             index=True)
    text: Mapped[str] = mapped_column(Text)
    replied_at: Mapped[datetime] = mapped_column(default=utcnow)
    replied_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    replied_by: Mapped[User | None] = relationship()


class EvidenceDocument(Base):
    """A document attached to one answer; its bytes are in the document store (``storage``)."""

    __tablename__ = "evidence_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"),
                                               index=True)
    question_id: Mapped[str] = mapped_column(String(40))
    # The name it was uploaded with (for the download), and what its content says it is.
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(120))
    extension: Mapped[str] = mapped_column(String(10))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    # Where the bytes are: "database" or "folder", under this key.
    storage: Mapped[str] = mapped_column(String(20))
    storage_key: Mapped[str] = mapped_column(String(64), unique=True)
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    uploaded_by: Mapped[User | None] = relationship()


class DocumentBlob(Base):
    """A document's bytes, when documents are kept in the database (the default)."""

    __tablename__ = "document_blobs"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
