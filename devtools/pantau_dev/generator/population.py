"""Build the synthetic world of one province: a clean background plus planted findings.

The background is designed to be clean with respect to every finding rule in docs/contracts.md
("Finding rules"): permits renew before they lapse or people leave, lodging happens while a permit
is valid, workers have both RPTKA and a work ITAS, every ITAS holder gets an SKTT within 14 days,
and nobody's permit expires within 30 days of the reference date unless planted. Planted cases
break exactly one rule each.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from functools import cache
from typing import ClassVar

from pantau_dev.generator import reference as ref
from pantau_dev.generator.model import (
    CommunityReport,
    Employer,
    Permit,
    Person,
    PoliceRecord,
    ResearchNotice,
    Sktt,
    Stay,
    Tka,
    World,
)
from pantau_dev.generator.people import PassportIssuer, faker_for, person_name

R = ref.REFERENCE_DATE
START = ref.DATA_START
DAY = timedelta(days=1)

# Planted scenarios per province: the regions and nationalities each planted case uses.
PLANTS = {
    "36": {
        "overstay": [
            ("visit", "CHN", "36.71"),
            ("visit", "SAU", "36.01"),
            ("remote", "RUS", "36.74"),
            ("visit", "MYS", "36.04"),
            ("investor", "KOR", "36.72"),
        ],
        "tka_tanpa_itas": [("CHN", "36.04"), ("CHN", "36.72"), ("IND", "36.03")],
        "itas_tanpa_rptka": [("CHN", "36.03"), ("VNM", "36.04")],
        "sktt": [("family", "AUS", "36.74"), ("investor", "KOR", "36.71"), ("remote", "USA", "36.74")],
        "lokasi": [("CHN", "36.04", "36.74"), ("KOR", "36.72", "36.71")],
        "segera": [
            ("family", "NLD", "36.74"),
            ("itap", "JPN", "36.71"),
            ("investor", "TWN", "36.03"),
            ("worker", "KOR", "36.72"),
        ],
        "peneliti_permit": ("JPN", "36.02"),
        "peneliti_lodging": ("NLD", "36.01"),
        "burst": ("36.04", "CHN"),
        "laporan": [
            (
                "36.02",
                "CHN",
                "Cilograng",
                20,
                "Kepala Desa",
                "Sekitar 20 orang WNA diduga bekerja di lokasi tambang emas rakyat",
            ),
            (
                "36.01",
                "IND",
                "Panimbang",
                6,
                "Tokoh masyarakat",
                "WNA menawarkan pinjaman dan barang dagangan keliling dari rumah ke rumah",
            ),
        ],
    },
    "62": {
        "overstay": [
            ("visit", "MYS", "62.71"),
            ("visit", "CHN", "62.02"),
            ("family", "AUS", "62.01"),
            ("visit", "SGP", "62.71"),
            ("investor", "CHN", "62.05"),
        ],
        "tka_tanpa_itas": [("CHN", "62.12"), ("CHN", "62.05"), ("MYS", "62.02")],
        "itas_tanpa_rptka": [("CHN", "62.13"), ("MYS", "62.07")],
        "sktt": [("family", "MYS", "62.71"), ("investor", "SGP", "62.02"), ("family", "GBR", "62.01")],
        "lokasi": [("CHN", "62.02", "62.71"), ("MYS", "62.07", "62.01")],
        "segera": [
            ("family", "MYS", "62.71"),
            ("itap", "CHN", "62.02"),
            ("investor", "MYS", "62.01"),
            ("worker", "CHN", "62.11"),
        ],
        "peneliti_permit": ("GBR", "62.01"),
        "peneliti_lodging": ("NLD", "62.11"),
        "burst": ("62.12", "CHN"),
        "laporan": [
            (
                "62.10",
                "CHN",
                "Tewah",
                15,
                "Tokoh masyarakat",
                "Belasan WNA diduga terlibat penambangan emas tanpa izin di sepanjang sungai",
            ),
            (
                "62.08",
                "VNM",
                "Jelai",
                8,
                "Camat",
                "Kapal berawak WNA terlihat bersandar dan awaknya turun ke desa",
            ),
        ],
    },
}


@cache
def _id_pool(kind: str, seed: int) -> tuple[str, ...]:
    if kind == "street":
        fake = faker_for("address", "id_ID", seed)
        return tuple(sorted({fake.street_name() for _ in range(300)}))
    fake = faker_for("person", "id_ID", seed)
    return tuple(sorted({fake.name() for _ in range(300)}))


def _days(a: date, b: date) -> int:
    return (b - a).days


class WorldBuilder:
    def __init__(self, province: str, seed: int, scale: float) -> None:
        if province not in ref.REGIONS:
            raise ValueError(f"unknown province {province!r}; expected one of {sorted(ref.REGIONS)}")
        self.province = province
        self.seed = seed
        self.scale = scale
        self.rng = random.Random(f"pantau-generator/{province}/{seed}")
        self.passports = PassportIssuer(province, seed)
        self.people: list[Person] = []
        self.counters: dict[str, int] = {}
        self.plan = PLANTS[province]
        self.excluded = {(r, c) for r, c, *_ in self.plan["laporan"]}
        self.employers = self._employers()
        self.hotels = self._hotels()
        self.anonymous_police: list[tuple[PoliceRecord, str | None]] = []

    # ----- small helpers -------------------------------------------------------------------
    def pick(self, weights: dict[str, float]) -> str:
        keys = list(weights)
        return self.rng.choices(keys, weights=[weights[k] for k in keys])[0]

    def day_between(self, lo: date, hi: date) -> date:
        return lo + timedelta(days=self.rng.randint(0, max(0, _days(lo, hi))))

    def seq(self, kind: str) -> int:
        self.counters[kind] = self.counters.get(kind, 0) + 1
        return self.counters[kind]

    def region_for(self, key: str, country: str) -> str:
        weights = ref.REGION_WEIGHTS[(self.province, key)]
        for _ in range(100):
            code = self.pick(weights)
            if (code, country) not in self.excluded:
                return code
        raise RuntimeError(f"no region for {country} in {key}")

    def hotel(self, region: str) -> str:
        return self.rng.choice(self.hotels[region])

    def _hotels(self) -> dict[str, tuple[str, ...]]:
        pools = {}
        for reg in ref.REGIONS[self.province]:
            names = {style.format(p=place) for style in ref.HOTEL_STYLES for place in reg.places}
            pools[reg.code] = tuple(self.rng.sample(sorted(names), 3 + 2 * len(reg.places)))
        return pools

    def address(self, region: str) -> str:
        street = self.rng.choice(_id_pool("street", self.seed))
        place = self.rng.choice(ref.region(region).places)
        return f"{street} No. {self.rng.randint(1, 250)}, Kec. {place}"

    def _employers(self) -> list[Employer]:
        employers = []
        for word, kbli, sector, regions in ref.EMPLOYER_TEMPLATES[self.province]:
            for code in regions:
                for _ in range(self.rng.randint(2, 4)):
                    a, b = self.rng.sample(ref.COMPANY_WORDS, 2)
                    name = f"PT {a} {word} {b}"
                    prefix = f"{self.rng.randint(100, 999)}/PPTKA"
                    employers.append(Employer(name, kbli, sector, code, prefix))
        return employers

    def employer_in(self, region: str) -> Employer:
        local = [e for e in self.employers if e.region == region]
        return self.rng.choice(local or self.employers)

    # ----- people ----------------------------------------------------------------------------
    def new_person(self, role: str, country: str | None = None, region: str | None = None) -> Person:
        country = country or self.pick(ref.NATIONALITY_WEIGHTS[(self.province, role)])
        if region is None:
            key = {"worker": "worker", "research": "research", "visit": "tourist"}.get(role, "resident")
            region = self.region_for(key, country)
        sex = "L" if self.rng.random() < (0.85 if role in ("worker", "investor") else 0.55) else "P"
        low, high = {"worker": (23, 60), "investor": (30, 70), "itap": (30, 80), "research": (25, 62)}.get(
            role, (20, 72)
        )
        birth = date(2025 - self.rng.randint(low, high), 1, 1) + timedelta(days=self.rng.randrange(365))
        person = Person(
            pid=len(self.people) + 1,
            role=role,
            country=country,
            passport=self.passports.issue(country),
            name=person_name(self.rng, country, sex, self.seed),
            sex=sex,
            birth=birth,
            region=region,
        )
        if role in ("worker", "investor"):
            person.employer = self.employer_in(region)
        self.people.append(person)
        return person

    def permit_number(self, jenis: str, region: str, terbit: date) -> str:
        office = ref.immigration_office(region).split()[-1][:3].upper()
        n = self.seq("permit")
        letters = "".join(self.rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(2))
        code = {"ITK": "1", "ITAS": "2", "ITAP": "3"}[jenis]
        return f"{code}{letters}{office}{terbit:%y}{n:06d}"

    def index_for(self, role: str, terbit: date) -> tuple[str, str]:
        old = terbit < date(2024, 1, 1) and self.rng.random() < 0.7
        match role:
            case "worker":
                return "ITAS", "C312" if old else "E23"
            case "investor":
                return "ITAS", self.rng.choice(("C313", "C314")) if old else "E28A"
            case "family":
                return "ITAS", "E31A"
            case "remote":
                return "ITAS", "E33G"
            case "research":
                return "ITAS", "E29"
            case "itap":
                return "ITAP", ""
            case _:
                return "ITK", "B211A"

    def sponsor(self, person: Person) -> str:
        match person.role:
            case "worker" | "investor":
                return person.employer.name if person.employer else ""
            case "family" | "itap":
                return self.rng.choice(_id_pool("name", self.seed)).upper()
            case "research":
                return "Badan Riset dan Inovasi Nasional"
            case "visit":
                return self.rng.choice(("", "", f"PT {self.rng.choice(ref.COMPANY_WORDS)} Tour & Travel"))
            case _:
                return ""

    def add_permit(
        self,
        person: Person,
        terbit: date,
        berakhir: date,
        *,
        role: str | None = None,
        region: str | None = None,
    ) -> Permit:
        jenis, indeks = self.index_for(role or person.role, terbit)
        region = region or person.region
        permit = Permit(
            no_izin=self.permit_number(jenis, region, terbit),
            jenis=jenis,
            indeks=indeks,
            terbit=terbit,
            berakhir=berakhir,
            region=region,
            penjamin=self.sponsor(person),
            alamat=self.address(region),
        )
        person.permits.append(permit)
        return permit

    DURATIONS: ClassVar[dict[str, tuple[int, ...]]] = {
        "worker": (365, 365, 182),
        "investor": (730, 365),
        "family": (365, 730),
        "remote": (365,),
        "research": (365, 182),
        "itap": (1825,),
        "visit": (60,),
    }

    def background_chain(self, person: Person) -> bool:
        """Permits from arrival until the person leaves or the data ends; False if none in 2025."""
        role = person.role
        p_stock = {
            "worker": 0.65,
            "investor": 0.7,
            "family": 0.75,
            "remote": 0.3,
            "research": 0.3,
            "itap": 0.95,
            "visit": 0.0,
        }[role]
        stock_from = {"itap": date(2019, 1, 1), "remote": date(2024, 4, 1)}.get(role, date(2022, 1, 1))
        p_continue = {"visit": 0.4, "worker": 0.88, "itap": 0.97}.get(role, 0.9)
        durations = self.DURATIONS[role]
        if self.rng.random() < p_stock:
            terbit = self.day_between(stock_from, START - DAY)
        else:
            terbit = self.day_between(START, R - DAY)
        spans: list[tuple[date, date]] = []
        while True:
            berakhir = terbit + timedelta(days=self.rng.choice(durations) - 1)
            spans.append((terbit, berakhir))
            if role == "visit" and len(spans) == 2:
                break  # one extension at most
            if berakhir < R and self.rng.random() > p_continue:
                break  # leaves Indonesia when this permit ends
            following = berakhir - timedelta(days=self.rng.randint(3, 35))
            if following > R:
                break  # the renewal lies beyond the data
            terbit = max(following, terbit + DAY)
        last_end = spans[-1][1]
        if role != "visit" and R <= last_end <= R + timedelta(days=30):
            # would expire within 30 days: the background renews in time (IZIN_SEGERA_BERAKHIR is planted)
            renewal = min(
                last_end - timedelta(days=self.rng.randint(20, 35)),
                R - timedelta(days=self.rng.randint(0, 3)),
            )
            spans.append((renewal, renewal + timedelta(days=durations[0] - 1)))
        spans = [s for s in spans if s[1] >= START]
        if not spans:
            return False
        region = person.region
        for terbit, berakhir in spans:
            if person.role in ("family", "itap", "remote") and self.rng.random() < 0.05:
                region = self.region_for("resident", person.country)  # moved house on renewal
            self.add_permit(person, terbit, berakhir, region=region)
        return True

    def add_sktt(self, person: Person, permit: Permit, delay: int | None = None) -> None:
        issued = permit.terbit + timedelta(days=delay if delay is not None else self.rng.randint(1, 13))
        if issued > R:
            return
        number = f"SKTT-{permit.region.replace('.', '')}-{issued:%Y}-{self.seq('sktt'):05d}"
        person.sktt.append(Sktt(number, permit.no_izin, permit.region, issued, permit.berakhir))

    def add_tka(
        self, person: Person, mulai: date, selesai: date, region: str | None = None, status: str | None = None
    ) -> None:
        employer = person.employer or self.employer_in(region or person.region)
        person.employer = employer
        sector_titles = ref.JOB_TITLES[employer.sector]
        number = f"{employer.rptka_prefix}/{mulai:%Y}/{self.seq('rptka'):05d}"
        person.tka.append(
            Tka(
                no_rptka=number,
                employer=employer,
                jabatan=self.rng.choice(sector_titles),
                region=region or employer.region,
                mulai=mulai,
                selesai=selesai,
                status=status or ("BARU" if not person.tka else "PERPANJANGAN"),
            )
        )

    def add_research_notice(self, person: Person, mulai: date, selesai: date) -> ResearchNotice:
        regions = [person.region]
        others = [r for r in ref.REGION_WEIGHTS[(self.province, "research")] if r != person.region]
        if others and self.rng.random() < 0.4:
            regions.append(self.rng.choice(others))
        notice = ResearchNotice(
            no_surat=f"070/{self.seq('surat'):04d}/Kesbangpol/{mulai:%Y}",
            institusi=self.rng.choice(ref.RESEARCH_INSTITUTIONS),
            judul=self.rng.choice(ref.RESEARCH_TOPICS),
            regions=tuple(regions),
            mulai=mulai,
            selesai=selesai,
            no_izin_brin=f"{self.rng.randint(100, 999)}/SIP/IV/FR/{mulai:%m}/{mulai:%Y}",
        )
        person.research.append(notice)
        return notice

    def add_stay(
        self,
        person: Person,
        checkin: date,
        region: str,
        purpose: str | None = None,
        nights: int | None = None,
    ) -> Stay:
        nights = nights if nights is not None else self.rng.randint(1, 6)
        checkout: date | None = checkin + timedelta(days=nights)
        if checkout > R or self.rng.random() < 0.03:
            checkout = None  # still in the hotel at the cut-off (or the field was left empty)
        permit = next((p for p in reversed(person.permits) if p.valid_on(checkin)), None)
        indeks = permit.indeks if permit and self.rng.random() < 0.8 else ""
        stay = Stay(checkin, checkout, region, self.hotel(region), purpose or self.purpose(person), indeks)
        person.stays.append(stay)
        return stay

    def purpose(self, person: Person) -> str:
        options = {
            "worker": ("BEKERJA", "BEKERJA", "BISNIS"),
            "investor": ("BISNIS", "BISNIS", "BEKERJA"),
            "family": ("KELUARGA", "WISATA"),
            "remote": ("WISATA", "LAINNYA", "BEKERJA"),
            "research": ("PENELITIAN",),
            "itap": ("KELUARGA", "WISATA", "LAINNYA"),
            "visit": ("WISATA", "WISATA", "BISNIS", "KELUARGA"),
        }[person.role]
        return self.rng.choice(options)

    def add_police(
        self,
        person: Person | None,
        day: date,
        jenis: str,
        region: str,
        uraian: str,
        country: str | None = None,
    ) -> PoliceRecord:
        record = PoliceRecord(
            no_laporan=f"LP/{self.seq('polri'):04d}/{day:%m}/{day:%Y}/Intelkam",
            day=day,
            jenis=jenis,
            region=region,
            uraian=uraian,
            with_passport=person is not None,
        )
        if person is None:
            self.anonymous_police.append((record, country))
        else:
            person.police.append(record)
        return record

    # ----- background ------------------------------------------------------------------------
    def background(self) -> None:
        for role, size in ref.POPULATION[self.province].items():
            for _ in range(max(1, round(size * self.scale))):
                person = self.new_person(role)
                if not self.background_chain(person):
                    self.people.pop()
                    continue
                self.background_records(person)
        self.background_police()

    def background_records(self, person: Person) -> None:
        for permit in person.permits:
            if permit.jenis == "ITAS":
                self.add_sktt(person, permit)
            if person.role == "worker":
                self.add_tka(person, permit.terbit, permit.berakhir)
        if person.role == "research":
            self.add_research_notice(person, person.permits[0].terbit, person.latest_expiry())
        lo = max(START, person.permits[0].terbit)
        hi = min(R, person.latest_expiry())
        if lo > hi:
            return
        count = self.rng.choice(
            {
                "worker": (0, 0, 0, 1, 1, 2, 3),
                "investor": (0, 1, 1, 2, 3),
                "family": (0, 0, 1, 2),
                "remote": (0, 1, 2, 3, 4),
                "research": (1, 2, 3),
                "itap": (0, 0, 1),
                "visit": (1, 1, 2, 3),
            }[person.role]
        )
        for _ in range(count):
            checkin = self.day_between(lo, hi)
            if person.role == "worker":
                region = person.tka[-1].region  # workers lodge where they work (LOKASI_BERBEDA is planted)
            elif person.role == "research":
                region = self.rng.choice(person.research[-1].regions)
            else:
                region = self.region_for("tourist", person.country)
            stay = self.add_stay(person, checkin, region)
            if stay.checkout and stay.checkout > person.latest_expiry():
                stay.checkout = person.latest_expiry()
        if person.role in ("worker", "investor", "family", "itap", "remote") and self.rng.random() < 0.3:
            permit = person.permits[0]
            day = permit.terbit + timedelta(days=self.rng.randint(3, 40))
            if START <= day <= min(R, permit.berakhir):
                self.add_police(person, day, "STM", permit.region, "Penerbitan Surat Tanda Melapor (STM)")

    def background_police(self) -> None:
        texts = {
            "KRIMINAL": (
                "Laporan kehilangan barang di penginapan",
                "Penipuan transaksi jual beli",
                "Pencurian kendaraan milik WNA",
            ),
            "GANGGUAN_KETERTIBAN": ("Keributan di tempat hiburan malam", "Perselisihan dengan warga sekitar"),
            "LAINNYA": ("Kecelakaan lalu lintas ringan melibatkan WNA", "Pendampingan WNA sakit di RSUD"),
        }
        count = max(3, round(40 * self.scale * (1 if self.province == "36" else 0.3)))
        residents = [p for p in self.people if p.role != "visit"]
        for _ in range(count):
            jenis = self.rng.choice(list(texts))
            uraian = self.rng.choice(texts[jenis])
            person = self.rng.choice(residents)
            valid = [p for p in person.permits if p.berakhir >= START and p.terbit <= R]
            permit = self.rng.choice(valid)
            day = self.day_between(max(START, permit.terbit), min(R, permit.berakhir))
            region = person.tka[-1].region if person.tka else permit.region
            if self.rng.random() < 0.5:
                self.add_police(person, day, jenis, region, uraian)
            else:  # no passport in the report: only a nationality (sometimes not even that)
                country = person.country if self.rng.random() < 0.8 else None
                self.add_police(None, day, jenis, region, uraian, country)

    def near_misses(self) -> None:
        """Records that sit right at a rule's threshold and must NOT become findings."""
        region = self.region_for("tourist", "AUS")
        visitor = self.new_person("visit", "AUS", region)
        visitor.note = "near miss: checks in on the last day of the permit (not after it)"
        terbit = R - timedelta(days=80)
        self.add_permit(visitor, terbit, terbit + timedelta(days=59))
        self.add_stay(visitor, terbit + timedelta(days=59), region, "WISATA", nights=0).checkout = None

        newcomer = self.new_person("family", "GBR", self.region_for("resident", "GBR"))
        newcomer.note = "near miss: ITAS issued 10 days before the reference date, SKTT not yet due"
        self.add_permit(newcomer, R - timedelta(days=10), R + timedelta(days=354))

        long_permit = self.new_person("investor", "SGP")
        long_permit.note = "near miss: permit expires 31 days after the reference date"
        permit = self.add_permit(long_permit, R - timedelta(days=334), R + timedelta(days=31))
        self.add_sktt(long_permit, permit, 5)

        worker = self.new_person("worker", "JPN")
        worker.note = "near miss: lodged 3 times away from work, but more than 90 days ago"
        permit = self.add_permit(worker, date(2025, 2, 3), date(2026, 2, 2))
        self.add_sktt(worker, permit, 4)
        self.add_tka(worker, permit.terbit, permit.berakhir)
        away = next(r.code for r in ref.REGIONS[self.province] if r.code != worker.tka[-1].region)
        for offset in (120, 110, 95):
            self.add_stay(worker, R - timedelta(days=offset), away, "BISNIS", nights=2)
        self.add_stay(worker, R - timedelta(days=20), away, "BISNIS", nights=2)  # 1 recent: under 3

    # ----- planted findings ------------------------------------------------------------------
    def planted(self) -> None:
        plan = self.plan
        for i, (role, country, region) in enumerate(plan["overstay"]):
            self.plant_overstay(i, role, country, region)
        for i, (country, region) in enumerate(plan["tka_tanpa_itas"]):
            self.plant_tka_without_itas(i, country, region)
        for country, region in plan["itas_tanpa_rptka"]:
            person = self.new_person("worker", country, region)
            permit = self.add_permit(person, R - timedelta(days=150), R + timedelta(days=214))
            self.add_sktt(person, permit, 6)
            person.employer = None
            person.planted.append(("ITAS_KERJA_TANPA_RPTKA", region))
            person.note = "work ITAS valid on the reference date, no RPTKA record at Disnaker"
        for i, (role, country, region) in enumerate(plan["sktt"]):
            person = self.new_person(role, country, region)
            terbit = R - timedelta(days=(20, 45, 110)[i % 3])
            self.add_permit(person, terbit, terbit + timedelta(days=364))
            person.planted.append(("SKTT_TERLAMBAT", region))
            person.note = f"ITAS issued {(R - terbit).days} days before the reference date, no SKTT"
        for country, work_region, seen_region in plan["lokasi"]:
            person = self.new_person("worker", country, work_region)
            person.employer = self.employer_in(work_region)
            permit = self.add_permit(person, date(2025, 3, 10), date(2026, 3, 9))
            self.add_sktt(person, permit, 7)
            self.add_tka(person, permit.terbit, permit.berakhir, region=work_region)
            for offset in (80, 52, 30, 9):
                self.add_stay(person, R - timedelta(days=offset), seen_region, "BEKERJA", nights=3)
            person.planted.append(("LOKASI_BERBEDA", work_region))
            person.note = f"works in {work_region}, lodged 4 times in {seen_region} in the last 90 days"
        for i, (role, country, region) in enumerate(plan["segera"]):
            person = self.new_person(role, country, region)
            berakhir = R + timedelta(days=(5, 14, 23, 30)[i % 4])
            days = 1825 if role == "itap" else 365
            permit = self.add_permit(person, berakhir - timedelta(days=days - 1), berakhir)
            if permit.jenis == "ITAS":
                self.add_sktt(person, permit, 9)
            if role == "worker":
                self.add_tka(person, permit.terbit, permit.berakhir, region=region)
            person.planted.append(("IZIN_SEGERA_BERAKHIR", region))
            person.note = f"{permit.jenis} expires {(berakhir - R).days} days after the reference date"
        country, region = plan["peneliti_permit"]
        person = self.new_person("research", country, region)
        permit = self.add_permit(person, R - timedelta(days=70), R + timedelta(days=294))
        self.add_sktt(person, permit, 3)
        self.add_stay(person, R - timedelta(days=40), region, "PENELITIAN", nights=5)
        person.planted.append(("PENELITI_TANPA_PEMBERITAHUAN", region))
        person.note = "E29 research ITAS valid on the reference date, no research notification"
        country, region = plan["peneliti_lodging"]
        person = self.new_person("tourist", country, region)
        self.add_stay(person, R - timedelta(days=33), region, "PENELITIAN", nights=6)
        self.add_stay(person, R - timedelta(days=12), region, "PENELITIAN", nights=4)
        person.planted.append(("PENELITI_TANPA_PEMBERITAHUAN", region))
        person.note = "lodging with purpose PENELITIAN, no stay permit, no research notification"

    def plant_overstay(self, i: int, role: str, country: str, region: str) -> None:
        person = self.new_person(role, country, region)
        if role == "visit":
            first = R - timedelta(days=150 + 20 * i)
            self.add_permit(person, first, first + timedelta(days=59))
            if i % 2:
                self.add_permit(person, first + timedelta(days=50), first + timedelta(days=109))
        else:
            first = R - timedelta(days=420)
            permit = self.add_permit(person, first, first + timedelta(days=364))
            self.add_sktt(person, permit, 8)
        expiry = person.latest_expiry()
        self.add_stay(person, max(START, person.permits[0].terbit) + timedelta(days=3), region)  # legal stay
        after = [expiry + timedelta(days=d) for d in (12, 26)[: 1 + i % 2]]
        for day in after:
            self.add_stay(person, day, region, "WISATA")
        latest_region = region
        if role != "visit":
            # caught later by the police somewhere else: the finding belongs to the latest sighting
            latest_region = next(
                r.code
                for r in ref.REGIONS[self.province]
                if r.code != region and (r.code, country) not in self.excluded
            )
            self.add_police(
                person,
                expiry + timedelta(days=40),
                "PELANGGARAN_KEIMIGRASIAN",
                latest_region,
                "WNA tidak dapat menunjukkan izin tinggal yang berlaku saat pemeriksaan",
            )
        person.planted.append(("OVERSTAY", latest_region))
        person.note = f"permit expired {expiry:%Y-%m-%d}; lodging (and police) reports after that"

    def plant_tka_without_itas(self, i: int, country: str, region: str) -> None:
        person = self.new_person("worker", country, region)
        person.employer = self.employer_in(region)
        mulai = R - timedelta(days=200)
        if i % 3 == 0:
            note = "RPTKA active on the reference date, no stay permit at all"
        elif i % 3 == 1:
            permit = self.add_permit(person, mulai, R - timedelta(days=40))
            self.add_sktt(person, permit, 5)
            note = "RPTKA active on the reference date, work ITAS expired 40 days before it"
        else:
            self.add_permit(person, R - timedelta(days=30), R + timedelta(days=29), role="visit")
            note = "RPTKA active on the reference date, holds only a visit permit (ITK)"
        self.add_tka(person, mulai, R + timedelta(days=165), region=region)
        person.planted.append(("TKA_TANPA_ITAS", region))
        person.note = note

    # ----- community reports -----------------------------------------------------------------
    def community_reports(self) -> tuple[list[CommunityReport], list[dict]]:
        roles = ("Tokoh masyarakat", "Camat", "Lurah", "Kepala Desa", "Ketua RT")
        activities = (
            "WNA terlihat tinggal di rumah kontrakan warga",
            "WNA bekerja di lokasi proyek",
            "Beberapa WNA menginap di penginapan dekat pabrik",
            "WNA sering terlihat di pasar",
            "WNA mengikuti kegiatan keagamaan di desa",
            "Rombongan WNA berkunjung ke objek wisata",
        )
        by_region: dict[str, list[tuple[Person, Permit]]] = {}
        for person in self.people:
            for permit in person.permits:
                if not permit.ambiguous:
                    by_region.setdefault(permit.region, []).append((person, permit))
        reports = []
        count = max(6, round((30 if self.province == "36" else 18) * self.scale**0.5))
        weights = ref.REGION_WEIGHTS[(self.province, "resident")]
        while len(reports) < count:
            region = self.pick(weights)
            day = self.day_between(START, R)
            candidates = [(p, pm) for p, pm in by_region.get(region, []) if pm.valid_on(day)]
            if not candidates:
                continue
            person, _ = self.rng.choice(candidates)
            country = person.country if self.rng.random() < 0.7 else None
            reports.append(
                self.report(
                    day,
                    region,
                    country,
                    self.rng.randint(1, 8),
                    self.rng.choice(roles),
                    self.rng.choice(activities),
                )
            )
        findings = []
        for region, country, kecamatan, estimate, role, activity in self.plan["laporan"]:
            day = R - timedelta(days=self.rng.randint(5, 25))
            reports.append(self.report(day, region, country, estimate, role, activity, kecamatan))
            findings.append(
                {
                    "finding_code": "LAPORAN_MASYARAKAT_TIDAK_COCOK",
                    "region_code": region,
                    "passport_norm": None,
                    "country_code": country,
                    "period_start": (day - timedelta(days=30)).isoformat(),
                    "period_end": day.isoformat(),
                    "note": f"community report of {estimate} {country} nationals; no agency record there",
                }
            )
        reports.sort(key=lambda r: (r.day, r.at))
        return reports, findings

    def report(
        self,
        day: date,
        region: str,
        country: str | None,
        estimate: int,
        role: str,
        activity: str,
        kecamatan: str | None = None,
    ) -> CommunityReport:
        hour, minute, second = self.rng.randint(7, 21), self.rng.randint(0, 59), self.rng.randint(0, 59)
        at = f"{day:%d/%m/%Y} {hour:02d}:{minute:02d}:{second:02d}"
        return CommunityReport(
            at,
            day,
            role,
            region,
            kecamatan or self.rng.choice(ref.region(region).places),
            estimate,
            country,
            activity,
        )

    def mark_ambiguous(self) -> None:
        """A few permits written with a bare ambiguous name ("Serang"): unresolved, never guessed."""
        ambiguous = ref.AMBIGUOUS_NAMES[self.province]
        candidates = [
            permit
            for person in self.people
            if not person.planted and not person.note
            for permit in person.permits
            if permit.region in ambiguous
        ]
        for permit in self.rng.sample(
            candidates, min(len(candidates), max(3, round(len(candidates) * 0.004)))
        ):
            permit.ambiguous = True

    def build(self) -> World:
        self.background()
        self.near_misses()
        self.planted()
        self.mark_ambiguous()
        reports, region_findings = self.community_reports()
        return World(
            province=self.province,
            seed=self.seed,
            scale=self.scale,
            people=self.people,
            reports=reports,
            region_findings=region_findings,
            excluded_pairs=self.excluded,
            burst=tuple(self.plan["burst"]),
            anonymous_police=self.anonymous_police,
            employers=self.employers,
            hotels=self.hotels,
            passports=self.passports,
        )


def build_world(province: str, seed: int = 1, scale: float = 1.0) -> World:
    return WorldBuilder(province, seed, scale).build()
