"""Demo and synthetic data: believable cities, accounts, rounds and answers.

``seed_demo`` builds a small, hand-picked world for trying the app; ``seed_synthetic``
builds thousands of cities over many rounds with bulk inserts, for benchmarks.
Both answer through the real questionnaire and score through the real engine.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from assessment.actions import services as actions
from assessment.actions.models import ActionStatus
from assessment.assessments.models import (
    Answer,
    Assessment,
    AssessmentStatus,
    ElementScore,
    Round,
    ScoreHistory,
)
from assessment.assessments.scores import element_score_rows, history_row, overall_fields
from assessment.assessments.services import store_submission
from assessment.assessments.versions import ensure_version
from assessment.audit.services import record
from assessment.auth.invitations import invite
from assessment.auth.models import Role, User
from assessment.auth.services import create_user, unusable_password_hash
from assessment.opendata import services as open_data
from assessment.opendata.models import OpenDataConsent
from assessment.places.models import City, Country, Region, SizeClass
from assessment.questionnaire import Answer as AnswerInput
from assessment.questionnaire import (
    Question,
    Questionnaire,
    encode_value,
    kind_of,
    score_assessment,
    score_question,
)
from assessment.reminders import remind_now

# Approximate populations, rounded: enough to give each city a size class.
DEMO_WORLD: dict[str, dict[str, tuple[str | None, list[tuple[str, int]]]]] = {
    "Africa": {
        "Rwanda": ("RWA", [("Kigali", 1_745_000), ("Huye", 380_000)]),
        "Kenya": ("KEN", [("Nairobi", 4_397_000), ("Mombasa", 1_208_000), ("Kisumu", 610_000)]),
        "Ghana": ("GHA", [("Accra", 2_557_000), ("Kumasi", 3_490_000)]),
        "Senegal": ("SEN", [("Dakar", 1_438_000)]),
        "Ethiopia": ("ETH", [("Addis Ababa", 3_945_000)]),
        "South Africa": ("ZAF", [("Cape Town", 4_772_000), ("eThekwini", 3_900_000)]),
        "Nigeria": ("NGA", [("Lagos", 15_300_000), ("Kaduna", 1_140_000)]),
    },
    "Asia-Pacific": {
        "Malaysia": ("MYS", [("Iskandar Puteri", 576_000), ("Kuala Lumpur", 1_982_000)]),
        "Indonesia": ("IDN", [("Surabaya", 2_874_000), ("Bandung", 2_444_000)]),
        "Philippines": ("PHL", [("Quezon City", 2_960_000), ("Iloilo City", 457_000)]),
        "Viet Nam": ("VNM", [("Da Nang", 1_134_000)]),
        "India": ("IND", [("Pune", 3_124_000)]),
        "Fiji": ("FJI", [("Suva", 94_000)]),
    },
    "Latin America and the Caribbean": {
        "Colombia": ("COL", [("Medellín", 2_427_000)]),
        "Brazil": ("BRA", [("Recife", 1_488_000)]),
        "Mexico": ("MEX", [("Guadalajara", 1_385_000)]),
        "Chile": ("CHL", [("Valparaíso", 297_000)]),
    },
    "Arab States": {
        "Jordan": ("JOR", [("Amman", 4_061_000)]),
        "Morocco": ("MAR", [("Rabat", 578_000)]),
        "Tunisia": ("TUN", [("Sfax", 330_000)]),
    },
}


@dataclass(frozen=True)
class DemoAccount:
    role: Role
    email: str
    password: str
    name: str
    city: str | None = None
    region: str | None = None


# Demo passwords are public by design: the demo database holds no real data.
DEMO_ACCOUNTS = (
    DemoAccount(Role.OFFICIAL, "official@kigali.example.org", "demo-official-2026",
                "Aline Uwase", city="Kigali"),
    DemoAccount(Role.OFFICIAL, "planner@kigali.example.org", "demo-planner-2026",
                "Jean Habimana", city="Kigali"),
    DemoAccount(Role.OFFICIAL, "official@nairobi.example.org", "demo-nairobi-2026",
                "Wanjiru Kamau", city="Nairobi"),
    DemoAccount(Role.REGIONAL, "africa@regional.example.org", "demo-regional-2026",
                "Africa regional office", region="Africa"),
    DemoAccount(Role.REGIONAL, "asia-pacific@regional.example.org", "demo-asiapac-2026",
                "Asia-Pacific regional office", region="Asia-Pacific"),
    DemoAccount(Role.ANALYST, "analyst@example.org", "demo-analyst-2026", "Data analyst"),
    DemoAccount(Role.ADMIN, "admin@example.org", "demo-admin-2026", "Administrator"),
)

# The last round is the current one: it closes four weeks after the day the demo is seeded, at
# 17:00 in Nairobi, so the pages show a deadline with time left ("rounds open 2026" opens an
# old demo again).
DEMO_ROUNDS: tuple[tuple[str, date, date | None], ...] = (
    ("2025", date(2025, 3, 1), date(2025, 9, 30)),
    ("2026", date(2026, 3, 1), None),
)
CURRENT_ROUND_WEEKS = 4
CURRENT_ROUND_CLOSES = time(17, 0)
CURRENT_ROUND_TIME_ZONE = "Africa/Nairobi"


def database_is_empty(session: Session) -> bool:
    return session.scalar(select(func.count()).select_from(Region)) == 0


# --- answering -----------------------------------------------------------------------


def answer_for_level(question: Question, level: float, rng: random.Random) -> Any:
    """A plausible answer value for a city whose maturity on this topic is ``level`` (0..4).

    Picks the value whose score is nearest the level, so answers and scores agree.
    """
    kind = kind_of(question)
    candidates = kind.candidates(question)
    if not candidates:
        # A number given for context only has no score to aim at: a plausible value of its
        # own, drawn from a generator of its own so the other answers stay as they were.
        return kind.sample(question, random.Random(f"{question.id}:{level:.3f}"))  # nosec B311

    def distance(value: Any) -> float:
        score = score_question(question, AnswerInput(question.id, value, False, False, None, None))
        return abs((score if score is not None else 0.0) - level) + rng.random() * 0.3

    return min(candidates, key=distance)


def answers_for_city(
    questionnaire: Questionnaire,
    profile: dict[str, float],
    rng: random.Random,
    *,
    fill: float = 1.0,
    dont_know_rate: float = 0.03,
    with_evidence: bool = True,
) -> dict[str, AnswerInput]:
    """Answers for one assessment; ``fill`` is the share of questions answered."""
    answers: dict[str, AnswerInput] = {}
    for element in questionnaire.elements:
        for question in element.questions:
            if rng.random() > fill:
                continue
            if not kind_of(question).has_value:
                if with_evidence and rng.random() < 0.5:
                    answers[question.id] = AnswerInput(
                        question.id, None, False, False,
                        f"https://www.city.example.org/{element.id.replace('_', '-')}",
                        "Strategy documents and council decisions for this element.",
                    )
                continue
            if question.allow_na and rng.random() < 0.04:
                answers[question.id] = AnswerInput(question.id, None, False, True, None,
                                                   "Does not apply to our city.")
                continue
            if rng.random() < dont_know_rate:
                answers[question.id] = AnswerInput(question.id, None, True, False, None, None)
                continue
            level = min(4.0, max(0.0, rng.gauss(profile[element.id], 0.8)))
            value = answer_for_level(question, level, rng)
            url = None
            if with_evidence and level >= 2.5 and rng.random() < 0.6:
                url = f"https://data.city.example.org/{question.id.replace('_', '-')}"
            answers[question.id] = AnswerInput(question.id, value, False, False, url, None)
    return answers


def city_profile(questionnaire: Questionnaire, rng: random.Random, round_index: int) -> dict[str, float]:
    """A city's underlying maturity per element, improving a little each round."""
    base = rng.uniform(0.6, 2.8)
    return {
        e.id: min(4.0, max(0.0, base + rng.uniform(-0.9, 0.9) + 0.25 * round_index))
        for e in questionnaire.elements
    }


