"""Text files in the encodings agencies' computers write, built by hand (not by the generator).

Read correctly (UTF-8, UTF-16 with BOM, Windows-1252, Mac Roman) or quarantined with a reason that
names the encoding the file looks like; never loaded as garbled text without a word.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pantau.ingest.errors import FileRejected
from pantau.ingest.readers import open_file
from pantau.registry import feed

PERMITS = feed("imigrasi_izin_tinggal")
HEADER = "No Izin;Jenis Izin;Nama;Kewarganegaraan;No. Paspor;Tgl Terbit;Tgl Berakhir;Kab/Kota"


def permits(names: list[str], nationality: str = "Jerman") -> str:
    rows = [
        f"A{i};ITAS;{name};{nationality};C{i:07d};01/02/2025;01/02/2026;KAB. SERANG"
        for i, name in enumerate(names, start=1)
    ]
    return "\r\n".join([HEADER, *rows]) + "\r\n"


def names_read(path: Path) -> tuple[str | None, list[str]]:
    parsed = open_file(path, PERMITS)
    return parsed.encoding, [values[PERMITS.column_names.index("nama")] for _, values in parsed.rows]


WESTERN = ["José Müller", "François Lefèvre", "Søren Ågård", "Zoë Ångström", "Çelik Ñúñez"]
INDONESIAN = ["Siti Nurhaliza", "Budi “Bule” Santoso", "Dewi – Café Kopi", "Agus Salim"]


@pytest.mark.parametrize("names", [WESTERN, INDONESIAN, ["André"], ["MÜLLER", "JOSÉ"]])
def test_windows_1252_keeps_loading_as_before(tmp_path: Path, names: list[str]):
    path = tmp_path / "izin.csv"
    path.write_bytes(permits(names).encode("cp1252"))
    assert names_read(path) == ("cp1252", names)


FOUND_BY_HYPOTHESIS = [
    # only "François Lefèvre" beyond ASCII
    {
        "no_izin": "François Lefèvre",
        "kewarganegaraan": "François Lefèvre",
        "kabupaten_kota": "François Lefèvre",
    },
    # three accented letters in a row ("Ñúñez") beside single ones
    {
        "jenis_izin": "François Lefèvre",
        "no_paspor": "François Lefèvre",
        "no_izin": "Søren Ågård",
        "kantor_imigrasi": "Siti Nurhaliza",
        "tanggal_terbit": "Siti Nurhaliza",
        "alamat": "Ñúñez",
        "kewarganegaraan": "Ñúñez",
    },
]


@pytest.mark.parametrize("cells", FOUND_BY_HYPOTHESIS)
def test_accented_names_in_a_short_windows_1252_file_are_not_taken_for_korean(tmp_path: Path, cells):
    """Found by hypothesis (test_properties): one comma-separated row of Western names in
    Windows-1252; charset-normalizer called it johab (Korean)."""
    header = list(PERMITS.column_names)
    cells = {name: "Siti Nurhaliza" for name in PERMITS.required_columns} | cells  # the row loads
    row = [cells.get(name, "") for name in header]
    path = tmp_path / "izin.csv"
    path.write_bytes((",".join(header) + "\r\n" + ",".join(row) + "\r\n").encode("cp1252"))
    parsed = open_file(path, PERMITS)
    assert parsed.encoding == "cp1252"
    ((_, values),) = list(parsed.rows)
    read = dict(zip(PERMITS.column_names, values, strict=True))
    assert read == {name: cells.get(name) for name in header}


@pytest.mark.parametrize("names", [WESTERN, ["José Müller"], ["MÜLLER", "JOSÉ"], INDONESIAN])
def test_mac_roman_is_read_as_mac_roman(tmp_path: Path, names: list[str]):
    """Excel for Mac's "CSV (Macintosh)": é is 0x8E, which Windows-1252 would read as Ž."""
    path = tmp_path / "izin.csv"
    path.write_bytes(permits(names).encode("mac_roman"))
    assert names_read(path) == ("mac_roman", names)


@pytest.mark.parametrize(
    ("encoding", "names", "nationality", "suspected"),
    [
        ("big5", ["陳大文", "林美玲", "張志明"], "Taiwan", "big5"),
        ("gbk", ["王芳", "李伟", "张伟"], "RRT", None),  # short GBK samples pass for cp949 or Shift-JIS too
        ("shift_jis", ["山田太郎", "佐藤花子", "鈴木一郎"], "Jepang", "cp932"),
        ("euc_kr", ["김민준", "이서연"], "Korea Selatan", None),
        ("cp1251", ["Иван Петров", "Ольга Смирнова"], "Rusia", "cp1251"),
    ],
)
def test_non_latin_legacy_encodings_are_quarantined_naming_the_suspect(
    tmp_path: Path, encoding: str, names: list[str], nationality: str, suspected: str | None
):
    path = tmp_path / "izin.csv"
    path.write_bytes(permits(names, nationality).encode(encoding))
    with pytest.raises(FileRejected) as caught:
        open_file(path, PERMITS)
    problem = caught.value.problem
    assert problem.code == "PENYANDIAN_TIDAK_DIDUKUNG"
    assert "(suspected)" in problem.found and "UTF-8" in problem.message_en
    if suspected:
        assert problem.found.startswith(suspected)


def test_legacy_text_after_a_long_ascii_start_is_judged_where_it_appears(tmp_path: Path):
    path = tmp_path / "izin.csv"
    ascii_part = permits([f"Name {i}" for i in range(2000)]).encode()
    late = "A9999;ITAS;陳大文;Taiwan;C9;01/02/2025;01/02/2026;KAB. SERANG\r\n".encode("big5")
    path.write_bytes(ascii_part + late * 3)
    with pytest.raises(FileRejected) as caught:
        open_file(path, PERMITS)
    assert caught.value.problem.found.startswith("big5")
