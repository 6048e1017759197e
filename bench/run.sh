#!/usr/bin/env bash
# Throughput and memory benchmark of bulk-export against the Coresignal sandbox, next to a curl | gzip baseline
# that downloads and gunzips the same files from the same server; then the export to S3 (S3Proxy on loopback).
#
#   bench/run.sh                      # 40 files x 10,000 records x ~3,500 bytes (about 1.4 GB of JSON)
#   BENCH_FILES=4 bench/run.sh        # a quick run
#
# Settings (environment):
#   BENCH_FILES, BENCH_RECORDS, BENCH_RECORD_BYTES   data set (generated once, cached in bench/work/data)
#   BENCH_PARALLELISM    files fetched at once, by the export and by the parallel baseline (default 2)
#   BENCH_HEAPS          export runs: -Xmx values, "default" for none (default "256m default")
#   BENCH_REPEAT         runs of each case; the table shows the fastest (default 1)
#   BENCH_PORT           sandbox port (default 0: a free port picked by the sandbox)
#   BENCH_SAMPLE_SECONDS how often peak memory is sampled (default 0.2)
#   BENCH_KEEP_OUTPUT=1  keep the export output folders and the last S3 run's bucket (otherwise deleted once verified)
#   BENCH_S3             1 (default): also export to S3, gzip and uncompressed objects; 0: skip the S3 runs
#   BENCH_S3_PORT        S3Proxy's HTTPS port (default 0: a free port picked by S3Proxy)
#   BENCH_JAVA_OPTS      more options for the export JVM, split on spaces (e.g. a flight recording to profile it)
#   BENCH_TRANSFORM      1 (default): also the file export with a record transform (jq del of two fields); 0: skip
#   BENCH_CDS            1 (default): the exports start from a class-data archive, as bin/bulk-export runs them (an
#                        untimed first export writes it); 0: plain java -jar
# Results: printed, and written to bench/work/results.md. Scratch data lives in bench/work/ (git-ignored).
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=bench/lib.sh
. "$BENCH_DIR/lib.sh"

FILES=${BENCH_FILES:-40}
RECORDS=${BENCH_RECORDS:-10000}
RECORD_BYTES=${BENCH_RECORD_BYTES:-3500}
PARALLEL=${BENCH_PARALLELISM:-2}
HEAPS=${BENCH_HEAPS:-256m default}
PORT=${BENCH_PORT:-0}
SAMPLE=${BENCH_SAMPLE_SECONDS:-0.2}
REPEAT=${BENCH_REPEAT:-1}
KEEP_OUTPUT=${BENCH_KEEP_OUTPUT:-0}
S3=${BENCH_S3:-1}
S3_PORT=${BENCH_S3_PORT:-0}
TRANSFORM=${BENCH_TRANSFORM:-1}
KEY=bench-key
QUERY=$ROOT/config/queries/coresignal-python-engineers.json

# --- Checks -------------------------------------------------------------------------------------------------------
for name in FILES RECORDS RECORD_BYTES PARALLEL PORT REPEAT S3_PORT; do
    [[ ${!name} =~ ^[0-9]+$ ]] || die "BENCH_$name must be a whole number, got '${!name}'"
done
((FILES > 0 && RECORDS > 0 && RECORD_BYTES > 0 && PARALLEL > 0 && REPEAT > 0)) ||
    die "BENCH_FILES, BENCH_RECORDS, BENCH_RECORD_BYTES, BENCH_PARALLELISM and BENCH_REPEAT must be > 0"
[[ $TRANSFORM == 0 || $TRANSFORM == 1 ]] || die "BENCH_TRANSFORM must be 1 or 0, got '$TRANSFORM'"
[[ $S3 == 0 || $S3 == 1 ]] || die "BENCH_S3 must be 1 (run the S3 cases) or 0 (skip them), got '$S3'"
[[ $SAMPLE =~ ^[0-9]*\.?[0-9]+$ ]] || die "BENCH_SAMPLE_SECONDS must be a number of seconds, got '$SAMPLE'"
for heap in $HEAPS; do
    [[ $heap == default || $heap =~ ^[0-9]+[kKmMgG]?$ ]] || die "BENCH_HEAPS: '$heap' is neither a -Xmx size nor 'default'"
done
for tool in java curl gzip awk xargs find wc; do
    command -v "$tool" >/dev/null || die "'$tool' is not installed (or not on PATH)"
done
[[ -r /proc/self/status ]] || die "/proc is needed to measure memory"
[[ -n ${EPOCHREALTIME:-} ]] || die "bash 5 or later is needed (EPOCHREALTIME)"
java_17_or_later
[[ -f $ROOT/config/application.properties && -d $ROOT/routes ]] || die "$ROOT does not look like the bulk-export project"
[[ -f $QUERY ]] || die "missing query file $QUERY"
if ((S3 == 1)); then
    KEYTOOL=$(command -v keytool || true)
    if [[ -z $KEYTOOL ]]; then KEYTOOL=$(dirname "$(readlink -f "$(command -v java)")")/keytool; fi
    [[ -x $KEYTOOL ]] || die "keytool (from the JDK) is needed for the S3 runs (or BENCH_S3=0)"
fi
PAGE_KB=$(($(getconf PAGESIZE) / 1024))
CLK_TCK=$(getconf CLK_TCK)

mkdir -p "$WORK"

