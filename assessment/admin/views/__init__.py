"""Administration pages: places, accounts, rounds, questionnaire versions and the audit log.

Only administrators get in. Every change goes through its section's admin service (which records
it in the audit log), is committed once in the view, and is rolled back whole when it fails.
"""

# Importing each section's module registers its routes on the one blueprint.
from assessment.admin.views import audit, overview, places, questionnaire, rounds, users  # noqa: F401
from assessment.admin.views.blueprint import bp

__all__ = ["bp"]
