"""The words pages show for the size classes of cities."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from assessment.places.models import SizeClass

SIZE_LABELS = {
    SizeClass.SMALL: _l("Small (under 300,000 people)"),
    SizeClass.MEDIUM: _l("Medium (300,000 to 1 million)"),
    SizeClass.LARGE: _l("Large (1 to 5 million)"),
    SizeClass.VERY_LARGE: _l("Very large (over 5 million)"),
}
