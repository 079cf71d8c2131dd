"""Splink on Spark, for linkage at national scale: the same settings as on DuckDB.

Here Spark runs in local mode (one JVM on this machine, `threads` cores); on a cluster the
session would come from the cluster instead. Splink's string-similarity functions (Jaro-Winkler,
Damerau-Levenshtein) are Scala UDFs in a JAR that ships with Splink; the session loads it.
Needs `pyspark` and a Java runtime (17 or newer).
"""

from __future__ import annotations

import os
from typing import Any


def spark_api(scratch: str, threads: int | None = None, partitions: int = 8) -> Any:
    """A Splink database API on a local Spark session (made once per process); `partitions`
    per shuffle: a few per core (more for national scale, fewer for small tests). Splink
    breaks long lineages by writing its tables (scored pairs, the frequencies of names) as
    Parquet into `scratch`, which the caller removes when the run ends; a process runs one
    linkage on Spark at a time. Spark's catalogue directory (by default `spark-warehouse` in
    the working directory, made when Splink first asks the catalogue) goes there too: a run
    leaves nothing behind where it was started."""
    from pyspark.sql import SparkSession
    from splink import SparkAPI
    from splink.internals.spark.jar_location import similarity_jar_location

    session = (
        SparkSession.builder.master(f"local[{threads or '*'}]")
        .appName("datameent-linkage")
        .config("spark.jars", similarity_jar_location())
        .config("spark.sql.shuffle.partitions", str(partitions))
        .config("spark.default.parallelism", str(partitions))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", "4g")
        .config("spark.sql.ansi.enabled", "false")
        .config("spark.sql.warehouse.dir", os.path.join(scratch, "spark-warehouse"))
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    session.sparkContext.setCheckpointDir(scratch)
    return SparkAPI(  # type: ignore[no-untyped-call]
        spark_session=session,
        break_lineage_method="parquet",
        num_partitions_on_repartition=partitions,
    )
