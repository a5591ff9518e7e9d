"""The places and people of the demo sets: GB/T 2260 regions, the purchasers of each region (with their
buying habits in the small set), and the demo users with their roles. Written by natural key, so a second run
creates nothing."""

import random
import zlib

from . import data, nation

PASSWORD = "posc-demo"

# Purchasers of the everyday set with a deliberately poor record: (single-source share, overdue rate).
SMALL_PURCHASER_HABITS = {
    "长春市朝阳区红旗街道办事处": (0.35, 0.05),
    "延吉市残疾人联合会": (0.20, 0.25),
    "四平市残疾人联合会": (0.05, 0.15),
    "吉林市民政局": (0.12, 0.03),
}


def _rng_for(name):
    return random.Random(zlib.crc32(name.encode()))


def region_rows(codes=None, national=False):
    """(code, name, level, parent code, weight, area code) for the regions of a plan, parents first: Jilin's, or
    with ``national`` the whole country's (``demo.nation``, Jilin's included)."""
    if national:
        return list(nation.region_rows())
    rows = [data.PROVINCE, *data.PREFECTURES]
    area = {p[0]: p[5] for p in data.PREFECTURES}
    rows += [(c, n, "county", parent, w, area[parent]) for c, n, parent, w in data.COUNTIES]
    return [r for r in rows if codes is None or r[0] in codes]


def ensure_regions(plan):
    """Create the plan's regions that are missing; return {code: Region}."""
    from organizations.models import Region

    regions = {}
    rows = region_rows(plan.region_codes, plan.national)
    existing = {r.code: r for r in Region.objects.filter(code__in=[row[0] for row in rows])}
    if plan.national:  # 3,200 regions: one insert per level (paths computed here, as Region.save would)
        for wanted in ("province", "prefecture", "county"):
            new = []
            for code, name, level, parent, _weight, _area in rows:
                if level == wanted and code not in existing:
                    region = Region(code=code, name=name, level=level, parent=existing.get(parent))
                    region.path = region.compute_path()
                    new.append(region)
            existing.update((r.code, r) for r in Region.objects.bulk_create(new, batch_size=1000))
    for code, name, level, parent, _weight, _area in rows:
        regions[code] = existing.get(code) or Region.objects.get_or_create(
            code=code, defaults={"name": name, "level": level, "parent": regions.get(parent)})[0]
    return regions


def purchaser_specs(plan):
    """(region code, kind, level, name) of the plan's purchasers, in a fixed order."""
    if plan.region_codes is not None:
        specs = data.SMALL_PURCHASERS
    else:
        specs = list(data.SMALL_PURCHASERS)
        for code, _name, level, *_ in region_rows(national=plan.national):
            # Jilin keeps the large set's purchasers; the rest of the country has fewer kinds per region.
            kinds = data.LARGE_KINDS if code[:2] == data.PROVINCE[0][:2] else data.NATIONAL_KINDS
            for kind in kinds[level]:
                specs.append((code, kind, data.PURCHASER_LEVEL[level], None))
    rows = {r[0]: r for r in region_rows(national=plan.national)}
    out, seen = [], set()
    for code, kind, level, name in specs:
        _code, region_name, region_level, parent, *_ = rows[code]
        if region_name.endswith("区") and parent:  # not 广西壮族自治区
            region_name = rows[parent][1] + region_name  # 长春市朝阳区: district names repeat across China
        name = name or region_name + data.KIND_SUFFIX["province" if region_level == "province" else "other"][kind]
        if name not in seen:
            seen.add(name)
            out.append((code, kind, level, name))
    return out


