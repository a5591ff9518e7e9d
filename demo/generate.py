"""Build the demo data set (and the large benchmark set) deterministically, writing only what is missing.

Everything is drawn from one ``random.Random`` with a fixed seed, in a fixed order, and dated against the fixed
``DEMO_TODAY``, so two runs generate exactly the same rows. Writing is keyed on natural keys: regions by code,
purchasers by name, organizations by USCC (an organization that already exists is skipped together with its
contracts, payments, reviews, income records and annual reports), users by username. A second run therefore
creates nothing, not even history rows.

The everyday set writes audit history for the new rows with ``bulk_create_with_history``. The large benchmark set
uses plain ``bulk_create`` and writes no history rows (history would double its size and is not what the
benchmarks measure).
"""

import datetime as dt
import itertools
import random
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, reset_queries, transaction

from . import data, integrity
from .accountability import key_persons as _key_persons
from .accountability import reported_income as _reported_income
from .accountability import service_scope as _service_scope
from .accountability import staff_count as _staff_count
from .places import (  # noqa: F401 - DEMO_USERS and PASSWORD are read from here by seed_demo
    DEMO_USERS,
    PASSWORD,
    STAFF_PURCHASER,
    _person,
    _phone,
    _rng_for,
    ensure_demo_users,
    ensure_purchasers,
    ensure_regions,
    purchaser_specs,
    region_rows,
)

DEMO_TODAY = dt.date(2026, 11, 30)
FIRST_YEAR = 2019
LAST_YEAR = 2026
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
SERIAL_MULTIPLIER = 7_919_081  # coprime with 31, so index → serial is one-to-one modulo 31**7

# Organization funding profiles: weight, contracts (low, high), restricted share (low, high),
# reserve months (low, high), management expense ratio (low, high).
# Most organizations live on government contracts (the literature on China's disability NGOs reports as much),
# but some are diversified, fee-based (commercial) or foundation-backed.
PROFILES = {
    "dependent": (30, (8, 16), (0.80, 0.95), (0.2, 2.5), (0.04, 0.14)),
    "diversified": (20, (8, 14), (0.45, 0.75), (3.0, 10.0), (0.06, 0.16)),
    "restricted": (15, (6, 12), (0.95, 1.00), (0.3, 3.0), (0.05, 0.24)),
    "commercial": (10, (2, 6), (0.40, 0.70), (3.0, 12.0), (0.08, 0.26)),
    "foundation": (7, (1, 4), (0.50, 0.80), (2.0, 8.0), (0.06, 0.15)),
    "small": (18, (1, 4), (0.60, 0.90), (0.5, 6.0), (0.05, 0.30)),
}
# Share of each profile that is financially fragile: thin reserves and net assets, almost no overhead left to cut
# and expenses above income; the four vulnerability ratios of Tuckman & Chang move together for them.
FRAGILE_RATES = {"dependent": 0.3, "restricted": 0.25, "small": 0.3, "diversified": 0.05, "commercial": 0.05,
                 "foundation": 0.05}
METHODS = ["public_tender", "competitive_consultation", "competitive_negotiation", "inquiry", "invited_tender",
           "framework", "other"]
METHOD_WEIGHTS = [25, 25, 14, 8, 6, 5, 2]
DURATIONS = [3, 6, 12, 24]
DURATION_WEIGHTS = [5, 20, 65, 10]
PAYMENT_SCHEMES = {
    1: [("final", 100)],
    2: [("advance", 50), ("final", 50)],
    3: [("advance", 40), ("interim", 30), ("final", 30)],
    4: [("advance", 30), ("interim", 25), ("interim", 25), ("final", 20)],
}
PAYMENT_COUNT_WEIGHTS = [3, 20, 42, 35]


@dataclass(frozen=True)
class Plan:
    """How much to generate, and from which seed."""

    name: str
    seed: int
    organizations: int
    region_codes: frozenset | None  # None: every region in ``data``
    contract_factor: float
    review_rate: float
    income_rate: float
    report_years: tuple
    history: bool
    org_offset: int
    chunk: int
    national: bool = False  # the whole country's regions (demo.nation), and one random stream per chunk


SMALL = Plan(name="small", seed=2260, organizations=120, region_codes=frozenset(data.SMALL_REGION_CODES),
             contract_factor=1.0, review_rate=0.6, income_rate=1.0, report_years=tuple(range(FIRST_YEAR, LAST_YEAR)),
             history=True, org_offset=0, chunk=10_000)


