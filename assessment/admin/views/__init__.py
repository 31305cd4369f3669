"""Administration pages: places, accounts, rounds, questionnaire versions, the audit log and the
imports of cities and accounts.

Only administrators get in (and regional offices, to import their own region's accounts). Every
change goes through its section's admin service (which records it in the audit log), is committed
once in the view, and is rolled back whole when it fails.
"""

# Importing each section's module registers its routes on the one blueprint.
from assessment.admin.views import (  # noqa: F401
    audit,
    imports,
    operations,
    overview,
    peer_groups,
    places,
    questionnaire,
    rounds,
    users,
)
from assessment.admin.views.blueprint import bp

__all__ = ["bp"]
