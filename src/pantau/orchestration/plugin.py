"""Pantau's Airflow plugin (entry point `airflow.plugins` in pyproject.toml, so every component
and the compose image load it): Airflow serializes a DAG's custom timetable only when a plugin
registers its class."""

from __future__ import annotations

from typing import ClassVar

from airflow.plugins_manager import AirflowPlugin

from pantau.orchestration.schedule import BriefingTimetable


class PantauPlugin(AirflowPlugin):
    name = "pantau"
    timetables: ClassVar[list[type]] = [BriefingTimetable]
