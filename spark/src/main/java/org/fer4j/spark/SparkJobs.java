package org.fer4j.spark;

import org.apache.spark.sql.SparkSession;

/** The Spark session of a fer4j job: the cluster's when spark-submit made one, else a local one. */
public final class SparkJobs {
    private SparkJobs() {
    }

    /**
     * The active session, or a new one on {@code master} ({@code local[2]}, {@code spark://host:7077},
     * ...; {@code null} takes spark-submit's). A local master gets no web UI and
     * {@code spark.sql.shuffle.partitions} equal to its cores, which suit one machine better than
     * Spark's defaults (a UI server, 200 shuffle partitions).
     */
    public static SparkSession session(String master, String appName) {
        SparkSession.Builder b = SparkSession.builder().appName(appName);
        if (master != null) {
            b.master(master);
            if (master.startsWith("local")) {
                b.config("spark.ui.enabled", "false")
                        .config("spark.sql.shuffle.partitions", Integer.toString(localCores(master)))
                        .config("spark.driver.host", "127.0.0.1")
                        .config("spark.driver.bindAddress", "127.0.0.1");
            }
        }
        return b.getOrCreate();
    }

    /** The cores of {@code local}, {@code local[N]}, {@code local[*]} (this machine's) or {@code local[N,F]}. */
    static int localCores(String master) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("local(?:\\[(\\*|\\d+)(?:,\\d+)?])?").matcher(master);
        if (!m.matches()) {
            throw new IllegalArgumentException("--master " + master + ": expected local, local[N], local[*] or a cluster URL");
        }
        String n = m.group(1);
        return n == null ? 1 : n.equals("*") ? Runtime.getRuntime().availableProcessors() : Math.max(1, Integer.parseInt(n));
    }
}
