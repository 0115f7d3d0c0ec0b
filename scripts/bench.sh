#!/usr/bin/env bash
# The performance benchmark: this provider against the emulator beside three
# floors (terraform_data with trivial input, terraform_data holding the same
# values, and a no-op provider with exactly our schemas). Writes
# contributing/performance.md, contributing/performance.svg and
# contributing/performance-data.json.
# Run `scripts/bench.sh --help` for the options.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

usage() {
  cat <<'USAGE'
scripts/bench.sh: time terraform apply, a no-op plan and destroy with this provider against the
emulator and beside three floors; write contributing/performance.md, contributing/performance.svg
and the raw samples (contributing/performance-data.json).

Options:
  --sizes "10 100 500 1000"   numbers of applications (default: 10 100 500 1000)
  --runs 3                    interleaved runs per figure; medians are reported (default: 3)
  --latencies "0 100"         emulator latencies in ms for the `ours` variant (default: 0 100)
  --variants "ours noop tfdata-trivial tfdata-same"
                              which variants to run (default: all four; `ours` runs once per latency)
  --no-extras                 applications only (no owners, no contracts)
  --parallelism 10            terraform -parallelism (default: 10)
  --out contributing/performance.md
                              the report; the SVG and the JSON are written beside it
                              (performance.svg, performance-data.json)
  --note TEXT                 a note printed at the top of the report (e.g. "preliminary")
  --no-rss                    skip the untimed peak-RSS/CPU run per N
  --no-build                  use the release binaries already built
  --rate-limit-scenario       also run the rate-limit scenario: an emulator with --rate-limit 20 and
                              an apply of 200 applications with max_requests_per_second = 20
  --profile N                 instead of the benchmark: one apply and one no-op plan of N
                              applications at 0 ms with perf record -g on the provider processes;
                              prints the top symbols
  --report-only DATA.json     only regenerate the report from raw samples
  --compare DATA.json         add a section comparing `ours` with an earlier run's raw samples
  -h, --help                  this help

Environment: TERRAFORM (default: terraform on PATH), CARGO_TARGET_DIR (honoured, as cargo does).
Keep runs small on a shared machine: --sizes "10 100" --runs 1.
USAGE
}

die() {
  echo "bench.sh: error: $*" >&2
  exit 1
}

sizes="10 100 500 1000"
runs=3
latencies="0 100"
variants="ours noop tfdata-trivial tfdata-same"
extras=1
parallelism=10
out=contributing/performance.md
note=""
rss=1
build=1
rate_scenario=0
profile_n=""
report_only=""
rate_limit=20
rate_apps=200

need_value() { [ $# -ge 2 ] || die "$1 needs a value (see --help)"; }

while [ $# -gt 0 ]; do
  case "$1" in
    -h | --help) usage; exit 0 ;;
    --sizes) need_value "$@"; sizes=$2; shift 2 ;;
    --runs) need_value "$@"; runs=$2; shift 2 ;;
    --latencies) need_value "$@"; latencies=$2; shift 2 ;;
    --variants) need_value "$@"; variants=$2; shift 2 ;;
    --no-extras) extras=0; shift ;;
    --parallelism) need_value "$@"; parallelism=$2; shift 2 ;;
    --out) need_value "$@"; out=$2; shift 2 ;;
    --note) need_value "$@"; note=$2; shift 2 ;;
    --no-rss) rss=0; shift ;;
    --no-build) build=0; shift ;;
    --rate-limit-scenario) rate_scenario=1; shift ;;
    --profile) need_value "$@"; profile_n=$2; shift 2 ;;
    --report-only) need_value "$@"; report_only=$2; shift 2 ;;
    --compare)
      need_value "$@"
      [ -f "$2" ] || die "--compare: no file $2"
      BENCH_COMPARE=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
      export BENCH_COMPARE
      shift 2
      ;;
    *) echo "bench.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done

is_count() { [[ $1 =~ ^[1-9][0-9]{0,4}$ ]]; }
for n in $sizes; do is_count "$n" || die "--sizes: $n is not a whole number from 1 to 99999"; done
[ -n "${sizes// /}" ] || die "--sizes is empty"
is_count "$runs" || die "--runs: $runs is not a whole number from 1"
is_count "$parallelism" || die "--parallelism: $parallelism is not a whole number from 1"
for l in $latencies; do [[ $l =~ ^[0-9]{1,5}$ ]] || die "--latencies: $l is not a whole number of ms"; done
for v in $variants; do
  case "$v" in ours | noop | tfdata-trivial | tfdata-same) ;; *) die "--variants: unknown variant $v (ours, noop, tfdata-trivial, tfdata-same)" ;; esac
