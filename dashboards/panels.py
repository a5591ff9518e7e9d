"""What the dashboards app adds to the organizations app's pages (registered in ``DashboardsConfig.ready()``): an
organization's funding mix and a purchaser's spend summary, drawn by the ``indicators`` template tags the
templates load when ``has_indicator_tags`` is set; and the contracts' integrity flags in the API."""


def indicator_panels(request, obj):
    return {"has_indicator_tags": True}


def flag_dict(flag):
    return {"code": flag.code, "level": flag.level, "evidence": flag.evidence_ids(),
            "evidence_outside_scope": flag.hidden}


def contract_flags_api(contracts, user):
    """``{contract id: [flag dict]}`` for the contracts of an API page (a fixed number of queries)."""
    from contracts.models import Contract

    from .integrity import flags_for, with_flags

    rows = list(with_flags(Contract.objects.filter(pk__in=[c.pk for c in contracts])))
    return {pk: [flag_dict(f) for f in flags] for pk, flags in flags_for(rows, user).items()}
