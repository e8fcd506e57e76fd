"""raw.<feed>'s lineage defaults, which the CSV fast path's single COPY relies on: without the
loader's transaction-local settings nothing can be written; older databases are upgraded by the
bootstrap; a clean CSV reaches raw.<feed> through exactly one COPY into it, nothing else."""

from __future__ import annotations

import re

import psycopg
import pytest
from corpus.build import PERMIT_HEADER, line, permits_csv, permits_text
from corpus.cases import PERMITS
from psycopg import errors

from pantau import warehouse
from pantau.ingest.loader import load_file
from pantau.registry import feed

FEED = feed(PERMITS)
DEFAULTED = ("_batch_id", "_source_file", "_row_number")


def _defaults(conn: psycopg.Connection) -> dict[str, str | None]:
    rows = conn.execute(
        "select column_name, column_default from information_schema.columns "
        "where table_schema = 'raw' and table_name = %s and column_name = any(%s)",
        (PERMITS, list(DEFAULTED)),
    ).fetchall()
    return dict(rows)


def _land(root, name: str, content: bytes):
    path = root / PERMITS / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


def test_insert_without_the_loader_settings_fails(warehouse_db, tmp_path):
    """Never rows without a batch: in a fresh session, and in one whose earlier transaction set the
    settings (a custom setting then reads as '' rather than failing)."""
    with psycopg.connect(warehouse_db, autocommit=True) as conn:
        with pytest.raises(errors.UndefinedObject, match=r"pantau\.batch_id"):
            conn.execute(f"insert into raw.{PERMITS} (no_izin) values ('X1')")
        with conn.transaction():
            conn.execute("select set_config('pantau.batch_id', 'b1', true)")
            conn.execute("select set_config('pantau.source_file', 'f.csv', true)")
            conn.execute(f"insert into raw.{PERMITS} (no_izin) values ('X1')")
            rolled = conn.execute(f"select _batch_id, _source_file from raw.{PERMITS}").fetchall()
            conn.execute(f"delete from raw.{PERMITS}")
        assert rolled == [("b1", "f.csv")]
        with pytest.raises(errors.NotNullViolation, match="_batch_id"):
            conn.execute(f"insert into raw.{PERMITS} (no_izin) values ('X2')")

    # And after a real fast-path load on the same connection's server: nothing leaks past commit.
    outcome = load_file(FEED, _land(tmp_path, "izin.csv", permits_csv(["A1", "A2"])), landing=tmp_path)
    assert (outcome.status, outcome.notes["path"]) == ("loaded", "copy")
    with psycopg.connect(warehouse_db, autocommit=True) as conn:
        with pytest.raises(errors.UndefinedObject):
            conn.execute(f"insert into raw.{PERMITS} (no_izin) values ('X3')")
        assert conn.execute(f"select count(*) from raw.{PERMITS}").fetchone()[0] == 2


def test_bootstrap_upgrades_a_database_made_before_the_defaults(warehouse_db):
    with psycopg.connect(warehouse_db, autocommit=True) as conn:
        expected = _defaults(conn)
        assert all(expected.values()), expected
        conn.execute(
            f"alter table raw.{PERMITS} alter column _batch_id drop default, "
            "alter column _source_file drop default, alter column _row_number drop default"
        )
        conn.execute(f"drop sequence raw.{PERMITS}__row_seq")
        assert set(_defaults(conn).values()) == {None}
    warehouse.bootstrap(warehouse_db)
    warehouse.bootstrap(warehouse_db)  # and again: idempotent
    with psycopg.connect(warehouse_db, autocommit=True) as conn:
        assert _defaults(conn) == expected


