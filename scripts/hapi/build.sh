#!/usr/bin/env bash
# Builds the HAPI FHIR R4 validator harness (tools/hapi-validator) and copies it with its runtime
# jars from Maven Central into .cache/hapi/libs, once (scripts/lib/maven-libs.sh: a marker with
# the hash of the pom and the sources; flock; mvn -B).
# Run it: java -cp '.cache/hapi/libs/*' cn.yilian.hapi.ValidateMain
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
# shellcheck source=../lib/maven-libs.sh
source "$root/scripts/lib/maven-libs.sh"
project="$root/tools/hapi-validator"
want="$(cd "$project" && find pom.xml src -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)"
after_mvn() { cp "$project"/target/hapi-validator-*.jar "$1/"; }
maven_libs build.sh "$root/.cache/hapi" .built "$want" 'hapi-fhir-validation-*.jar' \
  -f "$project/pom.xml" package dependency:copy-dependencies '-Dhapi.libs.dir=$tmp'
