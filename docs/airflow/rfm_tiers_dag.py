"""rfm-tiers on Apache Airflow (2.7 or later): a nightly snapshot and a weekly maintenance run.

The nightly run of the data interval [start, end) writes the snapshot as of ``end``'s date: the job
counts transactions dated *before* its as-of date, so ``--as-of {{ data_interval_end | ds }}`` covers
the whole of the interval's last day. ``{{ ds }}`` (the interval's start) would leave that day out and
publish a day late.

Exit codes (see the README): 0 success; 1 the run failed (Spark error, another run on the same
snapshot, reject rate, reconciliation, CLV fit) -- worth a retry; 2 bad command line or configuration
and 3 unusable input -- a retry gives the same answer, so the task fails at once and waits for a fix.
spark-submit runs in client deploy mode so the job's exit code is spark-submit's, and Airflow sees it.

Backfill: ``catchup`` is off (a new DAG must not queue one full-history run per past day). To rebuild
old snapshots, run ``airflow dags backfill -s 2026-11-01 -e 2026-11-07 rfm_tiers_nightly``: each run
replaces exactly its own snapshot (``replaceWhere`` on ``snapshot_date``), reusing the kept tier model.
"""

from __future__ import annotations

import subprocess
from datetime import datetime, timedelta

from airflow import DAG
from airflow.exceptions import AirflowException, AirflowFailException
from airflow.operators.python import PythonOperator

JOB_HOME = "/opt/jobs/rfm-tiers"  # rfm-tiers.jar, jvm-options and the job's HOCON config
CONFIG = f"{JOB_HOME}/shop.conf"
INPUT = "hdfs:///sales/transactions/"
WAREHOUSE = "hdfs:///warehouse/rfm"
MASTER = "yarn"

# the job's own exit codes; anything else (a JVM or spark-submit failure) is treated like 1
RETRYABLE = {1}
NOT_RETRYABLE = {2: "bad command line or configuration", 3: "unusable input"}


def jvm_options() -> str:
    """The --add-opens list Spark needs on Java 17 (bin/jvm-options of the release)."""
    with open(f"{JOB_HOME}/jvm-options", encoding="utf-8") as lines:
        return " ".join(
            line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")
        )


def spark_submit(args: list[str]) -> list[str]:
    options = jvm_options()
    return [
        "spark-submit",
        "--master", MASTER,
        "--deploy-mode", "client",  # the driver's exit code is spark-submit's
        "--class", "org.rfmtiers.cli.Main",
        "--conf", f"spark.driver.extraJavaOptions={options}",
        "--conf", f"spark.executor.extraJavaOptions={options}",
        f"{JOB_HOME}/rfm-tiers.jar",
        *args,
    ]


def run_job(args: list[str]) -> None:
    """Runs the job; exit 1 raises for a retry, 2 and 3 fail the task without one."""
    code = subprocess.run(spark_submit(args), check=False).returncode
    if code == 0:
        return
    if code in NOT_RETRYABLE:
        raise AirflowFailException(
            f"rfm-tiers exited {code} ({NOT_RETRYABLE[code]}): not retried; its stderr and run_log"
            " say what to fix, then clear the task"
        )
    raise AirflowException(f"rfm-tiers exited {code}: the run failed; Airflow retries it")


with DAG(
    dag_id="rfm_tiers_nightly",
    schedule="0 3 * * *",  # interval [day 03:00, next day 03:00): as-of = the next day
    start_date=datetime(2026, 12, 1),
    catchup=False,  # backfill explicitly (see above)
    max_active_runs=1,  # one snapshot at a time (object stores have no atomic lock file)
    default_args={"retries": 2, "retry_delay": timedelta(minutes=15)},
    tags=["rfm-tiers"],
) as nightly:
    PythonOperator(
        task_id="run",
        python_callable=run_job,
        op_kwargs={
            "args": [
                "run",
                "--config", CONFIG,
                "--input", INPUT,
                "--warehouse", WAREHOUSE,
                "--as-of", "{{ data_interval_end | ds }}",
            ]
        },
    )

with DAG(
    dag_id="rfm_tiers_maintain",
    schedule="0 5 * * 0",  # Sundays, after that night's run
    start_date=datetime(2026, 12, 1),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 1, "retry_delay": timedelta(minutes=30)},
    tags=["rfm-tiers"],
) as weekly:
    PythonOperator(
        task_id="maintain",
        python_callable=run_job,
        op_kwargs={"args": ["maintain", "--config", CONFIG, "--warehouse", WAREHOUSE]},
    )
