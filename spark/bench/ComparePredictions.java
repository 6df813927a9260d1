import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Compares `fer4j spark predict`'s Parquet with `fer4j predict --format csv` on the same files:
 * the emotion and every probability as the CSV prints them (4 decimals). Run by bench.sh as a
 * single-file program: java -cp "spark jars" ComparePredictions.java predict.csv spark.parquet
 */
public class ComparePredictions {
    public static void main(String[] args) throws Exception {
        List<String> lines = Files.readAllLines(Path.of(args[0]));
        String[] header = lines.get(0).split(",");
        int emotion = List.of(header).indexOf("emotion");
        Map<String, String[]> csv = new HashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            csv.put(Path.of(f[0]).toAbsolutePath().normalize().toString(), f);
        }
        SparkSession spark = SparkSession.builder().master("local[1]").config("spark.ui.enabled", "false").getOrCreate();
        List<Row> rows = spark.read().parquet(args[1]).collectAsList();
        int same = 0;
        int differ = 0;
        for (Row r : rows) {
            String path = Path.of(java.net.URI.create(r.getAs("path"))).toString();
            String[] f = csv.get(path);
            List<Float> p = r.getList(r.fieldIndex("probabilities"));
            boolean ok = f != null && f[emotion].equals(r.getAs("emotion"));
            for (int j = 0; ok && j < p.size(); j++) {
                ok = f[emotion + 2 + j].equals(String.format(Locale.ROOT, "%.4f", p.get(j)));
            }
            if (ok) {
                same++;
            } else {
                differ++;
            }
        }
        System.out.printf("compared with fer4j predict: %d rows equal (emotion and all probabilities to 4 decimals), %d differ, %d CSV rows%n",
                same, differ, csv.size());
        spark.stop();
    }
}
