"""Deterministic demo and benchmark data: seeded Faker content, bulk-inserted with PyMongo."""

from __future__ import annotations

import itertools
import random
import re
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar

from beanie import Document, PydanticObjectId
from faker import Faker
from tqdm import tqdm

from crowdhire.dev.seed_matching import fill_matching_fields
from crowdhire.models import DOCUMENT_MODELS
from crowdhire.models.candidates import Candidate, Consent, ConsentStatus
from crowdhire.models.common import Money
from crowdhire.models.companies import Company, CompanyMember, MemberRole
from crowdhire.models.jobs import FeeTerms, Job, JobStatus, SalaryRange
from crowdhire.models.placements import PaymentStatus, Placement
from crowdhire.models.recruiters import Recruiter
from crowdhire.models.submissions import RejectReason, Stage, StageChange, Submission

DEMO_RECRUITER_SUB = "auth0|recruiter-001"
ANCHOR = datetime(2026, 6, 1, tzinfo=UTC)
"""The dataset's fixed "now": data spans the ~18 months before it, whatever the clock says."""
BASE_COUNTS = {"companies": 20, "recruiters": 50, "jobs": 200, "candidates": 2000}
BASE_COUNTS |= {"submissions": 5000, "placements": 300}
_START = ANCHOR - timedelta(days=540)
_BATCH = 5000
_DAY = 86400
_K = 100_000  # a thousand major units, in minor units
_T = TypeVar("_T")

