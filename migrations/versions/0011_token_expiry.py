"""Access tokens that expire and can be limited: an expiry (tokens made before it get TOKEN_DAYS'
default of 90 days from the upgrade, so no script stops at once), the tables and regions a token
may read, and when its owner was told it will expire.

Revision ID: 0011
Revises: 0010
"""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

from assessment.database import UTCDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

EXISTING_TOKEN_DAYS = 90


def upgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("expires_at", UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("tables", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("region_ids", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("expiry_notice_at", UTCDateTime(timezone=True), nullable=True))
    tokens = sa.table("api_tokens", sa.column("expires_at", UTCDateTime(timezone=True)))
    until = datetime.now(UTC) + timedelta(days=EXISTING_TOKEN_DAYS)
    op.execute(tokens.update().where(tokens.c.expires_at.is_(None)).values(expires_at=until))
    with op.batch_alter_table("api_tokens") as batch:
        batch.alter_column("expires_at", existing_type=UTCDateTime(timezone=True), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("expiry_notice_at")
        batch.drop_column("region_ids")
        batch.drop_column("tables")
        batch.drop_column("expires_at")
