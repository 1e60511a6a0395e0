"""What every form of the portal shares: a service's refusal shown where the person acts (on the form they sent,
in their language, with their input kept), numbers typed and shown the way people write them, choice lists
without Django's "---------", and the list behind the error summary at the top of a page."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils import formats
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .formatting import number_display

EMPTY_CHOICE_LABEL = gettext_lazy("— pilih —")


def error_text(exc: ValidationError | PermissionDenied) -> str:
    """The message of a ValidationError (all of its messages) or of a PermissionDenied."""
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc) or _("Tidak diizinkan.")


def form_error_add(form, exc: ValidationError | PermissionDenied, *, field: str | None = None) -> None:
    """Put a service's refusal on the form: on `field`, on the fields a ValidationError names when they are the
    form's (a model's `clean()` or a field validator in the service), or above the form."""
    if field is None and isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, [m for e in errors for m in e.messages])
        return
    form.add_error(field, error_text(exc))


# Numbers ----------------------------------------------------------------------------------------------------

_GROUPED = r"-?[1-9]\d{0,2}(?:%s\d{3})+"


def number_parse(text: str) -> Decimal:
    """A number as a person types it, in Indonesian or English habits: "14", "14,5", "14.5", "1.234,5",
    "1,234.5", "250.000.000", "-3". Raises ValueError for anything else.

    With both separators the last one is the decimal mark. A single separator is the decimal mark unless it
    groups thousands the way the active language writes them ("1.234" is 1234 in Indonesian, "1,234" in
    English) or it repeats ("1.234.567"); so "14.5" and "14,5" are 14.5 in both languages.
    """
    text = re.sub(r"[\s\u00a0\u202f_]", "", text or "")
    if not re.fullmatch(r"[-+]?[\d.,]*\d[\d.,]*", text) or re.search(r"[.,]{2}", text):
        raise ValueError(text)
    dots, commas = text.count("."), text.count(",")
    if dots and commas:
        decimal_mark = "." if text.rfind(".") > text.rfind(",") else ","
        group_mark = "," if decimal_mark == "." else "."
        if text.count(decimal_mark) > 1 or not re.fullmatch(
            (_GROUPED % re.escape(group_mark)) + r"(?:" + re.escape(decimal_mark) + r"\d+)?", text.lstrip("+")
        ):
            raise ValueError(text)
        text = text.replace(group_mark, "").replace(decimal_mark, ".")
    elif dots or commas:
        mark = "." if dots else ","
        grouping = formats.get_format("THOUSAND_SEPARATOR")
        if (dots + commas > 1 or mark == grouping) and re.fullmatch(_GROUPED % re.escape(mark), text.lstrip("+")):
            text = text.replace(mark, "")
        elif dots + commas > 1:
            raise ValueError(text)
        else:
            text = text.replace(mark, ".")
    try:
        return Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(text) from exc


class NumberInput(forms.TextInput):
    """A text box for a decimal number: the phone shows its number pad, and the value is shown as
    `number_display` writes it (14, not 14.0000; 250.000.000 in Indonesian)."""

    input_type = "text"

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "decimal", "autocomplete": "off", **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, (Decimal, int, float)):
            return number_display(value)
        return super().format_value(value)


class LocalizedDecimalField(forms.DecimalField):
    """A DecimalField that reads numbers the way people type them (`number_parse`) and shows saved ones without
    trailing zeros. What was typed comes back unchanged when the form has errors."""

    widget = NumberInput
    default_error_messages = {"invalid": gettext_lazy("Isi angka, mis. 14 atau 14,5.")}

    def to_python(self, value):
        if value in self.empty_values or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, Decimal):
            return value
        try:
            return number_parse(str(value))
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


def localized_formfield(model_field, **kwargs):
    """`formfield_callback` of the model forms: decimal columns get `LocalizedDecimalField`."""
    if isinstance(model_field, models.DecimalField):
        return model_field.formfield(form_class=LocalizedDecimalField, **kwargs)
    return model_field.formfield(**kwargs)


# Choices ----------------------------------------------------------------------------------------------------


def choice_placeholders_set(form) -> None:
    """Replace Django's "---------" in every choice list of `form` with a translated "— pilih —"."""
    for field in form.fields.values():
        if isinstance(field, forms.ModelChoiceField):  # multiple choice fields have no empty choice
            if field.empty_label is not None and str(field.empty_label).strip("-") == "":
                field.empty_label = EMPTY_CHOICE_LABEL
        elif isinstance(field, forms.ChoiceField) and not isinstance(field, forms.MultipleChoiceField):
            choices = list(field.choices)
            if choices and choices[0][0] == "" and str(choices[0][1]).strip("-") == "":
                field.choices = [("", EMPTY_CHOICE_LABEL), *choices[1:]]


def length_messages_set(form) -> None:
    """A text that is too long gets a message naming its field ("Judul paling banyak 200 karakter (sekarang
    300).") instead of Django's anonymous one; the field keeps what was typed."""
    for field in form.fields.values():
        if isinstance(field, forms.CharField) and field.max_length and field.label:
            message = _(
                "%(label)s paling banyak %(limit_value)d karakter (sekarang %(show_value)d). Persingkat isinya."
            )
            field.error_messages["max_length"] = message.replace("%(label)s", str(capfirst(field.label)))


class PortalFormMixin:
    """For every form of the portal: no "---------" in choice lists and length errors that name the field."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choice_placeholders_set(self)
        length_messages_set(self)


# The error summary ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ErrorItem:
    text: str
    href: str  # "#id_<field>" of the field to fix, "" for an error about the whole form


def _form_error_items(form, *, row_label: str = "") -> list[ErrorItem]:
    prefix = f"{row_label}: " if row_label else ""
    visible = [bf for bf in form if not bf.is_hidden]
    first = f"#{visible[0].id_for_label}" if visible and row_label else ""
    items = [ErrorItem(text=f"{prefix}{error}", href=first) for error in form.non_field_errors()]
    for bf in form:
        for error in bf.errors:
            if bf.is_hidden:
                items.append(ErrorItem(text=f"{prefix}{error}", href=""))
            else:
                items.append(ErrorItem(text=f"{prefix}{bf.label}: {error}", href=f"#{bf.id_for_label}"))
    return items


def error_summary_items(*forms_or_formsets) -> list[ErrorItem]:
    """Every error of the given forms and formsets, in page order, each linking to its field.

    A formset's rows are named by its `row_label` ("Indikator 2: Satuan: ..."), so an error in the middle of a
    long page is found from the summary at its top.
    """
    items: list[ErrorItem] = []
    for obj in forms_or_formsets:
        if obj is None:
            continue
        if isinstance(obj, forms.BaseFormSet):
            if not obj.is_bound:
                continue
            items.extend(ErrorItem(text=str(e), href="") for e in obj.non_form_errors())
            for index, form in enumerate(obj.forms, start=1):
                name = str(getattr(obj, "row_label", "") or _("Baris"))
                items.extend(_form_error_items(form, row_label=f"{capfirst(name)} {index}"))
        elif obj.is_bound:
            items.extend(_form_error_items(obj))
    return items
