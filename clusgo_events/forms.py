"""Form helpers shared by the blueprints."""

from __future__ import annotations

from flask_wtf import FlaskForm

from .services import ServiceError, ValidationErrors


class ConfirmForm(FlaskForm):
    """A bare POST that carries only its CSRF token (publish, cancel, promote, confirm ...)."""


def apply_service_errors(form: FlaskForm, error: ServiceError, mapping: dict | None = None) -> None:
    """Show a service's messages beside the fields they concern (or at the form's top)."""
    mapping = mapping or {}
    errors = error.errors if isinstance(error, ValidationErrors) else {error.field: error.message}
    for name, message in errors.items():
        field = getattr(form, mapping.get(name, name) or "", None) if name else None
        if field is not None and hasattr(field, "errors"):
            field.errors = [*list(field.errors), message]
        else:
            form.form_errors.append(message)