def test_bootstrap_gives_an_older_row_sequence_its_cache(warehouse_db):
    """The fast path draws row numbers from a cache of the sequence (warehouse.RAW_ROW_SEQUENCE_CACHE);
    a sequence made by an older bootstrap, without one, gets it on the next bootstrap."""
    query = "select cache_size from pg_sequences where schemaname = 'raw' and sequencename = %s"
    with psycopg.connect(warehouse_db, autocommit=True) as conn:
        assert conn.execute(query, (f"{PERMITS}__row_seq",)).fetchone()[0] == warehouse.RAW_ROW_SEQUENCE_CACHE
        conn.execute(f"alter sequence raw.{PERMITS}__row_seq cache 1")
    warehouse.bootstrap(warehouse_db)
    with psycopg.connect(warehouse_db, autocommit=True) as conn:
        assert conn.execute(query, (f"{PERMITS}__row_seq",)).fetchone()[0] == warehouse.RAW_ROW_SEQUENCE_CACHE


def test_the_rule_pass_of_a_clean_csv_reads_the_required_check_index(warehouse_db, tmp_path, monkeypatch):
    """raw.<feed> indexes the rows a required-value rule may act on as they are written, so the
    rule pass of a file whose bytes show nothing else to ask for reads that index, not the batch;
    and bootstrap replaces an index made for other required columns."""
    asked: list[str] = []
    execute = psycopg.ServerCursor.execute

    def record(self, query, *args, **kwargs):
        asked.append(query.as_string(self.connection))
        return execute(self, query, *args, **kwargs)

    monkeypatch.setattr(psycopg.ServerCursor, "execute", record)
    content = permits_text([line("R1"), line("R2", kewarganegaraan=" "), line("R3")])
    outcome = load_file(FEED, _land(tmp_path, "izin.csv", content), landing=tmp_path)
    monkeypatch.undo()
    assert (outcome.status, outcome.rows, outcome.rejects, outcome.notes["path"]) == ("loaded", 2, 1, "copy")
    with psycopg.connect(warehouse_db, autocommit=True) as conn:
        conn.execute("set enable_seqscan = off")  # a table of two rows: cost alone would not say
        plan = str(conn.execute("explain (format json) " + asked[0]).fetchone()[0])
        query = "select indexname from pg_indexes where tablename = %s and indexname like %s"

        def indexes() -> list[str]:
            return [r[0] for r in conn.execute(query, (PERMITS, f"{PERMITS}__required_check_%"))]

        current = indexes()
        assert len(current) == 1 and current[0] in plan, plan
        conn.execute(
            f"create index {PERMITS}__required_check_0ld on raw.{PERMITS} (_batch_id) where no_izin is null"
        )
        warehouse.bootstrap(warehouse_db)
        assert indexes() == current


def test_a_clean_csv_is_one_copy_into_raw(warehouse_db, tmp_path, monkeypatch):
    """The statements the loader sends for a clean CSV, recorded on their way to the server: one
    COPY, into raw.<feed>; no stage table, no INSERT ... SELECT; rows numbered as the file shows
    them, even after a title block and with rows the rules drop in between."""
    sent: list[str] = []
    execute, copy = psycopg.Cursor.execute, psycopg.Cursor.copy

    def record_execute(self, query, *args, **kwargs):
        sent.append(query if isinstance(query, str) else query.as_string(self.connection))
        return execute(self, query, *args, **kwargs)

    def record_copy(self, statement, *args, **kwargs):
        sent.append(statement if isinstance(statement, str) else statement.as_string(self.connection))
        return copy(self, statement, *args, **kwargs)

    monkeypatch.setattr(psycopg.Cursor, "execute", record_execute)
    monkeypatch.setattr(psycopg.Cursor, "copy", record_copy)
    title = b"DATA IZIN TINGGAL\n\n"
    body = permits_text([line("C1"), line(""), ";".join(PERMIT_HEADER), line("C4")])
    outcome = load_file(FEED, _land(tmp_path, "izin.csv", title + body), landing=tmp_path)
    monkeypatch.undo()

    assert (outcome.status, outcome.rows, outcome.rejects, outcome.notes["path"]) == ("loaded", 2, 2, "copy")
    copies = [s for s in sent if s.lower().startswith("copy")]
    assert len(copies) == 2, copies  # the rows, and the two rejects
    assert copies[0].startswith(f'copy "raw"."{PERMITS}" (')
    assert copies[1].startswith(f'copy "raw"."{PERMITS}__rejects" (')
    assert not [s for s in sent if "temp" in s.lower() or re.search(r'insert\s+into\s+"?raw', s, re.I)]
    with psycopg.connect(warehouse_db) as conn:
        rows = conn.execute(
            f"select no_izin, _row_number, _batch_id, _source_file from raw.{PERMITS} order by 2"
        ).fetchall()
        rejects = conn.execute(
            f"select _row_number, error_code from raw.{PERMITS}__rejects order by 1"
        ).fetchall()
    # Row 3 is the header (after a title and a blank row), so data starts at row 4.
    assert rows == [
        ("C1", 4, outcome.batch_id, f"{PERMITS}/izin.csv"),
        ("C4", 7, outcome.batch_id, f"{PERMITS}/izin.csv"),
    ]
    assert rejects == [(5, "NILAI_WAJIB_KOSONG"), (6, "JUDUL_BERULANG")]


