#!/bin/sh
# The Spark module's benchmark (docs/spark.md): inference images/s with 1 and 2 executor cores
# against plain `fer4j predict` on the same FER2013 faces, and training epoch time and accuracy
# with 1 and 2 workers on a FER2013 slice. Not a test: numbers depend on the machine.
#   spark/bench/bench.sh DATA_DIR WORK_DIR [IMAGES] [TRAIN_ROWS] [EPOCHS]
# DATA_DIR holds fer2013/fer2013.csv.gz and fer2013/images/train/<class>/*.jpg (read only);
# WORK_DIR receives the copied images, outputs and logs.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DATA=$1
WORK=$2
IMAGES=${3:-10000}
ROWS=${4:-4000}
EPOCHS=${5:-3}
mkdir -p "$WORK"
grep -m1 'model name' /proc/cpuinfo || true
echo "cores: $(nproc); load: $(cut -d' ' -f1-3 /proc/loadavg)"

faces="$WORK/faces"
if [ ! -d "$faces" ]; then
  mkdir -p "$faces"
  # The first IMAGES training faces in sorted path order.
  find "$DATA/fer2013/images/train" -name '*.jpg' | sort | head -n "$IMAGES" | xargs -d '\n' cp -t "$faces"
fi
echo "faces: $(ls "$faces" | wc -l) files in $faces"

now() { date +%s.%N; }
secs() { echo "$2 - $1" | bc; }

"$ROOT/fer4j" spark --help >/dev/null  # builds the module once, outside the timings
"$ROOT/fer4j" --version >/dev/null

echo "== inference"
for run in 1 2 3; do
  t0=$(now)
  "$ROOT/fer4j" predict --model fer2013 --format csv "$faces" > "$WORK/predict.csv"
  t1=$(now)
  echo "fer4j predict (run $run): $(secs "$t0" "$t1") s wall for $(($(wc -l < "$WORK/predict.csv") - 1)) faces"
  for cores in 1 2; do
    rm -rf "$WORK/spark-$cores.parquet"
    t0=$(now)
    "$ROOT/fer4j" spark predict --master "local[$cores]" --input "$faces" --output "$WORK/spark-$cores.parquet" \
      --partitions $((cores * 4)) 2>"$WORK/spark-$cores.err"
    t1=$(now)
    echo "fer4j spark predict local[$cores] (run $run): $(secs "$t0" "$t1") s wall, JVM and Spark start-up included"
  done
done

# Agreement: the Spark job's rows against fer4j predict's CSV, with the launcher's JVM flags.
. "$ROOT/.mvn/find-jdk.sh"
fer4j_select_jdk
OPENS=$(sed -n '/^FER4J_SPARK_OPENS="/,/"$/p' "$ROOT/fer4j" | tr -d '\\\n"' | sed 's/^FER4J_SPARK_OPENS=//')
# shellcheck disable=SC2086  # OPENS is a list of flags
"$JAVA_HOME/bin/java" $OPENS -Dlog4j2.configurationFile="$ROOT/spark/src/main/resources/org/fer4j/spark/log4j2-quiet.properties" \
  -cp "$ROOT/spark/target/jars/*:$ROOT/spark/target/spark-lib/*" "$ROOT/spark/bench/ComparePredictions.java" \
  "$WORK/predict.csv" "$WORK/spark-2.parquet"

echo "== training: fer-ref on the first $ROWS FER2013 training rows, $EPOCHS epochs, validated on PublicTest"
for workers in 1 2; do
  rm -rf "$WORK/train-$workers"
  "$ROOT/fer4j" spark train --master "local[$workers]" --data "$DATA/fer2013/fer2013.csv.gz" --limit "$ROWS" \
    --model fer-ref --workers "$workers" --average-every 4 --epochs "$EPOCHS" --batch 64 --out "$WORK/train-$workers" \
    2>"$WORK/train-$workers.err" | grep -v '^\s*$' | tail -n 3
  cat "$WORK/train-$workers/history.csv"
done
