"""A model field holding several codes of one code list (an organization's service scope)."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


def split_codes(text):
    """``"a,b"`` → ``["a", "b"]``; empty or ``None`` → ``[]``."""
    return [code for code in (text or "").split(",") if code]


class CodeListField(models.CharField):
    """Several codes of ``code_list`` (a ``TextChoices``), a Python list stored as ``"a,b"`` in one column, in the
    order of the code list, each code once. The database sees the text, so ``","||column||","`` containing
    ``","||code||","`` tells whether a code is in the list on every backend."""

    def __init__(self, *args, code_list=None, **kwargs):
        self.code_list = code_list
        kwargs.setdefault("max_length", 400)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", list)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["code_list"] = self.code_list
        return name, path, args, kwargs

    def from_db_value(self, value, expression, connection):
        return split_codes(value)

    def to_python(self, value):
        if isinstance(value, list | tuple | set):
            return [str(code) for code in value]
        return split_codes(value)

    def get_prep_value(self, value):
        codes = self.to_python(value)
        order = {code: i for i, code in enumerate(self.code_list.values)} if self.code_list else {}
        return ",".join(sorted(set(codes), key=lambda code: (order.get(code, len(order)), code)))

    def value_to_string(self, obj):
        return self.get_prep_value(self.value_from_object(obj))

    def validate(self, value, model_instance):
        if not self.editable:
            return
        if not value and not self.blank:
            raise ValidationError(self.error_messages["blank"], code="blank")
        valid = set(self.code_list.values) if self.code_list else set()
        unknown = [code for code in value if code not in valid]
        if unknown:
            raise ValidationError(_("Unknown code: %(codes)s."), code="invalid_choice",
                                  params={"codes": ", ".join(unknown)})

    def run_validators(self, value):
        if len(self.get_prep_value(value)) > self.max_length:
            raise ValidationError(_("Too many codes."), code="max_length")

    def formfield(self, **kwargs):
        defaults = {"form_class": forms.TypedMultipleChoiceField, "choices": self.code_list.choices,
                    "widget": forms.CheckboxSelectMultiple, "required": not self.blank,
                    "label": self.verbose_name, "help_text": self.help_text}
        defaults.update(kwargs)
        form_class = defaults.pop("form_class")
        defaults.pop("choices_form_class", None)
        defaults.pop("max_length", None)
        defaults.pop("empty_value", None)
        return form_class(**defaults)
