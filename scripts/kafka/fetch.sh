#!/usr/bin/env bash
# Fetches the Apache Kafka broker jars (and slf4j-simple) from Maven Central into
# .cache/kafka/libs, once (scripts/lib/maven-libs.sh: a marker with the pom's hash; flock; mvn -B).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
# shellcheck source=../lib/maven-libs.sh
source "$root/scripts/lib/maven-libs.sh"
pom="$here/pom.xml"
maven_libs fetch.sh "$root/.cache/kafka" .fetched "$(sha256sum "$pom" | cut -d' ' -f1)" 'kafka_2.13-*.jar' \
  -f "$pom" dependency:copy-dependencies '-Dkafka.libs.dir=$tmp'