def test_the_loader_login_can_take_the_fast_path(warehouse_db, tmp_path):
    """The deployment loads as a pantau_loader login: it may position the feed's row sequence."""
    from pantau import roles

    user = f"pantau_test_ing_loader_{tmp_path.name[-8:]}".lower().replace("-", "_")
    with psycopg.connect(warehouse_db, autocommit=True) as conn:
        roles.create_login_user(conn, user, roles.LOADER)
    try:
        dsn = psycopg.conninfo.make_conninfo(warehouse_db, user=user)
        outcome = load_file(
            FEED, _land(tmp_path, "izin.csv", permits_csv(["L1", "L2", "L3"])), landing=tmp_path, dsn=dsn
        )
        assert (outcome.status, outcome.rows, outcome.notes["path"]) == ("loaded", 3, "copy")
    finally:
        with psycopg.connect(warehouse_db, autocommit=True) as conn:
            roles.drop_login_user(conn, user)


def test_the_loader_s_copy_alone_folds_the_lineage_settings(warehouse_db, tmp_path, monkeypatch):
    """The settings' defaults are planned as constants only while the switch is on, and the loader
    turns it on for its COPY and off right after: planned anywhere else they read the settings per
    row, so no cached plan keeps a batch (warehouse.RAW_LINEAGE_FOLD)."""
    switch = warehouse.RAW_LINEAGE_FOLD_SWITCH
    with psycopg.connect(warehouse_db) as conn:
        conn.execute(
            "select set_config('pantau.batch_id', 'B1', true), set_config('pantau.source_file', 'F1', true)"
        )
        planned = {}
        for state in ("on", "off"):
            conn.execute("select set_config(%s, %s, true)", (switch, state))
            plan = conn.execute(
                f"explain verbose insert into raw.{PERMITS} (no_izin) values ('X')"
            ).fetchall()
            planned[state] = " ".join(line for (line,) in plan if "Output:" in line)
        conn.rollback()
    assert "'B1'::text, 'F1'::text" in planned["on"] and "current_setting" not in planned["on"]
    assert "current_setting('pantau.batch_id'" in planned["off"] and "'B1'" not in planned["off"]

    sent: list[tuple[str, tuple]] = []
    execute, copy = psycopg.Cursor.execute, psycopg.Cursor.copy

    def record_execute(self, query, params=None, *args, **kwargs):
        sent.append(
            (query if isinstance(query, str) else query.as_string(self.connection), tuple(params or ()))
        )
        return execute(self, query, params, *args, **kwargs)

    def record_copy(self, statement, *args, **kwargs):
        sent.append((statement if isinstance(statement, str) else statement.as_string(self.connection), ()))
        return copy(self, statement, *args, **kwargs)

    def switched(sent_, state: str) -> bool:
        text, params = sent_
        return f"set_config(%s, '{state}', true)" in text and switch in params

    monkeypatch.setattr(psycopg.Cursor, "execute", record_execute)
    monkeypatch.setattr(psycopg.Cursor, "copy", record_copy)
    outcome = load_file(FEED, _land(tmp_path, "izin.csv", permits_csv(["A1", "A2"])), landing=tmp_path)
    monkeypatch.undo()
    assert (outcome.status, outcome.notes["path"]) == ("loaded", "copy")
    at = next(i for i, (text, _) in enumerate(sent) if text.startswith(f'copy "raw"."{PERMITS}" ('))
    assert switched(sent[at - 1], "on") and switched(sent[at + 1], "off"), sent[at - 1 : at + 2]
    assert sum(switch in params for _, params in sent) == 2
    with psycopg.connect(warehouse_db) as conn:
        assert conn.execute(f"select distinct _batch_id, _source_file from raw.{PERMITS}").fetchall() == [
            (outcome.batch_id, f"{PERMITS}/izin.csv")
        ]


