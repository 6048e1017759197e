# Shared by the benchmark scripts (sourced, not run): the folders, messages, the jar, the generated data set, the
# sandbox as its own process, and CPU counters from /proc. Expects BENCH_DIR (the bench folder) to be set.

# The scripts' own number formatting needs the C locale; the JVMs get the caller's (CALLER_LC_ALL).
CALLER_LC_ALL=${LC_ALL-unset}
export LC_ALL=C
ROOT=$(dirname "$BENCH_DIR")
WORK=$BENCH_DIR/work

SANDBOX_CLASS=io.bulkexport.sandbox.CoresignalSandbox

die() {
    echo "bench: error: $*" >&2
    exit 1
}
log() { echo "bench: $*" >&2; }

# bench_jar: builds target/bulk-export.jar when missing or older than a source file or a pom (the routes it runs are
# read from routes/ as they are now), then sets JAR to a private copy of it, so that a rebuild while the benchmark runs
# cannot change classes under its JVMs.
bench_jar() {
    if [[ ! -f $ROOT/target/bulk-export.jar ]] \
        || [[ -n $(find "$ROOT"/src/{bundle,sandbox,app}/src/main "$ROOT"/{,src/bundle/,src/sandbox/,src/app/}pom.xml \
            -newer "$ROOT/target/bulk-export.jar" -print -quit) ]]; then
        command -v mvn >/dev/null || die "target/bulk-export.jar is missing or stale and mvn is not installed to build it"
        log "building target/bulk-export.jar (mvn -q -B package -DskipTests)"
        (cd "$ROOT" && mvn -q -B package -DskipTests) || die "the build failed"
        [[ -f $ROOT/target/bulk-export.jar ]] || die "the build did not produce target/bulk-export.jar"
    fi
    JAR=$WORK/bulk-export.jar
    cp "$ROOT/target/bulk-export.jar" "$JAR"
}

# bench_data dir files records record-bytes: the sandbox's gzip files, generated once into dir (again when the
# parameters change); sets DATA, DATA_PARAMS, JSON_BYTES and GZ_BYTES, and reads the files once into the page cache.
bench_data() {
    local dir=$1 files=$2 records=$3 record_bytes=$4 stamp=$1.stamp lines bytes found
    DATA_PARAMS="files=$files records=$records record_bytes=$record_bytes"
    if [[ ! -f $stamp || $(head -n 1 "$stamp") != "$DATA_PARAMS" || ! -d $dir ]]; then
        log "generating the data set ($DATA_PARAMS) in $dir"
        rm -rf "$dir" "$dir.tmp" "$stamp"
        java -cp "$JAR" "$SANDBOX_CLASS" --write-files "$dir.tmp" \
            --files "$files" --records "$records" --record-bytes "$record_bytes" >&2 || die "generating the data set failed"
        read -r lines bytes < <(find "$dir.tmp" -name '*.json.gz' -print0 | sort -z | xargs -0 gzip -dc | wc -lc)
        ((lines == files * records)) || die "the generated files hold $lines lines, expected $((files * records))"
        mv "$dir.tmp" "$dir"
        printf '%s\njson_bytes=%s\ngz_bytes=%s\n' "$DATA_PARAMS" "$bytes" "$(cat "$dir"/*.json.gz | wc -c)" >"$stamp"
    else
        log "using the cached data set ($DATA_PARAMS)"
    fi
    DATA=$dir
    JSON_BYTES=$(sed -n 's/^json_bytes=//p' "$stamp")
    GZ_BYTES=$(sed -n 's/^gz_bytes=//p' "$stamp")
    found=$(find "$dir" -maxdepth 1 -name '*.json.gz' | wc -l)
    ((found == files)) || die "$dir holds $found files, expected $files (delete $stamp to regenerate)"
    log "data set: $files files, $((files * records)) records, $(awk -v b="$JSON_BYTES" 'BEGIN{printf "%.1f", b/1e6}') MB of JSON, $(awk -v b="$GZ_BYTES" 'BEGIN{printf "%.1f", b/1e6}') MB gzip"
    cat "$dir"/*.json.gz >/dev/null # into the page cache, so no run pays for the first read
}

# start_sandbox log [sandbox options...]: starts the Coresignal sandbox as its own process; sets SANDBOX_PID and
# BASE_URL once it listens. Stop it with stop_sandbox (SIGTERM, so that it writes its --request-log).
start_sandbox() {
    local out=$1
    shift
    java -cp "$JAR" "$SANDBOX_CLASS" "$@" >"$out" 2>&1 &
    SANDBOX_PID=$!
    BASE_URL=
    for _ in $(seq 1 300); do
        BASE_URL=$(sed -n 's/^sandbox listening on \(http:[^ ]*\)$/\1/p' "$out" | head -n 1)
        [[ -n $BASE_URL ]] && break
        kill -0 "$SANDBOX_PID" 2>/dev/null || { tail -n 20 "$out" >&2; die "the sandbox exited before listening"; }
        sleep 0.1
    done
    if [[ -z $BASE_URL ]]; then
        tail -n 20 "$out" >&2
        die "the sandbox did not report listening within 30 s (log: $out)"
    fi
    log "sandbox (pid $SANDBOX_PID) at $BASE_URL"
}
stop_sandbox() {
    if [[ -n ${SANDBOX_PID:-} ]] && kill -0 "$SANDBOX_PID" 2>/dev/null; then
        kill "$SANDBOX_PID" 2>/dev/null || true
        wait "$SANDBOX_PID" 2>/dev/null || true
    fi
    SANDBOX_PID=
}

cpu_ticks() { # pid (may be empty): user+system CPU time so far, in clock ticks
    local line fields
    [[ -n $1 && -r /proc/$1/stat ]] || { echo 0; return; }
    read -r line </proc/"$1"/stat || { echo 0; return; }
    read -r -a fields <<<"${line##*) }"
    echo $((fields[11] + fields[12]))
}

busy_ticks() { # CPU time used so far by all processes (and stolen by the hypervisor), in clock ticks
    local cpu user nice system idle iowait irq softirq steal rest
    read -r cpu user nice system idle iowait irq softirq steal rest </proc/stat
    echo $((user + nice + system + steal))
}

java_17_or_later() { # sets JAVA_VERSION, the first line of java -version
    local java_major
    JAVA_VERSION=$(java -version 2>&1 | head -n 1)
    java_major=$(sed -n 's/.*version "\([0-9]*\).*/\1/p' <<<"$JAVA_VERSION")
    [[ -n $java_major ]] && ((java_major >= 17)) || die "Java 17 or later is needed, found: $JAVA_VERSION"
}

cpu_seconds() { # file written by bash `times`: CPU seconds (user+system) of the shell's finished children
    awk 'NR == 2 {
        t = 0
        for (i = 1; i <= 2; i++) { split($i, p, "m"); sub("s", "", p[2]); t += p[1] * 60 + p[2] }
        print t
    }' "$1"
}