def ensure_purchasers(plan, regions):
    """Create the plan's purchasers that are missing (by name); return them in a fixed order with their habits."""
    from organizations.models import Purchaser

    out = []
    specs = purchaser_specs(plan)
    existing = {p.name: p for p in Purchaser.objects.filter(name__in=[s[3] for s in specs]).select_related("region")}
    if plan.national:  # 3,700 purchasers: one insert, with their history rows, instead of one each
        from simple_history.utils import bulk_create_with_history

        new = []
        for code, kind, level, name in specs:
            if name not in existing:
                habit_rng = _rng_for(name)
                contact, phone = _person(habit_rng), _phone(habit_rng, code)
                address = f"{regions[code].name}{habit_rng.choice(data.STREETS)}{habit_rng.randint(1, 3999)}号"
                new.append(Purchaser(name=name, uscc=_purchaser_uscc(code, name), region=regions[code], level=level,
                                     kind=kind, contact_person=contact, phone=phone, address=address))
        bulk_create_with_history(new, Purchaser, batch_size=500)
        existing = {p.name: p for p in Purchaser.objects.filter(name__in=[s[3] for s in specs])
                    .select_related("region")}
    for code, kind, level, name in specs:
        habit_rng = _rng_for(name)
        uscc = _purchaser_uscc(code, name)
        contact, phone = _person(habit_rng), _phone(habit_rng, code)
        address = f"{regions[code].name}{habit_rng.choice(data.STREETS)}{habit_rng.randint(1, 3999)}号"
        purchaser = existing.get(name) or Purchaser.objects.get_or_create(name=name, defaults={
            "uscc": uscc, "region": regions[code], "level": level, "kind": kind,
            "contact_person": contact, "phone": phone, "address": address,
        })[0]
        single, overdue = SMALL_PURCHASER_HABITS.get(
            name, (round(habit_rng.uniform(0.0, 0.09), 3), round(habit_rng.uniform(0.01, 0.06), 3)))
        if plan.region_codes is None and name not in SMALL_PURCHASER_HABITS and habit_rng.random() < 0.15:
            single, overdue = habit_rng.uniform(0.1, 0.3), habit_rng.uniform(0.05, 0.2)
        purchaser.demo_single_source, purchaser.demo_overdue = single, overdue
        purchaser.demo_abbr = f"{code}{data.KIND_ABBR[kind]}"
        out.append(purchaser)
    return out


def _purchaser_uscc(code, name):
    from core.uscc import complete_uscc

    # 11 = staffing office / government organ; then the division code and a 9-digit organization code.
    return complete_uscc(f"11{code}0{zlib.crc32(name.encode()) % 10**8:08d}")


def _person(rng):
    return rng.choice(data.SURNAMES) + rng.choice(data.GIVEN)


_AREA_CODES = {r[0]: r[5] for r in nation.region_rows()}  # Jilin's included


def _phone(rng, code):
    area = _AREA_CODES[code]
    return f"{area}-8{rng.randint(1_000_000, 9_999_999)}"


DEMO_USERS = [
    # username, role (group), superuser
    ("admin", "administrator", True),
    ("staff", "staff", False),
    ("ngo", "ngo_manager", False),
    ("analyst", "analyst", False),
]
STAFF_PURCHASER = "长春市朝阳区民政局"


def ensure_demo_users(ngo_organization_uscc):
    """The four demo logins (password ``posc-demo``) with their groups and memberships; creates only what is
    missing and never resets a password that someone changed."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from organizations.models import Organization, OrganizationMembership, Purchaser, PurchaserMembership

    users = {}
    for username, role, superuser in DEMO_USERS:
        user, created = get_user_model().objects.get_or_create(
            username=username, defaults={"is_superuser": superuser, "is_staff": superuser})
        if created:
            user.set_password(PASSWORD)
            user.save(update_fields=["password"])
        user.groups.add(Group.objects.get_or_create(name=role)[0])
        users[username] = user
    PurchaserMembership.objects.get_or_create(user=users["staff"],
                                              purchaser=Purchaser.objects.get(name=STAFF_PURCHASER))
    OrganizationMembership.objects.get_or_create(user=users["ngo"],
                                                 organization=Organization.objects.get(uscc=ngo_organization_uscc))
    return users


# ---------------------------------------------------------------------------------------------------------------
# Organizations
