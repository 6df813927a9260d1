package org.fer4j.spark;

import org.apache.spark.sql.SparkSession;

/** One local Spark session for the module's tests: 2 cores, no UI, few shuffle partitions. */
final class LocalSpark {
    private static SparkSession session;

    private LocalSpark() {
    }

    static synchronized SparkSession get() {
        if (session == null) {
            session = SparkJobs.session("local[2]", "fer4j-spark-tests");
        }
        return session;
    }
}
