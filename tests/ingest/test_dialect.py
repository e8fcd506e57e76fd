"""The CSV dialect is decided without the detector (clevercsv) only where its proposal could not
change the outcome: the dialect is the one the detector-always reading (before) picks, for any
text; and a plain file does not import the detector at all."""

from __future__ import annotations

import csv
import io
import sys

import pytest
from corpus.build import PERMIT_HEADER
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pantau.ingest import csv_reader
from pantau.ingest.header import HEADER_SEARCH_ROWS
from pantau.registry import feed

PERMITS = feed("imigrasi_izin_tinggal")


def detector_always(text: str, feed_) -> tuple[str, str]:
    """csv_reader._detect_dialect as it was before it could leave the detector out."""
    from clevercsv import Detector

    lines = text.replace("\x00", " ").splitlines()
    lines = lines[:-1] if len(lines) > 2 else lines
    sample = "\n".join(line[: csv_reader.DIALECT_LINE_CHARS] for line in lines[: csv_reader.DIALECT_LINES])
    detected = Detector().detect(sample, delimiters=csv_reader.DELIMITERS)
    candidates = []
    if detected and detected.delimiter in csv_reader.DELIMITERS:
        candidates.append(csv_reader._dialect(detected.delimiter, detected.quotechar or '"'))
    candidates += [csv_reader._dialect(d) for d in csv_reader.DELIMITERS]
    head = "\n".join(lines[:HEADER_SEARCH_ROWS])
    best = max(candidates, key=lambda dialect: csv_reader._header_score(head, dialect, feed_))
    return best.delimiter, best.quotechar


# Cells made of what moves a detector: every delimiter, every quote it knows, header titles.
CELL = st.one_of(
    st.text(st.sampled_from("ab Z09.-/,;|\t'\"~`"), max_size=8),
    st.sampled_from(PERMIT_HEADER),
)


@st.composite
def texts(draw) -> str:
    delimiter = draw(st.sampled_from(csv_reader.DELIMITERS))
    quotechar = draw(st.sampled_from(['"', "'", "~"]))
    quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONE]))
    header = draw(st.one_of(st.permutations(PERMIT_HEADER), st.lists(CELL, min_size=1, max_size=8)))
    rows = draw(st.lists(st.lists(CELL, min_size=1, max_size=8), max_size=6))
    title = draw(st.lists(st.text(st.sampled_from("AB ,;'"), max_size=6), max_size=2))
    buffer = io.StringIO()
    out = csv.writer(buffer, delimiter=delimiter, quotechar=quotechar, quoting=quoting, escapechar="\\")
    for line in title:
        buffer.write(line + "\n")
    for row in [header, *rows]:
        out.writerow(row if row != [""] else ["-"])  # the csv module cannot write one empty cell
    return buffer.getvalue()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts())
def test_the_dialect_is_the_one_the_detector_always_reading_picks(text):
    dialect = csv_reader._detect_dialect(text, PERMITS)
    assert (dialect.delimiter, dialect.quotechar) == detector_always(text, PERMITS)


class Refused:
    def __init__(self, *args, **kwargs):
        raise AssertionError("the detector was asked")


def test_a_plain_file_is_read_without_the_detector(monkeypatch):
    """A header one delimiter alone reads best, and no quote the detector could propose but '"'."""
    clevercsv = pytest.importorskip("clevercsv")
    monkeypatch.setattr(clevercsv, "Detector", Refused)
    text = ";".join(PERMIT_HEADER) + '\nA1;ITAS;"Budi, S.";Jepang\nA2;ITAS;Ani;Jepang\n'
    dialect = csv_reader._detect_dialect(text, PERMITS)
    assert (dialect.delimiter, dialect.quotechar) == (";", '"')


@pytest.mark.parametrize(
    "text",
    [
        ";".join(PERMIT_HEADER) + "\nA1;ITAS;Ma'ruf;Jepang\n",  # a quote it could propose
        "No Izin\nA1\n",  # every delimiter reads the one title: a tie
    ],
)
def test_the_detector_is_asked_when_it_could_change_the_outcome(monkeypatch, text):
    clevercsv = pytest.importorskip("clevercsv")
    monkeypatch.setattr(clevercsv, "Detector", Refused)
    with pytest.raises(AssertionError, match="the detector was asked"):
        csv_reader._detect_dialect(text, PERMITS)


def test_loading_a_plain_file_does_not_import_the_detector(tmp_path):
    """In a fresh process: the import costs 0.15-0.3 s before the first row."""
    import subprocess

    path = tmp_path / "izin.csv"
    path.write_text(";".join(PERMIT_HEADER) + "\nA1;ITAS;Budi;Jepang\n", encoding="utf-8")
    code = (
        "import sys; from pathlib import Path; from pantau.ingest.readers import open_file;"
        "from pantau.registry import feed;"
        "open_file(Path(sys.argv[1]), feed('imigrasi_izin_tinggal'));"
        "print('clevercsv' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