# --- Processes started here are stopped on exit -------------------------------------------------------------------
SANDBOX_PID=
S3PROXY_PID=
RUN_PID=
MONITOR_PID=
cleanup() {
    local pid
    for pid in "$RUN_PID" "$MONITOR_PID" "$SANDBOX_PID" "$S3PROXY_PID"; do
        if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
            kill "$pid" 2>/dev/null || true
            wait "$pid" 2>/dev/null || true
        fi
    done
    rm -f "$WORK/.peak" "$WORK/.times0" "$WORK/.times1"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- 1. The jar -----------------------------------------------------------------------------------------------------
bench_jar

# S3Proxy (org.gaul:s3proxy, a test dependency of the project) runs from the test classpath, resolved once by Maven.
S3_CP_FILE=$WORK/test-cp.txt
s3_classpath_ok() {
    local entry entries
    [[ -s $S3_CP_FILE && $S3_CP_FILE -nt $ROOT/src/app/pom.xml ]] && grep -q '/s3proxy-[^/]*\.jar' "$S3_CP_FILE" || return 1
    IFS=: read -r -a entries <"$S3_CP_FILE"
    for entry in "${entries[@]}"; do [[ -e $entry ]] || return 1; done
}
if ((S3 == 1)) && ! s3_classpath_ok; then
    command -v mvn >/dev/null || die "mvn is needed once to resolve S3Proxy's classpath (or BENCH_S3=0)"
    log "resolving S3Proxy's classpath (mvn dependency:build-classpath, test scope) into $S3_CP_FILE"
    rm -f "$S3_CP_FILE"
    cp_args=(-q -B -pl src/app -am dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$S3_CP_FILE")
    (cd "$ROOT" && { mvn -o "${cp_args[@]}" >&2 || mvn "${cp_args[@]}" >&2; }) || die "resolving S3Proxy's classpath failed"
    s3_classpath_ok || die "$S3_CP_FILE does not name an s3proxy jar (is org.gaul:s3proxy still a test dependency?)"
fi

# --- 2. The data set, generated once ------------------------------------------------------------------------------
bench_data "$WORK/data" "$FILES" "$RECORDS" "$RECORD_BYTES"
TOTAL_RECORDS=$((FILES * RECORDS))

# --- Measuring ----------------------------------------------------------------------------------------------------
# Peak memory: sampled from /proc every $SAMPLE s. For a single process (the export) its VmHWM, which the kernel
# keeps as the true peak; for a tree (the baseline) the largest sum of the RSS of its curl and gzip processes.
tree_rss_kb() {
    { cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk -v root="$1" -v pagekb="$PAGE_KB" '
        {
            line = $0
            lp = index(line, "(")
            for (rp = length(line); rp > 0 && substr(line, rp, 1) != ")"; rp--) {}
            if (lp == 0 || rp == 0) next
            pid = substr(line, 1, lp - 2)
            comm[pid] = substr(line, lp + 1, rp - lp - 1)
            split(substr(line, rp + 2), f, " ")
            parent[pid] = f[2]
            rss[pid] = f[22]
        }
        END {
            inside[root] = 1
            do {
                added = 0
                for (pid in parent) if (!(pid in inside) && (parent[pid] in inside)) { inside[pid] = 1; added = 1 }
            } while (added)
            total = 0
            for (pid in inside) if (pid in rss && comm[pid] !~ /^(bash|sh|xargs)$/) total += rss[pid] * pagekb
            print total
        }'
}

monitor() { # pid outfile: writes the peak in kB
    local pid=$1 out=$2 peak=0 kb key value unit
    while kill -0 "$pid" 2>/dev/null; do
        kb=$(tree_rss_kb "$pid")
        if ((kb > peak)); then peak=$kb; fi
        if [[ -r /proc/$pid/status ]]; then
            while read -r key value unit; do
                if [[ $key == VmHWM: ]] && ((value > peak)); then peak=$value; fi
            done 2>/dev/null </proc/"$pid"/status || true
        fi
        echo "$peak" >"$out"
        sleep "$SAMPLE"
    done
}

kernel_ticks() { # CPU time used so far by kernel threads (e.g. writing our output back to disk), in clock ticks
    { cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk '
        {
            for (rp = length($0); rp > 0 && substr($0, rp, 1) != ")"; rp--) {}
            split(substr($0, rp + 2), f, " ")
            if (f[2] == 2 || $1 == 2) total += f[12] + f[13]
        }
        END { print total + 0 }'
}

# measure CMD...: runs CMD in the background and sets M_START M_SECONDS M_RC M_PEAK_KB M_CPU M_SANDBOX_CPU
# M_S3_CPU ("-" when S3Proxy is not running) M_OTHER_CPU (CPU used meanwhile by other processes on the machine, this
# script's sampling and steal; not counting kernel threads and interrupts, much of which is the run's own disk and
# network work).
measure() {
    local sandbox0 s3proxy0 busy0 kernel0 t1 peakfile=$WORK/.peak
    rm -f "$peakfile"
    kernel0=$(kernel_ticks)
    busy0=$(busy_ticks)
    sandbox0=$(cpu_ticks "$SANDBOX_PID")
    s3proxy0=$(cpu_ticks "$S3PROXY_PID")
    times >"$WORK/.times0" # `times` must run in this shell, not in a $(...) subshell
    M_START=$EPOCHREALTIME
    "$@" &
    RUN_PID=$!
    monitor "$RUN_PID" "$peakfile" &
    MONITOR_PID=$!
    M_RC=0
    wait "$RUN_PID" || M_RC=$?
    t1=$EPOCHREALTIME
    RUN_PID=
    times >"$WORK/.times1"
    wait "$MONITOR_PID" || true
    MONITOR_PID=
    M_SECONDS=$(awk -v a="$M_START" -v b="$t1" 'BEGIN{printf "%.3f", b - a}')
    M_CPU=$(awk -v a="$(cpu_seconds "$WORK/.times0")" -v b="$(cpu_seconds "$WORK/.times1")" 'BEGIN{printf "%.1f", b - a}')
    M_SANDBOX_CPU=$(awk -v a="$sandbox0" -v b="$(cpu_ticks "$SANDBOX_PID")" -v hz="$CLK_TCK" 'BEGIN{printf "%.1f", (b - a) / hz}')
    M_S3_CPU=-
    if [[ -n $S3PROXY_PID && ${MEASURE_S3:-0} == 1 ]]; then
        M_S3_CPU=$(awk -v a="$s3proxy0" -v b="$(cpu_ticks "$S3PROXY_PID")" -v hz="$CLK_TCK" 'BEGIN{printf "%.1f", (b - a) / hz}')
    fi
    M_OTHER_CPU=$(awk -v a="$busy0" -v b="$(busy_ticks)" -v ka="$kernel0" -v kb="$(kernel_ticks)" -v hz="$CLK_TCK" \
        -v mine="$M_CPU" -v sb="$M_SANDBOX_CPU" -v s3="$M_S3_CPU" \
        'BEGIN{o = (b - a - (kb - ka)) / hz - mine - sb - s3; printf "%.1f", o < 0 ? 0 : o}')
    M_PEAK_KB=$(cat "$peakfile" 2>/dev/null || echo 0)
}

# Repeats of a case: the fastest is kept (B_*[case]), all wall times are listed in the notes. The cases take turns
# (round 1 runs each case once, then round 2...), so a machine that gets slower or faster meanwhile shifts every case
# alike instead of favouring the ones run first.
ROWS=()
NOTES=()
BUSY=()
CASES=()
declare -A B_SECONDS B_PEAK_KB B_CPU B_SANDBOX_CPU B_S3_CPU B_OTHER_CPU B_NOTE TIMES
keep_if_best() { # case note: records this run of the case (the note may be empty)
    local c=$1
    [[ -v "TIMES[$c]" ]] || CASES+=("$c")
    TIMES[$c]+="${TIMES[$c]:+, }$(printf '%.1f' "$M_SECONDS")"
    if [[ -z ${B_SECONDS[$c]:-} ]] || awk -v a="$M_SECONDS" -v b="${B_SECONDS[$c]}" 'BEGIN{exit !(a < b)}'; then
        B_SECONDS[$c]=$M_SECONDS B_PEAK_KB[$c]=$M_PEAK_KB B_CPU[$c]=$M_CPU B_SANDBOX_CPU[$c]=$M_SANDBOX_CPU
        B_S3_CPU[$c]=$M_S3_CPU B_OTHER_CPU[$c]=$M_OTHER_CPU B_NOTE[$c]=$2
    fi
}
declare -A BEST_SECONDS BEST_DOWNLOAD BEST_PEAK_MB
add_row() { # case: adds the fastest run of the case to the table
    local c=$1
    ROWS+=("$(awk -v label="$c" -v s="${B_SECONDS[$c]}" -v rec="$TOTAL_RECORDS" -v bytes="$JSON_BYTES" \
        -v kb="${B_PEAK_KB[$c]}" -v cpu="${B_CPU[$c]}" -v scpu="${B_SANDBOX_CPU[$c]}" -v s3cpu="${B_S3_CPU[$c]}" \
        -v other="${B_OTHER_CPU[$c]}" 'BEGIN {
            printf "%s\t%.1f\t%.0f\t%.1f\t%.0f\t%s\t%s\t%s\t%s", label, s, rec / s, bytes / 1e6 / s,
                kb * 1024 / 1e6, cpu, scpu, s3cpu, other
        }')")
    BEST_SECONDS[$c]=${B_SECONDS[$c]}
    BEST_PEAK_MB[$c]=$(awk -v kb="${B_PEAK_KB[$c]}" 'BEGIN{printf "%.0f", kb * 1024 / 1e6}')
    BEST_DOWNLOAD[$c]=$(sed -n 's/.*download \([0-9.]*\) s.*/\1/p' <<<"${B_NOTE[$c]}")
    local note=${B_NOTE[$c]}
    if ((REPEAT > 1)); then note="runs ${TIMES[$c]} s${note:+; fastest: }$note"; fi
    if [[ -n $note ]]; then NOTES+=("$c: $note"); fi
    # Busy machine: others used more than a fifth of a CPU on average, or more than 10% of what the case used.
    if awk -v o="${B_OTHER_CPU[$c]}" -v s="${B_SECONDS[$c]}" -v c="${B_CPU[$c]}" \
        'BEGIN{exit !(o > 0.2 * s || o > 0.1 * c && o > 0.5)}'; then
        BUSY+=("$c (${B_OTHER_CPU[$c]} CPU s)")
    fi
}

verify_output() { # dir what: every record landed, nothing half-written
    local dir=$1 what=$2 jsonl lines bytes parts
    jsonl=$(find "$dir" -type f -name '*.jsonl' ! -name '*.quarantine.jsonl' | wc -l)
    ((jsonl == FILES)) || die "$what: $jsonl output files, expected $FILES (in $dir)"
    read -r lines bytes < <(find "$dir" -type f -name '*.jsonl' ! -name '*.quarantine.jsonl' -print0 | xargs -0 cat | wc -lc)
    ((lines == TOTAL_RECORDS)) || die "$what: $lines output lines, expected $TOTAL_RECORDS (in $dir)"
    parts=$(find "$dir" -name '*.part' | wc -l)
    ((parts == 0)) || die "$what: $parts .part files left in $dir"
    if [[ -n $(find "$dir" -name '*.quarantine.jsonl' -print -quit) ]]; then
        die "$what: records were quarantined (see $dir)"
    fi
    ((bytes == JSON_BYTES)) || log "note: $what wrote $bytes bytes, the source JSON is $JSON_BYTES bytes"
    log "$what: verified $jsonl files, $lines lines, no .part files"
}

read -r load1 _ </proc/loadavg
if awk -v l="$load1" 'BEGIN{exit !(l > 1)}'; then
    log "warning: load average is $load1 before starting; other work on this machine will skew the numbers"
fi

# --- 3. The sandbox -----------------------------------------------------------------------------------------------
SANDBOX_LOG=$WORK/sandbox.log
start_sandbox "$SANDBOX_LOG" --port "$PORT" --files-dir "$DATA" --api-key "$KEY" --ready-after-seconds 0

# --- 4. Baseline: curl | gzip -dc, the same files from the same server ---------------------------------------------
answer=$(curl -sS --fail --max-time 30 -X POST -H "apikey: $KEY" -H 'Content-Type: application/json' \
    --data-binary @"$QUERY" "$BASE_URL/v2/data_requests/employee_clean/es_dsl") || die "baseline: submitting to the sandbox failed"
REQUEST_ID=$(sed -n 's/.*"request_id" *: *"\([^"]*\)".*/\1/p' <<<"$answer")
[[ -n $REQUEST_ID ]] || die "baseline: no request_id in the sandbox's answer: $answer"
listing=$(curl -sS --fail --max-time 30 -H "apikey: $KEY" "$BASE_URL/v2/data_requests/$REQUEST_ID/files") ||
    die "baseline: listing the files failed"
mapfile -t NAMES < <(grep -o '"json/[^"]*"' <<<"$listing" | tr -d '"')
((${#NAMES[@]} == FILES)) || die "baseline: the sandbox lists ${#NAMES[@]} files, expected $FILES: $listing"
FILES_URL=$BASE_URL/v2/data_requests/$REQUEST_ID/files
curl -sS --fail -o /dev/null -H "apikey: $KEY" "$FILES_URL/${NAMES[0]}" || die "baseline: warm-up download failed"

baseline() { # parallelism outdir
    printf '%s\n' "${NAMES[@]}" | xargs -P "$1" -n 1 bash -c '
        set -o pipefail
        name=${3##*/}
        curl -sS --fail --max-time 3600 -H "apikey: $0" "$1/$3" | gzip -dc >"$2/${name%.json.gz}.jsonl"
    ' "$KEY" "$FILES_URL" "$2"
}

BASELINE_OUT=$WORK/baseline-out
BASELINE_LABEL="curl|gzip sequential"
baseline_case() { # parallelism run
    local label=$BASELINE_LABEL
    if (($1 > 1)); then label="curl|gzip x$1 parallel"; fi
    rm -rf "$BASELINE_OUT" && mkdir -p "$BASELINE_OUT"
    log "running: $label (run $2 of $REPEAT)"
    measure baseline "$1" "$BASELINE_OUT"
    ((M_RC == 0)) || die "$label failed (exit $M_RC)"
    verify_output "$BASELINE_OUT" "$label"
    rm -rf "$BASELINE_OUT"
    keep_if_best "$label" ""
}

# --- 5. The export ------------------------------------------------------------------------------------------------
JOB=$WORK/bench.yaml
cat >"$JOB" <<EOF
# Written by bench/run.sh: the whole data set served by the sandbox, no limit.
provider: coresignal
dataset: employee_clean
method: es_dsl
request: $QUERY
EOF
# The same job, each record losing two fields on its way (a typical record transform)
TRANSFORM_JOB=$WORK/bench-transform.yaml
{ cat "$JOB"; echo 'transform: "del(.full_name, .headline)"'; } >"$TRANSFORM_JOB"

export_run() { # heap-option dir log [more java options]: runs in measure's background subshell, so may export
    local heap=() dir=$2 out=$3
    if [[ -n $1 ]]; then heap=("$1"); fi
    shift 3
    cd "$ROOT"
    if [[ $CALLER_LC_ALL == unset ]]; then unset LC_ALL; else export LC_ALL=$CALLER_LC_ALL; fi
    local more=()
    read -r -a more <<<"${BENCH_JAVA_OPTS:-}"
    CORESIGNAL_API_KEY=$KEY BULK_EXPORT_JAR=$JAR exec "${LAUNCHER[@]}" "${heap[@]}" ${more[@]+"${more[@]}"} \
        -Dbulkexport.run-mode=once \
        -Dbulkexport.sandbox.enabled=false \
        -Dbulkexport.coresignal.base-url="$BASE_URL" \
        -Dbulkexport.jobs="${EXPORT_JOB:-$JOB}" \
        -Dbulkexport.output.dir="$dir/out" \
        -Dbulkexport.state.url="jdbc:h2:file:$dir/state/bulk-export;WRITE_DELAY=0" \
        -Dbulkexport.poll.interval-seconds=0.05 \
        -Dbulkexport.poll.tick-millis=50 \
        -Dbulkexport.download.parallelism="$PARALLEL" \
        "$@" \
        ${JAR_ARGS[@]+"${JAR_ARGS[@]}"} >"$out" 2>&1
}

# Where the time went, from the log's timestamps: JVM and Camel start, submit and poll, download, shutdown.
time_split() { # log start-epoch end-epoch
    local start_tod end_tod
    start_tod=$(printf '%(%H:%M:%S)T' "${2%.*}").${2#*.}
    end_tod=$(printf '%(%H:%M:%S)T' "${3%.*}").${3#*.}
    awk -v start="$start_tod" -v end="$end_tod" '
        function sec(t,  p) { split(t, p, ":"); return p[1] * 3600 + p[2] * 60 + p[3] }
        function since(a, b) { d = sec(b) - sec(a); if (d < 0) d += 86400; return d }
        / submitting a / && !submit { submit = $1 }
        / fetching [0-9]+ of [0-9]+ file/ && !fetch { fetch = $1 }
        /: DONE .* request / && !done { done = $1 }
        END {
            if (!submit || !fetch || !done) { print "time split: n/a (log lines not found)"; exit }
            printf "JVM+Camel start %.1f s, submit+poll %.1f s, download %.1f s, shutdown %.1f s\n",
                since(start, submit), since(submit, fetch), since(fetch, done), since(done, end)
        }' "$1"
}

heap_case() { # heap ("default" or a -Xmx size): sets label, opt (the java option) and tag (for file names)
    if [[ $1 == default ]]; then
        label="export (default heap)"; opt=""; tag=default
    else
        label="export -Xmx$1"; opt="-Xmx$1"; tag=xmx$1
    fi
}

export_case() { # heap run
    local dir export_log split
    heap_case "$1"
    dir=$WORK/export-$tag
    export_log=$WORK/export-$tag-run$2.log
    rm -rf "$dir" && mkdir -p "$dir/out" "$dir/state"
    log "running: $label (run $2 of $REPEAT, log: $export_log)"
    measure export_run "$opt" "$dir" "$export_log"
    if ((M_RC != 0)); then
        echo "---- last lines of $export_log ----" >&2
        tail -n 40 "$export_log" >&2
        die "$label exited with code $M_RC (log: $export_log)"
    fi
    verify_output "$dir/out" "$label"
    [[ -n $(find "$dir/out" -name _manifest.json -print -quit) ]] || die "$label: no _manifest.json written"
    split=$(time_split "$export_log" "$M_START" "$(awk -v a="$M_START" -v s="$M_SECONDS" 'BEGIN{printf "%.6f", a + s}')")
    log "$label: $(printf '%.1f' "$M_SECONDS") s — $split"
    ((KEEP_OUTPUT == 1)) || rm -rf "$dir/out"
    keep_if_best "$label" "$split"
}

transform_case() { # run: the first heap's file export, with the transform
    local dir export_log split
    heap_case "$FIRST_HEAP"
    label="$label, transform del(2 fields)"
    dir=$WORK/export-transform
    export_log=$WORK/export-transform-run$1.log
    rm -rf "$dir" && mkdir -p "$dir/out" "$dir/state"
    log "running: $label (run $1 of $REPEAT, log: $export_log)"
    EXPORT_JOB=$TRANSFORM_JOB measure export_run "$opt" "$dir" "$export_log"
    if ((M_RC != 0)); then
        echo "---- last lines of $export_log ----" >&2
        tail -n 40 "$export_log" >&2
        die "$label exited with code $M_RC (log: $export_log)"
    fi
    verify_output "$dir/out" "$label"
    if grep -rq '"full_name"' "$dir/out" --include='*.jsonl'; then die "$label: a landed record still has full_name"; fi
    split=$(time_split "$export_log" "$M_START" "$(awk -v a="$M_START" -v s="$M_SECONDS" 'BEGIN{printf "%.6f", a + s}')")
    log "$label: $(printf '%.1f' "$M_SECONDS") s — $split"
    ((KEEP_OUTPUT == 1)) || rm -rf "$dir/out"
    keep_if_best "$label" "$split"
}

# --- 6. The export to S3 --------------------------------------------------------------------------------------------
# S3Proxy, a real S3 implementation, as its own process over HTTPS on loopback (a certificate made now for 127.0.0.1)
# with filesystem storage under bench/work/s3 (folder bench/work/s3/bench is the bucket). The export runs with the
# settings of the first file run (BENCH_HEAPS, default -Xmx256m), its sink set to S3: once with gzip objects (the
# default), once uncompressed.
S3_BUCKET=bench
S3_ACCESS_KEY=bench-access-key
S3_SECRET_KEY=bench-secret-key
S3_ROOT=$WORK/s3
BUCKET_DIR=$S3_ROOT/$S3_BUCKET
SPOOL=$WORK/spool
S3_LOG=$WORK/s3proxy.log
S3_KEYSTORE=$WORK/s3proxy-keystore.p12
S3_PROPERTIES=$WORK/s3proxy.properties
S3_ENDPOINT=

listen_port() { # pid: the TCP port the process listens on (empty while it does not)
    local inodes table tables=()
    inodes=$(find "/proc/$1/fd" -lname 'socket:*' -printf '%l\n' 2>/dev/null | tr -dc '0-9\n')
    [[ -n $inodes ]] || return 0
    for table in /proc/net/tcp /proc/net/tcp6; do [[ -r $table ]] && tables+=("$table"); done
    awk 'NR == FNR { mine[$1] = 1; next }
        FNR > 1 && $4 == "0A" && ($10 in mine) { n = split($2, a, ":"); print a[n]; exit }' <(echo "$inodes") "${tables[@]}"
}

empty_bucket() { find "$BUCKET_DIR" -mindepth 1 -delete; }

start_s3proxy() {
    local hex code
    rm -rf "$S3_ROOT" "$SPOOL" "$S3_KEYSTORE"
    mkdir -p "$BUCKET_DIR" "$SPOOL"
    "$KEYTOOL" -genkeypair -alias s3proxy -keyalg RSA -keysize 2048 -validity 2 -dname CN=127.0.0.1 \
        -ext san=ip:127.0.0.1 -storetype PKCS12 -keystore "$S3_KEYSTORE" -storepass bench-keystore \
        -keypass bench-keystore >"$S3_LOG" 2>&1 || { cat "$S3_LOG" >&2; die "keytool could not make S3Proxy's keystore"; }
    cat >"$S3_PROPERTIES" <<EOF
# Written by bench/run.sh
s3proxy.secure-endpoint=https://127.0.0.1:$S3_PORT
s3proxy.keystore-path=$S3_KEYSTORE
s3proxy.keystore-password=bench-keystore
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$S3_ACCESS_KEY
s3proxy.credential=$S3_SECRET_KEY
jclouds.provider=filesystem-nio2
jclouds.filesystem.basedir=$S3_ROOT
EOF
    java -cp "$(<"$S3_CP_FILE")" org.gaul.s3proxy.Main --properties "$S3_PROPERTIES" >>"$S3_LOG" 2>&1 &
    S3PROXY_PID=$!
    for _ in $(seq 1 600); do
        kill -0 "$S3PROXY_PID" 2>/dev/null || { tail -n 20 "$S3_LOG" >&2; die "S3Proxy exited before listening (log: $S3_LOG)"; }
        hex=$(listen_port "$S3PROXY_PID")
        if [[ -n $hex ]]; then
            S3_ENDPOINT=https://127.0.0.1:$((16#$hex))
            code=$(curl -sk -o /dev/null -w '%{http_code}' --max-time 5 "$S3_ENDPOINT/" || true)
            [[ $code =~ ^[1-5][0-9][0-9]$ ]] && break
        fi
        S3_ENDPOINT=
        sleep 0.1
    done
    [[ -n $S3_ENDPOINT ]] || { tail -n 20 "$S3_LOG" >&2; die "S3Proxy did not answer within 60 s (log: $S3_LOG)"; }
    log "S3Proxy (pid $S3PROXY_PID) at $S3_ENDPOINT, bucket folder $BUCKET_DIR"
    # Warm-up, like the sandbox's: a few signed uploads (which also prove the keys and the bucket), then emptied.
    if curl --help all 2>/dev/null | grep -q -- --aws-sigv4; then
        head -c 4000000 /dev/urandom >"$WORK/s3-warmup.bin"
        for i in $(seq 1 20); do
            code=$(curl -sk -o /dev/null -w '%{http_code}' --max-time 30 --aws-sigv4 aws:amz:us-east-1:s3 \
                --user "$S3_ACCESS_KEY:$S3_SECRET_KEY" -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' \
                -T "$WORK/s3-warmup.bin" "$S3_ENDPOINT/$S3_BUCKET/warm-up/$i.bin" || true)
            [[ $code == 200 ]] || die "S3 warm-up: uploading to $S3_ENDPOINT/$S3_BUCKET answered HTTP $code (log: $S3_LOG)"
        done
        rm -f "$WORK/s3-warmup.bin"
    else
        log "note: this curl has no --aws-sigv4, S3Proxy is not warmed up"
    fi
    empty_bucket
}

s3_export_run() { # compression heap-option dir log: export_run with the sink set to S3Proxy's bucket
    local compression=$1
    shift
    unset AWS_SESSION_TOKEN AWS_PROFILE AWS_REGION AWS_DEFAULT_REGION AWS_ENDPOINT_URL AWS_ENDPOINT_URL_S3
    export AWS_ACCESS_KEY_ID=$S3_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$S3_SECRET_KEY
    # S3Proxy does not know the newer default checksums of the AWS SDK
    export AWS_REQUEST_CHECKSUM_CALCULATION=WHEN_REQUIRED AWS_RESPONSE_CHECKSUM_VALIDATION=WHEN_REQUIRED
    export_run "$@" \
        -Dbulkexport.sink=s3 \
        -Dbulkexport.s3.bucket="$S3_BUCKET" \
        -Dbulkexport.s3.endpoint="$S3_ENDPOINT" \
        -Dbulkexport.s3.path-style=true \
        -Dbulkexport.s3.region=us-east-1 \
        -Dbulkexport.s3.trust-all-certificates=true \
        -Dbulkexport.s3.spool-dir="$SPOOL" \
        -Dbulkexport.s3.compression="$compression"
}

verify_s3() { # what suffix: one object per file plus the manifest, every record landed, the spool emptied
    local what=$1 suffix=$2 objects data manifests lines bytes spooled
    objects=$(find "$BUCKET_DIR" -type f | wc -l)
    data=$(find "$BUCKET_DIR" -type f -name "*.jsonl$suffix" ! -name '*.quarantine.jsonl*' | wc -l)
    manifests=$(find "$BUCKET_DIR" -type f -name _manifest.json | wc -l)
    ((data == FILES && manifests == 1 && objects == FILES + 1)) ||
        die "$what: $objects objects in $BUCKET_DIR ($data *.jsonl$suffix, $manifests _manifest.json), expected $FILES + 1"
    if [[ $suffix == .gz ]]; then
        read -r lines bytes < <(find "$BUCKET_DIR" -type f -name "*.jsonl.gz" -print0 | xargs -0 cat | gzip -dc | wc -lc)
    else
        read -r lines bytes < <(find "$BUCKET_DIR" -type f -name "*.jsonl" -print0 | xargs -0 cat | wc -lc)
    fi
    ((lines == TOTAL_RECORDS)) || die "$what: $lines lines in the objects, expected $TOTAL_RECORDS (in $BUCKET_DIR)"
    spooled=$(find "$SPOOL" -type f | wc -l)
    ((spooled == 0)) || die "$what: $spooled files left in the spool folder $SPOOL"
    ((bytes == JSON_BYTES)) || log "note: $what wrote $bytes bytes, the source JSON is $JSON_BYTES bytes"
    log "$what: verified $objects objects ($data files + _manifest.json), $lines lines, spool empty"
}

s3_case() { # compression run
    local compression=$1 s3_label suffix dir export_log split
    heap_case "$FIRST_HEAP"
    if [[ $compression == gzip ]]; then
        s3_label="$label to S3, gzip"; suffix=.gz
    else
        s3_label="$label to S3, uncompressed"; suffix=
    fi
    dir=$WORK/export-s3-$compression
    export_log=$WORK/export-s3-$compression-run$2.log
    rm -rf "$dir" "$SPOOL" && mkdir -p "$dir/out" "$dir/state" "$SPOOL"
    empty_bucket
    log "running: $s3_label (run $2 of $REPEAT, log: $export_log)"
    MEASURE_S3=1
    measure s3_export_run "$compression" "$opt" "$dir" "$export_log"
    MEASURE_S3=0
    if ((M_RC != 0)); then
        echo "---- last lines of $export_log ----" >&2
        tail -n 40 "$export_log" >&2
        die "$s3_label exited with code $M_RC (log: $export_log)"
    fi
    verify_s3 "$s3_label" "$suffix"
    split=$(time_split "$export_log" "$M_START" "$(awk -v a="$M_START" -v s="$M_SECONDS" 'BEGIN{printf "%.6f", a + s}')")
    log "$s3_label: $(printf '%.1f' "$M_SECONDS") s — $split"
    rm -rf "$dir"
    keep_if_best "$s3_label" "$split"
}

# --- 7. The rounds: each case once per round, BENCH_REPEAT rounds -------------------------------------------------
read -r FIRST_HEAP _ <<<"$HEAPS"
heap_case "$FIRST_HEAP"
FILE_LABEL=$label
S3_LABEL=
if ((S3 == 1)); then
    start_s3proxy
    S3_LABEL="$FILE_LABEL to S3, gzip"
fi
# How the exports start: as bin/bulk-export starts them (BENCH_CDS=1, the default), from the class-data archive it
# keeps beside the jar, which an untimed first export writes for the private copy, and with its JVM options; or as
# plain java -jar (BENCH_CDS=0).
if [[ ${BENCH_CDS:-1} == 1 ]]; then
    LAUNCHER=("$ROOT/bin/bulk-export")
    JAR_ARGS=()
    archive=${JAR%.jar}.jsa
    rm -f "$archive"
    rm -rf "$WORK/export-cds" "$SPOOL" && mkdir -p "$WORK/export-cds/out" "$WORK/export-cds/state" "$SPOOL"
    # to S3 when the S3 runs are on: that export loads nearly every class a file export does, and the AWS SDK's
    log "writing the class-data archive (an untimed export, bin/bulk-export's first run)"
    if ((S3 == 1)); then
        (s3_export_run gzip "" "$WORK/export-cds" "$WORK/export-cds.log") \
            || die "the export that writes the class-data archive failed (log: $WORK/export-cds.log)"
        empty_bucket
    else
        (export_run "" "$WORK/export-cds" "$WORK/export-cds.log") \
            || die "the export that writes the class-data archive failed (log: $WORK/export-cds.log)"
    fi
    [[ -f $archive ]] || die "no class-data archive was written (log: $WORK/export-cds.log)"
    rm -rf "$WORK/export-cds"
else
    LAUNCHER=(java)
    JAR_ARGS=(-jar "$JAR")
fi

rm -f "$WORK"/export-*.log
for ((run = 1; run <= REPEAT; run++)); do
    baseline_case 1 "$run"
    if ((PARALLEL > 1)); then baseline_case "$PARALLEL" "$run"; fi
    for heap in $HEAPS; do export_case "$heap" "$run"; done
    if ((TRANSFORM == 1)); then transform_case "$run"; fi
    if ((S3 == 1)); then
        for compression in gzip none; do s3_case "$compression" "$run"; done
    fi
done
for c in "${CASES[@]}"; do add_row "$c"; done
if ((S3 == 1)); then
    ((KEEP_OUTPUT == 1)) || empty_bucket
    kill "$S3PROXY_PID" 2>/dev/null || true
    wait "$S3PROXY_PID" 2>/dev/null || true
    S3PROXY_PID=
fi

# The target: the export to S3 (gzip) at least 80% of the file export's throughput, with the same memory bound.
RATIO=
if [[ -n $S3_LABEL ]]; then
    RATIO=$(awk -v f="${BEST_SECONDS[$FILE_LABEL]}" -v s="${BEST_SECONDS[$S3_LABEL]}" \
        -v fd="${BEST_DOWNLOAD[$FILE_LABEL]}" -v sd="${BEST_DOWNLOAD[$S3_LABEL]}" 'BEGIN {
            printf "S3/file throughput ratio: %.0f%% (target 80%%)", 100 * f / s
            if (fd > 0 && sd > 0) printf "; download phase alone: %.0f%% (%.1f s vs %.1f s)", 100 * fd / sd, sd, fd
        }')
    RATIO+=" — $S3_LABEL vs $FILE_LABEL, peak RSS ${BEST_PEAK_MB[$S3_LABEL]} MB vs ${BEST_PEAK_MB[$FILE_LABEL]} MB"
fi

# The target of the file export: at least the throughput of curl | gzip -dc fetching the files one after another.
EXPORT_RATIO="export/baseline throughput ratio (target: at least 100%):"
for heap in $HEAPS; do
    heap_case "$heap"
    EXPORT_RATIO+=$(awk -v b="${BEST_SECONDS[$BASELINE_LABEL]}" -v e="${BEST_SECONDS[$label]}" -v l="$label" \
        'BEGIN{printf " %s %.0f%%;", l, 100 * b / e}')
done
EXPORT_RATIO="${EXPORT_RATIO%;} of $BASELINE_LABEL"

# --- 8. Results ---------------------------------------------------------------------------------------------------
HEADER=$'run\tseconds\trecords/s\tMB/s\tpeak RSS MB\tclient CPU s\tsandbox CPU s\tS3Proxy CPU s\tother CPU s'
{
    echo
    echo "$DATA_PARAMS: $TOTAL_RECORDS records, $(awk -v b="$JSON_BYTES" 'BEGIN{printf "%.1f", b/1e6}') MB JSON ($(awk -v b="$GZ_BYTES" 'BEGIN{printf "%.1f", b/1e6}') MB gzip)"
    printf '%s\n' "$HEADER" "${ROWS[@]}" | awk -F'\t' '
        { for (i = 1; i <= NF; i++) { cell[NR, i] = $i; if (length($i) > w[i]) w[i] = length($i) } n = NR; nf = NF }
        END {
            for (r = 1; r <= n; r++) {
                line = sprintf("%-" w[1] "s", cell[r, 1])
                for (i = 2; i <= nf; i++) line = line sprintf("  %" w[i] "s", cell[r, i])
                print line
            }
        }'
    echo "$EXPORT_RATIO"
    [[ -z $RATIO ]] || echo "$RATIO"
    ((${#NOTES[@]} == 0)) || printf '%s\n' "${NOTES[@]}"
    ((${#BUSY[@]} == 0)) || echo "WARNING: other processes were busy during: ${BUSY[*]} — those numbers are not reliable"
}

{
    echo "# bulk-export benchmark"
    echo
    echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "- data: $DATA_PARAMS — $TOTAL_RECORDS records, $JSON_BYTES bytes of JSON, $GZ_BYTES bytes gzip"
    echo "- machine: $(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)), $JAVA_VERSION"
    echo "- parallelism: $PARALLEL; sandbox, S3Proxy and client on the same machine; fastest of $REPEAT run(s) per case"
    echo
    printf '%s\n' "$HEADER" "${ROWS[@]}" | awk -F'\t' '{
        line = "|"
        for (i = 1; i <= NF; i++) { cell = $i; gsub(/\|/, "\\|", cell); line = line " " cell " |" }
        print line
        if (NR == 1) { sep = "|---|"; for (i = 2; i <= NF; i++) sep = sep "---:|"; print sep }
    }'
    echo
    echo "**$EXPORT_RATIO**"
    echo
    [[ -z $RATIO ]] || { echo "**$RATIO**"; echo; }
    echo "MB = 10^6 bytes; MB/s counts decompressed JSON. Seconds: wall time from process start to exit (the export"
    echo "includes JVM start, submit, poll and shutdown; the baseline only the downloads). Peak RSS: VmHWM of the export"
    echo "JVM; for the baseline the largest sampled sum of its curl and gzip processes' RSS. Client CPU: user+system of"
    echo "the measured processes; sandbox CPU and S3Proxy CPU: of the sandbox and of S3Proxy (started only for the S3"
    echo "runs) while they ran; other CPU: all other processes on the machine meanwhile (and this script's sampling, and"
    echo "steal; not kernel threads) — if large, the run was disturbed. S3 runs: the export uploads to S3Proxy over HTTPS"
    echo "on loopback, filesystem storage; MB/s still counts decompressed JSON; S3/file ratio: of end-to-end throughput."
    echo
    ((${#NOTES[@]} == 0)) || for note in "${NOTES[@]}"; do echo "- $note"; done
    ((${#BUSY[@]} == 0)) || echo "- WARNING: other processes were busy during: ${BUSY[*]} — those numbers are not reliable"
} >"$WORK/results.md"
log "results written to $WORK/results.md"
