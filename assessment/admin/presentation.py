"""How the admin pages show questionnaire hashes (times use ``assessment.formatting``)."""

# Enough of a content hash to tell versions apart at a glance.
HASH_PREFIX = 12