def answer_rows(
    questionnaire: Questionnaire,
    assessment_id: int,
    answers: dict[str, AnswerInput],
    user_id: int | None,
    at: datetime,
) -> list[dict[str, Any]]:
    rows = []
    for question_id, answer in answers.items():
        question = questionnaire.question(question_id)
        rows.append({
            "assessment_id": assessment_id,
            "question_id": question_id,
            "value": encode_value(question, answer.value),
            "dont_know": answer.dont_know,
            "not_applicable": answer.not_applicable,
            "evidence_url": answer.evidence_url,
            "note": answer.note,
            "score": score_question(question, answer),
            "revision": 1,
            "updated_at": at,
            "updated_by_id": user_id,
        })
    return rows


# --- demo world ----------------------------------------------------------------------


def seed_demo(session: Session, questionnaire: Questionnaire, seed: int = 2020,
              today: date | None = None, earlier: Questionnaire | None = None) -> list[DemoAccount]:
    """Create the demo world; returns the accounts created. The caller commits.

    ``today`` (default: the date in UTC) sets the current round's closing, a few weeks ahead.
    ``earlier``: the questionnaire version of the first round (default: the current one), so
    that the demo shows a change of version between rounds.
    """
    rng = random.Random(seed)  # nosec B311 # reproducible demo answers, nothing secret
    version = ensure_version(session, questionnaire)
    first_version = ensure_version(session, earlier) if earlier is not None else version
    cities: dict[str, City] = {}
    regions: dict[str, Region] = {}
    for region_name, countries in DEMO_WORLD.items():
        region = Region(name=region_name)
        session.add(region)
        regions[region_name] = region
        for country_name, (iso, city_list) in countries.items():
            country = Country(name=country_name, iso_code=iso, region=region)
            session.add(country)
            for city_name, population in city_list:
                city = City(name=city_name, country=country, population=population,
                            size_class=SizeClass.for_population(population))
                session.add(city)
                cities[city_name] = city
    session.flush()

    users: dict[str, User] = {}
    for account in DEMO_ACCOUNTS:
        users[account.email] = create_user(
            session, email=account.email, password=account.password, role=account.role,
            name=account.name, city=cities.get(account.city or ""),
            region=regions.get(account.region or ""),
        )

    rounds = []
    for index, (name, opens, closes) in enumerate(DEMO_ROUNDS):
        round_ = Round(name=name, opens_on=opens, closes_on=closes,
                       questionnaire_version_id=(first_version if index == 0 else version).id)
        session.add(round_)
        rounds.append(round_)
    current = rounds[-1]
    seeded_on = today or datetime.now(UTC).date()
    current.closes_on = max(seeded_on, current.opens_on) + timedelta(weeks=CURRENT_ROUND_WEEKS)
    current.closes_time, current.time_zone = CURRENT_ROUND_CLOSES, CURRENT_ROUND_TIME_ZONE
    session.flush()

    made: dict[tuple[str, int], Assessment] = {}
    for index, city in enumerate(sorted(cities.values(), key=lambda c: c.name)):
        city_rng = random.Random(rng.random())  # nosec B311 # demo answers, as above
        first = city_profile(questionnaire, city_rng, 0)
        for round_index, round_ in enumerate(rounds):
            profile = {k: min(4.0, v + 0.35 * round_index) for k, v in first.items()}
            status = _demo_status(city.name, round_index, index, city_rng)
            if status is None:
                continue
            fill = 1.0 if status == AssessmentStatus.SUBMITTED else city_rng.uniform(0.3, 0.7)
            if city.name == "Kigali" and round_index == 1:
                fill = 0.55
            used = earlier if earlier is not None and round_index == 0 else questionnaire
            answers = answers_for_city(used, profile, city_rng, fill=fill)
            officials = [u for u in users.values() if u.city_id == city.id]
            author = officials[0] if officials else None
            made[city.name, round_index] = _store_assessment(
                session, used, round_.questionnaire_version_id, city, round_, answers, status, author,
                round_.opens_on, city_rng)
    session.flush()
    _demo_actions(session, made, users, seeded_on)
    _demo_open_data(session, made, users)
    _demo_mail(session, cities, users, current)
    return list(DEMO_ACCOUNTS)


