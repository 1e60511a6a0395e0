from .factories import make_practice  # noqa: F401 - interim: the builders live in tests/practices/factories.py