def large_plan(scale=1.0):
    """The benchmark set: ≈10k organizations, 200k contracts, 600k payments, 50k income records, 30k reviews."""
    return Plan(name="large", seed=32100, organizations=max(1, round(10_000 * scale)), region_codes=None,
                contract_factor=2.3, review_rate=0.15, income_rate=0.42, report_years=(2023, 2024, 2025),
                history=False, org_offset=100_000, chunk=500)


def national_plan(scale=1.0):
    """The national set: ≈100k organizations over the whole country's ≈2,800 counties, 2M contracts, 6M payments,
    500k income records, 300k reviews. Unlike the large set, each chunk of organizations draws its contracts from a
    random stream of its own, so a resumed build skips a written chunk without drawing it again."""
    return Plan(name="national", seed=86000, organizations=max(1, round(100_000 * scale)), region_codes=None,
                contract_factor=2.3, review_rate=0.15, income_rate=0.42, report_years=(2023, 2024, 2025),
                history=False, org_offset=1_000_000, chunk=1000, national=True)


def cents_to_money(cents):
    """An integer number of fen as a Decimal amount of yuan with two decimals."""
    return Decimal(int(cents)).scaleb(-2)


def add_months(day, months):
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(day.day, 28))


def serial(index):
    """Seven USCC-alphabet characters, different for every index below 31**7."""
    n = (index * SERIAL_MULTIPLIER + 1_234_567) % 31**7
    chars = []
    for _ in range(7):
        n, r = divmod(n, 31)
        chars.append(USCC_ALPHABET[r])
    return "".join(reversed(chars))




class Context:
    """What the generator needs to know about regions and purchasers."""

    def __init__(self, plan, regions, purchasers):
        self.plan = plan
        self.regions = regions
        self.rows = {r[0]: r for r in region_rows(plan.region_codes, plan.national)}
        self.purchasers = purchasers
        self.by_region = {}
        for p in purchasers:
            self.by_region.setdefault(p.region.code, []).append(p)
        self.counties = [r for r in self.rows.values() if r[2] == "county"]
        # Cumulative weights: the same draws as plain weights, without summing 2,800 counties on every draw.
        self.county_cum_weights = list(itertools.accumulate(r[4] for r in self.counties))
        self.counters = {}
        self.chunk_number = None  # the national set numbers its contracts per chunk

    def candidates(self, region_code):
        """Purchasers that buy in this region: its own, its prefecture's and the province's."""
        codes = [region_code]
        parent = self.rows[region_code][3]
        while parent:
            codes.append(parent)
            parent = self.rows[parent][3]
        return [p for code in codes for p in self.by_region.get(code, [])]

    def next_reference(self, purchaser, year):
        key = (purchaser.name, year)
        self.counters[key] = self.counters.get(key, 0) + 1
        # The large set numbers from 10001 so that it never meets the everyday set's numbers.
        if self.chunk_number is not None:
            # "N", the chunk and a number within the chunk: never one of the other sets' numbers, and the same
            # whether or not the chunks before were drawn in this run.
            return f"{purchaser.demo_abbr}-{year}-N{self.chunk_number:03d}{self.counters[key]:04d}"
        number = self.counters[key] + (10_000 if self.plan.name != "small" else 0)
        return f"{purchaser.demo_abbr}-{year}-{number:04d}"


def plan_organizations(rng, ctx, used_names=None):
    """Unsaved Organization objects, each carrying its generation profile in ``demo`` (a dict)."""
    return list(iter_organizations(rng, ctx, used_names))


