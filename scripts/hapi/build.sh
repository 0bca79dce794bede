#!/usr/bin/env bash
# Builds the HAPI FHIR R4 validator harness (tools/hapi-validator) and copies it with its runtime
# jars from Maven Central into .cache/hapi/libs, once: a marker holding the hash of the pom and the
# sources is written after a successful build; while it matches, this does nothing. Safe to run
# concurrently (flock) and in CI (mvn -B). Run it: java -cp '.cache/hapi/libs/*' cn.yilian.hapi.ValidateMain
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
project="$root/tools/hapi-validator"
cache="$root/.cache/hapi"
libs="$cache/libs"
marker="$libs/.built"
want="$(cd "$project" && find pom.xml src -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)"

built() { [[ -f "$marker" && "$(cat "$marker")" == "$want" ]]; }
built && exit 0

for tool in "${MVN:-mvn}" java; do
  command -v "$tool" >/dev/null || { echo "build.sh: $tool not found on PATH" >&2; exit 1; }
done

mkdir -p "$cache"
exec 9>"$cache/.build.lock"
flock 9
built && exit 0 # another run built it while we waited for the lock

tmp="$cache/libs.tmp.$$"
trap 'rm -rf "$tmp"' EXIT
rm -rf "$tmp"
echo "build.sh: building tools/hapi-validator, its jars from Maven Central into $libs" >&2
log="$cache/build.log"
if ! "${MVN:-mvn}" -B -q --no-transfer-progress -Dstyle.color=never -f "$project/pom.xml" \
  package dependency:copy-dependencies -Dhapi.libs.dir="$tmp" >"$log" 2>&1; then
  cat "$log" >&2
  echo "build.sh: mvn package failed (output above)" >&2
  exit 1
fi
cp "$project"/target/hapi-validator-*.jar "$tmp/"
ls "$tmp"/hapi-fhir-validation-*.jar >/dev/null # fail loudly if the copy produced no validator
rm -rf "$libs"
mv "$tmp" "$libs"
echo "$want" >"$marker"
echo "build.sh: $(find "$libs" -name '*.jar' | wc -l) jars in $libs" >&2
