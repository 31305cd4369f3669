"""Where a city sits among its peers, element by element: the spread of the other cities'
stored scores (lowest, quartiles, median, highest) and the city's position in it.

The city is never part of its own peer figures, and an element's spread is shown only when at
least the minimum number of other cities have a score for it (``MIN_PEER_CITIES``): below that,
the lowest or the highest would come close to being one known city's score.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from markupsafe import Markup

from assessment.charts import CITY_COLOUR, REGION_COLOUR
from assessment.charts.cartesian import quartiles
from assessment.charts.strip import Spread, strip_svg
from assessment.formatting import number
from assessment.results.comparisons import OVERALL_KEY, PeerScores, rounded


@dataclass(frozen=True)
class SpreadRow:
    """One element (or the overall index) of the distribution table."""

    key: str  # the element id, or OVERALL_KEY
    label: str
    peers: int  # other cities with a score here
    spread: Spread | None  # None: fewer other cities than the minimum
    score: float | None  # the city's own, as the report shows it
    rank: int | None  # 1 + the other cities with a higher score; None when not shown
    drawing: Markup | None = None
    anchor: str | None = None  # the element's card in the report

    @property
    def overall(self) -> bool:
        return self.key == OVERALL_KEY

    @property
    def total(self) -> int:
        """The cities the rank is counted among: the peers and the city itself."""
        return self.peers + 1

    @property
    def position(self) -> str:
        return "" if self.rank is None else _("%(rank)s of %(total)s", rank=self.rank, total=self.total)


@dataclass(frozen=True)
class PeerDistribution:
    rows: list[SpreadRow]
    minimum: int

    @property
    def shown(self) -> bool:
        return any(row.spread is not None for row in self.rows)

    @property
    def most_peers(self) -> int:
        """The most other cities with a score on any row."""
        return max((row.peers for row in self.rows), default=0)

    @property
    def elements(self) -> list[SpreadRow]:
        return [row for row in self.rows if not row.overall]

    @property
    def overall(self) -> SpreadRow | None:
        return next((row for row in self.rows if row.overall), None)


def spread_of(values: Sequence[float]) -> Spread:
    """The five numbers of ``values``, each rounded as the report shows scores."""
    ordered = sorted(values)
    q1, median, q3 = quartiles(ordered)
    return Spread(*(float(rounded(v) or 0.0) for v in (ordered[0], q1, median, q3, ordered[-1])))


def rank_among(score: float | None, values: Sequence[float]) -> int | None:
    """1 + how many of ``values`` are higher than ``score``, compared as shown (one decimal):
    cities level with each other share a rank."""
    if score is None:
        return None
    return 1 + sum(1 for value in values if (rounded(value) or 0.0) > score)


def peer_distribution(scores: PeerScores, rows: Sequence[tuple[str, str, float | None]], *,
                      minimum: int, city_name: str, anchors: dict[str, str] | None = None,
                      ident: str = "spread") -> PeerDistribution:
    """The distribution table for ``rows`` of (key, label, the city's shown score)."""
    built = []
    for key, label, score in rows:
        values = scores.of(key)
        if len(values) < minimum:
            built.append(SpreadRow(key, label, len(values), None, score, None,
                                   anchor=(anchors or {}).get(key)))
            continue
        spread = spread_of(values)
        shown = {"element": label, "low": number(spread.low), "high": number(spread.high),
                 "median": number(spread.median), "city": city_name}
        title = (_("%(element)s: the other cities from %(low)s to %(high)s, median %(median)s; "
                   "%(city)s %(score)s", score=number(score), **shown) if score is not None else
                 _("%(element)s: the other cities from %(low)s to %(high)s, median %(median)s; "
                   "%(city)s has no score", **shown))
        drawing = strip_svg(spread, score, title=title, ident=f"{ident}-{key.strip('_')}",
                            spread_colour=REGION_COLOUR, value_colour=CITY_COLOUR)
        built.append(SpreadRow(key, label, len(values), spread, score, rank_among(score, values),
                               drawing, (anchors or {}).get(key)))
    return PeerDistribution(built, minimum)
