"""Variable names for Stata and SPSS: at most 27 characters, letters, digits and ``_``.

Column names that fit are kept; a longer one is cut and given four characters of its hash, so
the same column has the same short name in every file. The codebook lists each wide column's
short name (``short_name``).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

# Stata keeps 32 bytes for a name, its terminating zero included, and the value labels of a
# variable are named after it with a running number (up to four digits); SPSS allows 64 bytes.
# One limit, so both files use the same names.
MAX_NAME = 27
_NOT_ALLOWED = re.compile(r"[^A-Za-z0-9_]")


def short_name(name: str) -> str:
    clean = _NOT_ALLOWED.sub("_", name)
    if not clean or not (clean[0].isalpha() or clean[0] == "_"):
        clean = "v" + clean
    if len(clean) <= MAX_NAME:
        return clean
    digest = hashlib.sha1(name.encode(), usedforsecurity=False).hexdigest()[:4]
    return f"{clean[:MAX_NAME - 5]}_{digest}"


def short_names(names: Iterable[str]) -> dict[str, str]:
    """Each name's short name, unique among them."""
    taken: set[str] = set()
    found = {}
    for name in names:
        candidate = short_name(name)
        number = 1
        while candidate.lower() in taken:
            number += 1
            suffix = f"_{number}"
            candidate = short_name(name)[:MAX_NAME - len(suffix)] + suffix
        taken.add(candidate.lower())
        found[name] = candidate
    return found