done
[ -z "$profile_n" ] || is_count "$profile_n" || die "--profile: $profile_n is not a whole number from 1"

out_dir=$(dirname "$out")
svg="$out_dir/$(basename "$out" .md).svg"
data_json="$out_dir/$(basename "$out" .md)-data.json"
report() {
  python3 "$root/scripts/bench_report.py" "$1" "$out" "$svg"
  echo "==> Wrote $out, $svg"
}

if [ -n "$report_only" ]; then
  [ -f "$report_only" ] || die "--report-only: no file $report_only"
  report "$report_only"
  exit 0
fi

export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
unset TF_LOG TF_LOG_PATH TF_LOG_PROVIDER TF_PLUGIN_CACHE_DIR TF_CLI_ARGS TF_CLI_ARGS_plan TF_CLI_ARGS_apply TF_CLI_ARGS_destroy
tf=${TERRAFORM:-terraform}
command -v "$tf" >/dev/null 2>&1 || die "Terraform CLI is required (PATH or \$TERRAFORM)"
command -v python3 >/dev/null 2>&1 || die "python3 is required for the report"
command -v curl >/dev/null 2>&1 || die "curl is required to drive the emulator's admin routes"

release_dir="${CARGO_TARGET_DIR:-target}/release"
case "$release_dir" in /*) ;; *) release_dir="$root/$release_dir" ;; esac
if [ "$build" = 1 ]; then
  echo "==> Building the release binaries and the no-op floor provider"
  cargo build --release --locked --bins --example noop-provider
fi
for b in "$release_dir/terraform-provider-anypoint" "$release_dir/anypoint-emulator" "$release_dir/examples/noop-provider"; do
  [ -x "$b" ] || die "$b is missing (run without --no-build)"
done

work=$(mktemp -d "${TMPDIR:-/tmp}/anypoint-bench.XXXXXX")
emulator_pids=()
cleanup() {
  local pid
  for pid in "${emulator_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${emulator_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ -n "${keep_work:-}" ]; then
    echo "==> Kept $work"
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT

# ------------------------------------------------------------------ emulator

# start_emulator NAME ARGS...: start the release emulator on a free loopback
# port; sets $emu_url. Returns 1 (with the log in $work/NAME.log) if it exits.
start_emulator() {
  local name=$1
  shift
  local url_file="$work/$name.url"
  "$release_dir/anypoint-emulator" --listen 127.0.0.1:0 --admin --url-file "$url_file" "$@" >"$work/$name.log" 2>&1 &
  local pid=$!
  emulator_pids+=("$pid")
  local _
  for _ in $(seq 1 200); do
    [ -s "$url_file" ] && break
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.05
  done
  [ -s "$url_file" ] || return 1
  emu_url=$(head -1 "$url_file")
}

# admin URL METHOD PATH [BODY]: one admin call; prints the body.
admin() {
  local url=$1 method=$2 path=$3 body=${4:-}
  if [ -n "$body" ]; then
    curl -sS --fail -X "$method" -H 'Content-Type: application/json' --data "$body" "$url/_emulator$path"
  else
    curl -sS --fail -X "$method" "$url/_emulator$path"
  fi
}

# ------------------------------------------------------------- configurations

provider_dirs() {
  mkdir -p "$work/bin/ours" "$work/bin/noop" "$work/rc"
  cp "$release_dir/terraform-provider-anypoint" "$work/bin/ours/terraform-provider-anypoint"
  cp "$release_dir/examples/noop-provider" "$work/bin/noop/terraform-provider-anypoint"
  local v
  for v in ours noop; do
    # A wrapper recording each provider process's peak RSS (KiB) and CPU.
    mkdir -p "$work/bin/$v-rss" "$work/bin/$v-perf"
    cat >"$work/bin/$v-rss/terraform-provider-anypoint" <<WRAP
#!/bin/sh
exec /usr/bin/time -f "%M %U %S" -a -o "\${BENCH_RSS_FILE:-/dev/null}" "$work/bin/$v/terraform-provider-anypoint" "\$@"
WRAP
    cat >"$work/bin/$v-perf/terraform-provider-anypoint" <<WRAP
#!/bin/sh
exec /usr/bin/perf record -g -q -o "\${BENCH_PERF_DIR:-/tmp}/perf-\$\$.data" -- "$work/bin/$v/terraform-provider-anypoint" "\$@"
WRAP
    chmod +x "$work/bin/$v-rss/terraform-provider-anypoint" "$work/bin/$v-perf/terraform-provider-anypoint"
  done
  local d
  for d in ours noop ours-rss noop-rss ours-perf noop-perf; do
    cat >"$work/rc/$d.tfrc" <<RC
provider_installation {
  dev_overrides {
    "registry.terraform.io/anypoint-platform/anypoint" = "$work/bin/$d"
  }
  direct {}
}
RC
  done
  # terraform_data needs no provider; an empty CLI configuration.
  : >"$work/rc/none.tfrc"
}

extras_for() { if [ "$extras" = 1 ]; then echo $(($1 / 10)); else echo 0; fi; }

# write_config KIND N FILE [PROVIDER_BODY]: KIND is anypoint, tfdata-trivial or tfdata-same.
write_config() {
  local kind=$1 n=$2 file=$3 provider_body=${4:-}
  local x
  x=$(extras_for "$n")
  case "$kind" in
    anypoint)
      cat >"$file" <<HCL
terraform {
  required_providers {
    anypoint = {
      source = "anypoint-platform/anypoint"
    }
  }
}

provider "anypoint" {$provider_body}

resource "anypoint_client_application" "app" {
  count         = $n
  name          = format("bench-app-%05d", count.index)
  description   = "Benchmark application \${count.index}"
  url           = "https://app-\${count.index}.example.com"
  redirect_uris = ["https://app-\${count.index}.example.com/callback"]
  grant_types   = ["authorization_code", "refresh_token"]
}
HCL
      if [ "$x" -gt 0 ]; then
        cat >>"$file" <<HCL

locals {
  users = [
    "5eed0000-0000-4000-8000-000000000001",
    "5eed0000-0000-4000-8000-000000000002",
    "5eed0000-0000-4000-8000-000000000003",
    "5eed0000-0000-4000-8000-000000000004",
    "5eed0000-0000-4000-8000-000000000005",
  ]
}

# One further owner on every tenth application.
resource "anypoint_client_application_owner" "owner" {
  count          = $x
  application_id = anypoint_client_application.app[count.index * 10].id
  user_id        = local.users[count.index % 5]
}

# One contract (orders-api, Gold: approved at once) on every tenth application.
resource "anypoint_client_application_contract" "contract" {
  count             = $x
  application_id    = anypoint_client_application.app[count.index * 10 + 5].id
  api_instance_id   = "40001"
  environment_id    = "e4f5a6b7-c8d9-4e0f-9a1b-2c3d4e5f6a7b"
  requested_tier_id = "50002"
  accepted_terms    = true
}
HCL
      fi
      ;;
    tfdata-trivial)
      cat >"$file" <<HCL
resource "terraform_data" "app" {
  count = $((n + 2 * x))
  input = count.index
}
HCL
      ;;
    tfdata-same)
      cat >"$file" <<HCL
# The values our resources hold, per instance.
resource "terraform_data" "app" {
  count = $n
  input = {
    id                       = tostring(100001 + count.index)
    org_id                   = "0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d"
    api_instance_id          = null
    name                     = format("bench-app-%05d", count.index)
    description              = "Benchmark application \${count.index}"
    url                      = "https://app-\${count.index}.example.com"
    redirect_uris            = ["https://app-\${count.index}.example.com/callback"]
    grant_types              = ["authorization_code", "refresh_token"]
    api_endpoints            = false
    secret_rotation_triggers = null
    client_id                = format("%032x", 100001 + count.index)
    client_secret            = format("%032x", 900001 + count.index)
    created_at               = "2026-01-01T00:00:00Z"
  }
}
HCL
      if [ "$x" -gt 0 ]; then
        cat >>"$file" <<HCL

resource "terraform_data" "owner" {
  count = $x
  input = {
    id             = "0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d/\${terraform_data.app[count.index * 10].output.id}/5eed0000-0000-4000-8000-00000000000\${count.index % 5 + 1}"
    org_id         = "0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d"
    application_id = terraform_data.app[count.index * 10].output.id
    user_id        = "5eed0000-0000-4000-8000-00000000000\${count.index % 5 + 1}"
    username       = "alice"
    email          = "alice@example.com"
  }
}

resource "terraform_data" "contract" {
  count = $x
  input = {
    id                  = tostring(700001 + count.index)
    org_id              = "0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d"
    application_id      = terraform_data.app[count.index * 10 + 5].output.id
    api_instance_id     = "40001"
    environment_id      = "e4f5a6b7-c8d9-4e0f-9a1b-2c3d4e5f6a7b"
    api_instance_org_id = "0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d"
    requested_tier_id   = "50002"
    accepted_terms      = true
    status              = "APPROVED"
    tier_id             = "50002"
    asset_group_id      = "0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d"
    asset_id            = "orders-api"
    asset_version       = "1.0.0"
    asset_version_group = "v1"
  }
}
HCL
      fi
      ;;
  esac
}

config_kind() {
  case "$1" in ours | noop) echo anypoint ;; *) echo "$1" ;; esac
}

# ------------------------------------------------------------------ commands

# tf_cmd DIR RC LOG COMMAND: run one terraform command; sets $rc, $t0, $t1.
tf_cmd() {
  local dir=$1 rcfile=$2 log=$3 command=$4
  local args=(-input=false -no-color "-parallelism=$parallelism")
  case "$command" in
    apply | destroy) args+=(-auto-approve) ;;
    plan) args+=(-detailed-exitcode) ;;
  esac
  t0=$EPOCHREALTIME
  set +e
  (cd "$dir" && TF_CLI_CONFIG_FILE="$rcfile" "$tf" "$command" "${args[@]}") >"$log" 2>&1
  rc=$?
  set -e
  t1=$EPOCHREALTIME
}

# The seconds between $t0 and $t1.
elapsed() { awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }'; }

samples="$work/samples.jsonl"
rss_rows="$work/rss.jsonl"
: >"$samples"
: >"$rss_rows"

# run_variant VARIANT LATENCY N RUN: apply, no-op plan, destroy; one JSON line each.
run_variant() {
  local variant=$1 lat=$2 n=$3 run=$4
  local dir="$work/run/$variant-$lat-$n" rcfile counters cmd code
  mkdir -p "$dir"
  [ -f "$dir/main.tf" ] || write_config "$(config_kind "$variant")" "$n" "$dir/main.tf"
  rm -f "$dir"/terraform.tfstate "$dir"/terraform.tfstate.backup
  case "$variant" in
    ours) rcfile="$work/rc/ours.tfrc" ;;
    noop) rcfile="$work/rc/noop.tfrc" ;;
    *) rcfile="$work/rc/none.tfrc" ;;
  esac
  if [ "$variant" = ours ]; then
    admin "$emu_url" POST /reset >/dev/null
    admin "$emu_url" PUT /latency "{\"ms\": $lat}" >/dev/null
  fi
  local failed_apply=0
  for cmd in apply plan destroy; do
    if [ "$cmd" = plan ] && [ "$failed_apply" = 1 ]; then continue; fi
    [ "$variant" != ours ] || admin "$emu_url" DELETE /requests >/dev/null
    tf_cmd "$dir" "$rcfile" "$dir/$cmd-$run.log" "$cmd"
    code=$rc
    counters=null
    [ "$variant" != ours ] || counters=$(admin "$emu_url" GET /counters)
    printf '{"variant":"%s","latency_ms":%s,"n":%s,"instances":%s,"run":%s,"command":"%s","t0":%s,"t1":%s,"exit":%s,"counters":%s}\n' \
      "$variant" "$lat" "$n" "$((n + 2 * $(extras_for "$n")))" "$run" "$cmd" "$t0" "$t1" "$code" "$counters" >>"$samples"
    local label="$variant"
    [ "$variant" != ours ] || label="ours@${lat}ms"
    printf '    run %s  N=%-5s %-15s %-8s %7.2f s  exit %s\n' "$run" "$n" "$label" "$cmd" "$(elapsed)" "$code"
    if [ "$code" != 0 ]; then
      echo "      (failed; last lines of $dir/$cmd-$run.log:)" >&2
      tail -n 15 "$dir/$cmd-$run.log" | sed 's/^/      | /' >&2
      keep_work=1
      [ "$cmd" != apply ] || failed_apply=1
    fi
  done
}

# rss_variant VARIANT N: an untimed apply/plan/destroy through the RSS wrapper.
rss_variant() {
  local variant=$1 n=$2
  local dir="$work/rss/$variant-$n" cmd file tokens
  mkdir -p "$dir"
  write_config anypoint "$n" "$dir/main.tf"
  if [ "$variant" = ours ]; then
    admin "$emu_url" POST /reset >/dev/null
    admin "$emu_url" PUT /latency '{"ms": 0}' >/dev/null
  fi
  for cmd in apply plan destroy; do
    file="$dir/$cmd.rss"
    : >"$file"
    [ "$variant" != ours ] || admin "$emu_url" DELETE /requests >/dev/null
    BENCH_RSS_FILE="$file" tf_cmd "$dir" "$work/rc/$variant-rss.tfrc" "$dir/$cmd.log" "$cmd"
    [ "$rc" = 0 ] || { echo "      RSS run: $variant $cmd N=$n exit $rc (see $dir/$cmd.log)" >&2; keep_work=1; }
    tokens=null
    if [ "$variant" = ours ]; then
      tokens=$(admin "$emu_url" GET /counters | python3 -c 'import json,sys; print(json.load(sys.stdin)["tokenRequests"])')
    fi
    python3 - "$variant" "$n" "$cmd" "$file" "$tokens" >>"$rss_rows" <<'PY'
import json, sys
variant, n, cmd, path, tokens = sys.argv[1:6]
rows = []
for line in open(path, encoding="utf-8"):
    parts = line.split()
    if len(parts) == 3:
        try:
            rows.append((int(parts[0]), float(parts[1]) + float(parts[2])))
        except ValueError:
            pass
print(json.dumps({
    "variant": variant, "n": int(n), "command": cmd, "processes": len(rows),
    "max_rss_kb": max((r for r, _ in rows), default=None),
    "cpu_seconds": round(sum(c for _, c in rows), 3) if rows else None,
    "tokens": None if tokens == "null" else int(tokens),
}))
PY
    echo "    rss     N=$n $variant $cmd: $(tail -1 "$rss_rows")"
  done
}

# --------------------------------------------------------------- rate limit

rate_limit_json=null
rate_limit_scenario() {
  echo "==> Rate-limit scenario: emulator --rate-limit $rate_limit, $rate_apps applications, max_requests_per_second = $rate_limit"
  local msg dir="$work/rate-limit"
  mkdir -p "$dir"
  if ! start_emulator rate-limit --rate-limit "$rate_limit"; then
    msg="Not run: the emulator refused \`--rate-limit $rate_limit\` (the rate-limit work has not landed in this build?): $(awk 'NF && !seen { print; seen = 1 }' "$work/rate-limit.log")"
    echo "    $msg" >&2
    rate_limit_json=$(python3 -c 'import json,sys; print(json.dumps({"rate": int(sys.argv[1]), "apps": int(sys.argv[2]), "exit": None, "message": sys.argv[3]}))' "$rate_limit" "$rate_apps" "$msg")
    return 0
  fi
  local url=$emu_url
  # Applications only.
  local saved_extras=$extras
  extras=0
  write_config anypoint "$rate_apps" "$dir/main.tf" "
  max_requests_per_second = $rate_limit
"
  extras=$saved_extras
  admin "$url" DELETE /requests >/dev/null
  ANYPOINT_BASE_URL=$url tf_cmd "$dir" "$work/rc/ours.tfrc" "$dir/apply.log" apply
  local code=$rc start=$t0 end=$t1 counters
  counters=$(admin "$url" GET /counters)
  msg=""
  if grep -q 'max_requests_per_second' "$dir/apply.log" && grep -qi 'unsupported argument\|not expected here' "$dir/apply.log"; then
    msg="The provider does not know max_requests_per_second yet (the rate-limit work has not landed in this build): the apply failed at validation."
    echo "    $msg" >&2
  fi
  local errors
  errors=$(grep -c '^Error: ' "$dir/apply.log" || true)
  echo "    apply exit $code, $errors error(s)"
  ANYPOINT_BASE_URL=$url tf_cmd "$dir" "$work/rc/ours.tfrc" "$dir/destroy.log" destroy
  [ "$rc" = 0 ] || echo "    (destroy after the scenario exited $rc; see $dir/destroy.log)" >&2
  [ "$code" = 0 ] || keep_work=1
  rate_limit_json=$(python3 - "$rate_limit" "$rate_apps" "$code" "$start" "$end" "$errors" "$msg" "$counters" <<'PY'
import json, sys
rate, apps, code, t0, t1, errors, msg, counters = sys.argv[1:9]
c = json.loads(counters)
n429 = sum(r["statuses"].get("429", 0) for r in c.get("routes", {}).values())
print(json.dumps({
    "rate": int(rate), "apps": int(apps), "exit": int(code),
    "seconds": round(float(t1) - float(t0), 3), "errors": int(errors),
    "requests": c.get("total"), "status429": n429, "message": msg or None,
}))
PY
)
  echo "    $rate_limit_json"
}

# ------------------------------------------------------------------ profile

profile() {
  local n=$1 dir="$work/profile" cmd f
  mkdir -p "$dir"
  write_config anypoint "$n" "$dir/main.tf"
  admin "$emu_url" PUT /latency '{"ms": 0}' >/dev/null
  local use_perf=1
  if ! /usr/bin/perf record -q -o "$work/perf-probe.data" -- true >/dev/null 2>&1; then
    use_perf=0
    echo "==> perf cannot record here; falling back to TF_LOG_PROVIDER=debug timestamps"
  fi
  for cmd in apply plan; do
    mkdir -p "$dir/$cmd"
    if [ "$use_perf" = 1 ]; then
      BENCH_PERF_DIR="$dir/$cmd" tf_cmd "$dir" "$work/rc/ours-perf.tfrc" "$dir/$cmd.log" "$cmd"
    else
      TF_LOG_PROVIDER=debug TF_LOG_PATH="$dir/$cmd/provider.log" tf_cmd "$dir" "$work/rc/ours.tfrc" "$dir/$cmd.log" "$cmd"
    fi
    echo "==> $cmd of $n applications: exit $rc, $(elapsed) s"
    if [ "$use_perf" = 1 ]; then
      # The three busiest provider processes of the command (largest
      # profiles), top symbols by self time, with sample counts.
      local files
      files=$(ls -S "$dir/$cmd"/perf-*.data 2>/dev/null | head -n 3 || true)
      echo "    $(ls "$dir/$cmd"/perf-*.data 2>/dev/null | wc -l) provider process(es) profiled"
      for f in $files; do
        [ -s "$f" ] || continue
        echo "--- $(basename "$f"): top symbols (self time; overhead, samples, binary, symbol)"
        /usr/bin/perf report -i "$f" --stdio --no-children --sort dso,symbol -g none -q -n --percent-limit 1 2>/dev/null |
          grep -v '^$' | sed -e 's/[[:space:]-]*$//' | cut -c1-160 | head -n 20 || true
      done
    else
      python3 - "$dir/$cmd/provider.log" <<'PY'
import collections, re, sys
# Lines of the provider's own log (Terraform prefixes them with "provider").
stamps = []
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    m = re.match(r"\d{4}-\d\d-\d\dT(\d\d):(\d\d):(\d\d\.\d+)Z? (.*)", line)
    if m and "provider" in line:
        t = int(m.group(1)) * 3600 + int(m.group(2)) * 60 + float(m.group(3))
        stamps.append((t, m.group(4).strip()[:110]))
if not stamps:
    print("no provider log lines")
    sys.exit(0)
span = stamps[-1][0] - stamps[0][0]
print(f"{len(stamps)} provider log lines over {span:.2f} s")
buckets = collections.Counter(int((t - stamps[0][0]) * 10) for t, _ in stamps)
print("busiest 100 ms windows (from the first line):")
for b, count in buckets.most_common(5):
    print(f"  +{b / 10:.1f} s: {count} lines")
gaps = sorted(((b[0] - a[0], a[1], b[1]) for a, b in zip(stamps, stamps[1:])), reverse=True)
print("longest silences (the provider waiting on Terraform or on the platform):")
for gap, before, after in gaps[:5]:
    print(f"  {gap * 1000:.0f} ms before: {after}")
PY
    fi
  done
  keep_work=1
  echo "==> Profiles under $dir (perf report -i FILE to explore)"
}

# --------------------------------------------------------------------- main

provider_dirs
if ! start_emulator main; then
  cat "$work/main.log" >&2
  die "the emulator did not start"
fi
export ANYPOINT_BASE_URL=$emu_url ANYPOINT_CLIENT_ID=emulator-client-id ANYPOINT_CLIENT_SECRET=emulator-client-secret
unset ANYPOINT_ORG_ID ANYPOINT_CONTROL_PLANE ANYPOINT_MAX_RETRIES ANYPOINT_TIMEOUT_SECONDS
echo "==> Emulator at $emu_url"

if [ -n "$profile_n" ]; then
  profile "$profile_n"
  exit 0
fi

# The variant list in run order: ours once per latency, then the floors.
plan_variants=()
for v in $variants; do
  if [ "$v" = ours ]; then
    for l in $latencies; do plan_variants+=("ours:$l"); done
  else
    plan_variants+=("$v:0")
  fi
done
[ "${#plan_variants[@]}" -gt 0 ] || die "nothing to run (--variants/--latencies empty)"

for n in $sizes; do
  echo "==> N = $n ($((n + 2 * $(extras_for "$n"))) resource instances), $runs interleaved run(s)"
  for run in $(seq 1 "$runs"); do
    for vl in "${plan_variants[@]}"; do
      run_variant "${vl%%:*}" "${vl##*:}" "$n" "$run"
    done
  done
  if [ "$rss" = 1 ]; then
    for v in $variants; do
      case "$v" in ours | noop) rss_variant "$v" "$n" ;; esac
    done
  fi
done

if [ "$rate_scenario" = 1 ]; then rate_limit_scenario; fi

mkdir -p "$out_dir"
# (awk reads to the end: no early exit for pipefail to trip on.)
cpu=$(awk -F': ' '/^model name/ && !seen { print $2; seen = 1 }' /proc/cpuinfo 2>/dev/null || true)
tf_version=$("$tf" version 2>/dev/null | awk 'NR == 1' || true)
cmdline="scripts/bench.sh --sizes \"$sizes\" --runs $runs --latencies \"$latencies\" --variants \"$variants\""
[ "$extras" = 1 ] || cmdline+=" --no-extras"
[ "$rate_scenario" = 0 ] || cmdline+=" --rate-limit-scenario"
BENCH_DATE=$(date -u +%Y-%m-%dT%H:%M:%SZ) BENCH_NPROC=$(nproc) BENCH_CPU=$cpu BENCH_TF=$tf_version \
  BENCH_PARALLELISM=$parallelism BENCH_RUNS=$runs BENCH_SIZES=$sizes BENCH_LATENCIES=$latencies \
  BENCH_VARIANTS=$variants BENCH_EXTRAS=$extras BENCH_NOTE=$note BENCH_COMMAND=$cmdline \
  python3 - "$samples" "$rss_rows" "$data_json" "$rate_limit_json" <<'PY'
import json, os, sys
samples_path, rss_path, out_path, rate = sys.argv[1:5]
env = os.environ
samples = []
for line in open(samples_path, encoding="utf-8"):
    s = json.loads(line)
    c = s.pop("counters")
    t0, t1 = s.pop("t0"), s.pop("t1")
    s["seconds"] = round(t1 - t0, 4)
    if c is None:
        s.update(requests=None, tokens=None, connections=None, status429=None)
    else:
        s["requests"] = c.get("total")
        s["tokens"] = c.get("tokenRequests")
        # Less the connection that read the counters.
        s["connections"] = max(c["connections"] - 1, 0) if "connections" in c else None
        s["status429"] = sum(r["statuses"].get("429", 0) for r in c.get("routes", {}).values())
    samples.append(s)
rss = [json.loads(line) for line in open(rss_path, encoding="utf-8")]
meta = {
    "date": env["BENCH_DATE"],
    "nproc": env["BENCH_NPROC"],
    "cpu": env["BENCH_CPU"],
    "terraform": env["BENCH_TF"],
    "parallelism": int(env["BENCH_PARALLELISM"]),
    "runs": int(env["BENCH_RUNS"]),
    "sizes": env["BENCH_SIZES"],
    "latencies": env["BENCH_LATENCIES"],
    "variants": env["BENCH_VARIANTS"],
    "extras": env["BENCH_EXTRAS"] == "1",
    "note": env["BENCH_NOTE"],
    "command": env["BENCH_COMMAND"],
}
with open(out_path, "w", encoding="utf-8") as f:
    json.dump({"meta": meta, "samples": samples, "rss": rss, "rate_limit": json.loads(rate)}, f, indent=1)
    f.write("\n")
PY
echo "==> Raw samples in $data_json"
report "$data_json"
