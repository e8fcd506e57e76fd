"""Progress lines reach the terminal while the tasks' output goes to the log file."""

from __future__ import annotations

import os
import re

import pytest

from pantau import progress
from pantau.orchestration import airflow_local


def test_progress_reaches_the_terminal_while_task_output_goes_to_the_log(tmp_path, capfd):
    log = tmp_path / "run.log"
    with progress.to_terminal(), airflow_local._fds_redirected_to(log):
        os.write(1, b"noise from a task\n")  # as the tasks' loggers write: to the descriptor
        progress.emit("load imigrasi_apoa: file 1 of 2 apoa_36.csv: loaded")
    out = capfd.readouterr().out
    assert re.search(r"^\[\+0:0\d\] load imigrasi_apoa: file 1 of 2 apoa_36\.csv: loaded$", out, re.M), out
    assert "noise from a task" not in out
    assert "noise from a task" in log.read_text()
    assert "load imigrasi_apoa: file 1 of 2" in log.read_text()  # the log has the whole story


def test_stage_says_when_it_starts_ends_or_fails(capfd):
    with progress.to_terminal():
        with progress.stage("dbt build"):
            pass
        with pytest.raises(RuntimeError), progress.stage("gate 2"):
            raise RuntimeError("boom")
    lines = [line.split("] ", 1)[1] for line in capfd.readouterr().out.splitlines()]
    assert lines[0] == "dbt build ..."
    assert re.fullmatch(r"dbt build done in \d+\.\d s", lines[1])
    assert lines[2] == "gate 2 ..."
    assert re.fullmatch(r"gate 2 failed after \d+\.\d s", lines[3])


def test_without_a_terminal_emit_only_logs(capfd, caplog):
    caplog.set_level("INFO", logger="pantau.progress")
    progress.emit("scheduler task")
    assert capfd.readouterr().out == ""
    assert "progress: scheduler task" in caplog.text
