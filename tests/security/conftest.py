# The shared Chromium fixtures (tests/browser/conftest.py) for the XSS corpus, which renders pages in a browser.
from tests.browser.conftest import browser, page  # noqa: F401
