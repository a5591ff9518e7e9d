"""What the contracts app adds to the organizations app's pages (registered in ``ContractsConfig.ready()``): the
latest visible contracts on a purchaser's and an organization's page, and the count of visible contracts on the
purchaser list. The organizations app does not know contracts exist."""

from django.db.models import Count, Q

from .models import Contract

DETAIL_CONTRACTS = 20


def latest_contracts(contracts, related):
    """The latest ``DETAIL_CONTRACTS`` contracts with their money, for a detail page (the list page has them all)."""
    return list(contracts.select_related(related).with_money().order_by("-signed_on", "-id")[:DETAIL_CONTRACTS])


def purchaser_contracts(request, purchaser):
    contracts = Contract.objects.visible_to(request.user).filter(purchaser=purchaser)
    return {"contracts": latest_contracts(contracts, "organization"), "contract_count": contracts.count()}


def organization_contracts(request, organization):
    contracts = Contract.objects.visible_to(request.user).filter(organization=organization)
    return {"contracts": latest_contracts(contracts, "purchaser"), "contract_count": contracts.count(),
            "can_add_contract": Contract.user_can_add(request.user)}


def purchaser_contract_count(queryset, user):
    """Each purchaser's number of contracts the user may see (``contract_count``)."""
    visible = Contract.objects.visible_to(user).values("pk")
    return queryset.annotate(contract_count=Count("contracts", filter=Q(contracts__in=visible)))
