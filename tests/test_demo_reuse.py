"""What a second `make demo` may reuse: keys that change exactly when their inputs change."""

from __future__ import annotations

from pantau import demo


def test_generator_key_is_stable_and_code_key_follows_the_settings(monkeypatch):
    assert demo.generator_key() == demo.generator_key()
    monkeypatch.setenv("PANTAU_AS_OF", "2025-10-27")
    before = demo.code_key("g")
    assert demo.code_key("g") == before
    assert demo.code_key("other generator") != before
    monkeypatch.setenv("PANTAU_AS_OF", "2025-11-30")
    assert demo.code_key("g") != before


def test_code_key_follows_the_code(tmp_path, monkeypatch):
    for folder in demo.CODE_FOLDERS:
        (tmp_path / folder).mkdir()
    (tmp_path / "dbt_project" / "model.sql").write_text("select 1")
    (tmp_path / "dbt_project" / "target").mkdir()
    monkeypatch.setattr(demo.config, "PROJECT_ROOT", tmp_path)
    before = demo.code_key("g")
    (tmp_path / "dbt_project" / "target" / "manifest.json").write_text("{}")  # build output: ignored
    assert demo.code_key("g") == before
    (tmp_path / "dbt_project" / "model.sql").write_text("select 2")
    assert demo.code_key("g") != before


def test_pending_files_counts_only_files_waiting_in_feed_folders(tmp_path):
    landing = tmp_path / "landing"
    assert demo._pending_files(landing) == 0
    (landing / "_archive" / "imigrasi_apoa").mkdir(parents=True)
    (landing / "_archive" / "imigrasi_apoa" / "apoa_36.csv").write_text("x")
    (landing / "imigrasi_apoa").mkdir()
    assert demo._pending_files(landing) == 0
    (landing / "imigrasi_apoa" / "apoa_36_new.csv").write_text("x")
    assert demo._pending_files(landing) == 1
