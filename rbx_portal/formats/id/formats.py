# Indonesian date formats for the whole portal and its emails (FORMAT_MODULE_PATH): "2 Desember 2026 pukul
# 09.32 WIB", as Indonesian government letters write them. Only what differs from Django's own `id` formats.
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = r"j F Y \p\u\k\u\l H.i T"
SHORT_DATETIME_FORMAT = "d-m-Y H.i"
