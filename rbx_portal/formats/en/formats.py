# English date formats for the whole portal and its emails (FORMAT_MODULE_PATH): "2 December 2026, 09:32 WIB",
# never "Dec. 2, 2026, 2:32 a.m.". Only what differs from Django's own `en` formats.
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i T"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
