"""KIPP's defaults (Kompetisi Inovasi Pelayanan Publik): the rubric and the stages a new call starts from.

The lead may change every line on the call form; these are only what the form is preloaded with. The names are
stored as data in Indonesian (the language of the competition); the descriptions say what a reviewer scores.
Weights add up to 100; every criterion is scored 0..max_score and the service turns the scores into a weighted
total on 0..100.
"""

from __future__ import annotations

from decimal import Decimal

# (name, description, weight, max_score)
KIPP_CRITERIA: list[dict] = [
    {
        "name": "Kebaruan",
        "description": "Seberapa baru pendekatannya dibanding layanan sebelumnya dan praktik di tempat lain.",
        "weight": 20,
        "max_score": 10,
    },
    {
        "name": "Efektivitas",
        "description": "Seberapa jauh masalah yang disasar benar-benar teratasi, dengan data sebelum dan sesudah.",
        "weight": 20,
        "max_score": 10,
    },
    {
        "name": "Kemanfaatan",
        "description": "Siapa dan berapa banyak yang merasakan manfaatnya, termasuk kelompok rentan.",
        "weight": 20,
        "max_score": 10,
    },
    {
        "name": "Keberlanjutan",
        "description": "Dasar hukum, anggaran, SDM dan kelembagaan yang menjaga inovasi tetap berjalan.",
        "weight": 15,
        "max_score": 10,
    },
    {
        "name": "Dapat direplikasi",
        "description": "Seberapa mudah instansi lain menerapkannya: langkah, biaya dan prasyaratnya jelas.",
        "weight": 15,
        "max_score": 10,
    },
    {
        "name": "Keterlibatan pemangku kepentingan",
        "description": "Keterlibatan warga, dunia usaha, akademisi dan instansi lain dalam merancang dan menjalankan.",
        "weight": 10,
        "max_score": 10,
    },
]

# The stages in order. A screening is a pass/fail check (not scored with the rubric): its "score" is the share
# of reviewers who found the entry eligible, and entries at or above 50 go on by default.
KIPP_STAGES: list[dict] = [
    {
        "kind": "screening",
        "name": "Seleksi administrasi",
        "is_scored": False,
        "min_reviews": 1,
        "advance_top_n": None,
        "advance_min_score": Decimal("50"),
    },
    {
        "kind": "scoring",
        "name": "Penilaian evaluator (Top 99)",
        "is_scored": True,
        "min_reviews": 2,
        "advance_top_n": 99,
        "advance_min_score": None,
    },
    {
        "kind": "panel",
        "name": "Tim Panel Independen",
        "is_scored": True,
        "min_reviews": 2,
        "advance_top_n": 45,
        "advance_min_score": None,
    },
    {
        "kind": "presentation",
        "name": "Presentasi dan wawancara (Top 45)",
        "is_scored": True,
        "min_reviews": 2,
        "advance_top_n": 45,
        "advance_min_score": None,
    },
    {
        "kind": "field",
        "name": "Verifikasi lapangan",
        "is_scored": True,
        "min_reviews": 1,
        "advance_top_n": None,
        "advance_min_score": Decimal("60"),
    },
]
