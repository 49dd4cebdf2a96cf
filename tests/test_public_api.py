"""The public API: ``__all__`` lists exactly the public names each package exports."""

from __future__ import annotations

import importlib

import pytest

PACKAGES = ["pytest_e2i_schema", "pytest_e2i_schema.catalog", "pytest_e2i_schema.contracts",
            "pytest_e2i_schema.migrations", "pytest_e2i_schema.engines", "pytest_e2i_schema.snapshot"]


@pytest.mark.parametrize("name", PACKAGES)
def test_all_matches_public_names(name):
    mod = importlib.import_module(name)
    public = {n for n, v in vars(mod).items() if not n.startswith("_") and getattr(v, "__module__", "").startswith(name)
              or n in getattr(mod, "__all__", ())}
    missing = [n for n in mod.__all__ if not hasattr(mod, n)]
    assert not missing, f"{name}.__all__ names what it does not define: {missing}"
    assert sorted(mod.__all__) == sorted(set(mod.__all__)), "duplicates in __all__"
    assert set(mod.__all__) >= {n for n in public if not isinstance(getattr(mod, n), type(importlib))}


def test_every_error_has_a_stable_code():
    import pytest_e2i_schema.errors as errors

    codes = {}
    for name in errors.__all__:
        obj = getattr(errors, name)
        if isinstance(obj, type) and issubclass(obj, errors.E2IError):
            assert obj.code.startswith("E2I")
            codes.setdefault(obj.code, name)
    assert len(codes) == len([n for n in errors.__all__ if isinstance(getattr(errors, n), type)])
