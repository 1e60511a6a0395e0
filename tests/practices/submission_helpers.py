# interim: the builders live in tests/<app>/factories.py
from tests.accounts.factories import moderator  # noqa: F401
from tests.agencies.factories import BANDUNG, SIDOARJO, SURABAYA, member  # noqa: F401

from .factories import COMPLETE_CONTENT, complete, new_practice, published  # noqa: F401
