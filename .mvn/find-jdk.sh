# Sourced by ./mvnw, ./fer4j and .ci/run: points JAVA_HOME at a JDK 25 or newer.
# Order: JAVA_HOME if it is one, the javac on PATH, then the usual install folders
# (Temurin 25 lives at /usr/lib/jvm/temurin-25-jdk-amd64 on our machines).
fer4j_jdk_major() {
  sed -n 's/^JAVA_VERSION="\([0-9][0-9]*\).*/\1/p' "$1/release" 2>/dev/null
}

fer4j_select_jdk() {
  _fer4j_path_jdk=""
  if command -v javac >/dev/null 2>&1; then
    _fer4j_path_jdk=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
  fi
  _fer4j_restore_glob=0
  case $- in *f*) set +f; _fer4j_restore_glob=1 ;; esac
  for _fer4j_cand in "${JAVA_HOME-}" "$_fer4j_path_jdk" /usr/lib/jvm/temurin-25* /usr/lib/jvm/*-25* \
      /usr/lib/jvm/*2[5-9]* /usr/lib/jvm/*3[0-9]* /opt/java/* /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -n "$_fer4j_cand" ] && [ -x "$_fer4j_cand/bin/javac" ] || continue
    _fer4j_major=$(fer4j_jdk_major "$_fer4j_cand")
    if [ -n "$_fer4j_major" ] && [ "$_fer4j_major" -ge 25 ]; then
      JAVA_HOME=$_fer4j_cand
      export JAVA_HOME
      [ $_fer4j_restore_glob = 1 ] && set -f
      return 0
    fi
  done
  [ $_fer4j_restore_glob = 1 ] && set -f
  echo "fer4j needs a JDK 25 or newer; none found (JAVA_HOME='${JAVA_HOME-}', javac on PATH: '${_fer4j_path_jdk:-none}')." >&2
  echo "Install one (e.g. Temurin 25) and set JAVA_HOME to it." >&2
  return 1
}
