"""Every validator's message can be shown: WTForms formats Length/NumberRange messages with `%`,
so a bare "%" in one (a share "từ 1 đến 100%") turned the refusal into a 500 and lost the form."""
from __future__ import annotations

import importlib
import pkgutil

import pytest
import wtforms

import thidua


def _form_classes():
    for module in pkgutil.walk_packages(thidua.__path__, "thidua."):
        if module.name.rsplit(".", 1)[-1] == "forms":
            loaded = importlib.import_module(module.name)
            for value in vars(loaded).values():
                if isinstance(value, type) and issubclass(value, wtforms.Form) and value.__module__ == loaded.__name__:
                    yield value


FORMS = sorted(_form_classes(), key=lambda form: f"{form.__module__}.{form.__name__}")


def test_the_forms_are_found():
    assert len(FORMS) > 20


@pytest.mark.parametrize("form", FORMS, ids=lambda form: f"{form.__module__}.{form.__name__}")
def test_every_validator_message_formats(form):
    for name, unbound in vars(form).items():
        if not isinstance(unbound, wtforms.fields.core.UnboundField):
            continue
        for validator in unbound.kwargs.get("validators", []):
            message = getattr(validator, "message", None)
            if isinstance(message, str):
                message % {"min": 1, "max": 2, "other_label": "x", "other_name": "x"}  # raises on a bare "%"
