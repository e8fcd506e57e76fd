"""Everything Airflow-specific in the package, in one place.

DAG files (dags/) import only from here and from `pantau.registry`; the task bodies call
`pantau.orchestration.tasks`, which translates the plain outcomes of `pantau.pipeline` into
Airflow's terms (failed or skipped tasks, the warehouse connection). Nothing below this package
imports Airflow.
"""
