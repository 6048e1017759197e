#!/usr/bin/env bash
# Scale benchmark of bulk-export: many small one-shot jobs, and one run of many files, exported by 1 to N instances
# (child processes of the built jar) that share one PostgreSQL, against the Coresignal sandbox (its own process).
#
#   bench/scale.sh                                    # both cases, about 12 minutes
#   BENCH_CASES=jobs bench/scale.sh                   # only the many-jobs case
#   BENCH_JOB_RUNS="100:1 100:3" BENCH_READY_SECONDS=10 BENCH_CASES=jobs bench/scale.sh    # a quick look
#
# Settings (environment):
#   BENCH_CASES           "jobs files" (default both): the many-jobs case, the many-files case
#   BENCH_JOB_RUNS        many-jobs runs as jobs:instances (default "250:1 1000:1 1000:3")
#   BENCH_JOB_RECORDS     records in each job's one file (default 10)
#   BENCH_READY_SECONDS   how long the sandbox takes to make each request ready (default 120)
#   BENCH_RATE            bulkexport.coresignal.rate: calls per second for the whole cluster (default 27, Coresignal's)
#   BENCH_FILE_INSTANCES  instance counts of the many-files case (default "1 2 3")
#   BENCH_FILES, BENCH_RECORDS, BENCH_RECORD_BYTES   the many-files run's data set (default 40 x 10,000 x 3,500:
#                         bench/run.sh's, about 1.4 GB of JSON; generated once, cached in bench/work/data)
#   BENCH_HEAP            -Xmx of each instance (default 512m)
#   BENCH_SAMPLE_SECONDS  how often CPU and memory are sampled (default 0.5)
#   BENCH_PG_BIN          PostgreSQL's binaries (default: the newest /usr/lib/postgresql/*/bin)
# Everything else is the application's default configuration (config/application.properties): poll interval 30 s
# with backoff, poll tick 1 s, heartbeat 5 s, lease 30 s, 2 downloads at once per instance.
# Results: printed, and written to bench/work/scale-results.md. Scratch data lives in bench/work/scale/ (git-ignored).
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=bench/lib.sh
. "$BENCH_DIR/lib.sh"

CASES=${BENCH_CASES:-jobs files}
JOB_RUNS=${BENCH_JOB_RUNS:-250:1 1000:1 1000:3}
JOB_RECORDS=${BENCH_JOB_RECORDS:-10}
READY=${BENCH_READY_SECONDS:-120}
RATE=${BENCH_RATE:-27}
FILE_INSTANCES=${BENCH_FILE_INSTANCES:-1 2 3}
FILES=${BENCH_FILES:-40}
RECORDS=${BENCH_RECORDS:-10000}
RECORD_BYTES=${BENCH_RECORD_BYTES:-3500}
HEAP=${BENCH_HEAP:-512m}
SAMPLE=${BENCH_SAMPLE_SECONDS:-0.5}
KEY=bench-key
QUERY=$ROOT/config/queries/coresignal-python-engineers.json
SCALE=$WORK/scale

# --- Checks -------------------------------------------------------------------------------------------------------
for c in $CASES; do [[ $c == jobs || $c == files ]] || die "BENCH_CASES: '$c' is neither 'jobs' nor 'files'"; done
for r in $JOB_RUNS; do
    [[ $r =~ ^[1-9][0-9]*:[1-9][0-9]*$ ]] || die "BENCH_JOB_RUNS: '$r' is not jobs:instances (e.g. 1000:3)"
done
for n in $FILE_INSTANCES; do [[ $n =~ ^[1-9][0-9]*$ ]] || die "BENCH_FILE_INSTANCES: '$n' is not a count of instances"; done
for name in JOB_RECORDS RATE FILES RECORDS RECORD_BYTES; do
    [[ ${!name} =~ ^[1-9][0-9]*$ ]] || die "BENCH_$name must be a whole number > 0, got '${!name}'"