def iter_organizations(rng, ctx, used_names=None):
    """``plan_organizations`` one at a time (the national set never holds all of them)."""
    from core.uscc import complete_uscc
    from organizations.models import Organization

    plan = ctx.plan
    used_names = set(used_names or ())
    for i in range(plan.organizations):
        index = plan.org_offset + i
        county = rng.choices(ctx.counties, cum_weights=ctx.county_cum_weights)[0]
        type_index = rng.choices(range(len(data.ORG_TYPES)), data.ORG_TYPE_WEIGHTS)[0]
        profile = rng.choices(list(PROFILES), [p[0] for p in PROFILES.values()])[0]
        theme = rng.choice(data.THEMES)
        if plan.name == "small" and i == 0:
            # The demo NGO manager's organization: a children's rehabilitation centre in Chaoyang District that
            # lives almost entirely on the district civil-affairs bureau's contracts.
            county, type_index, profile, theme = ctx.rows["220104"], 0, "dependent", "春晖"
        legal_form, suffix, categories = data.ORG_TYPES[type_index]
        region_code = county[0]
        if legal_form == "foundation" and rng.random() < 0.6:
            region_code = county[3]  # foundations register at prefecture level more often
        prefecture = ctx.rows[county[3]][1]
        place = prefecture + (county[1] if region_code == county[0] else "")
        name = f"{place}{theme}{suffix}"
        tries = 0
        while name in used_names:
            tries += 1
            theme = rng.choice(data.THEMES)
            name = f"{place}{theme}{suffix}" if tries < 20 else f"{place}{theme}{suffix}（{tries}）"
        used_names.add(name)
        prefix = data.USCC_PREFIX[legal_form]
        middle = {"9": "MA", "1": "MB"}.get(prefix[0], "MJ")
        uscc = complete_uscc(f"{prefix}{region_code}{middle}{serial(index)}")
        registered = dt.date(rng.randint(2003, 2021), rng.randint(1, 12), rng.randint(1, 28))
        charity = "none"
        if legal_form == "foundation":
            charity = rng.choice(["recognized", "public_fundraising"])
        elif legal_form == "social_service_org" and rng.random() < 0.12:
            charity = "recognized"
        supervisor = None
        if legal_form in ("social_group", "social_service_org") and rng.random() < 0.4:
            dpf = [p for p in ctx.candidates(region_code) if p.kind == "disabled_persons_federation"]
            supervisor = dpf[0] if dpf else None
        _w, contracts_range, restricted, reserve, management = PROFILES[profile]
        staff = rng.randint(3, 15) if profile == "small" else rng.randint(6, 80)
        org = Organization(
            name=name, uscc=uscc, legal_form=legal_form, charity_status=charity, registered_on=registered,
            region=ctx.regions[region_code], business_supervisory_unit=supervisor,
            legal_representative=_person(rng), staff_count=staff, volunteer_count=rng.randint(0, 300),
            contact_person=_person(rng), phone=_phone(rng, county[3]),
            address=f"{place}{rng.choice(data.STREETS)}{rng.randint(1, 3999)}号",
            description=f"{place}{suffix}，主要提供" + "、".join(data.CATEGORY_TITLES[c] for c in categories) + "。",
        )
        org.service_scope = _service_scope(uscc, categories)
        org.demo = {
            "profile": profile, "categories": categories, "county": county[0],
            "restricted": rng.uniform(*restricted), "reserve": rng.uniform(*reserve),
            "management": rng.uniform(*management), "quality": rng.gauss(84, 5), "weak": rng.random() < 0.04,
            "contracts": rng.randint(*contracts_range), "size": rng.uniform(0.6, 1.6),
        }
        if rng.random() < FRAGILE_RATES[profile]:
            org.demo.update(fragile=True, reserve=rng.uniform(0.1, 1.0), management=rng.uniform(0.015, 0.05))
        if plan.name == "small" and i == 0:
            org.demo.update(contracts=14, main=STAFF_PURCHASER)
        yield org


# ---------------------------------------------------------------------------------------------------------------
# One organization's contracts, payments, reviews, income records and annual reports


def _main_purchaser(rng, org, candidates):
    if org.demo.get("main"):
        return next(p for p in candidates if p.name == org.demo["main"])
    local = [p for p in candidates if p.region.code == org.demo["county"]]
    pool = local or candidates
    civil = [p for p in pool if p.kind == "civil_affairs"]
    return rng.choice(civil if civil and rng.random() < 0.7 else pool)