# The questionnaire version the demo's first round was answered under.
EARLIER_QUESTIONNAIRE = Path(__file__).with_name("questionnaire-2026.2.yaml")


# The demo's action plans, made in the first round from its top recommendations: (city, the
# official who made them, then per recommendation its owner, status, weeks from the day the demo
# is seeded to its due date (so that none is overdue in a fresh demo), and note).
DEMO_ACTIONS: tuple[tuple[str, str, tuple[tuple[str, ActionStatus, int | None, str], ...]], ...] = (
    ("Kigali", "official@kigali.example.org", (
        ("ICT and Innovation Department", ActionStatus.IN_PROGRESS, 8, "Funded in this year's budget."),
        ("Jean Habimana, Urban Planning", ActionStatus.PLANNED, 20, ""),
        ("Office of the Mayor", ActionStatus.DONE, None, "Adopted by the city council."),
    )),
    ("Nairobi", "official@nairobi.example.org", (
        ("Nairobi Innovation Office", ActionStatus.IN_PROGRESS, 12, ""),
        ("County Data Unit", ActionStatus.DONE, None, ""),
    )),
)
DEMO_ACTIONS_MADE = datetime(2025, 10, 15, 9, 30, tzinfo=UTC)


def _demo_actions(session: Session, made: dict[tuple[str, int], Assessment], users: dict[str, User],
                  seeded_on: date) -> None:
    """Plans made in the first round, so that the current one shows the actions carried over."""
    for city, email, plan in DEMO_ACTIONS:
        assessment = made.get((city, 0))
        if assessment is None:
            continue
        advice = actions.recommendations(session, assessment)
        for (owner, status, weeks, note), recommendation in zip(plan, advice, strict=False):
            due_on = seeded_on + timedelta(weeks=weeks) if weeks is not None else None
            actions.add_action(
                session, assessment, users[email],
                actions.ActionFields(text=recommendation.text, owner=owner, due_on=due_on,
                                     status=status, note=note),
                element_id=recommendation.element_id, question_id=recommendation.question_id,
                at=DEMO_ACTIONS_MADE)


