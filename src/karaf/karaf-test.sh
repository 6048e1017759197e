#!/usr/bin/env bash
# The bundle in Apache Karaf, end to end: a fresh Karaf 4.4 (from the Maven registry), Camel Karaf's features, our
# feature (src/karaf/features.xml), a one-shot job configured through etc/io.bulkexport.cfg against a Coresignal emulator
# started here, and the landed records compared with the emulator's files, record for record. Exits 0 when they are
# the same; then Karaf's Camel shell: the context gone once once mode has stopped it, and after a switch to service
# mode (config:property-set) listed by camel:context-list and camel:route-list with JMX statistics, a route stopped
# and started again by camel:route-stop|start. `mvn verify` runs it (module karaf, integration-test phase) after
# building the jars; by hand:
#
#   src/karaf/karaf-test.sh         (after mvn -B package -DskipTests)
#
# BUNDLE_JAR: the bundle to install (default: the one bundle/ built), served to Karaf from a Maven repository made
# here, as mvn:io.bulkexport/bulk-export/VERSION; the other bundles come from the local Maven repository.
# CAMEL_KARAF_REPO: a Maven repository holding the Camel Karaf 4.18 bundles when the registry does not serve them
# (default: ../shared/karaf/camel-karaf-repo beside the project, if it exists). KEEP=1 keeps the Karaf folder.
set -Eeuo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
KARAF_VERSION=${KARAF_VERSION:-4.4.8}
CAMEL_FEATURES=mvn:org.apache.camel.karaf/apache-camel/4.18.1/xml/features
CAMEL_KARAF_REPO=${CAMEL_KARAF_REPO:-$ROOT/../shared/karaf/camel-karaf-repo}
M2_REPO=${M2_REPO:-$HOME/.m2/repository}
JAR=$ROOT/target/bulk-export.jar
TIMEOUT=${TIMEOUT:-240}
API_KEY=cs-karaf-test-key-93b1e0
FILES=4 RECORDS=500

VERSION=0.1.0-SNAPSHOT
BUNDLE_JAR=${BUNDLE_JAR:-$ROOT/src/bundle/target/bulk-export-$VERSION.jar}
[[ -f $JAR ]] || { echo "karaf-test: $JAR missing: build with mvn -B package -DskipTests" >&2; exit 2; }
[[ -f $BUNDLE_JAR ]] || { echo "karaf-test: $BUNDLE_JAR missing: build with mvn -B package -DskipTests" >&2; exit 2; }

mkdir -p "$ROOT/target"
WORK=$(mktemp -d "$ROOT/target/karaf-test-XXXXXX")
KHOME=$WORK/apache-karaf-$KARAF_VERSION
KEY=$WORK/id_karaf
LOG=$KHOME/data/log/karaf.log
SANDBOX_PID=

