"""The machine-translation backend: a pluggable adapter that drafts text for a human translator to correct.

Off by default. `MT_BACKEND` names the adapter class (dotted path); the one shipped speaks the LibreTranslate
API (`POST {MT_LIBRETRANSLATE_URL}/translate` with `{q, source, target, format, api_key}` answering
`{"translatedText": ...}`), which self-hosted LibreTranslate and several commercial services offer. With no
URL configured `backend_get()` answers None and the portal never offers machine drafts.

Every failure (timeout, refused connection, an HTTP error, an answer without `translatedText`) becomes
`MachineTranslationError` with a message for the translator; the caller records it, never lets it reach a
request. A draft is only ever a draft: it is shown to nobody but the translators until a moderator verifies it.
"""

from __future__ import annotations

import requests
from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _


class MachineTranslationError(Exception):
    """The backend could not translate; the message is shown to the translator."""


class LibreTranslateBackend:
    def __init__(self, *, url: str, api_key: str = "", timeout: float = 10.0):
        self.url = url.rstrip("/") + "/translate"
        self.api_key = api_key
        self.timeout = timeout

    def translate(self, text: str, *, source: str, target: str) -> str:
        """`text` (plain text or Markdown; sent as "text" so that Markdown marks pass through) in `target`."""
        if not text.strip():
            return ""
        payload = {"q": text, "source": source, "target": target, "format": "text"}
        if self.api_key:
            payload["api_key"] = self.api_key
        try:
            response = requests.post(self.url, json=payload, timeout=self.timeout)
        except requests.Timeout as exc:
            raise MachineTranslationError(
                _("Layanan terjemahan mesin tidak menjawab dalam %(seconds)s detik.") % {"seconds": self.timeout}
            ) from exc
        except requests.RequestException as exc:
            raise MachineTranslationError(_("Layanan terjemahan mesin tidak dapat dihubungi.")) from exc
        if response.status_code != 200:
            raise MachineTranslationError(
                _("Layanan terjemahan mesin menjawab dengan galat HTTP %(status)s.") % {"status": response.status_code}
            )
        try:
            translated = response.json()["translatedText"]
        except (ValueError, KeyError, TypeError) as exc:
            raise MachineTranslationError(_("Jawaban layanan terjemahan mesin tidak dapat dibaca.")) from exc
        if not isinstance(translated, str):
            raise MachineTranslationError(_("Jawaban layanan terjemahan mesin tidak dapat dibaca."))
        return translated


def backend_get():
    """The configured backend, or None when machine translation is off (no URL)."""
    url = getattr(settings, "MT_LIBRETRANSLATE_URL", "")
    if not url:
        return None
    backend_class = import_string(
        getattr(settings, "MT_BACKEND", "practices.machine_translation.LibreTranslateBackend")
    )
    return backend_class(
        url=url,
        api_key=getattr(settings, "MT_API_KEY", ""),
        timeout=getattr(settings, "MT_TIMEOUT_SECONDS", 10.0),
    )
