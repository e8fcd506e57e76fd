"""The landing-zone trigger the AssetWatchers run: fires once per settled file, not for files
still being written, again for a file rewritten in place, never for another feed's files."""

from __future__ import annotations

import asyncio
import os
import time

from pantau.orchestration.triggers import LandingFileTrigger

FEED = "polri_laporan"


def _age(path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_each_settled_file_is_announced_once(tmp_path, monkeypatch):
    monkeypatch.setenv("PANTAU_SETTLE_SECONDS", "1")
    folder = tmp_path / FEED
    folder.mkdir()
    done = folder / "a.csv"
    done.write_text("x\n")
    _age(done, 10)
    (folder / "b.csv.part").write_text("still uploading")  # temporary name: not yet
    growing = folder / "c.csv"
    growing.write_text("being written")  # modified just now: not settled
    other = tmp_path / "dukcapil_sktt" / "other.csv"
    other.parent.mkdir()
    other.write_text("another feed's file")
    _age(other, 10)
    trigger = LandingFileTrigger(landing=str(tmp_path), feed=FEED, renotify_seconds=300)

    new, announced = trigger.sweep({}, now=1000)
    assert new == [f"{FEED}/a.csv"]
    assert trigger.sweep(announced, now=1010)[0] == []  # nothing new: no second event

    _age(growing, 10)  # the upload has settled
    done.write_text("x\ny\n")  # a new version of a.csv, in place
    _age(done, 5)
    new, announced = trigger.sweep(announced, now=1020)
    assert new == [f"{FEED}/a.csv", f"{FEED}/c.csv"]

    done.unlink()  # archived by the ingest run: forgotten, so a re-sent a.csv is announced again
    new, announced = trigger.sweep(announced, now=1030)
    assert new == [] and {p for p, _, _ in announced} == {str(growing)}
    # c.csv is still there five minutes after it was announced (its run failed): once more.
    assert trigger.sweep(announced, now=1319)[0] == []
    assert trigger.sweep(announced, now=1320)[0] == [f"{FEED}/c.csv"]


def test_run_yields_an_event_for_waiting_files(tmp_path, monkeypatch):
    monkeypatch.setenv("PANTAU_SETTLE_SECONDS", "0")
    (tmp_path / FEED).mkdir()
    (tmp_path / FEED / "laporan.csv").write_text("x\n")
    trigger = LandingFileTrigger(landing=str(tmp_path), feed=FEED, poke_interval=0.1)

    async def first_event():
        events = trigger.run()
        try:
            return (await asyncio.wait_for(anext(events), timeout=30)).payload
        finally:
            await events.aclose()

    assert asyncio.run(first_event()) == {"feed": FEED, "count": 1, "files": [f"{FEED}/laporan.csv"]}


def test_serializes_to_its_own_class_path():
    trigger = LandingFileTrigger(landing="/data/landing", feed="disnaker_tka")
    classpath, kwargs = trigger.serialize()
    assert classpath == "pantau.orchestration.triggers.LandingFileTrigger"
    assert LandingFileTrigger(**kwargs).serialize() == (classpath, kwargs)