# The demo's open data: every city published its first round's scores but these, which did not
# agree; Nairobi published its current round's too. Through their officials where the demo has
# accounts, recorded without a name for the others.
DEMO_UNPUBLISHED = frozenset({"Lagos", "Suva", "Guadalajara", "Amman"})
DEMO_PUBLISHED_AT = datetime(2025, 11, 3, 10, 0, tzinfo=UTC)


def _demo_open_data(session: Session, made: dict[tuple[str, int], Assessment],
                    users: dict[str, User]) -> None:
    for (city_name, round_index), assessment in sorted(made.items()):
        if city_name in DEMO_UNPUBLISHED or (round_index > 0 and city_name != "Nairobi"):
            continue
        official = next((u for u in users.values() if u.role == Role.OFFICIAL
                         and u.city_id == assessment.city_id), None)
        if official is not None:
            open_data.set_consent(session, official, assessment.city, assessment.round_id, True,
                                  at=DEMO_PUBLISHED_AT)
            continue
        session.add(OpenDataConsent(city_id=assessment.city_id, round_id=assessment.round_id,
                                    consented=True, changed_at=DEMO_PUBLISHED_AT))
        record(session, open_data.GIVEN, None, assessment_id=assessment.id, at=DEMO_PUBLISHED_AT,
               round_id=assessment.round_id)