def plan_bundle(rng, org, ctx):
    """Contracts (each with ``demo_payments`` and ``demo_reviews``), income records and annual reports of one
    organization, unsaved."""
    from contracts.models import Contract, Payment, PerformanceReview
    from organizations.models import AnnualReport, IncomeRecord

    plan, meta = ctx.plan, org.demo
    candidates = ctx.candidates(meta["county"])
    everyone = ctx.purchasers
    main = _main_purchaser(rng, org, candidates)
    first_year = max(FIRST_YEAR, org.registered_on.year + 1)
    years = list(range(first_year, LAST_YEAR + 1))
    n_contracts = max(1, round(meta["contracts"] * plan.contract_factor))
    contracts = []
    for _ in range(n_contracts):
        profile = meta["profile"]
        r = rng.random()
        if profile == "dependent" or (profile == "restricted" and r < 0.7):
            purchaser = main if rng.random() < 0.9 or profile == "restricted" else rng.choice(candidates)
        elif profile == "diversified" and r < 0.15:
            purchaser = rng.choice(everyone)
        else:
            purchaser = rng.choice(candidates)
        year = rng.choice(years)
        category = meta["categories"][0] if rng.random() < 0.6 else rng.choice(meta["categories"])
        single_rate = purchaser.demo_single_source * (1.5 if profile == "dependent" else 1.0)
        method = ("single_source" if rng.random() < single_rate
                  else rng.choices(METHODS, METHOD_WEIGHTS)[0])
        month = rng.choices(range(1, 13), [14, 10, 14, 12, 10, 8, 7, 7, 6, 6, 4, 2])[0]
        signed = dt.date(year, month, rng.randint(1, 28))
        if signed > DEMO_TODAY:
            signed = DEMO_TODAY - dt.timedelta(days=rng.randint(1, 300))
        start = signed + dt.timedelta(days=rng.randint(3, 30))
        months = rng.choices(DURATIONS, DURATION_WEIGHTS)[0]
        if method == "framework":
            months = 24
        end = add_months(start, months) - dt.timedelta(days=1)
        low, high = data.CATEGORY_AMOUNTS[category]
        factor = data.LEVEL_FACTOR[purchaser.level] * meta["size"] * (0.5 if profile == "small" else 1.0)
        yuan = max(1, round(rng.uniform(low, high) * factor * months / 12 / 100)) * 100
        amount = yuan * 100
        if profile == "restricted" and rng.random() < 0.35:
            share = 1.0
        else:
            share = min(1.0, max(0.0, meta["restricted"] + rng.uniform(-0.05, 0.05)))
        restricted = round(amount * share)
        status_roll = rng.random()
        if signed > DEMO_TODAY - dt.timedelta(days=45) and status_roll < 0.35:
            status = "draft"
        elif status_roll < 0.015:
            status = "cancelled"
        elif end < DEMO_TODAY:
            status = "terminated" if rng.random() < 0.03 else "completed"
        else:
            status = "active"
        region = org.region if org.region.path.startswith(purchaser.region.path) else purchaser.region
        contract = Contract(
            reference=ctx.next_reference(purchaser, year),
            title=f"{year}年{region.name}{data.CATEGORY_TITLES[category]}项目",
            purchaser=purchaser, organization=org, service_category=category, procurement_method=method,
            status=status, signed_on=signed, start_on=start, end_on=end, amount=cents_to_money(amount),
            restricted_amount=cents_to_money(restricted),
            beneficiaries_target=max(5, yuan // rng.randint(3_000, 20_000)), region=region,
            description=f"{purchaser.name}向{org.name}购买{data.CATEGORY_TITLES[category]}。",
        )
        contract.demo_payments = _payments(rng, contract, amount, purchaser, Payment)
        contract.demo_reviews = _reviews(rng, contract, org, purchaser, plan, PerformanceReview)
        # The integrity flags' patterns (demo.integrity: own random streams, the main one is untouched).
        contract.demo_payments = integrity.adjust_payments(contract, contract.demo_payments, DEMO_TODAY, Payment)
        if plan.name == "small":  # the benchmark sets keep their review rate
            contract.demo_reviews = integrity.add_review(contract, contract.demo_reviews, DEMO_TODAY,
                                                         PerformanceReview)
        contract.demo_amendment = integrity.plan_amendment(contract, DEMO_TODAY)
        contracts.append(contract)

    contract_income = {}
    restricted_income = {}
    for c in contracts:
        for p in c.demo_payments:
            if p.paid_on:
                cents = int(p.amount * 100)
                contract_income[p.paid_on.year] = contract_income.get(p.paid_on.year, 0) + cents
                share = c.restricted_amount / c.amount
                restricted_income[p.paid_on.year] = restricted_income.get(p.paid_on.year, 0) + int(cents * share)
    incomes = _income_records(rng, org, main, years, contract_income, plan, IncomeRecord)
    reports = []
    for year in years:
        if year not in plan.report_years:
            continue
        other = sum(int(r.amount * 100) for r in incomes if r.fiscal_year == year)
        other_restricted = sum(int(r.restricted_amount * 100) for r in incomes if r.fiscal_year == year)
        reports.append(_annual_report(rng, org, year, contract_income.get(year, 0) + other,
                                      restricted_income.get(year, 0) + other_restricted, AnnualReport))
        subsidies = sum(int(r.amount * 100) for r in incomes
                        if r.fiscal_year == year and r.source == "government_subsidy")
        reports[-1].reported_government_income = _reported_income(org, year, contract_income.get(year, 0) + subsidies)
        reports[-1].staff_count = _staff_count(org, int(reports[-1].personnel_costs * 100))
    return contracts, incomes, reports


def _payments(rng, contract, amount, purchaser, Payment):
    if contract.status in ("draft", "cancelled"):
        return []
    count = rng.choices([1, 2, 3, 4], PAYMENT_COUNT_WEIGHTS)[0]
    scheme = PAYMENT_SCHEMES[count]
    span = (contract.end_on - contract.start_on).days
    payments, left = [], amount
    for k, (kind, percent) in enumerate(scheme):
        cents = left if k == len(scheme) - 1 else amount * percent // 100
        left -= cents
        if kind == "advance":
            due = contract.start_on + dt.timedelta(days=15)
        elif kind == "final":
            due = contract.end_on + dt.timedelta(days=30)
        else:
            due = contract.start_on + dt.timedelta(days=span * k // (len(scheme) - 1))
        if contract.status == "terminated" and kind == "final":
            continue
        paid = None
        if due <= DEMO_TODAY and rng.random() >= purchaser.demo_overdue:
            paid = due + dt.timedelta(days=rng.choice([-5, 0, 3, 7, 14, 21, 30, 45, 60]))
            if paid > DEMO_TODAY:
                paid = None
        if cents > 0:
            payments.append(Payment(contract=contract, kind=kind, due_on=due, paid_on=paid,
                                    amount=cents_to_money(cents)))
    return payments


def _score(rng, centre):
    return Decimal(f"{min(100.0, max(0.0, rng.gauss(centre, 4))):.1f}")


def _reviews(rng, contract, org, purchaser, plan, PerformanceReview):
    if contract.status not in ("completed", "terminated") or rng.random() >= plan.review_rate:
        return []
    reviews = []
    kinds = ["third_party"] if rng.random() < 0.6 else ["purchaser"]
    if rng.random() < 0.2:
        kinds.append("beneficiary_survey")
    for kind in kinds:
        reviewed = contract.end_on + dt.timedelta(days=rng.randint(10, 75))
        if reviewed > DEMO_TODAY:
            continue
        failing = org.demo["weak"] or rng.random() < 0.03 or contract.status == "terminated"
        centre = rng.gauss(50, 5) if failing else org.demo["quality"]
        name = {"third_party": rng.choice(data.EVALUATORS), "purchaser": purchaser.name,
                "beneficiary_survey": "服务对象满意度调查"}[kind]
        review = PerformanceReview(
            contract=contract, reviewer_kind=kind, reviewer_name=name, reviewed_on=reviewed,
            output_score=_score(rng, centre), quality_score=_score(rng, centre),
            satisfaction_score=_score(rng, centre + 3), financial_score=_score(rng, centre),
            beneficiaries_served=round((contract.beneficiaries_target or 10) * rng.uniform(0.6, 1.1)),
            findings=rng.choice(data.FINDINGS_BAD if failing else data.FINDINGS_GOOD),
        )
        review.derive()
        reviews.append(review)
    return reviews


# source → (probability per year, share of the base (low, high), restricted share (low, high))
INCOME_MIX = {
    "dependent": {"donation_individual": (0.6, (0.02, 0.06), (0, 0)),
                  "government_subsidy": (0.3, (0.05, 0.15), (1, 1))},
    "diversified": {"donation_corporate": (0.8, (0.15, 0.35), (0, 0.3)),
                    "foundation_grant": (0.7, (0.10, 0.30), (0.8, 1)),
                    "donation_individual": (0.8, (0.05, 0.15), (0, 0)),
                    "service_fee": (0.6, (0.10, 0.30), (0, 0)),
                    "membership_dues": (0.5, (0.01, 0.04), (0, 0))},
    "restricted": {"government_subsidy": (0.8, (0.10, 0.30), (1, 1)),
                   "foundation_grant": (0.5, (0.05, 0.15), (1, 1))},
    "commercial": {"service_fee": (0.95, (1.5, 4.0), (0, 0)),
                   "donation_corporate": (0.3, (0.02, 0.08), (0, 0))},
    "foundation": {"foundation_grant": (0.95, (1.0, 2.5), (0.6, 1)),
                   "donation_corporate": (0.4, (0.05, 0.20), (0, 0.3)),
                   "donation_individual": (0.5, (0.05, 0.15), (0, 0))},
    "small": {"donation_individual": (0.5, (0.10, 0.40), (0, 0)),
              "membership_dues": (0.4, (0.02, 0.10), (0, 0)),
              "other": (0.2, (0.05, 0.20), (0, 0))},
}


def _income_records(rng, org, main, years, contract_income, plan, IncomeRecord):
    funders = {"donation_corporate": rng.choice(data.CORPORATE_DONORS),
               "foundation_grant": rng.choice(data.FOUNDATION_FUNDERS)}
    records = []
    for year in years:
        base = max(contract_income.get(year, 0), 8_000_000)
        for source, (probability, (low, high), (rlow, rhigh)) in INCOME_MIX[org.demo["profile"]].items():
            if source == "membership_dues" and org.legal_form != "social_group":
                continue
            if rng.random() >= probability * plan.income_rate:
                continue
            cents = max(10_000, round(base * rng.uniform(low, high) / 100) * 100)
            restricted = round(cents * rng.uniform(rlow, rhigh))
            records.append(IncomeRecord(
                organization=org, fiscal_year=year, source=source, funder_name=funders.get(source, ""),
                funder_purchaser=main if source == "government_subsidy" else None,
                amount=cents_to_money(cents), restricted_amount=cents_to_money(restricted),
                note="" if rng.random() < 0.8 else "年度审计报告披露",
            ))
    return records


def _annual_report(rng, org, year, income, restricted_income, AnnualReport):
    fragile = org.demo.get("fragile", False)
    spending = rng.uniform(1.0, 1.12) if fragile else rng.uniform(0.86, 1.03)
    total = round(income * spending) if income else rng.randint(3_000_000, 20_000_000)
    management = round(total * min(0.4, max(0.01, org.demo["management"] + rng.uniform(-0.02, 0.02))))
    fundraising = round(total * rng.uniform(0, 0.03)) if org.legal_form in ("foundation", "social_group") else 0
    other = round(total * rng.uniform(0, 0.03))
    program = total - management - fundraising - other
    reserve = org.demo["reserve"] * rng.uniform(0.8, 1.2)
    unrestricted = round(total / 12 * reserve)
    if rng.random() < 0.03:
        unrestricted = -unrestricted // 4
    return AnnualReport(
        organization=org, fiscal_year=year, total_expenses=cents_to_money(total),
        program_expenses=cents_to_money(program), management_expenses=cents_to_money(management),
        fundraising_expenses=cents_to_money(fundraising),
        personnel_costs=cents_to_money(round(total * rng.uniform(0.3, 0.6))),
        net_assets_unrestricted=cents_to_money(unrestricted),
        net_assets_restricted=cents_to_money(round(restricted_income * rng.uniform(0, 0.05 if fragile else 0.3))),
        staff_count=max(0, org.staff_count + rng.randint(-3, 3)),
    )


# ---------------------------------------------------------------------------------------------------------------
# Writing


def _bulk(model, objs, plan):
    if not objs:
        return []
    if plan.history:
        from simple_history.utils import bulk_create_with_history

        return bulk_create_with_history(objs, model, batch_size=500, default_change_reason="seed_demo")
    return model.objects.bulk_create(objs, batch_size=2000)


def _write_chunk(plan, ctx, rng, chunk, new, created):
    """Draw the bundles of ``chunk`` (all of them, so that the random stream stays the same) and write those of the
    ``new`` organizations in one transaction; add the row counts to ``created``."""
    from contracts.models import Amendment, Contract, Payment, PerformanceReview
    from dashboards import aggregates
    from organizations.models import AnnualReport, IncomeRecord, KeyPerson, Organization

    with transaction.atomic():
        _bulk(Organization, new, plan)
        key_persons = [p for org in new for p in _key_persons(org, ctx)]
        _bulk(KeyPerson, key_persons, plan)
        contracts, payments, reviews, incomes, reports, amendments = [], [], [], [], [], []
        new_ids = {id(o) for o in new}
        for org in chunk:
            bundle = plan_bundle(rng, org, ctx)  # always drawn, so the random stream stays the same
            if id(org) not in new_ids:
                continue
            org_contracts, org_incomes, org_reports = bundle
            contracts += org_contracts
            incomes += org_incomes
            reports += org_reports
        _bulk(Contract, contracts, plan)
        for c in contracts:
            payments += c.demo_payments
            reviews += c.demo_reviews
        _bulk(Payment, payments, plan)
        amendments = [Amendment(contract=c, **c.demo_amendment) for c in contracts if c.demo_amendment]
        _bulk(Amendment, amendments, plan)
        _bulk(PerformanceReview, reviews, plan)
        _bulk(IncomeRecord, incomes, plan)
        _bulk(AnnualReport, reports, plan)
        # bulk_create sends no signals: the chunk's funder rows, in its own transaction (a resumed national build
        # skips written chunks, whose rows were committed with them)
        aggregates.refresh([o.pk for o in new])
    reset_queries()  # with DEBUG on, Django keeps the last 9,000 statements: multi-megabyte inserts, at this size
    for name, objs in (("Organization", new), ("KeyPerson", key_persons), ("Contract", contracts),
                       ("Payment", payments), ("PerformanceReview", reviews), ("Amendment", amendments),
                       ("IncomeRecord", incomes),
                       ("AnnualReport", reports)):
        created[name] += len(objs)


def _seed_by_chunk(plan, ctx, used_names, created, log, part=(0, 1)):
    """The national set: organizations drawn one chunk at a time from the plan's stream, each chunk's bundles from a
    stream of its own; a chunk whose organizations all exist is skipped without drawing its bundles. ``part``
    (k, n) writes only the chunks whose number is k modulo n, so that n processes can share the build."""
    from organizations.models import Organization

    existing = set(Organization.objects.values_list("uscc", flat=True))
    organizations = iter_organizations(random.Random(plan.seed), ctx, used_names)
    done = 0
    for number in itertools.count():
        chunk = list(itertools.islice(organizations, plan.chunk))
        if not chunk:
            break
        done += len(chunk)
        if number % part[1] != part[0]:
            continue
        new = [o for o in chunk if o.uscc not in existing]
        if new:
            ctx.counters, ctx.chunk_number = {}, number
            _write_chunk(plan, ctx, random.Random(f"{plan.seed}:chunk:{number}"), chunk, new, created)
        log(f"  {done}/{plan.organizations} organizations" + ("" if new else " (already there)"))


def seed(plan, log=None, part=(0, 1)):
    """Generate ``plan``'s data set and write what is missing. Returns {model name: rows created}."""
    from organizations.models import Organization

    log = log or (lambda message: None)
    created = {name: 0 for name in ("Organization", "KeyPerson", "Contract", "Payment", "PerformanceReview",
                                    "Amendment",
                                    "IncomeRecord", "AnnualReport")}
    with transaction.atomic():
        regions = ensure_regions(plan)
        purchasers = ensure_purchasers(plan, regions)
    ctx = Context(plan, regions, purchasers)
    used_names = ()
    if plan.name != "small":
        small_ctx = Context(SMALL, regions, [p for p in purchasers if p.name in {s[3] for s in purchaser_specs(SMALL)}])
        used_names = [o.name for o in plan_organizations(random.Random(SMALL.seed), small_ctx)]
    if plan.national:
        _seed_by_chunk(plan, ctx, used_names, created, log, part)
    else:
        rng = random.Random(plan.seed)
        orgs = plan_organizations(rng, ctx, used_names)
        first_uscc = orgs[0].uscc  # the small set's first organization is the demo NGO manager's
        existing = set(Organization.objects.values_list("uscc", flat=True))
        if all(o.uscc in existing for o in orgs):
            orgs = []  # everything is there: skip drawing the bundles, nothing would be written
        for start in range(0, len(orgs), plan.chunk):
            chunk = orgs[start:start + plan.chunk]
            _write_chunk(plan, ctx, rng, chunk, [o for o in chunk if o.uscc not in existing], created)
            if plan.chunk < len(orgs):
                log(f"  {min(start + plan.chunk, len(orgs))}/{len(orgs)} organizations")
    if plan.name == "small":
        with transaction.atomic():
            ensure_demo_users(first_uscc)
    if not plan.history and connection.vendor == "postgresql" and any(created.values()):
        # Fresh statistics for the planner, and a visibility map so that counts can use index-only scans.
        # (VACUUM cannot run inside a transaction, e.g. in a test: then statistics only.)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
    return created
