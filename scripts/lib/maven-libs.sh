# Sourced by scripts/kafka/fetch.sh and scripts/hapi/build.sh: jars from Maven Central into a
# .cache folder, once. A marker holding a hash of the inputs is written after a successful run;
# while it matches, nothing is done. Safe to run concurrently (flock) and in CI (mvn -B).
#
#   maven_libs NAME CACHE MARKER WANT CHECK_GLOB MVN_ARG...
#
# runs `mvn -B -q MVN_ARG...` with `$tmp` set to the folder the jars go to (the caller's MVN_ARGs
# name it, single-quoted, e.g. '-Dkafka.libs.dir=$tmp'); calls `after_mvn "$tmp"` when the caller
# defines it; fails unless a jar matches CHECK_GLOB; then swaps the folder in as CACHE/libs.
maven_libs() {
  local name="$1" cache="$2" marker_name="$3" want="$4" check="$5"
  shift 5
  local libs="$cache/libs"
  local marker="$libs/$marker_name"
  done_already() { [[ -f "$marker" && "$(cat "$marker")" == "$want" ]]; }
  done_already && return 0
  for tool in "${MVN:-mvn}" java; do
    command -v "$tool" >/dev/null || { echo "$name: $tool not found on PATH" >&2; return 1; }
  done
  mkdir -p "$cache"
  exec 9>"$cache/.$name.lock"
  flock 9
  done_already && return 0 # another run did it while we waited for the lock
  tmp="$cache/libs.tmp.$$"
  trap 'rm -rf "$tmp"' EXIT
  rm -rf "$tmp"
  echo "$name: jars from Maven Central into $libs" >&2
  local log="$cache/$name.log" args=() a
  for a in "$@"; do args+=("${a//\$tmp/$tmp}"); done
  if ! "${MVN:-mvn}" -B -q --no-transfer-progress -Dstyle.color=never "${args[@]}" >"$log" 2>&1; then
    cat "$log" >&2
    echo "$name: mvn failed (output above)" >&2
    return 1
  fi
  if declare -F after_mvn >/dev/null; then after_mvn "$tmp"; fi
  compgen -G "$tmp/$check" >/dev/null || { echo "$name: no $check among the jars" >&2; return 1; }
  rm -rf "$libs"
  mv "$tmp" "$libs"
  echo "$want" >"$marker"
  echo "$name: $(find "$libs" -name '*.jar' | wc -l) jars in $libs" >&2
}
