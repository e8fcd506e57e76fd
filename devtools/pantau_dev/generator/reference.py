"""Reference facts the synthetic population is drawn from: regions, countries, visa codes, places.

Weights are rough public magnitudes (DESIGN.md), not statistics: they only need to make the demo
look like Banten and Kalimantan Tengah.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

REFERENCE_DATE = date(2025, 10, 27)
DATA_START = date(2025, 1, 1)


@dataclass(frozen=True)
class Region:
    code: str
    name: str  # official name without level, e.g. "Serang"
    level: str  # kabupaten / kota
    places: tuple[str, ...]  # kecamatan / towns, for addresses, hotels and community reports

    @property
    def official(self) -> str:
        return f"{'Kabupaten' if self.level == 'kabupaten' else 'Kota'} {self.name}"


REGIONS: dict[str, tuple[Region, ...]] = {
    "36": (
        Region("36.01", "Pandeglang", "kabupaten", ("Labuan", "Carita", "Panimbang", "Sumur", "Cigeulis")),
        Region("36.02", "Lebak", "kabupaten", ("Rangkasbitung", "Bayah", "Malingping", "Cilograng")),
        Region(
            "36.03", "Tangerang", "kabupaten", ("Cikupa", "Balaraja", "Tigaraksa", "Pasar Kemis", "Kosambi")
        ),
        Region("36.04", "Serang", "kabupaten", ("Cikande", "Kragilan", "Anyar", "Kramatwatu", "Bojonegara")),
        Region("36.71", "Tangerang", "kota", ("Batuceper", "Benda", "Cipondoh", "Karawaci", "Neglasari")),
        Region("36.72", "Cilegon", "kota", ("Ciwandan", "Citangkil", "Pulomerak", "Grogol", "Jombang")),
        Region("36.73", "Serang", "kota", ("Serang", "Cipocok Jaya", "Kasemen", "Taktakan", "Walantaka")),
        Region(
            "36.74", "Tangerang Selatan", "kota", ("Serpong", "Ciputat", "Pamulang", "Pondok Aren", "Setu")
        ),
    ),
    "62": (
        Region("62.01", "Kotawaringin Barat", "kabupaten", ("Arut Selatan", "Kumai", "Pangkalan Lada")),
        Region("62.02", "Kotawaringin Timur", "kabupaten", ("Mentawa Baru Ketapang", "Baamang", "Cempaga")),
        Region("62.03", "Kapuas", "kabupaten", ("Selat", "Kapuas Hilir", "Kapuas Murung")),
        Region(
            "62.04", "Barito Selatan", "kabupaten", ("Dusun Selatan", "Karau Kuala", "Gunung Bintang Awai")
        ),
        Region("62.05", "Barito Utara", "kabupaten", ("Teweh Tengah", "Lahei", "Montallat")),
        Region(
            "62.06", "Katingan", "kabupaten", ("Katingan Hilir", "Tewang Sanggalang Garing", "Pulau Malan")
        ),
        Region("62.07", "Seruyan", "kabupaten", ("Seruyan Hilir", "Danau Sembuluh", "Hanau")),
        Region("62.08", "Sukamara", "kabupaten", ("Sukamara", "Jelai", "Balai Riam")),
        Region("62.09", "Lamandau", "kabupaten", ("Bulik", "Sematu Jaya", "Menthobi Raya")),
        Region("62.10", "Gunung Mas", "kabupaten", ("Kurun", "Tewah", "Sepang")),
        Region("62.11", "Pulang Pisau", "kabupaten", ("Kahayan Hilir", "Maliku", "Jabiren Raya")),
        Region("62.12", "Murung Raya", "kabupaten", ("Murung", "Tanah Siang", "Laung Tuhup")),
        Region("62.13", "Barito Timur", "kabupaten", ("Dusun Timur", "Awang", "Pematang Karau")),
        Region("62.71", "Palangka Raya", "kota", ("Pahandut", "Jekan Raya", "Sebangau", "Bukit Batu")),
    ),
}

PROVINCE_NAMES = {"36": "Banten", "62": "Kalimantan Tengah"}

# Bare names that denote two regions: never an alias, always unresolved (contracts.md).
AMBIGUOUS_NAMES = {
    "36": {"36.04": "Serang", "36.73": "Serang", "36.03": "Tangerang", "36.71": "Tangerang"},
    "62": {"62.01": "Kotawaringin", "62.02": "Kotawaringin"},
}


def region(code: str) -> Region:
    for regions in REGIONS.values():
        for candidate in regions:
            if candidate.code == code:
                return candidate
    raise KeyError(code)


IMMIGRATION_OFFICES = {
    "36.01": "Kantor Imigrasi Kelas I TPI Serang",
    "36.02": "Kantor Imigrasi Kelas I TPI Serang",
    "36.03": "Kantor Imigrasi Kelas I Non TPI Tangerang",
    "36.04": "Kantor Imigrasi Kelas I TPI Serang",
    "36.71": "Kantor Imigrasi Kelas I Khusus TPI Soekarno-Hatta",
    "36.72": "Kantor Imigrasi Kelas I TPI Serang",
    "36.73": "Kantor Imigrasi Kelas I TPI Serang",
    "36.74": "Kantor Imigrasi Kelas I Non TPI Tangerang",
    "62.01": "Kantor Imigrasi Kelas II Non TPI Pangkalan Bun",
    "62.02": "Kantor Imigrasi Kelas II TPI Sampit",
    "62.06": "Kantor Imigrasi Kelas II TPI Sampit",
    "62.07": "Kantor Imigrasi Kelas II TPI Sampit",
    "62.08": "Kantor Imigrasi Kelas II Non TPI Pangkalan Bun",
    "62.09": "Kantor Imigrasi Kelas II Non TPI Pangkalan Bun",
}
DEFAULT_OFFICE = {
    "36": "Kantor Imigrasi Kelas I TPI Serang",
    "62": "Kantor Imigrasi Kelas I TPI Palangka Raya",
}


def immigration_office(region_code: str) -> str:
    return IMMIGRATION_OFFICES.get(region_code, DEFAULT_OFFICE[region_code[:2]])


@dataclass(frozen=True)
class Country:
    code: str  # ISO 3166-1 alpha-3
    alpha2: str
    name_en: str
    name_id: str
    locale: str | None  # Faker locale for names; None = built-in romanised lists
    passport: str  # passport number pattern: L = letter, D = digit, A = alphanumeric
    passport_prefix: str = ""  # fixed leading letters drawn from, e.g. "EG" for China


COUNTRIES: dict[str, Country] = {
    c.code: c
    for c in (
        Country("CHN", "CN", "China", "Tiongkok", "zh_CN", "LDDDDDDDD", "EG"),
        Country("KOR", "KR", "South Korea", "Korea Selatan", None, "LDDDDDDDD", "MR"),
        Country("JPN", "JP", "Japan", "Jepang", "ja_JP", "LLDDDDDDD", ""),
        Country("IND", "IN", "India", "India", "en_IN", "LDDDDDDD", ""),
        Country("MYS", "MY", "Malaysia", "Malaysia", None, "LDDDDDDDD", "AH"),
        Country("TWN", "TW", "Taiwan", "Taiwan", "zh_TW", "DDDDDDDDD", ""),
        Country("SGP", "SG", "Singapore", "Singapura", None, "LDDDDDDDL", "EK"),
        Country("VNM", "VN", "Viet Nam", "Vietnam", "vi_VN", "LDDDDDDD", "BC"),
        Country("THA", "TH", "Thailand", "Thailand", "en_TH", "LLDDDDDDD", ""),
        Country("PHL", "PH", "Philippines", "Filipina", "es_MX", "LDDDDDDDL", "P"),
        Country("AUS", "AU", "Australia", "Australia", "en_NZ", "LDDDDDDD", "NPR"),
        Country("USA", "US", "United States", "Amerika Serikat", "en_US", "DDDDDDDDD", ""),
        Country("GBR", "GB", "United Kingdom", "Inggris", "en_GB", "DDDDDDDDD", ""),
        Country("DEU", "DE", "Germany", "Jerman", "de_DE", "LAAAAAAAA", "CFGHJK"),
        Country("NLD", "NL", "Netherlands", "Belanda", "nl_NL", "LLAAAAAAD", ""),
        Country("FRA", "FR", "France", "Prancis", "fr_FR", "DDLLDDDDD", ""),
        Country("RUS", "RU", "Russian Federation", "Rusia", None, "DDDDDDDDD", ""),
        Country("SAU", "SA", "Saudi Arabia", "Arab Saudi", None, "LDDDDDDD", "ABKLQR"),
    )
}

# Spellings agencies use for a country (matched upper-case, punctuation removed; contracts.md).
COUNTRY_VARIANTS: dict[str, tuple[str, ...]] = {
    "CHN": ("RRT", "Tiongkok", "Republik Rakyat Tiongkok", "China", "CHN", "CN", "CHINA", "TIONGKOK"),
    "KOR": ("Korea Selatan", "Korsel", "South Korea", "KOR", "KR", "KOREA SELATAN", "Republic of Korea"),
    "JPN": ("Jepang", "Japan", "JPN", "JP", "JEPANG"),
    "IND": ("India", "IND", "IN", "INDIA"),
    "MYS": ("Malaysia", "MYS", "MY", "MALAYSIA"),
    "TWN": ("Taiwan", "TWN", "TW", "TAIWAN"),
    "SGP": ("Singapura", "Singapore", "SGP", "SG", "SINGAPURA"),
    "VNM": ("Vietnam", "Viet Nam", "VNM", "VN", "VIETNAM"),
    "THA": ("Thailand", "THA", "TH", "THAILAND"),
    "PHL": ("Filipina", "Philippines", "PHL", "PH", "FILIPINA"),
    "AUS": ("Australia", "AUS", "AU", "AUSTRALIA"),
    "USA": ("Amerika Serikat", "United States", "USA", "US", "AMERIKA SERIKAT"),
    "GBR": ("Inggris", "United Kingdom", "GBR", "GB", "INGGRIS"),
    "DEU": ("Jerman", "Germany", "DEU", "DE", "JERMAN"),
    "NLD": ("Belanda", "Netherlands", "NLD", "NL", "BELANDA"),
    "FRA": ("Prancis", "France", "FRA", "FR", "PERANCIS"),
    "RUS": ("Rusia", "Russian Federation", "Russia", "RUS", "RU"),
    "SAU": ("Arab Saudi", "Saudi Arabia", "SAU", "SA"),
}

# Visa index codes (DESIGN.md): which permit they lead to and what they allow.
VISA_INDEX = {
    "B211A": ("ITK", "visit"),
    "C312": ("ITAS", "work"),
    "E23": ("ITAS", "work"),
    "C313": ("ITAS", "investor"),
    "C314": ("ITAS", "investor"),
    "E28A": ("ITAS", "investor"),
    "E29": ("ITAS", "research"),
    "E31A": ("ITAS", "family"),
    "E33G": ("ITAS", "remote"),
}
WORK_INDEXES = frozenset({"C312", "E23"})
RESEARCH_INDEXES = frozenset({"E29"})

PURPOSES = ("WISATA", "BISNIS", "BEKERJA", "PENELITIAN", "KELUARGA", "LAINNYA")

# Population sizes at scale 1 (persons), per province and role.
POPULATION = {
    "36": {
        "worker": 2400,
        "investor": 350,
        "family": 260,
        "remote": 80,
        "research": 12,
        "itap": 420,
        "visit": 1100,
    },
    "62": {
        "worker": 320,
        "investor": 40,
        "family": 60,
        "remote": 6,
        "research": 10,
        "itap": 45,
        "visit": 160,
    },
}
# Lodging check-ins of visitors without a stay permit per day, at scale 1.
TOURISTS_PER_DAY = {"36": 60.0, "62": 6.0}

# Nationality weights per province and role.
NATIONALITY_WEIGHTS = {
    ("36", "worker"): {
        "CHN": 38,
        "KOR": 20,
        "JPN": 13,
        "IND": 6,
        "TWN": 5,
        "MYS": 3,
        "VNM": 2,
        "PHL": 2,
        "DEU": 2,
        "GBR": 1,
        "NLD": 1,
        "USA": 1,
        "AUS": 1,
        "FRA": 1,
        "THA": 1,
    },
    ("36", "investor"): {
        "CHN": 32,
        "KOR": 24,
        "JPN": 15,
        "TWN": 8,
        "SGP": 7,
        "IND": 5,
        "MYS": 5,
        "USA": 2,
        "DEU": 1,
        "NLD": 1,
    },
    ("36", "family"): {
        "CHN": 8,
        "KOR": 8,
        "JPN": 10,
        "AUS": 10,
        "GBR": 8,
        "USA": 8,
        "NLD": 8,
        "DEU": 6,
        "FRA": 5,
        "IND": 6,
        "MYS": 8,
        "PHL": 6,
        "SGP": 5,
        "SAU": 4,
    },
    ("36", "remote"): {
        "AUS": 15,
        "USA": 15,
        "GBR": 12,
        "DEU": 10,
        "NLD": 8,
        "FRA": 8,
        "RUS": 8,
        "SGP": 6,
        "KOR": 6,
        "JPN": 6,
    },
    ("36", "research"): {"JPN": 3, "AUS": 3, "NLD": 3, "USA": 2, "DEU": 2, "GBR": 2, "KOR": 1},
    ("36", "itap"): {
        "CHN": 20,
        "KOR": 15,
        "JPN": 12,
        "IND": 10,
        "MYS": 8,
        "AUS": 6,
        "GBR": 6,
        "USA": 6,
        "NLD": 6,
        "DEU": 5,
        "PHL": 6,
    },
    ("36", "visit"): {
        "CHN": 20,
        "KOR": 12,
        "JPN": 10,
        "MYS": 10,
        "SGP": 6,
        "IND": 8,
        "AUS": 5,
        "USA": 5,
        "GBR": 4,
        "NLD": 3,
        "DEU": 3,
        "SAU": 5,
        "PHL": 3,
        "VNM": 3,
        "TWN": 3,
    },
    ("36", "tourist"): {
        "CHN": 18,
        "KOR": 10,
        "JPN": 9,
        "MYS": 10,
        "SGP": 7,
        "IND": 7,
        "AUS": 5,
        "USA": 5,
        "GBR": 4,
        "NLD": 3,
        "DEU": 3,
        "FRA": 2,
        "SAU": 4,
        "PHL": 3,
        "THA": 2,
        "VNM": 3,
        "TWN": 3,
        "RUS": 2,
    },
    ("62", "worker"): {"CHN": 58, "MYS": 20, "KOR": 8, "IND": 5, "AUS": 3, "PHL": 3, "JPN": 2, "SGP": 1},
    ("62", "investor"): {"CHN": 40, "MYS": 30, "SGP": 15, "KOR": 10, "IND": 5},
    ("62", "family"): {
        "MYS": 15,
        "CHN": 10,
        "AUS": 10,
        "GBR": 8,
        "USA": 8,
        "NLD": 8,
        "DEU": 6,
        "PHL": 8,
        "KOR": 5,
    },
    ("62", "remote"): {"AUS": 3, "USA": 3, "GBR": 2, "DEU": 2},
    ("62", "research"): {"GBR": 3, "NLD": 3, "USA": 2, "AUS": 2, "JPN": 2, "DEU": 2},
    ("62", "itap"): {"MYS": 20, "CHN": 20, "AUS": 10, "GBR": 8, "NLD": 8, "USA": 6, "KOR": 6},
    ("62", "visit"): {
        "CHN": 25,
        "MYS": 25,
        "SGP": 10,
        "AUS": 8,
        "USA": 6,
        "GBR": 6,
        "NLD": 6,
        "DEU": 5,
        "KOR": 5,
        "JPN": 4,
    },
    ("62", "tourist"): {
        "MYS": 20,
        "CHN": 20,
        "SGP": 10,
        "AUS": 10,
        "NLD": 8,
        "GBR": 8,
        "USA": 8,
        "DEU": 6,
        "FRA": 4,
        "JPN": 4,
        "KOR": 4,
    },
}

# Where people of each role live / work / stay, per province.
REGION_WEIGHTS = {
    ("36", "worker"): {
        "36.04": 25,
        "36.03": 25,
        "36.72": 20,
        "36.71": 15,
        "36.74": 6,
        "36.73": 4,
        "36.02": 3,
        "36.01": 2,
    },
    ("36", "resident"): {
        "36.74": 30,
        "36.71": 20,
        "36.03": 20,
        "36.73": 8,
        "36.04": 8,
        "36.72": 6,
        "36.01": 4,
        "36.02": 4,
    },
    ("36", "research"): {"36.01": 4, "36.02": 4, "36.73": 2},
    ("36", "tourist"): {
        "36.71": 40,
        "36.74": 15,
        "36.03": 12,
        "36.04": 10,
        "36.72": 10,
        "36.01": 6,
        "36.73": 5,
        "36.02": 2,
    },
    ("62", "worker"): {
        "62.02": 20,
        "62.01": 15,
        "62.12": 12,
        "62.07": 10,
        "62.05": 10,
        "62.03": 8,
        "62.11": 8,
        "62.71": 5,
        "62.06": 5,
        "62.13": 5,
        "62.04": 3,
        "62.10": 3,
        "62.09": 3,
        "62.08": 3,
    },
    ("62", "resident"): {
        "62.71": 35,
        "62.02": 20,
        "62.01": 15,
        "62.03": 8,
        "62.05": 6,
        "62.11": 4,
        "62.06": 3,
        "62.12": 3,
        "62.07": 2,
        "62.13": 2,
        "62.04": 2,
    },
    ("62", "research"): {"62.01": 5, "62.11": 3, "62.71": 3, "62.06": 2},
    ("62", "tourist"): {
        "62.71": 40,
        "62.01": 25,
        "62.02": 15,
        "62.05": 5,
        "62.12": 4,
        "62.03": 4,
        "62.11": 3,
        "62.06": 2,
        "62.07": 2,
    },
}

# Fictitious employers: (name, kbli, sector, region code).
EMPLOYER_TEMPLATES = {
    "36": [
        ("Baja", "24101", "INDUSTRI", ("36.72", "36.04")),
        ("Kimia", "20111", "INDUSTRI", ("36.72", "36.04")),
        ("Petrokimia", "20131", "INDUSTRI", ("36.72",)),
        ("Elektronik", "26120", "INDUSTRI", ("36.03", "36.71")),
        ("Sepatu", "15201", "INDUSTRI", ("36.03", "36.04", "36.71")),
        ("Garmen", "14111", "INDUSTRI", ("36.03", "36.71")),
        ("Ban", "22111", "INDUSTRI", ("36.04", "36.03")),
        ("Kertas", "17011", "INDUSTRI", ("36.04",)),
        ("Energi", "35101", "INDUSTRI", ("36.72", "36.02", "36.04")),
        ("Konstruksi", "41012", "JASA", ("36.74", "36.71", "36.03", "36.73")),
        ("Logistik", "52101", "JASA", ("36.71", "36.03")),
        ("Konsultan", "70209", "JASA", ("36.74", "36.71")),
        ("Pendidikan", "85210", "JASA", ("36.74",)),
        ("Perikanan", "03111", "PERTANIAN DAN MARITIM", ("36.01", "36.02")),
        ("Tambang Emas", "07301", "INDUSTRI", ("36.02",)),
    ],
    "62": [
        ("Sawit", "01262", "PERTANIAN DAN MARITIM", ("62.02", "62.01", "62.07", "62.09", "62.08", "62.06")),
        ("Minyak Sawit", "10431", "INDUSTRI", ("62.02", "62.01", "62.07")),
        ("Batubara", "05100", "INDUSTRI", ("62.12", "62.05", "62.13", "62.04", "62.03")),
        ("Tambang Emas", "07301", "INDUSTRI", ("62.10", "62.06", "62.12")),
        ("Energi", "35101", "INDUSTRI", ("62.11", "62.02", "62.03")),
        ("Konstruksi", "41012", "JASA", ("62.71", "62.02")),
        ("Kayu", "16101", "INDUSTRI", ("62.03", "62.06")),
    ],
}
COMPANY_WORDS = (
    "Nusantara",
    "Sejahtera",
    "Makmur",
    "Jaya",
    "Abadi",
    "Perkasa",
    "Mandiri",
    "Utama",
    "Sentosa",
    "Lestari",
    "Gemilang",
    "Prima",
    "Indah",
    "Mulia",
    "Sakti",
    "Raya",
)
JOB_TITLES = {
    "INDUSTRI": (
        "Technical Advisor",
        "Production Manager",
        "Quality Control Manager",
        "Maintenance Engineer",
        "Plant Manager",
        "Process Engineer",
        "Mechanical Engineer",
        "Electrical Engineer",
        "Finance Manager",
        "Direktur",
        "Safety Manager",
        "Mining Engineer",
    ),
    "JASA": (
        "Project Manager",
        "Site Manager",
        "Konsultan",
        "Direktur",
        "Finance Director",
        "Guru Bahasa Asing",
        "IT Consultant",
        "Logistics Manager",
    ),
    "PERTANIAN DAN MARITIM": (
        "Plantation Advisor",
        "Estate Manager",
        "Agronomist",
        "Mill Manager",
        "Fishing Master",
        "Direktur",
    ),
}
HOTEL_STYLES = (
    "Hotel {p}",
    "{p} Hotel",
    "Grand {p} Hotel",
    "Hotel {p} Indah",
    "Wisma {p}",
    "{p} Residence",
    "Penginapan {p}",
    "{p} Inn",
    "Hotel Permata {p}",
    "Guest House {p}",
)
RESEARCH_TOPICS = (
    "Ekologi hutan rawa gambut",
    "Konservasi orangutan",
    "Perilaku primata",
    "Sosial ekonomi petani sawit",
    "Arkeologi situs Banten Lama",
    "Mitigasi tsunami pesisir",
    "Badak Jawa di Ujung Kulon",
    "Bahasa dan budaya Baduy",
    "Hidrologi lahan gambut",
    "Rantai pasok industri baja",
    "Kesehatan masyarakat pesisir",
    "Keanekaragaman hayati sungai",
)
RESEARCH_INSTITUTIONS = (
    "Kyoto University",
    "University of Oxford",
    "Wageningen University",
    "Australian National University",
    "Leiden University",
    "University of Michigan",
    "Universitaet Hamburg",
    "Seoul National University",
    "University of Leeds",
    "Max Planck Institute",
)