done
[[ $READY =~ ^[0-9]+$ ]] || die "BENCH_READY_SECONDS must be a whole number of seconds, got '$READY'"
[[ $HEAP =~ ^[0-9]+[kKmMgG]?$ ]] || die "BENCH_HEAP must be a -Xmx size (e.g. 512m), got '$HEAP'"
[[ $SAMPLE =~ ^[0-9]*\.?[0-9]+$ ]] || die "BENCH_SAMPLE_SECONDS must be a number of seconds, got '$SAMPLE'"
for tool in java awk sort find xargs wc; do command -v "$tool" >/dev/null || die "'$tool' is not installed (or not on PATH)"; done
[[ -r /proc/self/status ]] || die "/proc is needed to measure CPU and memory"
[[ -n ${EPOCHREALTIME:-} ]] || die "bash 5 or later is needed (EPOCHREALTIME)"
java_17_or_later
[[ -f $QUERY ]] || die "missing query file $QUERY"
PG_BIN=${BENCH_PG_BIN:-$(find /usr/lib/postgresql -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)}
[[ -n $PG_BIN && -x $PG_BIN/initdb && -x $PG_BIN/pg_ctl && -x $PG_BIN/psql ]] ||
    die "PostgreSQL's server binaries are needed (apt-get install postgresql, or BENCH_PG_BIN=<its bin folder>)"
[[ -f $(dirname "$PG_BIN")/lib/pg_stat_statements.so ]] ||
    die "PostgreSQL's pg_stat_statements module is missing from $(dirname "$PG_BIN")/lib (it comes with the server package)"
CLK_TCK=$(getconf CLK_TCK)
mkdir -p "$SCALE"

