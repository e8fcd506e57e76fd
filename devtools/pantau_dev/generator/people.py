"""Names and passport numbers that look like the nationality they belong to.

Faker is slow per call (~100 µs), so each locale is sampled once into pools and rows draw from the
pools with the generator's own `random.Random`: fast enough for a million lodging rows, and still
deterministic because Faker is seeded too.
"""

from __future__ import annotations

import importlib
import random
import string
import unicodedata
from functools import cache

from faker import Generator

from pantau_dev.generator.reference import COUNTRIES

# Romanised names for nationalities whose Faker locale writes another script or is missing.
BUILTIN_NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    # (family names, male given names, female given names)
    "KOR": (
        (
            "KIM",
            "LEE",
            "PARK",
            "CHOI",
            "JUNG",
            "KANG",
            "CHO",
            "YOON",
            "JANG",
            "LIM",
            "HAN",
            "OH",
            "SEO",
            "SHIN",
        ),
        (
            "MINJUN",
            "SEOJUN",
            "DOYOON",
            "JIHO",
            "JUNWOO",
            "HYUNWOO",
            "SUNGMIN",
            "DONGHYUN",
            "JAEHYUN",
            "YOUNGSOO",
            "SANGWOO",
            "KYUNGHO",
        ),
        ("SEOYEON", "JIWOO", "MINSEO", "HAYOON", "SOYEON", "JIHYE", "EUNJI", "YUNA", "HYEJIN", "SUJIN"),
    ),
    "MYS": (
        (
            "BIN ABDULLAH",
            "BIN ISMAIL",
            "BIN RAHMAN",
            "TAN",
            "LIM",
            "WONG",
            "LEE",
            "NG",
            "CHONG",
            "BINTI AHMAD",
            "A/L SUBRAMANIAM",
            "BIN HASSAN",
        ),
        (
            "AHMAD",
            "MUHAMMAD HAFIZ",
            "MOHD FAIZAL",
            "WEI MING",
            "CHEE KEONG",
            "KUMAR",
            "AZMAN",
            "KHAIRUL",
            "JUN HAO",
            "RAJESH",
        ),
        ("NUR AISYAH", "SITI NORHAYATI", "MEI LING", "XIN YI", "PRIYA", "FARAH", "NURUL IZZAH", "HUI MIN"),
    ),
    "SGP": (
        ("TAN", "LIM", "LEE", "NG", "ONG", "WONG", "GOH", "CHUA", "KOH", "TEO", "RAHMAN", "NAIR"),
        ("WEI JIE", "JUN WEI", "KOK MENG", "BOON HOCK", "RAYMOND", "DARREN", "MUHAMMAD", "ARJUN"),
        ("HUI LING", "SHU FEN", "JIA YI", "MICHELLE", "RACHEL", "NUR HIDAYAH", "KAVITHA"),
    ),
    "THA": (
        ("SRISUK", "WONGSAWAT", "CHAIYAPORN", "SAELIM", "RATTANAKUL", "BOONMA", "THONGDEE", "KAEWMANEE"),
        ("SOMCHAI", "ANAN", "KITTIPONG", "PRASERT", "THANAKORN", "WICHAI", "NATTAPONG"),
        ("SOMYING", "PORNTIP", "SIRIPORN", "KANYA", "NATTAYA", "WARAPORN", "ARUNEE"),
    ),
    "RUS": (
        ("IVANOV", "SMIRNOV", "KUZNETSOV", "POPOV", "VASILIEV", "PETROV", "SOKOLOV", "MIKHAILOV", "VOLKOV"),
        ("ALEXANDER", "DMITRY", "MAXIM", "SERGEY", "ANDREY", "ALEXEY", "ARTEM", "IVAN", "NIKITA"),
        ("ANASTASIA", "MARIA", "DARIA", "ANNA", "ELENA", "OLGA", "TATIANA", "YULIA", "EKATERINA"),
    ),
    "SAU": (
        (
            "AL-QAHTANI",
            "AL-GHAMDI",
            "AL-OTAIBI",
            "AL-HARBI",
            "AL-ZAHRANI",
            "AL-DOSARI",
            "AL-SHEHRI",
            "AL-MUTAIRI",
            "AL-ANAZI",
        ),
        ("MOHAMMED", "ABDULLAH", "FAHAD", "KHALID", "SAUD", "FAISAL", "SULTAN", "TURKI", "NAYEF"),
        ("NOURA", "SARA", "REEM", "HESSA", "LAMA", "AMAL", "FATIMAH", "MAHA"),
    ),
}


def _cp1252_safe(text: str) -> str:
    """Keep accents Windows-1252 can carry (MÜLLER), strip the rest (NGUYỄN -> NGUYEN)."""
    out = []
    for char in text:
        try:
            char.encode("cp1252")
            out.append(char)
        except UnicodeEncodeError:
            out.append(unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode())
    return "".join(out)