T0=$(date +%s)
step() { echo "[karaf-test +$(( $(date +%s) - T0 ))s] $*"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
kssh() { ssh -q -i "$KEY" -p "$SSH_PORT" -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
        -o ConnectTimeout=5 -o LogLevel=ERROR karaf@127.0.0.1 "$@"; }
# a table of Karaf's shell (camel:context-list, camel:route-list …) as tab-separated rows, header first, whichever
# column separator ShellTable draws (│ or |)
ktable() {
    kssh "$@" 2>&1 | python3 -c '
import re, sys
for line in sys.stdin.buffer.read().decode("utf-8", "replace").replace("\r", "").splitlines():
    if line.strip() and not re.fullmatch(r"[\s\-─┼+|]+", line):
        print("\t".join(c.strip() for c in re.split(r"\s*[│|]\s*", line.strip())))'
}
# has_context NAME [STATUS]: camel:context-list lists NAME (with that status); 1 if not, 2 if no table came back
has_context() {
    ktable camel:context-list | awk -F'\t' -v n="$1" -v s="${2:-}" \
        'NR == 1 && $1 == "Context" { h = 1 } $1 == n && (s == "" || $2 == s) { f = 1 } END { exit h ? !f : 2 }'
}
# no_context NAME: camel:context-list answers, without NAME
no_context() { local rc=0; has_context "$1" || rc=$?; (( rc == 1 )); }
# has_route CONTEXT ROUTE STATUS [MIN_TOTAL]: camel:route-list CONTEXT shows ROUTE in STATUS, with at least MIN_TOTAL
# exchanges (a statistic that only Camel's JMX management keeps)
has_route() {
    ktable camel:route-list "$1" | awk -F'\t' -v c="$1" -v r="$2" -v s="$3" -v t="${4:-0}" \
        '$1 == c && $2 == r && $3 == s && $4 + 0 >= t + 0 { f = 1 } END { exit !f }'
}
# within SECONDS WHAT COMMAND…: waits until COMMAND succeeds, or fails saying WHAT
within() {
    local secs=$1 what=$2; shift 2
    local until=$(( $(date +%s) + secs ))
    until "$@"; do
        (( $(date +%s) < until )) || { echo "$what: not within ${secs}s" >&2; return 1; }
        sleep 0.5
    done
}

stop_all() {
    if [[ -x $KHOME/bin/stop ]]; then
        local pid; pid=$(cat "$KHOME/karaf.pid" 2>/dev/null || true)
        "$KHOME/bin/stop" >/dev/null 2>&1 || true
        for _ in $(seq 1 60); do { [[ -z $pid ]] || ! kill -0 "$pid" 2>/dev/null; } && break; sleep 0.5; done
        [[ -n $pid ]] && kill -9 "$pid" 2>/dev/null || true
    fi
    [[ -n $SANDBOX_PID ]] && kill "$SANDBOX_PID" 2>/dev/null || true
}
on_exit() {
    local rc=$?
    stop_all
    if ((rc != 0)); then
        echo "karaf-test FAILED (rc=$rc); the bulk-export lines of $LOG:" >&2
        grep -E "bulkexport|bulk-export|ERROR" "$LOG" 2>/dev/null | tail -40 | cut -c1-400 >&2 || true
        echo "(Karaf left in $WORK)" >&2
    elif [[ ${KEEP:-0} != 1 ]]; then
        rm -rf "$WORK"
    fi
}
trap on_exit EXIT

# 1. the emulator, serving generated files that this script keeps to compare with
command -v python3 >/dev/null || { echo "karaf-test: python3 is needed" >&2; exit 2; }
java -cp "$JAR" io.bulkexport.sandbox.CoresignalSandbox --write-files "$WORK/served" --files $FILES --records $RECORDS \
    --record-bytes 600 >/dev/null
SANDBOX_PORT=$(free_port)
java -Xmx128m -cp "$JAR" io.bulkexport.sandbox.CoresignalSandbox --port "$SANDBOX_PORT" --files-dir "$WORK/served" \
    --api-key "$API_KEY" --ready-after-seconds 1 >"$WORK/sandbox.log" 2>&1 &
SANDBOX_PID=$!
step "emulator on 127.0.0.1:$SANDBOX_PORT serving $FILES files of $RECORDS records"

# 2. Karaf, fresh, bound to loopback
DIST=$ROOT/target/karaf-dist
if [[ ! -f $DIST/apache-karaf-$KARAF_VERSION.tar.gz ]]; then
    (cd "$ROOT" && mvn -q -B -N dependency:copy -Dartifact=org.apache.karaf:apache-karaf:$KARAF_VERSION:tar.gz \
        -DoutputDirectory="$DIST")
fi
tar xzf "$DIST/apache-karaf-$KARAF_VERSION.tar.gz" -C "$WORK"
SSH_PORT=$(free_port) RMI_REG=$(free_port) RMI_SRV=$(free_port)
E=$KHOME/etc
# the bundle under test, in a repository of its own
mkdir -p "$WORK/repo/io/bulkexport/bulk-export/$VERSION"
cp "$BUNDLE_JAR" "$WORK/repo/io/bulkexport/bulk-export/$VERSION/bulk-export-$VERSION.jar"
repos="file:$WORK/repo@id=bulk-export-under-test@snapshots"
[[ -d $CAMEL_KARAF_REPO ]] && repos="$repos, file:$CAMEL_KARAF_REPO@id=camel-karaf-4.18"
python3 - "$E/org.ops4j.pax.url.mvn.cfg" "$M2_REPO" "$repos" <<'PY'
import re, sys
path, m2, extra = sys.argv[1:]
s = open(path).read()
s = re.sub(r'(?m)^org\.ops4j\.pax\.url\.mvn\.repositories\s*=.*(\n[ \t]+.*)*',
           'org.ops4j.pax.url.mvn.repositories = https://repo1.maven.org/maven2@id=central', s)
s = re.sub(r'(?m)^(org\.ops4j\.pax\.url\.mvn\.defaultRepositories\s*=(?:.*\\\n)*.*)$',
           lambda m: m.group(1) + ', \\\n    ' + extra, s, count=1)
s += '\norg.ops4j.pax.url.mvn.localRepository = ' + m2 + '\n'
open(path, 'w').write(s)
PY
sed -i -e "s/^sshPort *=.*/sshPort = $SSH_PORT/" -e "s/^sshHost *=.*/sshHost = 127.0.0.1/" "$E/org.apache.karaf.shell.cfg"
sed -i -e "s/^rmiRegistryPort *=.*/rmiRegistryPort = $RMI_REG/" -e "s/^rmiServerPort *=.*/rmiServerPort = $RMI_SRV/" \
       -e "s/^rmiRegistryHost *=.*/rmiRegistryHost = 127.0.0.1/" -e "s/^rmiServerHost *=.*/rmiServerHost = 127.0.0.1/" \
       "$E/org.apache.karaf.management.cfg"
ssh-keygen -q -t rsa -b 2048 -N '' -C karaf-test -f "$KEY"
echo "karaf=$(awk '{print $2}' "$KEY.pub"),_g_:admingroup" >> "$E/keys.properties"

# 3. the job and the bundle's configuration, as a Karaf user writes them
mkdir -p "$WORK/jobs"
echo '{"query": {"match_all": {}}}' > "$WORK/jobs/query.json"
printf 'provider: coresignal\ndataset: employee_clean\nmethod: es_dsl\nrequest: query.json\n' > "$WORK/jobs/karaf-engineers.yaml"
cat > "$E/io.bulkexport.cfg" <<CFG
bulkexport.run-mode = once
bulkexport.jobs = $WORK/jobs/*.yaml
bulkexport.routes.dir = $WORK/no-routes
bulkexport.output.dir = $WORK/out
bulkexport.state.url = jdbc:h2:file:$WORK/state/bulk-export;WRITE_DELAY=0
bulkexport.coresignal.base-url = http://127.0.0.1:$SANDBOX_PORT/cdapi
bulkexport.poll.interval-seconds = 0.5
bulkexport.poll.tick-millis = 200
CFG
step "Karaf $KARAF_VERSION configured in $KHOME"

# 4. start, install, wait for the once-mode summary
export CORESIGNAL_API_KEY=$API_KEY   # the credential comes from Karaf's environment, as in production
"$KHOME/bin/start"
deadline=$(( $(date +%s) + TIMEOUT ))
until kssh system:version >/dev/null 2>&1; do
    (( $(date +%s) < deadline )) || { echo "Karaf's shell not ready in ${TIMEOUT}s" >&2; exit 1; }
    sleep 1
done
step "Karaf up"
kssh feature:repo-add "$CAMEL_FEATURES" >/dev/null
kssh feature:repo-add "file:$ROOT/src/karaf/features.xml" >/dev/null
out=$(kssh feature:install bulk-export 2>&1 | tr -d '\r') || { echo "$out" >&2; exit 1; }
if grep -qiE 'error|exception|unable|could not|failed' <<<"$out"; then echo "$out" >&2; exit 1; fi
step "feature bulk-export installed"
until grep -q "DONE karaf-engineers\|FAILED karaf-engineers\|configuration error\|cannot start" "$LOG" 2>/dev/null; do
    (( $(date +%s) < deadline )) || { echo "no summary for karaf-engineers in ${TIMEOUT}s" >&2; exit 1; }
    sleep 0.5
done
grep -q "DONE karaf-engineers" "$LOG" || { echo "the job did not end DONE" >&2; exit 1; }
step "$(grep -o 'DONE karaf-engineers.*' "$LOG" | head -1)"

# 5. the records: exactly those served, each once
python3 - "$WORK/served" "$WORK/out/karaf-engineers" $((FILES * RECORDS)) <<'PY'
import gzip, json, pathlib, sys
served, landed, expected = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), int(sys.argv[3])
want = sorted(json.loads(l)["id"] for f in served.glob("*.json.gz") for l in gzip.open(f, "rt") if l.strip())
got = sorted(json.loads(l)["id"] for f in landed.rglob("*.jsonl") if not f.name.startswith(".")
             and not f.name.endswith(".quarantine.jsonl") for l in f.open() if l.strip())
assert len(want) == expected, f"served {len(want)} records, expected {expected}"
assert got == want, f"landed {len(got)} records ({len(set(got))} distinct), served {len(want)}"
assert len(list(landed.rglob("_manifest.json"))) == 1, "no manifest"
print(f"records: {len(got)} landed, exactly the {len(want)} served")
PY
if grep -q "$API_KEY" "$LOG"; then echo "the API key appears in Karaf's log" >&2; exit 1; fi

# 6. Karaf's Camel shell (camel-karaf-shell, installed with camel-core when Karaf has its shell feature). The context
# is an OSGi service only while it runs: once mode's own stop takes it off the list.
CTX=bulk-export
within 60 "camel:context-list still lists $CTX after once mode stopped it (or does not answer)" no_context "$CTX"
# the same bundle in service mode: a configuration change restarts the context; the run that ended DONE is not sent again
kssh config:property-set -p io.bulkexport bulkexport.run-mode service >/dev/null
within 60 "camel:context-list does not list $CTX Started after the switch to service mode" has_context "$CTX" Started
no_resubmission() { grep -q "karaf-engineers: last run .* ended DONE .*not submitted again" "$LOG"; }
within 30 "service mode did not say that karaf-engineers is not submitted again" no_resubmission
if (( $(grep -c "karaf-engineers: submitting a" "$LOG") != 1 )); then
    echo "karaf-engineers was submitted again in service mode" >&2; exit 1
fi
within 30 "camel:route-list $CTX does not show route download-run Started" has_route "$CTX" download-run Started
# the startup route ran its one exchange: counted only with Camel's JMX management on (the columns stay 0 without it)
within 60 "camel:route-list $CTX shows no exchange of route startup (JMX statistics missing?)" \
    has_route "$CTX" startup Started 1
step "camel:context-list and camel:route-list show $CTX, its routes and their statistics"
kssh camel:route-stop "$CTX" download-run >/dev/null
within 30 "camel:route-stop $CTX download-run: the route is not Stopped" has_route "$CTX" download-run Stopped
kssh camel:route-start "$CTX" download-run >/dev/null
within 30 "camel:route-start $CTX download-run: the route is not Started" has_route "$CTX" download-run Started
step "camel:route-stop and camel:route-start work on download-run"
step "passed"
