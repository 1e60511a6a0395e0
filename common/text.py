"""Control characters: refused where text comes in, stripped where it goes out.

XML 1.0 (the feeds, the XLSX export) cannot carry C0 control characters other than tab, newline and carriage
return, nor DEL's neighbours in C1 that some parsers reject: one U+000B in a published summary made every feed
containing it, and the XLSX export, answer 500. They have no meaning in a practice's text, so forms and the API
refuse them with a field message (`no_control_characters`, a validator on the models' text fields and in the
API's text fields), and every feed and export strips them (`control_characters_strip`) for rows written before.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


@deconstructible
class NoControlCharacters:
    message = _("Teks ini berisi karakter kendali tak terlihat (mis. dari salinan dokumen). Hapus lalu ketik ulang.")
    code = "control_characters"

    def __call__(self, value) -> None:
        if isinstance(value, str) and CONTROL_CHARACTERS.search(value):
            raise ValidationError(self.message, code=self.code)

    def __eq__(self, other) -> bool:
        return isinstance(other, NoControlCharacters)


no_control_characters = NoControlCharacters()


def control_characters_strip(text):
    """`text` without control characters (tab, newline and carriage return kept); non-text as it is."""
    return CONTROL_CHARACTERS.sub("", text) if isinstance(text, str) else text