@cache
def _pools(country: str, seed: int) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    if country in BUILTIN_NAMES:
        return BUILTIN_NAMES[country]
    fake = faker_for("person", COUNTRIES[country].locale, seed)
    if country in ("CHN", "TWN", "JPN"):
        family = [fake.last_romanized_name() for _ in range(200)]
        male = female = [fake.first_romanized_name() for _ in range(300)]
    else:
        family = [fake.last_name() for _ in range(300)]
        if country == "PHL":  # Spanish family names, English given names
            fake = faker_for("person", "en_US", seed)
        male = [fake.first_name_male() for _ in range(200)]
        female = [fake.first_name_female() for _ in range(200)]

    def clean(names: list[str]) -> tuple[str, ...]:
        return tuple(sorted({_cp1252_safe(n).upper().strip() for n in names if n.strip()}))

    return clean(family), clean(male), clean(female)


def faker_for(provider: str, locale: str, seed: int) -> Generator:
    """A seeded Faker generator with one provider: loading a full `Faker(locale)` costs ~0.1 s."""
    module = importlib.import_module(f"faker.providers.{provider}.{locale}")
    fake = Generator()
    fake.add_provider(module.Provider)
    fake.seed_instance(seed)
    return fake


def person_name(rng: random.Random, country: str, sex: str, seed: int) -> str:
    family, male, female = _pools(country, seed)
    given = rng.choice(male if sex == "L" else female)
    surname = rng.choice(family)
    if country in ("CHN", "TWN", "KOR", "VNM"):
        return f"{surname} {given}"  # family name first, as on these passports
    if country == "MYS" and surname.startswith(("BIN", "BINTI", "A/L")):
        surname = surname.replace("BIN ", "BINTI ") if sex == "P" else surname
        return f"{given} {surname}"
    return f"{given} {surname}"


class PassportIssuer:
    """Unique, plausible passport numbers per country, without remembering the ones issued.

    The n-th number of a country is an affine permutation of n over the pattern's digit space, so
    numbers never repeat and still look random; the province picks a disjoint half of that space so
    that two provinces generated separately never share a passport.
    """

    def __init__(self, province: str, seed: int) -> None:
        self.slot = 0 if province == "36" else 1
        self.seed = seed
        self.counters: dict[str, int] = {}
        self.layouts: dict[str, tuple[str, int, int, int, int, int]] = {}

    def _layout(self, country: str) -> tuple[str, int, int, int, int, int]:
        if country not in self.layouts:
            pattern = COUNTRIES[country].passport
            width = sum(ch in "DA" for ch in pattern)
            offset = sum(map(ord, country)) * 7919 + self.seed * 104_729
            self.layouts[country] = (
                pattern,
                width,
                10**width,
                _coprime(7_654_321 + 2 * self.seed),
                _coprime(3_141_593 + 2 * self.seed),
                offset,
            )
        return self.layouts[country]

    def issue(self, country: str) -> str:
        spec = COUNTRIES[country]
        n = self.counters.get(country, 0)
        self.counters[country] = n + 1
        pattern, width, space, first, second, offset = self._layout(country)
        if 2 * n + self.slot >= space:
            raise OverflowError(f"passport space of {country} exhausted")
        # affine map, digit reversal, affine map: each step is a permutation of 0..space-1, and
        # the composition hides the sequence (consecutive n no longer give evenly spaced numbers)
        value = ((2 * n + self.slot) * first + offset) % space
        value = int(str(value).zfill(width)[::-1])
        value = (value * second + offset // 3) % space
        digits = str(value).zfill(width)
        # letters and letter-for-digit swaps come from a cheap hash of (n, value): seeding a
        # Random per passport would cost more than everything else here
        mix = ((n + 1) * 2_654_435_761 + value * 40_503 + self.seed) & 0xFFFFFFFFFFFF
        chars = []
        position = 0
        for ch in pattern:
            mix = (mix * 6_364_136_223_846_793_005 + 1_442_695_040_888_963_407) & 0xFFFFFFFFFFFFFFFF
            roll = mix >> 40
            if ch == "L":
                pool = (
                    spec.passport_prefix if (spec.passport_prefix and not chars) else string.ascii_uppercase
                )
                chars.append(pool[roll % len(pool)])
            else:
                d = digits[position]
                position += 1
                # alphanumeric: some digits become letters, one letter per digit (stays unique)
                chars.append("CFGHJKLMNP"[int(d)] if ch == "A" and roll % 10 < 3 else d)
        return "".join(chars)


def _coprime(odd: int) -> int:
    """An odd number not divisible by 5: invertible modulo any power of ten."""
    odd |= 1
    return odd + 2 if odd % 5 == 0 else odd
