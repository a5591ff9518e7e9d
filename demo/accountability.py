"""Accountability data of the demo sets: service scopes, key persons with past government posts,
the government income annual reports declare. Drawn from a random stream of their own per organization, so the
rest of the data set stays exactly as it was."""

import datetime as dt
import random
from decimal import Decimal

from . import data


def _person(rng):
    return rng.choice(data.SURNAMES) + rng.choice(data.GIVEN)


def _rng(*parts):
    return random.Random("accountability:" + ":".join(str(p) for p in parts))


def service_scope(uscc, categories):
    """Its registered scope: the categories it works in, except for about one in eight organizations registered
    for its first category only (their other work is outside the scope: mission drift)."""
    rng = _rng(uscc)
    if len(categories) > 1 and rng.random() < 0.12:
        return [categories[0]]
    return list(categories)


def key_persons(org, ctx):
    """The legal representative and one or two others; about one organization in six has a key person who held
    a post at a purchaser buying in its county (a past post ending 2018–2024, or a current one)."""
    from organizations.models import KeyPerson

    rng = _rng(org.uscc, "people")
    people = [KeyPerson(organization=org, name=org.legal_representative or _person(rng), role="legal_representative")]
    for role in rng.sample(["director", "secretary_general", "supervisor", "board_member"], rng.randint(1, 2)):
        people.append(KeyPerson(organization=org, name=_person(rng), role=role))
    if rng.random() < 0.17:
        buyers = [p for p in ctx.candidates(org.demo["county"]) if p.kind == "civil_affairs"] or \
            ctx.candidates(org.demo["county"])
        if buyers:
            person = rng.choice(people)
            person.post_purchaser = rng.choice(buyers)
            person.post_title = rng.choice(["科员", "副科长", "科长", "副局长"])
            person.post_from = dt.date(rng.randint(2005, 2016), rng.randint(1, 12), 1)
            person.post_to = None if rng.random() < 0.2 else dt.date(rng.randint(2018, 2024), rng.randint(1, 12), 28)
    return people


def reported_income(org, year, recorded_cents):
    """What the annual report declares as government income: mostly the recorded figure, sometimes off by a
    timing difference (±2 %), for a few organizations far off (±20–40 %), and not reported in one report of ten."""
    rng = _rng(org.uscc, year)
    roll = rng.random()
    if roll < 0.1:
        return None
    if roll < 0.7:
        factor = 1.0
    elif roll < 0.94:
        factor = 1 + rng.uniform(-0.02, 0.02)
    else:
        factor = 1 + rng.choice([-1, 1]) * rng.uniform(0.2, 0.4)
    return Decimal(int(round(recorded_cents * factor))).scaleb(-2)


def staff_count(org, personnel_cents):
    """Full-time staff consistent with the personnel costs: a yearly cost per staff member of 55 000–95 000 yuan
    for most organizations, 2.2–3.2 times that for about one in twenty (pay far above their peers)."""
    rng = _rng(org.uscc, "pay")
    per_person = rng.uniform(55_000, 95_000) * (rng.uniform(2.2, 3.2) if rng.random() < 0.05 else 1.0)
    return max(1, round(personnel_cents / 100 / per_person))