def test_a_cached_insert_plan_reads_each_transaction_s_settings(warehouse_db):
    """A generic plan of an INSERT relying on the defaults, made with the switch off, writes each
    transaction's own batch, not the one of the transaction that planned it."""
    with psycopg.connect(warehouse_db) as conn:
        conn.execute("set plan_cache_mode = force_generic_plan")
        for batch in ("T1", "T2", "T3"):
            with conn.transaction():
                conn.execute(
                    "select set_config('pantau.batch_id', %s, true), "
                    "set_config('pantau.source_file', %s, true)",
                    (batch, "f"),
                )
                conn.execute(f"insert into raw.{PERMITS} (no_izin) values (%s)", (batch,), prepare=True)
        rows = conn.execute(f"select no_izin, _batch_id from raw.{PERMITS} order by 1").fetchall()
    assert rows == [("T1", "T1"), ("T2", "T2"), ("T3", "T3")]


def test_bootstrap_gives_defaults_that_read_settings_per_row_the_fold(warehouse_db):
    """raw.<feed> made by an older bootstrap reads the settings per row in COPY; the next bootstrap
    gives it the defaults COPY folds."""
    with psycopg.connect(warehouse_db, autocommit=True) as conn:
        expected = _defaults(conn)
        assert all(warehouse.RAW_LINEAGE_FOLD in expected[c] for c in ("_batch_id", "_source_file"))
        conn.execute(
            f"alter table raw.{PERMITS} "
            "alter column _batch_id set default nullif(current_setting('pantau.batch_id'), ''), "
            "alter column _source_file set default nullif(current_setting('pantau.source_file'), '')"
        )
    warehouse.bootstrap(warehouse_db)
    with psycopg.connect(warehouse_db, autocommit=True) as conn:
        assert _defaults(conn) == expected


def test_the_required_value_check_is_the_first_character_test_for_every_character(warehouse_db):
    """warehouse.required_value_candidates (raw.<feed>'s index predicate, compared byte by byte) picks
    exactly the cells that are NULL or do not start with a printable ASCII character: every code
    point first, alone and followed by more text, the empty text, NULL."""
    from psycopg import sql

    check = warehouse.required_value_candidates(
        FEED, dict.fromkeys(FEED.required_columns, sql.Identifier("v"))
    )
    query = sql.SQL(
        "select count(*), count(*) filter (where ({check}) is distinct from "
        "(ascii(v) not between 33 and 126 or v is null)) "
        "from (select chr(c) || tail as v from generate_series(1, 1114111) as c, "
        "unnest(array['', 'x', ' ']) as tail where c not between 55296 and 57343 "
        "union all select '' union all select null) as cells"
    ).format(check=check)
    with psycopg.connect(warehouse_db) as conn:
        cells, differing = conn.execute(query).fetchone()
    assert (cells, differing) == (3 * (1114111 - 2048) + 2, 0)