_TRACKS = [  # area, title, base yearly salary in thousand USD, skills
    ("backend", "Backend Engineer", 145, "python,django,fastapi,go,postgresql,redis,kafka,aws"),
    ("frontend", "Frontend Engineer", 135, "typescript,javascript,react,next.js,vue,css,jest"),
    ("fullstack", "Full-Stack Engineer", 140, "typescript,react,node.js,python,postgresql,graphql"),
    ("data", "Data Engineer", 145, "python,sql,spark,airflow,kafka,dbt,snowflake,bigquery"),
    ("data", "Data Scientist", 140, "python,pandas,scikit-learn,sql,statistics,pytorch,r"),
    ("ml", "Machine Learning Engineer", 165, "python,pytorch,tensorflow,mlops,kubernetes,llm"),
    ("devops", "Site Reliability Engineer", 155, "kubernetes,terraform,aws,gcp,prometheus,linux"),
    ("devops", "DevOps Engineer", 140, "docker,kubernetes,terraform,ansible,ci/cd,aws,bash"),
    ("mobile", "iOS Engineer", 145, "swift,swiftui,objective-c,xcode,combine,graphql"),
    ("mobile", "Android Engineer", 140, "kotlin,java,jetpack compose,android,coroutines,gradle"),
    ("security", "Security Engineer", 160, "appsec,penetration testing,python,aws,siem,iam"),
    ("qa", "QA Automation Engineer", 110, "playwright,cypress,selenium,python,typescript,ci/cd"),
    ("product", "Product Designer", 125, "figma,ux research,prototyping,design systems,sketch,css"),
    ("product", "Product Manager", 150, "roadmapping,analytics,sql,user research,agile,jira"),
    ("management", "Engineering Manager", 185, "leadership,hiring,agile,architecture,python,okrs"),
]
_SENIORITY = [("Junior ", 0.65, 0, 2, 15), ("", 1.0, 2, 6, 40), ("Senior ", 1.3, 5, 14, 30)]
_SENIORITY += [("Staff ", 1.6, 8, 22, 8), ("Lead ", 1.5, 7, 22, 7)]
_CITIES = [  # city, Faker locale, currency, weight
    ("New York, NY", "en_US", "USD", 7), ("San Francisco, CA", "en_US", "USD", 6),
    ("Austin, TX", "en_US", "USD", 3), ("Seattle, WA", "en_US", "USD", 3),
    ("Boston, MA", "en_US", "USD", 3), ("London, UK", "en_GB", "GBP", 6),
    ("Manchester, UK", "en_GB", "GBP", 1), ("Berlin, Germany", "de_DE", "EUR", 4),
    ("Munich, Germany", "de_DE", "EUR", 2), ("Amsterdam, Netherlands", "nl_NL", "EUR", 3),
    ("Paris, France", "fr_FR", "EUR", 3), ("Madrid, Spain", "es_ES", "EUR", 2),
    ("Barcelona, Spain", "es_ES", "EUR", 2), ("Lisbon, Portugal", "pt_PT", "EUR", 2),
    ("Dublin, Ireland", "en_IE", "EUR", 2), ("Toronto, Canada", "en_CA", "CAD", 2),
    ("Zurich, Switzerland", "de_CH", "CHF", 1), ("Warsaw, Poland", "pl_PL", "PLN", 1),
]  # fmt: skip
_PAY_FACTOR = {"USD": 1.0, "EUR": 0.72, "GBP": 0.68, "CAD": 1.0, "CHF": 0.95, "PLN": 1.7}
_INDUSTRIES = "fintech,healthcare,logistics,e-commerce,climate,education,security,media,mobility"
_PIPELINE = [Stage.SUBMITTED, Stage.SCREENING, Stage.INTERVIEWING, Stage.OFFER, Stage.HIRED]
_ACTIVE = {Stage.SUBMITTED, Stage.SCREENING, Stage.INTERVIEWING, Stage.OFFER}
_STAGE_MIX = {Stage.SUBMITTED: 28, Stage.SCREENING: 20, Stage.INTERVIEWING: 14, Stage.OFFER: 4}
_STAGE_MIX |= {Stage.REJECTED: 26, Stage.WITHDRAWN: 8}
_REASONS = dict(zip(RejectReason, (40, 15, 10, 15, 10, 10), strict=True))
_JOB_MIX = {JobStatus.OPEN: 70, JobStatus.DRAFT: 10, JobStatus.PAUSED: 10}
_JOB_MIX |= {JobStatus.FILLED: 5, JobStatus.CLOSED: 5}
_PAY_MIX = {PaymentStatus.PAID: 50, PaymentStatus.UNPAID: 32, PaymentStatus.PROCESSING: 8}
_PAY_MIX |= {PaymentStatus.REFUNDED: 5, PaymentStatus.FAILED: 5}
_CONSENT_MIX = {ConsentStatus.GRANTED: 85, ConsentStatus.PENDING: 10, ConsentStatus.REVOKED: 5}
_REMOTE = {"remote": 35, "hybrid": 40, "onsite": 25}  # RemotePolicy
_EMPLOYMENT = {"full_time": 75, "contract": 15, "part_time": 6, "internship": 4}  # EmploymentType
_EMPLOYMENT_PAY = {"part_time": 0.55, "internship": 0.35}


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def _bson(doc: Document) -> dict[str, Any]:
    """BSON-ready data: ObjectIds stay ObjectIds, a `date` becomes midnight UTC (as in Beanie)."""
    return {
        key: datetime.combine(value, time.min, tzinfo=UTC) if type(value) is date else value
        for key, value in doc.model_dump(by_alias=True).items()
    }


