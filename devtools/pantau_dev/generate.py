"""`pantau generate`: synthetic agency files for a landing zone, plus the ground truth they imply.

The heavy lifting lives in `pantau_dev.generator`; this module is the stable entry point the command
line calls.
"""

from __future__ import annotations

import json
from pathlib import Path

from pantau_dev.generator import reference as ref
from pantau_dev.generator.agencies import (
    write_disnaker_tka,
    write_dukcapil_sktt,
    write_kesbangpol_penelitian,
    write_masyarakat_laporan,
    write_polri_laporan,
)
from pantau_dev.generator.immigration import write_apoa, write_izin_tinggal
from pantau_dev.generator.population import build_world
from pantau_dev.generator.truth import assemble

PROVINCES = tuple(ref.REGIONS)
# The file name prefixes the generator writes, per feed (the province code follows the prefix).
FILE_PREFIXES = {
    "imigrasi_izin_tinggal": "izin_tinggal",
    "imigrasi_apoa": "apoa",
    "disnaker_tka": "tka",
    "dukcapil_sktt": "sktt",
    "polri_laporan": "polri",
    "kesbangpol_penelitian": "penelitian",
    "masyarakat_laporan": "laporan_masyarakat",
}


def _remove_previous_output(out: Path, province: str) -> None:
    """A rerun into the same landing zone replaces this province's generated files; files of other
    provinces, and anything the generator did not name, are left alone."""
    for feed_name, prefix in FILE_PREFIXES.items():
        folder = out / feed_name
        if folder.is_dir():
            for path in folder.glob(f"{prefix}_{province}_*"):
                path.unlink()


def default_truth_path(province: str, out: Path) -> Path:
    """Beside the landing zone, never inside it (the loader would try to ingest it)."""
    return Path(out).resolve().parent / f"ground_truth_{province}.json"


def generate(
    province: str, out: Path, *, seed: int = 1, scale: float = 1.0, truth: Path | None = None
) -> dict:
    """Write every feed's files for `province` under `out/<feed>/` and return the ground truth.

    Deterministic: the same arguments give byte-identical files. File names carry the province
    code, so two provinces can share one landing zone.
    """
    province = str(province)
    if province not in PROVINCES:
        raise ValueError(f"unknown province {province!r}; choose one of {', '.join(PROVINCES)}")
    if scale <= 0:
        raise ValueError("scale must be positive")
    out = Path(out)
    world = build_world(province, seed, scale)
    _remove_previous_output(out, province)
    feeds = {"imigrasi_izin_tinggal": write_izin_tinggal(world, out)}
    feeds["imigrasi_apoa"], surge = write_apoa(world, out)
    feeds["disnaker_tka"] = write_disnaker_tka(world, out)
    feeds["dukcapil_sktt"] = write_dukcapil_sktt(world, out)
    feeds["polri_laporan"] = write_polri_laporan(world, out)
    feeds["kesbangpol_penelitian"] = write_kesbangpol_penelitian(world, out)
    feeds["masyarakat_laporan"] = write_masyarakat_laporan(world, out)
    result = assemble(world, feeds, [*world.region_findings, surge])
    path = Path(truth) if truth else default_truth_path(province, out)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return result
