#!/bin/sh
# The serve load benchmark (org.fer4j.serve.LoadBenchmark): localhost only, bounded in time and
# requests. Builds the command if needed (as ./fer4j does), then runs the benchmark on its classpath.
#   serve/load-bench.sh [--seconds 10] [--clients 1,4,16] [--overload 32] [--url http://127.0.0.1:8080]
set -eu
FER4J_HOME=$(cd "$(dirname "$0")/.." && pwd)
cd "$FER4J_HOME"
. ./.mvn/find-jdk.sh
fer4j_select_jdk || exit 1
if [ ! -f cli/target/fer4j-cli.jar ] || [ -n "$(find serve/src/main cli/src/main -newer cli/target/fer4j-cli.jar -print | head -n 1)" ]; then
  ./mvnw -q -B -Dmaven.test.skip=true -pl cli -am package >&2
fi
# shellcheck disable=SC2086  # FER4J_JAVA_OPTS is a list of options
exec "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector ${FER4J_JAVA_OPTS:-} -Xmx1g \
  -cp "cli/target/fer4j-cli.jar:cli/target/lib/*" org.fer4j.serve.LoadBenchmark "$@"
