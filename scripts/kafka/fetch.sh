#!/usr/bin/env bash
# Fetches the Apache Kafka broker jars (and slf4j-simple) from Maven Central into
# .cache/kafka/libs, once. A marker holding the pom's hash is written after a successful copy;
# while it matches, this does nothing. Safe to run concurrently (flock) and in CI (mvn -B).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cache="$root/.cache/kafka"
libs="$cache/libs"
marker="$libs/.fetched"
pom="$here/pom.xml"
want="$(sha256sum "$pom" | cut -d' ' -f1)"

fetched() { [[ -f "$marker" && "$(cat "$marker")" == "$want" ]]; }
fetched && exit 0

for tool in "${MVN:-mvn}" java; do
  command -v "$tool" >/dev/null || { echo "fetch.sh: $tool not found on PATH" >&2; exit 1; }
done

mkdir -p "$cache"
exec 9>"$cache/.fetch.lock"
flock 9
fetched && exit 0 # another run fetched them while we waited for the lock

tmp="$cache/libs.tmp.$$"
trap 'rm -rf "$tmp"' EXIT
rm -rf "$tmp"
echo "fetch.sh: resolving Kafka jars from Maven Central into $libs" >&2
log="$cache/fetch.log"
if ! "${MVN:-mvn}" -B -q --no-transfer-progress -Dstyle.color=never -f "$pom" \
  dependency:copy-dependencies -Dkafka.libs.dir="$tmp" >"$log" 2>&1; then
  cat "$log" >&2
  echo "fetch.sh: mvn dependency:copy-dependencies failed (output above)" >&2
  exit 1
fi
ls "$tmp"/kafka_2.13-*.jar >/dev/null # fail loudly if the copy produced no broker jar
rm -rf "$libs"
mv "$tmp" "$libs"
echo "$want" >"$marker"
echo "fetch.sh: $(find "$libs" -name '*.jar' | wc -l) jars in $libs" >&2