class _Builder:
    """Builds every document in memory from one seeded RNG (plus one seeded Faker per locale)."""

    def __init__(self, seed: int, counts: dict[str, int]) -> None:
        self.seed, self.counts, self.rng = seed, counts, random.Random(seed)
        self.fakers: dict[str, Faker] = {}
        self.actor: dict[PydanticObjectId | None, str] = {}  # recruiter or company id -> Auth0 sub
        self.area: dict[PydanticObjectId | None, str] = {}  # job or candidate id -> skill area
        self.mid_salary: dict[PydanticObjectId | None, int] = {}  # job id -> minor units

    def fake(self, locale: str) -> Faker:
        if locale not in self.fakers:
            self.fakers[locale] = Faker(locale)
            self.fakers[locale].seed_instance(f"{self.seed}:{locale}")
        return self.fakers[locale]

    def oid(self, at: datetime) -> PydanticObjectId:
        return PydanticObjectId(int(at.timestamp()).to_bytes(4, "big") + self.rng.randbytes(8))

    def between(self, lo: datetime, hi: datetime) -> datetime:
        return lo + timedelta(seconds=self.rng.randrange(max(1, int((hi - lo).total_seconds()))))

    def pick(self, weights: Mapping[_T, float]) -> _T:
        return self.rng.choices(list(weights), list(weights.values()))[0]

    def quota(self, n: int, weights: Mapping[_T, float]) -> list[_T]:
        """`n` values in exact proportion to `weights` (largest remainder), shuffled."""
        exact = {key: n * weight / sum(weights.values()) for key, weight in weights.items()}
        counts = {key: int(value) for key, value in exact.items()}
        for key in sorted(weights, key=lambda k: counts[k] - exact[k])[: n - sum(counts.values())]:
            counts[key] += 1
        values = [key for key, count in counts.items() for _ in range(count)]
        return self.rng.sample(values, len(values))

    def city(self) -> tuple[str, str, str, int]:
        return self.rng.choices(_CITIES, [city[3] for city in _CITIES])[0]

    def seniority(self) -> tuple[str, float, int, int, int]:
        return self.rng.choices(_SENIORITY, [level[4] for level in _SENIORITY])[0]

    def companies(self) -> list[Company]:
        out = []
        for i in range(1, self.counts["companies"] + 1):
            name = self.fake(self.city()[1]).company()
            base = _slug(name)[:60].strip("-") or "company"
            created = self.between(_START, _START + timedelta(days=120))
            industry, oid = self.rng.choice(_INDUSTRIES.split(",")), self.oid(created)
            self.actor[oid] = f"auth0|company-{i:03d}"
            out.append(Company(
                id=oid, name=name, slug=f"{base}-{i:03d}", created_at=created,
                website=f"https://{base}.example.com",
                description=f"{name} builds software for {industry} teams.",
            ))  # fmt: skip
        return out

    def members(self, companies: Sequence[Company]) -> list[CompanyMember]:
        """One owner per company, signing in as `auth0|company-NNN`."""
        return [
            CompanyMember(company_id=c.id, sub=self.actor[c.id], role=MemberRole.OWNER,
                          created_at=c.created_at, id=self.oid(c.created_at))
            for c in companies
        ]  # fmt: skip

    def recruiters(self) -> list[Recruiter]:
        out = []
        areas = sorted({track[0] for track in _TRACKS})
        for i in range(1, self.counts["recruiters"] + 1):
            city, locale, _, _ = self.city()
            name = self.fake(locale).name()
            created = self.between(_START, _START + timedelta(days=300))
            specialties, oid = self.rng.sample(areas, self.rng.randint(1, 3)), self.oid(created)
            self.actor[oid] = f"auth0|recruiter-{i:03d}"
            out.append(Recruiter(
                id=oid, sub=self.actor[oid], display_name=name,
                email=f"{_slug(name).replace('-', '.')}.{i}@example.com", created_at=created,
                bio=f"Independent tech recruiter in {city}: {', '.join(specialties)}.",
                specialties=specialties,
            ))  # fmt: skip
        return out

    def candidates(self, recruiters: Sequence[Recruiter]) -> list[Candidate]:
        out = []
        weights = list(itertools.accumulate(1 / (r + 1) ** 0.7 for r in range(len(recruiters))))
        for i, consent in enumerate(self.quota(self.counts["candidates"], _CONSENT_MIX)):
            owner = self.rng.choices(recruiters, cum_weights=weights)[0]
            area = self.rng.choice(owner.specialties) if self.rng.random() < 0.7 else ""
            track = self.rng.choice([t for t in _TRACKS if t[0] == area] or _TRACKS)
            (prefix, _, low, high, _), (city, locale, _, _) = self.seniority(), self.city()
            fake = self.fake(locale)
            name = f"{fake.first_name()} {fake.last_name()}"
            handle, pending = _slug(name), consent == ConsentStatus.PENDING
            created = self.between(owner.created_at, ANCHOR - timedelta(days=4))
            changed = created + timedelta(seconds=self.rng.randrange(3600, 3 * _DAY))
            self.area[oid := self.oid(created)] = track[0]
            out.append(Candidate(
                id=oid, recruiter_id=owner.id, full_name=name, location=city,
                headline=f"{prefix}{track[1]}", email=f"{handle.replace('-', '.')}.{i}@example.net",
                phone=fake.phone_number() if self.rng.random() < 0.7 else None,
                skills=self.rng.sample(track[3].split(","), self.rng.randint(3, 6)),
                years_experience=self.rng.randint(low, high),
                links=[f"https://linkedin.example.com/in/{handle}-{i}"],
                consent=Consent(status=consent, changed_at=None if pending else changed),
                created_at=created, updated_at=created if pending else changed,
            ))  # fmt: skip
        return _unique_phones(out)

    def jobs(self, companies: Sequence[Company]) -> list[Job]:
        out = []
        weights = [self.rng.uniform(0.3, 3.0) for _ in companies]
        for status in self.quota(self.counts["jobs"], _JOB_MIX):
            company = self.rng.choices(companies, weights)[0]
            area, title, base, skill_list = self.rng.choice(_TRACKS)
            (prefix, factor, _, _, _), (city, _, cur, _) = self.seniority(), self.city()
            employment, remote = self.pick(_EMPLOYMENT), self.pick(_REMOTE)
            factor *= _PAY_FACTOR[cur] * _EMPLOYMENT_PAY.get(employment, 1.0)
            k = round(base * factor)  # yearly, thousands; 1000 major units = 100_000 minor
            salary = SalaryRange(min=round(k * 0.9) * _K, max=round(k * 1.15) * _K, currency=cur)
            percent = self.rng.choice([15, 18, 20, 22, 25]) if self.rng.random() < 0.75 else None
            fee = FeeTerms(
                percent=percent, currency=cur, guarantee_days=self.rng.choice([60, 90, 90]),
                flat_amount=None if percent else round(k * self.rng.uniform(0.12, 0.22)) * _K,
                recruiter_share_percent=self.rng.choice([60, 65, 70, 70, 75, 80]),
            )  # fmt: skip
            skills = self.rng.sample(skill_list.split(","), self.rng.randint(3, 5))
            created = self.between(company.created_at, ANCHOR - timedelta(days=10))
            opened = created + timedelta(seconds=self.rng.randrange(7 * _DAY))
            oid = self.oid(created)
            self.area[oid], self.mid_salary[oid] = area, k * _K
            out.append(Job(
                id=oid, company_id=company.id, title=f"{prefix}{title}", location=city,
                description=f"{company.name} is hiring a {prefix}{title} ({remote}, {city})."
                f" You will work with {', '.join(skills[:-1])} and {skills[-1]}.",
                remote_policy=remote, employment_type=employment, skills=skills, status=status,
                salary=salary if self.rng.random() < 0.9 else None, fee_terms=fee,
                openings=self.rng.choice([1, 1, 1, 2, 3, 5]), created_at=created,
                opened_at=None if status == JobStatus.DRAFT else opened,
            ))  # fmt: skip
        return out

    def pairs(self, jobs: Sequence[Job], cands: Sequence[Candidate]) -> list[tuple[Job, Candidate]]:
        """Unique (job, candidate) pairs: visible jobs, consenting people, mostly same area."""
        live = [job for job in jobs if job.status != JobStatus.DRAFT]
        granted = [cand for cand in cands if cand.consent.status == ConsentStatus.GRANTED]
        n = min(self.counts["submissions"], len(live) * len(granted))  # tiny scales run out
        by_area = {a: [c for c in granted if self.area[c.id] == a] for a in {t[0] for t in _TRACKS}}
        weights = list(itertools.accumulate(self.rng.uniform(0.2, 2.0) for _ in live))
        seen: dict[tuple[int, int], tuple[Job, Candidate]] = {}
        while len(seen) < n:
            job = self.rng.choices(live, cum_weights=weights)[0]
            pool = (by_area.get(self.area[job.id]) if self.rng.random() < 0.6 else None) or granted
            seen.setdefault((id(job), id(cand := self.rng.choice(pool))), (job, cand))
        return list(seen.values())

    def hires(self, pairs: list[tuple[Job, Candidate]]) -> set[int]:
        """Which pairs end hired: one per filled job first, then at most one per person."""
        order = self.rng.sample(range(len(pairs)), len(pairs))
        filled = {id(pairs[s][0]): s for s in reversed(order) if pairs[s][0].status == "filled"}
        ranked, target = [*filled.values(), *order], min(self.counts["placements"], len(pairs))
        hired, people = dict[int, None](), set[int]()
        for k, s in enumerate(ranked * 2):  # a second pass, for tiny sets, may hire someone twice
            if len(hired) < target and (k >= len(ranked) or id(pairs[s][1]) not in people):
                hired[s] = None
                people.add(id(pairs[s][1]))
        openings = Counter(id(pairs[s][0]) for s in hired)
        for job, _ in (pairs[s] for s in hired):
            n = openings[id(job)]
            job.openings = n if job.status == JobStatus.FILLED else max(job.openings, n)
        return set(hired)

    def history(self, stage: Stage, job: Job, cand: Candidate) -> list[StageChange]:
        """Recorded moves from `submitted` to `stage`, once both sides allow it, before ANCHOR."""
        assert job.opened_at is not None and cand.consent.changed_at is not None
        t0, recruiter = max(job.opened_at, cand.consent.changed_at), self.actor[cand.recruiter_id]
        exit_after = self.rng.choices((1, 2, 3, 4), (4, 3, 2, 1))[0]  # if rejected or withdrawn
        path = [*_PIPELINE[: _PIPELINE.index(stage) if stage in _PIPELINE else exit_after], stage]
        gaps = [self.rng.randrange(_DAY, 12 * _DAY) for _ in path[1:]]
        room = int((ANCHOR - t0).total_seconds()) - 3600
        if sum(gaps) < room:
            at = self.between(t0, ANCHOR - timedelta(seconds=sum(gaps) + 3600))
        else:
            at, gaps = t0, [gap * room // (sum(gaps) + 1) for gap in gaps]
        moves = [StageChange(from_stage=None, to_stage=path[0], at=at, actor=recruiter)]
        for (before, after), gap in zip(itertools.pairwise(path), gaps, strict=True):
            at += timedelta(seconds=gap)
            actor = recruiter if after == Stage.WITHDRAWN else self.actor[job.company_id]
            moves.append(StageChange(from_stage=before, to_stage=after, at=at, actor=actor))
        return moves

    def pipeline(self, jobs: Sequence[Job], cands: Sequence[Candidate]
                 ) -> tuple[list[Submission], list[Placement]]:  # fmt: skip
        """Submissions with consistent histories, and a placement for each hired one."""
        hired = self.hires(pairs := self.pairs(jobs, cands))
        stages = iter(self.quota(len(pairs) - len(hired), _STAGE_MIX))
        pay = iter(self.quota(len(hired), _PAY_MIX))
        submissions, placements = [], []
        for s, (job, cand) in enumerate(pairs):
            stage = Stage.HIRED if s in hired else next(stages)
            closed = stage in _ACTIVE and job.status in (JobStatus.FILLED, JobStatus.CLOSED)
            stage = Stage.REJECTED if closed else stage  # a finished job has no open pipeline
            moves = self.history(stage, job, cand)
            reason = self.pick(_REASONS) if stage == Stage.REJECTED else None
            reason = RejectReason.POSITION_FILLED if closed else reason
            moves[-1].note = reason.value.replace("_", " ") if reason else ""
            submission = Submission(
                id=self.oid(moves[0].at), job_id=job.id, candidate_id=cand.id,
                recruiter_id=cand.recruiter_id, company_id=job.company_id, stage=stage,
                reject_reason=reason, history=moves,
                pitch=f"{cand.headline}, {cand.years_experience}y: {', '.join(cand.skills[:3])}.",
                created_at=moves[0].at, updated_at=moves[-1].at,
            )  # fmt: skip
            submissions.append(submission)
            if stage == Stage.HIRED:
                placements.append(self.placement(submission, job, next(pay)))
        return submissions, placements

    def placement(self, sub: Submission, job: Job, status: PaymentStatus) -> Placement:
        """The hire's record: salary within the job's range, fee and share from its fee terms."""
        terms, hired_at, mid = job.fee_terms, sub.updated_at, self.mid_salary[job.id]
        low, high = (job.salary.min, job.salary.max) if job.salary else (mid * 9 // 10, mid)
        salary = min(high, max(low, round(self.rng.randint(low, high), -5)))
        fee, currency = terms.fee_for(salary), terms.currency
        start = (hired_at + timedelta(days=self.rng.randint(14, 45))).date()
        return Placement(
            id=self.oid(hired_at), submission_id=sub.id, job_id=job.id,
            candidate_id=sub.candidate_id, recruiter_id=sub.recruiter_id,
            company_id=job.company_id, start_date=start, fee=Money(amount=fee, currency=currency),
            annual_salary=Money(amount=salary, currency=currency),
            recruiter_share=Money(amount=terms.recruiter_share_of(fee), currency=currency),
            guarantee_end_date=start + timedelta(days=terms.guarantee_days),
            payment_status=status, created_at=hired_at,
        )  # fmt: skip


def _unique_phones(candidates: list[Candidate]) -> list[Candidate]:
    """Faker repeats a number now and then; phones are unique per person (duplicate detection)."""
    seen: set[str] = set()
    for candidate in candidates:
        if candidate.phone_normalized in seen:
            candidate.phone = candidate.phone_normalized = None
        elif candidate.phone_normalized:
            seen.add(candidate.phone_normalized)
    return candidates


async def seed_demo(scale: float = 1.0, seed: int = 42, progress: bool = True) -> dict[str, int]:
    """Insert the demo dataset at `scale` times BASE_COUNTS; return the count per collection."""
    if scale <= 0:
        raise ValueError("scale must be positive")
    build = _Builder(seed, {name: max(1, round(n * scale)) for name, n in BASE_COUNTS.items()})
    companies, recruiters = build.companies(), build.recruiters()
    candidates, jobs = build.candidates(recruiters), build.jobs(companies)
    fill_matching_fields(candidates, jobs, seed)
    members = build.members(companies)
    everything: list[Sequence[Document]] = [companies, members, recruiters, candidates, jobs]
    everything += build.pipeline(jobs, candidates)
    counts, total = dict[str, int](), sum(map(len, everything))
    with tqdm(total=total, desc="seed", unit="doc", disable=not progress) as bar:
        for docs in everything:
            collection = docs[0].get_pymongo_collection()
            for i in range(0, len(docs), _BATCH):
                batch = [_bson(doc) for doc in docs[i : i + _BATCH]]
                await collection.insert_many(batch, ordered=False)
                bar.update(len(batch))
            counts[collection.name] = len(docs)
    return counts


async def database_is_empty() -> bool:
    """Whether no model collection holds any document."""
    for model in DOCUMENT_MODELS:
        if await model.get_pymongo_collection().find_one({}, projection={"_id": 1}) is not None:
            return False
    return True
