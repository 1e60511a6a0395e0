"""A database constraint's message on the field it is about.

`Model.full_clean()` reports a violated CheckConstraint as an error of the whole form ("__all__"), shown above
the form, away from the field the person must change. A model that lists its field rules in
`constraint_error_fields` (`{violation_error_code: field name}`) gets those messages on their fields instead;
others stay form-wide (a rule about several fields, a choice check).
"""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


class ConstraintErrorsOnFields:
    """Mixin for models, before `models.Model` in the bases."""

    constraint_error_fields: dict[str, str] = {}

    def validate_constraints(self, exclude=None):
        try:
            super().validate_constraints(exclude=exclude)
        except ValidationError as exc:
            errors = exc.update_error_dict({})
            kept = []
            for error in errors.pop(NON_FIELD_ERRORS, []):
                field = self.constraint_error_fields.get(error.code)
                if field:
                    errors.setdefault(field, []).append(error)
                else:
                    kept.append(error)
            if kept:
                errors[NON_FIELD_ERRORS] = kept
            raise ValidationError(errors) from exc
