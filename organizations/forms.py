"""Edit forms of the organizations app; choice fields are narrowed to what the user may see or change."""

from django import forms
from django.forms import inlineformset_factory

from core.forms import PoscModelForm
from core.writes import disable_scope_fields

from .models import AnnualReport, IncomeRecord, KeyPerson, Organization, Purchaser


class PurchaserForm(PoscModelForm):
    """A purchaser (购买主体). Its region decides which staff see its contracts: only an administrator changes it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        disable_scope_fields(self, self.user)

    class Meta(PoscModelForm.Meta):
        model = Purchaser
        fields = ["name", "uscc", "region", "level", "kind", "is_active", "contact_person", "phone", "email",
                  "address"]


class OrganizationForm(PoscModelForm):
    """An undertaking organization (承接主体); the USCC is validated and upper-cased. Its region decides which staff
    may change it: only an administrator changes it on an existing organization."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        disable_scope_fields(self, self.user)

    class Meta(PoscModelForm.Meta):
        model = Organization
        fields = ["name", "uscc", "legal_form", "charity_status", "registered_on", "region",
                  "business_supervisory_unit", "legal_representative", "staff_count", "volunteer_count",
                  "contact_person", "phone", "email", "address", "description", "service_scope"]


KEY_PERSON_FIELDS = ["name", "role", "post_purchaser", "post_title", "post_from", "post_to"]


class KeyPersonInlineForm(PoscModelForm):
    """One key person row in the organization form (a table row: small Bootstrap inputs, labels as headers)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            extra = "form-select form-select-sm" if isinstance(widget, forms.Select) else "form-control form-control-sm"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {extra}".strip()
            widget.attrs.setdefault("aria-label", str(field.label))

    class Meta(PoscModelForm.Meta):
        model = KeyPerson
        fields = KEY_PERSON_FIELDS


KeyPersonFormSet = inlineformset_factory(Organization, KeyPerson, form=KeyPersonInlineForm, fields=KEY_PERSON_FIELDS,
                                         extra=1, can_delete=True)


class IncomeRecordForm(PoscModelForm):
    """An income record; the organization must be one the user may change."""

    editable_choice_fields = ("organization",)

    class Meta(PoscModelForm.Meta):
        model = IncomeRecord
        fields = ["organization", "fiscal_year", "source", "funder_name", "funder_purchaser", "amount",
                  "restricted_amount", "note"]


class AnnualReportForm(PoscModelForm):
    """An annual report; the organization must be one the user may change."""

    editable_choice_fields = ("organization",)

    class Meta(PoscModelForm.Meta):
        model = AnnualReport
        fields = ["organization", "fiscal_year", "total_expenses", "program_expenses", "management_expenses",
                  "fundraising_expenses", "personnel_costs", "net_assets_unrestricted", "net_assets_restricted",
                  "staff_count", "reported_government_income"]