def _demo_mail(session: Session, cities: dict[str, City], users: dict[str, User], current: Round) -> None:
    """The demo's outbox: an invitation not accepted yet, and a reminder of the current round
    to the officials of the African cities that have not submitted (sent once committed)."""
    admin = next(user for user in users.values() if user.role == Role.ADMIN)
    newcomer = create_user(session, email="official@huye.example.org", name="Claudine Mukamana",
                           role=Role.OFFICIAL, city=cities["Huye"],
                           password_hash=unusable_password_hash())
    invite(session, newcomer, inviter=admin)
    africa = cities["Kigali"].country.region
    remind_now(session, users["africa@regional.example.org"], current, region_id=africa.id)


def _demo_status(city: str, round_index: int, index: int, rng: random.Random) -> AssessmentStatus | None:
    """Round one: everyone submitted. Round two: a mix of submitted, drafts and not started."""
    if city == "Kigali":
        return AssessmentStatus.SUBMITTED if round_index == 0 else AssessmentStatus.DRAFT
    if city == "Nairobi":
        return AssessmentStatus.SUBMITTED
    if round_index == 0:
        return AssessmentStatus.SUBMITTED if rng.random() < 0.9 else None
    roll = rng.random()
    if roll < 0.55:
        return AssessmentStatus.SUBMITTED
    if roll < 0.8:
        return AssessmentStatus.DRAFT
    return None


def _store_assessment(
    session: Session,
    questionnaire: Questionnaire,
    version_id: int,
    city: City,
    round_: Round,
    answers: dict[str, AnswerInput],
    status: AssessmentStatus,
    author: User | None,
    opens_on: date,
    rng: random.Random,
) -> Assessment:
    started = datetime.combine(opens_on, datetime.min.time(), tzinfo=UTC) + timedelta(
        days=rng.randint(3, 40), hours=rng.randint(8, 17)
    )
    finished = started + timedelta(days=rng.randint(2, 30))
    result = score_assessment(questionnaire, answers)
    assessment = Assessment(
        city_id=city.id, round_id=round_.id, questionnaire_version_id=version_id,
        status=AssessmentStatus.DRAFT, created_at=started, updated_at=finished,
        updated_by_id=author.id if author else None, completeness=result.completeness,
    )
    session.add(assessment)
    session.flush()
    user_id = author.id if author else None
    session.execute(insert(Answer), answer_rows(questionnaire, assessment.id, answers, user_id, finished))
    record(session, "save", author, assessment_id=assessment.id, at=finished, questions=sorted(answers))
    if status == AssessmentStatus.SUBMITTED:
        store_submission(session, assessment, result, user=author, at=finished)
    return assessment


# --- synthetic data at scale ------------------------------------------------------------


REGION_NAMES = ("Africa", "Asia-Pacific", "Latin America and the Caribbean", "Arab States",
                "Europe and North America")


@dataclass(frozen=True)
class SyntheticSummary:
    regions: int
    cities: int
    rounds: int
    assessments: int
    answers: int