# --- Processes started here are stopped on exit ---------------------------------------------------------------------
INSTANCE_PIDS=()
MONITOR_PID=
PG_DIR=
AS_PG=()
cleanup() {
    local pid
    for pid in ${INSTANCE_PIDS[@]+"${INSTANCE_PIDS[@]}"} "$MONITOR_PID"; do
        if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; fi
    done
    stop_sandbox
    if [[ -n $PG_DIR && -f $PG_DIR/db/postmaster.pid ]]; then
        ${AS_PG[@]+"${AS_PG[@]}"} "$PG_BIN/pg_ctl" -D "$PG_DIR/db" -m fast -w stop >/dev/null 2>&1 || true
    fi
    if [[ -n $PG_DIR ]]; then rm -rf "$PG_DIR"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

bench_jar

# --- PostgreSQL: a private cluster on a free loopback port, with pg_stat_statements --------------------------------
# In a folder of its own outside the project (as root the server runs as the postgres user, which must reach it).
PG_DIR=$(mktemp -d -t bulkexport-bench-pg.XXXXXX)
if [[ $(id -u) == 0 ]]; then
    id postgres >/dev/null 2>&1 || die "running as root needs the postgres user (the postgresql package creates it)"
    chown postgres "$PG_DIR"
    AS_PG=(runuser -u postgres --)
fi
free_port() {
    local port
    for _ in $(seq 1 50); do
        port=$((20000 + RANDOM % 40000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return; fi
    done
    die "found no free loopback port"
}
PG_PORT=$(free_port)
"${AS_PG[@]+"${AS_PG[@]}"}" "$PG_BIN/initdb" -D "$PG_DIR/db" -A trust -U postgres --no-sync >"$PG_DIR/initdb.log" 2>&1 ||
    { cat "$PG_DIR/initdb.log" >&2; die "initdb failed"; }
"${AS_PG[@]+"${AS_PG[@]}"}" "$PG_BIN/pg_ctl" -D "$PG_DIR/db" -l "$PG_DIR/server.log" -w -o "-p $PG_PORT \
    -c listen_addresses=127.0.0.1 -c unix_socket_directories=$PG_DIR -c max_connections=200 \
    -c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=top" start >/dev/null ||
    { cat "$PG_DIR/server.log" >&2; die "PostgreSQL did not start"; }
psql() { PGOPTIONS='-c client_min_messages=warning' "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres "$@"; }
psql -d postgres -c "CREATE EXTENSION pg_stat_statements" >/dev/null
PG_VERSION=$(psql -d postgres -tAc "SHOW server_version")
log "PostgreSQL $PG_VERSION on 127.0.0.1:$PG_PORT"

# CPU of the database server: the postmaster, its live processes, and the connections that have ended (their time
# is in the postmaster's cutime/cstime once it has reaped them).
pg_ticks() {
    local postmaster
    postmaster=$(head -n 1 "$PG_DIR/db/postmaster.pid")
    { cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk -v pm="$postmaster" '
        {
            for (rp = length($0); rp > 0 && substr($0, rp, 1) != ")"; rp--) {}
            split(substr($0, rp + 2), f, " ")
            if ($1 == pm) total += f[12] + f[13] + f[14] + f[15]
            else if (f[2] == pm) total += f[12] + f[13]
        }
        END { print total + 0 }'
}

# --- Running instances and measuring them -----------------------------------------------------------------------
# sample_instances outfile pids...: every $SAMPLE s, one line per live instance: epoch, index, CPU ticks, RSS kB, VmHWM kB.
sample_instances() {
    local out=$1 i pid line fields rss hwm key value unit
    shift
    local pids=("$@")
    while :; do
        local alive=0
        for i in "${!pids[@]}"; do
            pid=${pids[$i]}
            [[ -r /proc/$pid/stat ]] || continue
            alive=1
            read -r line </proc/"$pid"/stat 2>/dev/null || continue
            read -r -a fields <<<"${line##*) }"
            rss=0 hwm=0
            while read -r key value unit; do
                case $key in VmRSS:) rss=$value ;; VmHWM:) hwm=$value ;; esac
            done 2>/dev/null </proc/"$pid"/status || true
            echo "$EPOCHREALTIME $i $((fields[11] + fields[12])) $rss $hwm"
        done >>"$out"
        ((alive)) || return 0
        sleep "$SAMPLE"
    done
}

# run_instances dir count jobs-glob [java options...]: starts count instances of the jar on database $DB, waits for
# all of them; sets R_SECONDS R_CPU R_PG_CPU R_OTHER_CPU R_PEAK_MB (largest instance) R_SUM_PEAK_MB and R_START.
run_instances() {
    local dir=$1 count=$2 jobs=$3 i rc failed=0 t1 pg0 busy0
    shift 3
    mkdir -p "$dir"
    rm -f "$dir/samples.txt"
    INSTANCE_PIDS=()
    pg0=$(pg_ticks)
    busy0=$(busy_ticks)
    times >"$dir/.times0"
    R_START=$EPOCHREALTIME
    for ((i = 1; i <= count; i++)); do
        (
            cd "$ROOT"
            if [[ $CALLER_LC_ALL == unset ]]; then unset LC_ALL; else export LC_ALL=$CALLER_LC_ALL; fi
            CORESIGNAL_API_KEY=$KEY exec java "-Xmx$HEAP" \
                -Dbulkexport.instance.id="bench-$i" \
                -Dbulkexport.run-mode=once \
                -Dbulkexport.sandbox.enabled=false \
                -Dbulkexport.coresignal.base-url="$BASE_URL" \
                -Dbulkexport.coresignal.rate="$RATE" \
                -Dbulkexport.jobs="$jobs" \
                -Dbulkexport.output.dir="$dir/out" \
                -Dbulkexport.state.url="jdbc:postgresql://127.0.0.1:$PG_PORT/$DB?user=postgres" \
                "$@" -jar "$JAR" >"$dir/instance-$i.log" 2>&1
        ) &
        INSTANCE_PIDS+=($!)
    done
    sample_instances "$dir/samples.txt" "${INSTANCE_PIDS[@]}" &
    MONITOR_PID=$!
    for i in "${!INSTANCE_PIDS[@]}"; do
        rc=0
        wait "${INSTANCE_PIDS[$i]}" || rc=$?
        if ((rc != 0)); then
            log "instance $((i + 1)) exited $rc (log: $dir/instance-$((i + 1)).log)"
            failed=1
        fi
    done
    t1=$EPOCHREALTIME
    times >"$dir/.times1"
    INSTANCE_PIDS=()
    wait "$MONITOR_PID" || true
    MONITOR_PID=
    ((failed == 0)) || die "an instance failed; see its log"
    sleep 0.3 # the server reaps the ended connections
    R_SECONDS=$(awk -v a="$R_START" -v b="$t1" 'BEGIN{printf "%.1f", b - a}')
    R_CPU=$(awk -v a="$(cpu_seconds "$dir/.times0")" -v b="$(cpu_seconds "$dir/.times1")" 'BEGIN{printf "%.1f", b - a}')
    R_PG_CPU=$(awk -v a="$pg0" -v b="$(pg_ticks)" -v hz="$CLK_TCK" 'BEGIN{printf "%.1f", (b - a) / hz}')
    R_OTHER_CPU=$(awk -v a="$busy0" -v b="$(busy_ticks)" -v hz="$CLK_TCK" -v mine="$R_CPU" -v pg="$R_PG_CPU" \
        -v sb="$R_SANDBOX_CPU0" -v sb1="$(cpu_ticks "$SANDBOX_PID")" \
        'BEGIN{o = (b - a) / hz - mine - pg - (sb1 - sb) / hz; printf "%.1f", o < 0 ? 0 : o}')
    read -r R_PEAK_MB R_SUM_PEAK_MB < <(awk '{ if ($5 > hwm[$2]) hwm[$2] = $5 }
        END { for (i in hwm) { sum += hwm[i]; if (hwm[i] > max) max = hwm[i] }; printf "%.0f %.0f\n", max * 1024 / 1e6, sum * 1024 / 1e6 }' \
        "$dir/samples.txt")
}

new_database() { # name: a fresh database for one run, and its oid (pg_stat_statements keeps statistics per database)
    DB=$1
    psql -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null
    DB_OID=$(psql -d postgres -tAc "SELECT oid FROM pg_database WHERE datname = '$DB'")
}
q() { psql -d "$DB" -tA -F ' ' -c "$1"; } # one query on the run's database, space-separated columns

# The database's work for the run, from pg_stat_statements: total statement time (ms) and calls.
db_totals() {
    psql -d postgres -tA -F ' ' -c "SELECT round(sum(total_exec_time)::numeric, 1), sum(calls)
        FROM pg_stat_statements WHERE dbid = $DB_OID"
}

# Calls the sandbox received: the most in any one second (a sliding window over arrival times), of all kinds.
max_calls_per_second() { # request-log [kind]
    awk -v kind="${2:-}" 'kind == "" || $2 == kind { t[n++] = $1 }
        END { j = 0; max = 0; for (i = 0; i < n; i++) { while (t[i] - t[j] >= 1000) j++; if (i - j + 1 > max) max = i - j + 1 }; print max }' "$1"
}

JOB_ROWS=()
FILE_ROWS=()
NOTES=()
tsv() { local IFS=$'\t'; echo "$*"; }

# --- The many-jobs case ---------------------------------------------------------------------------------------------
# N one-shot jobs, each one small request (one file of JOB_RECORDS records) that the sandbox makes ready READY s after
# it arrived. Measured: the submissions (all calls are rate-limited: submit, status checks, fetch), time from ready to
# landed, CPU and memory of the instances, CPU while every run waits (from the last submission to the first ready),
# and the database's work, the poll tick's query in particular.
jobs_case() { # jobs instances
    local jobs=$1 n=$2 dir=$SCALE/jobs-$1x$2 i
    log "many-jobs case: $jobs one-shot jobs on $n instance(s), ready after $READY s, rate $RATE/s"
    rm -rf "$dir"
    mkdir -p "$dir/jobs"
    for ((i = 1; i <= jobs; i++)); do
        printf 'provider: coresignal\ndataset: employee_clean\nmethod: es_dsl\nrequest: %s\nlimit: %d\n' \
            "$QUERY" "$JOB_RECORDS" >"$dir/jobs/job-$(printf '%04d' "$i").yaml"
    done
    new_database "jobs_${jobs}_$n"
    start_sandbox "$dir/sandbox.log" --port 0 --api-key "$KEY" --files 1 --records "$JOB_RECORDS" \
        --ready-after-seconds "$READY" --request-log "$dir/requests.txt"
    R_SANDBOX_CPU0=$(cpu_ticks "$SANDBOX_PID")
    run_instances "$dir" "$n" "$dir/jobs/*.yaml"
    local sandbox_cpu
    sandbox_cpu=$(awk -v a="$R_SANDBOX_CPU0" -v b="$(cpu_ticks "$SANDBOX_PID")" -v hz="$CLK_TCK" 'BEGIN{printf "%.1f", (b - a) / hz}')
    stop_sandbox
    # The database's work, read before this script's own queries on the run's database add to it: all statements,
    # and the poll tick's query for due status checks (every tick, on every instance).
    local db_ms db_calls tick_calls tick_mean tick_max
    read -r db_ms db_calls < <(db_totals)
    read -r tick_calls tick_mean tick_max < <(psql -d postgres -tA -F ' ' -c "SELECT sum(calls),
            round((sum(total_exec_time) / sum(calls))::numeric, 3), round((max(max_exec_time))::numeric, 2)
        FROM pg_stat_statements WHERE dbid = $DB_OID AND query LIKE 'SELECT %next_poll_at <=%'")

    # Verified: every job DONE once, one submission each as the vendor saw it, every record landed, nothing half-written.
    local done runs submits lines parts
    read -r runs done < <(q "SELECT count(*), count(*) FILTER (WHERE status = 'DONE') FROM bulkexport_run")
    ((runs == jobs && done == jobs)) || die "many-jobs $jobs x $n: $done of $runs runs DONE, expected $jobs"
    submits=$(awk '$2 == "SUBMIT"' "$dir/requests.txt" | wc -l)
    ((submits == jobs)) || die "many-jobs $jobs x $n: the sandbox received $submits submissions, expected $jobs"
    lines=$(find "$dir/out" -name '*.jsonl' ! -name '*.quarantine.jsonl' -print0 | xargs -0 cat | wc -l)
    ((lines == jobs * JOB_RECORDS)) || die "many-jobs $jobs x $n: $lines records landed, expected $((jobs * JOB_RECORDS))"
    parts=$(find "$dir/out" -name '*.part' | wc -l)
    ((parts == 0)) || die "many-jobs $jobs x $n: $parts .part files left"
    log "many-jobs $jobs x $n: verified $jobs runs DONE, $submits submissions, $lines records, no .part files"

    # Submissions as the vendor saw them, and every call's peak second against the rate.
    local sub_rate max_calls calls first_submit last_submit
    read -r first_submit last_submit sub_rate < <(awk '$2 == "SUBMIT" { if (!n++) f = $1; l = $1 }
        END { r = 0; if (n > 1) r = (n - 1) * 1000 / (l - f)   # (a ">" among printf arguments is a redirection)
              printf "%.3f %.3f %.1f\n", f, l, r }' "$dir/requests.txt")
    max_calls=$(max_calls_per_second "$dir/requests.txt")
    calls=$(wc -l <"$dir/requests.txt")
    # Ready (the sandbox's arrival of the submission + READY s; the ledger's submitted_at is when its answer came
    # back, a few ms later) to landed (the run's end in the ledger): median, 95th percentile, max.
    local ready_landed
    ready_landed=$(q "SELECT finished_at - submitted_at - $READY * 1000 FROM bulkexport_run" | sort -n | awk '
        { v[n++] = $1 } END { printf "%.1f / %.1f / %.1f", v[int(n * 0.5)] / 1000, v[int(n * 0.95)] / 1000, v[n - 1] / 1000 }')
    # CPU and memory of the instances while every run waits: from the last submission to the first ready.
    local wait_from wait_to waiting
    wait_from=$last_submit
    wait_to=$(awk -v f="$first_submit" -v r="$READY" 'BEGIN{printf "%.3f", f + r * 1000}')
    waiting=$(awk -v from="$wait_from" -v to="$wait_to" -v hz="$CLK_TCK" '
        { t = $1 * 1000; i = $2
          if (t >= from && !(i in a)) { a[i] = $3; ta[i] = t }
          if (t <= to) { b[i] = $3; tb[i] = t; if ($4 > rss) rss = $4 } }
        END {
            for (i in a) if (tb[i] > ta[i]) { cpu += (b[i] - a[i]) / hz; secs = (tb[i] - ta[i]) / 1000 }
            if (secs < 1) print "- / -"; else printf "%.0f%% over %.0f s / %.0f", cpu / secs * 100, secs, rss * 1024 / 1e6
        }' "$dir/samples.txt")
    JOB_ROWS+=("$(tsv "$jobs" "$n" "$R_SECONDS" "$sub_rate" "$max_calls ($RATE)" "$calls" "$ready_landed" "$R_CPU" \
        "${waiting% / *}" "$R_PEAK_MB" "$R_SUM_PEAK_MB" "$R_PG_CPU" "$(awk -v ms="$db_ms" -v j="$jobs" 'BEGIN{printf "%.1f", ms / j}')" \
        "$sandbox_cpu" "$tick_mean ms (max $tick_max)")")
    # the statements that took the database longest, to tell what grows with the number of runs
    local top
    top=$(psql -d postgres -tA -F ' ' -c "SELECT round(total_exec_time::numeric, 0) || ' ms in ' || calls || ' calls: '
            || left(regexp_replace(regexp_replace(query, '\\s+', ' ', 'g'), '^SELECT .*? FROM ', 'SELECT … FROM '), 130)
        FROM pg_stat_statements WHERE dbid = $DB_OID ORDER BY total_exec_time DESC LIMIT 5" | sed 's/^/      - /')
    NOTES+=("many-jobs $jobs x $n: $db_calls statements taking $db_ms ms in all; poll-tick query: $tick_calls calls,
    mean $tick_mean ms; largest RSS of an instance while all wait: ${waiting#* / } MB; other CPU $R_OTHER_CPU s;
    longest statements in all:
$top")
}

# --- The many-files case --------------------------------------------------------------------------------------------
# One run of FILES files (bench/run.sh's data set) exported by 1, 2, 3 instances: they claim its files one at a time.
files_case() { # instances
    local n=$1 dir=$SCALE/files-x$1
    log "many-files case: one run of $FILES files on $n instance(s)"
    rm -rf "$dir"
    mkdir -p "$dir"
    printf 'provider: coresignal\ndataset: employee_clean\nmethod: es_dsl\nrequest: %s\n' "$QUERY" >"$dir/files.yaml"
    new_database "files_$n"
    start_sandbox "$dir/sandbox.log" --port 0 --api-key "$KEY" --files-dir "$DATA" --ready-after-seconds 0 \
        --request-log "$dir/requests.txt"
    R_SANDBOX_CPU0=$(cpu_ticks "$SANDBOX_PID")
    run_instances "$dir" "$n" "$dir/files.yaml" -Dbulkexport.poll.interval-seconds=1
    stop_sandbox
    local db_ms db_calls
    read -r db_ms db_calls < <(db_totals)
    local jsonl lines parts fetches
    jsonl=$(find "$dir/out" -type f -name '*.jsonl' ! -name '*.quarantine.jsonl' | wc -l)
    lines=$(find "$dir/out" -type f -name '*.jsonl' ! -name '*.quarantine.jsonl' -print0 | xargs -0 cat | wc -l)
    parts=$(find "$dir/out" -name '*.part' | wc -l)
    fetches=$(awk '$2 == "DOWNLOAD"' "$dir/requests.txt" | wc -l)
    ((jsonl == FILES && lines == FILES * RECORDS && parts == 0)) ||
        die "many-files x $n: $jsonl files, $lines records, $parts .part files; expected $FILES, $((FILES * RECORDS)), 0"
    ((fetches == FILES)) || die "many-files x $n: the sandbox served $fetches file downloads, expected $FILES (each once)"
    log "many-files x $n: verified $jsonl files, $lines records, each file fetched once, no .part files"
    local by_instance i
    by_instance=$(for ((i = 1; i <= n; i++)); do grep -c ' b\.progress - .* landed — ' "$dir/instance-$i.log" || true; done | paste -sd /)
    FILE_ROWS+=("$(awk -v n="$n" -v s="$R_SECONDS" -v rec="$((FILES * RECORDS))" -v bytes="$JSON_BYTES" -v cpu="$R_CPU" \
        -v pg="$R_PG_CPU" -v peak="$R_PEAK_MB" -v sum="$R_SUM_PEAK_MB" -v by="$by_instance" -v ms="$db_ms" 'BEGIN {
            printf "%d\t%.1f\t%.0f\t%.1f\t%s\t%s\t%s (%.1f%%)\t%.2f%%\t%s\t%s", n, s, rec / s, bytes / 1e6 / s, cpu, pg,
                pg, 100 * pg / (cpu + pg), 100 * ms / 1000 / s / n, peak " / " sum, by
        }')")
    NOTES+=("many-files x $n: $db_calls statements taking $db_ms ms in all; other CPU $R_OTHER_CPU s")
}

read -r load1 _ </proc/loadavg
if awk -v l="$load1" 'BEGIN{exit !(l > 1)}'; then
    log "warning: load average is $load1 before starting; other work on this machine will skew the numbers"
fi
for c in $CASES; do
    case $c in
        jobs) for r in $JOB_RUNS; do jobs_case "${r%%:*}" "${r##*:}"; done ;;
        files)
            bench_data "$WORK/data" "$FILES" "$RECORDS" "$RECORD_BYTES"
            for n in $FILE_INSTANCES; do files_case "$n"; done
            ;;
    esac
done

# --- Results --------------------------------------------------------------------------------------------------------
RESULTS=$WORK/scale-results.md
{
    echo "# bench/scale.sh results ($(date -u '+%Y-%m-%d %H:%M UTC'))"
    echo
    echo "- machine: $(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)), $JAVA_VERSION,"
    echo "  PostgreSQL $PG_VERSION; instances, sandbox and database on the same machine; -Xmx$HEAP per instance"
    if [[ ${#JOB_ROWS[@]} -gt 0 ]]; then
        echo
        echo "Many jobs: one-shot jobs of one $JOB_RECORDS-record file each, ready $READY s after submission, rate $RATE/s for the cluster"
        echo
        echo "| jobs | instances | seconds | submissions/s | most calls in 1 s (limit) | vendor calls | ready→landed s median / p95 / max | CPU s | CPU while all wait | peak RSS MB (largest) | peak RSS MB (sum) | DB CPU s | DB ms per job | sandbox CPU s | poll-tick query |"
        echo "|---:|---:|---:|---:|---:|---:|---|---:|---|---:|---:|---:|---:|---:|---|"
        for row in "${JOB_ROWS[@]}"; do echo "| ${row//$'\t'/ | } |"; done
    fi
    if [[ ${#FILE_ROWS[@]} -gt 0 ]]; then
        echo
        echo "Many files: one run, $DATA_PARAMS ($(awk -v b="$JSON_BYTES" 'BEGIN{printf "%.1f", b/1e6}') MB of JSON)"
        echo
        echo "| instances | seconds | records/s | MB/s | CPU s | DB CPU s | DB share of CPU | DB statement time per instance-second | peak RSS MB (largest / sum) | files landed by each |"
        echo "|---:|---:|---:|---:|---:|---:|---:|---:|---|---|"
        for row in "${FILE_ROWS[@]}"; do echo "| ${row//$'\t'/ | } |"; done
    fi
    echo
    for note in "${NOTES[@]}"; do echo "- $note"; done
} >"$RESULTS"
cat "$RESULTS"
log "results written to $RESULTS"