def seed_synthetic(
    session: Session,
    questionnaire: Questionnaire,
    *,
    cities: int,
    rounds: int,
    seed: int = 7,
    region_weights: tuple[float, ...] = (0.5, 0.2, 0.1, 0.1, 0.1),
    batch: int = 20_000,
) -> SyntheticSummary:
    """``cities`` cities over ``rounds`` rounds, every question answered, every assessment submitted.

    Half the cities are in the first region, so a benchmark can load a 500-city dashboard.
    Rows go in with multi-row INSERTs in batches; the caller commits.
    """
    rng = random.Random(seed)  # nosec B311 # reproducible benchmark data, nothing secret
    version = ensure_version(session, questionnaire)
    regions = [Region(name=name) for name in REGION_NAMES[: len(region_weights)]]
    session.add_all(regions)
    session.flush()
    countries: list[Country] = []
    for region in regions:
        for c_index in range(10):
            countries.append(Country(name=f"{region.name} country {c_index + 1}", region=region))
    session.add_all(countries)
    session.flush()

    city_rows = []
    for index in range(cities):
        r_index = _weighted_index(index, cities, region_weights)
        country = countries[r_index * 10 + rng.randrange(10)]
        population = int(10 ** rng.uniform(4.8, 7.2))
        city_rows.append({"name": f"City {index + 1:05d}", "country_id": country.id,
                          "population": population,
                          "size_class": SizeClass.for_population(population)})
    session.execute(insert(City), city_rows)
    city_ids = list(session.scalars(select(City.id).order_by(City.id)))

    existing_rounds = session.scalar(select(func.count()).select_from(Round)) or 0
    round_objs = []
    for r in range(rounds):
        year = 2016 + existing_rounds + r
        round_objs.append(Round(name=f"Synthetic {year}", opens_on=date(year, 3, 1),
                                closes_on=date(year, 11, 30), questionnaire_version_id=version.id))
    session.add_all(round_objs)
    session.flush()

    answer_buffer: list[dict[str, Any]] = []
    score_buffer: list[dict[str, Any]] = []
    history_buffer: list[dict[str, Any]] = []
    total_answers = 0
    total_assessments = 0
    for city_id in city_ids:
        city_rng = random.Random(rng.random())  # nosec B311 # demo answers, as above
        for r_index, round_ in enumerate(round_objs):
            profile = city_profile(questionnaire, city_rng, r_index)
            answers = answers_for_city(questionnaire, profile, city_rng, dont_know_rate=0.0)
            result = score_assessment(questionnaire, answers)
            at = datetime.combine(round_.opens_on, datetime.min.time(), tzinfo=UTC) + timedelta(days=30)
            assessment_id = session.execute(
                insert(Assessment).returning(Assessment.id),
                [{"city_id": city_id, "round_id": round_.id, "questionnaire_version_id": version.id,
                  "status": AssessmentStatus.SUBMITTED, "created_at": at, "updated_at": at,
                  "submitted_at": at, "completeness": result.completeness, **overall_fields(result)}],
            ).scalar_one()
            total_assessments += 1
            answer_buffer.extend(answer_rows(questionnaire, assessment_id, answers, None, at))
            score_buffer.extend(element_score_rows(assessment_id, result))
            history_buffer.append(history_row(assessment_id, version.id, result, at=at, user_id=None))
            if len(answer_buffer) >= batch:
                total_answers += _flush_rows(session, answer_buffer, score_buffer, history_buffer)
    total_answers += _flush_rows(session, answer_buffer, score_buffer, history_buffer)
    # Every city but one in five publishes its scores as open data, round by round.
    consent_at = datetime(2025, 1, 1, tzinfo=UTC)
    consents = [{"city_id": city_id, "round_id": round_.id, "consented": True,
                 "changed_at": consent_at, "changed_by_id": None}
                for n, city_id in enumerate(city_ids) if n % 5 for round_ in round_objs]
    for start in range(0, len(consents), batch):
        session.execute(insert(OpenDataConsent), consents[start:start + batch])
    return SyntheticSummary(len(regions), len(city_ids), len(round_objs), total_assessments,
                            total_answers)


def _flush_rows(session: Session, answers: list[dict[str, Any]], scores: list[dict[str, Any]],
                history: list[dict[str, Any]]) -> int:
    count = len(answers)
    if answers:
        session.execute(insert(Answer), answers)
    if scores:
        session.execute(insert(ElementScore), scores, execution_options={"render_nulls": True})
    if history:
        session.execute(insert(ScoreHistory), history)
    answers.clear()
    scores.clear()
    history.clear()
    return count


def _weighted_index(index: int, total: int, weights: tuple[float, ...]) -> int:
    """Deterministic region for the index-th city so region sizes follow ``weights``."""
    position = (index + 0.5) / total
    cumulative = 0.0
    for r_index, weight in enumerate(weights):
        cumulative += weight / sum(weights)
        if position < cumulative:
            return r_index
    return len(weights) - 1

