#!/usr/bin/env bash
# Acceptance run against a real Anypoint organization (maintainers only).
#
#   scripts/acceptance.sh           the Terraform lifecycle: create, empty plan,
#                                   update, owner, import, destroy
#   scripts/acceptance.sh --probe   answer the open questions of the API notes
#                                   (anypoint-api.md §8) by making the calls,
#                                   and print a report
#
# Environment:
#   ANYPOINT_CLIENT_ID, ANYPOINT_CLIENT_SECRET   a Connected App (client
#                                   credentials, Application Creator scope)
#   ANYPOINT_CONTROL_PLANE          us (default), eu, gov, ca, jp
#   ANYPOINT_BASE_URL               instead of the control plane (e.g. the emulator)
#   ANYPOINT_ORG_ID                 root organization (default: from /accounts/api/me)
#   ANYPOINT_OWNER_USER_ID          user to add as owner (default: the first
#                                   user of the organization other than the
#                                   Connected App's owner)
#   ANYPOINT_API_INSTANCE_ID, ANYPOINT_ENVIRONMENT_ID
#                                   an API instance (and its environment) for
#                                   the contract questions of --probe
#   ANYPOINT_TIER_ID                SLA tier to request (default: the first)
#   ANYPOINT_PROVIDER_DIR           directory holding a built
#                                   terraform-provider-anypoint (default: build
#                                   it with cargo into target/debug)
#   ANYPOINT_ACCEPTANCE_PREFIX      name prefix (default: tfacc-<time>-<random>)
#   TERRAFORM                       the Terraform CLI (default: terraform on PATH)
#
# Everything is created under a unique name prefix. On exit, also after a
# failed step, the script destroys what Terraform manages, then deletes every
# application it created or that carries the prefix, through the API.
# Exit codes: 0 passed, 1 a step failed, 2 credentials or tools missing.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
export CHECKPOINT_DISABLE=1

mode=lifecycle
case "${1:-}" in
  "") ;;
  --probe) mode=probe ;;
  -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "error: unknown argument $1 (use --probe or nothing)" >&2; exit 2 ;;
esac

if [ -z "${ANYPOINT_CLIENT_ID:-}" ] || [ -z "${ANYPOINT_CLIENT_SECRET:-}" ]; then
  cat >&2 <<'MSG'
error: no credentials. Set ANYPOINT_CLIENT_ID and ANYPOINT_CLIENT_SECRET to a Connected App
that acts on its own behalf (client credentials) with the Application Creator scope, and
optionally ANYPOINT_CONTROL_PLANE (us, eu, gov, ca, jp) or ANYPOINT_BASE_URL, and
ANYPOINT_API_INSTANCE_ID with ANYPOINT_ENVIRONMENT_ID for the contract questions.
MSG
  exit 2
fi
for tool in curl python3; do
  command -v "$tool" >/dev/null 2>&1 || { echo "error: $tool is required" >&2; exit 2; }
done
tf=${TERRAFORM:-terraform}
if [ "$mode" = lifecycle ]; then
  command -v "$tf" >/dev/null 2>&1 || { echo "error: the Terraform CLI is required (PATH or \$TERRAFORM)" >&2; exit 2; }
fi

if [ -n "${ANYPOINT_BASE_URL:-}" ]; then
  base=${ANYPOINT_BASE_URL%/}
else
  case "${ANYPOINT_CONTROL_PLANE:-us}" in
    us) base=https://anypoint.mulesoft.com ;;
    eu) base=https://eu1.anypoint.mulesoft.com ;;
    gov) base=https://gov.anypoint.mulesoft.com ;;
    ca) base=https://ca1.platform.mulesoft.com ;;
    jp) base=https://jp1.platform.mulesoft.com ;;
    *) echo "error: ANYPOINT_CONTROL_PLANE must be us, eu, gov, ca or jp" >&2; exit 2 ;;
  esac
fi

prefix=${ANYPOINT_ACCEPTANCE_PREFIX:-tfacc-$(date +%s)-$RANDOM}
work=$(mktemp -d "${TMPDIR:-/tmp}/anypoint-acceptance.XXXXXX")
created="$work/created-ids"
: >"$created"
tf_dir=""
step="start"

# ---------------------------------------------------------------- HTTP

# json FILE EXPR: evaluate a Python expression over the JSON in FILE (`d`);
# prints nothing when the file is not JSON or the expression fails.
json() {
  python3 - "$1" "$2" <<'PY' 2>/dev/null || true
import json, sys
try:
    d = json.load(open(sys.argv[1]))
except Exception:
    sys.exit(0)
try:
    v = eval(sys.argv[2], {"d": d})
except Exception:
    sys.exit(0)
if v is None:
    sys.exit(0)
print(v if isinstance(v, str) else json.dumps(v))
PY
}

token=""
get_token() {
  local out="$work/token.json" status
  status=$(curl -sS -o "$out" -w '%{http_code}' -X POST "$base/accounts/api/v2/oauth2/token" \
    --data-urlencode grant_type=client_credentials \
    --data-urlencode "client_id=$ANYPOINT_CLIENT_ID" \
    --data-urlencode "client_secret=$ANYPOINT_CLIENT_SECRET") || status=000
  token=$(json "$out" 'd["access_token"]')
  [ "$status" = 200 ] && [ -n "$token" ] || {
    echo "error: the token request to $base answered $status" >&2
    return 1
  }
}

# api METHOD PATH [BODY]: sets $status, writes the body to $body_file.
body_file="$work/body.json"
status=""
api() {
  local args=(-sS -o "$body_file" -w '%{http_code}' -X "$1" "$base$2" -H "Accept: application/json")
  if [ $# -ge 3 ]; then args+=(-H "Content-Type: application/json" --data "$3"); fi
  local attempt
  for attempt in 1 2; do
    status=$(curl "${args[@]}" -H "Authorization: Bearer $token") || status=000
    # An expired token: renew it once and ask again.
    [ "$status" = 401 ] && [ "$attempt" = 1 ] || break
    get_token || break
  done
}

org=""
me_file="$work/me.json"
discover_org() {
  api GET /accounts/api/me
  cp "$body_file" "$me_file"
  org=${ANYPOINT_ORG_ID:-}
  if [ -z "$org" ]; then
    org=$(json "$me_file" '(d.get("client") or {}).get("org_id") or d["user"]["organization"]["id"]')
  fi
  [ -n "$org" ] || { echo "error: could not find the organization id (set ANYPOINT_ORG_ID)" >&2; return 1; }
}

apps="/apiplatform/repository/v2/organizations"
# create_app NAME [EXTRA_JSON_FIELDS]: sets $status and $app_id.
app_id=""
create_app() {
  api POST "$apps/$org/applications" "{\"name\":\"$1\"${2:+,$2}}"
  app_id=$(json "$body_file" 'd["id"]')
  if [ -n "$app_id" ]; then echo "$app_id" >>"$created"; fi
}

# ---------------------------------------------------------------- clean-up

delete_leftovers() {
  local id ids page offset name
  get_token || return 0
  [ -n "$org" ] || discover_org || return 0
  ids=$(sort -u "$created")
  # And anything with the prefix that the list shows (with and without
  # targetAdminSite: the Connected App may see different lists).
  for admin in "" "&targetAdminSite=true"; do
    offset=0
    for page in $(seq 1 40); do
      api GET "$apps/$org/applications?query=$prefix&limit=250&offset=$offset$admin"
      [ "$status" = 200 ] || break
      ids="$ids $(json "$body_file" '" ".join(str(a["id"]) for a in d["applications"] if a.get("name","").startswith("'"$prefix"'"))')"
      name=$(json "$body_file" 'len(d["applications"])')
      [ "${name:-0}" -lt 250 ] && break
      offset=$((offset + 250))
    done
  done
  for id in $(printf '%s\n' $ids | sort -u); do
    api DELETE "$apps/$org/applications/$id"
    case "$status" in
      204 | 200) echo "    clean-up: deleted application $id" ;;
      404) ;;
      *) echo "    clean-up: DELETE application $id answered $status: $(head -c 300 "$body_file")" >&2 ;;
    esac
  done
}

cleanup() {
  local code=$?
  set +e
  if [ "$code" -ne 0 ]; then echo "==> FAILED at step: $step (exit $code)" >&2; fi
  if [ -n "$tf_dir" ] && [ -f "$tf_dir/terraform.tfstate" ]; then
    echo "==> clean-up: terraform destroy"
    (cd "$tf_dir" && "$tf" destroy -auto-approve -input=false -no-color "${tf_vars[@]}" >"$work/destroy.log" 2>&1) \
      || { echo "    terraform destroy failed:" >&2; tail -20 "$work/destroy.log" >&2; }
  fi
  echo "==> clean-up: deleting applications named $prefix*"
  delete_leftovers
  rm -rf "$work"
  exit "$code"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

get_token || exit 1
discover_org || exit 1
echo "==> $base, organization $org, prefix $prefix"

# ---------------------------------------------------------------- lifecycle

tf_vars=()
lifecycle() {
  local provider_dir owner
  provider_dir=${ANYPOINT_PROVIDER_DIR:-}
  if [ -z "$provider_dir" ]; then
    step="build the provider"
    cargo build --locked --bin terraform-provider-anypoint
    provider_dir="${CARGO_TARGET_DIR:-$root/target}/debug"
    case "$provider_dir" in /*) ;; *) provider_dir="$root/$provider_dir" ;; esac
  fi
  [ -x "$provider_dir/terraform-provider-anypoint" ] \
    || { echo "error: no terraform-provider-anypoint in $provider_dir" >&2; return 1; }

  step="pick an owner"
  owner=${ANYPOINT_OWNER_USER_ID:-}
  if [ -z "$owner" ]; then
    local self
    self=$(json "$me_file" 'd["user"]["id"]')
    api GET "/accounts/api/organizations/$org/users?limit=50"
    owner=$(json "$body_file" 'next(u["id"] for u in d["data"] if u["id"].lower() != "'"$self"'".lower())')
  fi
  [ -n "$owner" ] || { echo "error: no user to add as owner (set ANYPOINT_OWNER_USER_ID)" >&2; return 1; }

  tf_dir="$work/tf"
  mkdir -p "$tf_dir"
  cat >"$work/dev.tfrc" <<RC
provider_installation {
  dev_overrides {
    "registry.terraform.io/anypoint-platform/anypoint" = "$provider_dir"
  }
  direct {}
}
RC
  export TF_CLI_CONFIG_FILE="$work/dev.tfrc" TF_IN_AUTOMATION=1 TF_INPUT=0
  export ANYPOINT_ORG_ID="$org"
  if [ -z "${ANYPOINT_BASE_URL:-}" ]; then export ANYPOINT_BASE_URL="$base"; fi
  cat >"$tf_dir/main.tf" <<'TF'
terraform {
  required_providers {
    anypoint = {
      source = "anypoint-platform/anypoint"
    }
  }
}

provider "anypoint" {}

variable "prefix" { type = string }
variable "description" { type = string }
variable "owner" {
  type    = string
  default = ""
}

resource "anypoint_client_application" "app" {
  name          = "${var.prefix}-app"
  description   = var.description
  redirect_uris = ["https://example.com/callback"]
  grant_types   = ["authorization_code", "refresh_token"]
}

resource "anypoint_client_application_owner" "owner" {
  count          = var.owner == "" ? 0 : 1
  application_id = anypoint_client_application.app.id
  user_id        = var.owner
}
TF
  cd "$tf_dir"
  local common=(-input=false -no-color)
  tf_vars=(-var "prefix=$prefix" -var "description=created by scripts/acceptance.sh")

  step="create"
  echo "==> $step"
  "$tf" apply -auto-approve "${common[@]}" "${tf_vars[@]}"
  local id
  id=$("$tf" show -json | python3 -c 'import json,sys
d=json.load(sys.stdin)
print(next(r["values"]["id"] for r in d["values"]["root_module"]["resources"] if r["address"]=="anypoint_client_application.app"))')
  echo "$id" >>"$created"
  echo "    application $id"

  empty_plan() {
    step="empty plan ($1)"
    echo "==> $step"
    local code=0
    "$tf" plan -detailed-exitcode "${common[@]}" "${tf_vars[@]}" || code=$?
    [ "$code" -eq 0 ] || { echo "error: the plan after $1 is not empty (exit $code)" >&2; return 1; }
  }
  empty_plan "create"

  step="update"
  echo "==> $step"
  tf_vars=(-var "prefix=$prefix" -var "description=updated by scripts/acceptance.sh")
  "$tf" apply -auto-approve "${common[@]}" "${tf_vars[@]}"
  api GET "$apps/$org/applications/$id"
  [ "$(json "$body_file" 'd.get("description")')" = "updated by scripts/acceptance.sh" ] \
    || { echo "error: the platform does not show the new description (GET answered $status)" >&2; return 1; }
  empty_plan "update"

  step="owner"
  echo "==> $step (user $owner)"
  tf_vars+=(-var "owner=$owner")
  "$tf" apply -auto-approve "${common[@]}" "${tf_vars[@]}"
  api GET "$apps/$org/applications/$id"
  [ "$(json "$body_file" 'any(o["id"].lower() == "'"$owner"'".lower() for o in d.get("owners", []))')" = true ] \
    || { echo "error: the platform does not list $owner as an owner" >&2; return 1; }
  empty_plan "owner"

  step="import"
  echo "==> $step"
  "$tf" state rm -no-color anypoint_client_application.app 'anypoint_client_application_owner.owner[0]'
  "$tf" import "${common[@]}" "${tf_vars[@]}" anypoint_client_application.app "$org/$id"
  "$tf" import "${common[@]}" "${tf_vars[@]}" 'anypoint_client_application_owner.owner[0]' "$org/$id/$owner"
  empty_plan "import"

  step="destroy"
  echo "==> $step"
  "$tf" destroy -auto-approve "${common[@]}" "${tf_vars[@]}"
  api GET "$apps/$org/applications/$id"
  case "$status" in
    404 | 403) ;;
    *) echo "error: GET of the destroyed application answered $status" >&2; return 1 ;;
  esac
  rm -f terraform.tfstate
  cd "$root"
  echo "==> Acceptance lifecycle passed (create, empty plan, update, owner, import, destroy)"
}

# ---------------------------------------------------------------- probe

report() {
  # report ID QUESTION SENT STATUS ANSWER
  printf '%s %s\n   sent:   %s\n   status: %s\n   answer: %s\n\n' "$1" "$2" "$3" "$4" "$5"
}

probe() {
  local a b s1 s2 id1 id2 ans sent
  echo "==> Probe: open questions of anypoint-api.md §8 against $base"
  echo

  step="probe Q1"
  create_app "$prefix-dup" '"description":"probe"'
  s1=$status id1=$app_id
  create_app "$prefix-dup" '"description":"probe"'
  s2=$status id2=$app_id
  if [ "$s1" = 201 ] && [ "$s2" = 409 ]; then ans="names are unique: the duplicate create was refused with 409"
  elif [ "$s1" = 201 ] && [ "$s2" = 201 ]; then ans="names are not unique: both creates succeeded ($id1, $id2)"
  else ans="first create $s1, duplicate $s2: $(head -c 200 "$body_file")"; fi
  report Q1 "Are application names unique, enforced with 409?" \
    "POST $apps/{org}/applications {\"name\":\"$prefix-dup\"} twice" "$s1, then $s2" "$ans"

  step="probe Q6"
  api GET "/exchange/api/v2/organizations/$org/applications/$id1"
  report Q6 "Can the Connected App use API Platform v2 (A) for its own applications?" \
    "POST on A (Q1), then GET /exchange/api/v2/organizations/{org}/applications/$id1 (B)" "A create $s1, B get $status" \
    "$([ "$s1" = 201 ] && echo "yes, A created it" || echo "A refused the create ($s1)"); B answers $status"

  step="probe Q2"
  create_app "$prefix-put" '"description":"kept?","url":"https://example.com/kept","redirectUri":["https://example.com/cb"],"grantTypes":["authorization_code"]'
  a=$app_id
  api PUT "$apps/$org/applications/$a" "{\"name\":\"$prefix-put\"}"
  s1=$status
  api GET "$apps/$org/applications/$a"
  ans=$(json "$body_file" '"description=%r url=%r redirectUri=%r grantTypes=%r" % (d.get("description"), d.get("url"), d.get("redirectUri"), d.get("grantTypes"))')
  case "$ans" in
    *"description='kept?'"*) ans="omitted fields are kept ($ans)" ;;
    "") ans="GET answered $status" ;;
    *) ans="omitted fields are cleared ($ans)" ;;
  esac
  report Q2 "Does a partial PUT clear the fields it omits?" \
    "PUT $apps/{org}/applications/$a {\"name\":…} after a create with description, url, redirectUri, grantTypes" "$s1" "$ans"

  step="probe Q10"
  api PUT "$apps/$org/applications/$a" "{\"name\":\"$prefix-put\",\"description\":null,\"url\":null}"
  s1=$status
  api GET "$apps/$org/applications/$a"
  b=$(json "$body_file" '"description=%r url=%r" % (d.get("description"), d.get("url"))')
  api PUT "$apps/$org/applications/$a" "{\"name\":\"$prefix-put\",\"description\":\"\",\"url\":\"\"}"
  s2=$status
  api GET "$apps/$org/applications/$a"
  report Q10 "Does PUT accept null for description/url, or must a cleared field be \"\"?" \
    "PUT {\"description\":null,\"url\":null}, then PUT {\"description\":\"\",\"url\":\"\"}" "$s1, then $s2" \
    "null: $s1, read back $b; \"\": $s2, read back $(json "$body_file" '"description=%r url=%r" % (d.get("description"), d.get("url"))')"

  step="probe Q3"
  api GET "$apps/$org/applications/$a"
  local old_id old_secret
  old_id=$(json "$body_file" 'd.get("clientId")')
  old_secret=$(json "$body_file" 'd.get("clientSecret")')
  api POST "$apps/$org/applications/$a/secret/reset"
  s1=$status
  ans=$(json "$body_file" '"keys: " + ", ".join(sorted(d.keys()))')
  [ -n "$ans" ] || ans="no JSON body ($(wc -c <"$body_file") bytes)"
  b=$(json "$body_file" 'd.get("clientSecret")')
  if [ -n "$b" ] && [ "$b" != "$old_secret" ]; then ans="$ans; a new clientSecret"
  elif [ -n "$b" ]; then ans="$ans; clientSecret unchanged"; else ans="$ans; no clientSecret"; fi
  [ "$(json "$body_file" 'd.get("clientId")')" = "$old_id" ] && ans="$ans; clientId unchanged"
  report Q3 "What does secret reset return?" "POST $apps/{org}/applications/$a/secret/reset (no body)" "$s1" "$ans"

  step="probe Q4"
  ans=$(json "$me_file" '"client.org_id=%s, user.organization.id=%s" % ((d.get("client") or {}).get("org_id"), ((d.get("user") or {}).get("organization") or {}).get("id"))')
  report Q4 "Is client.org_id in /me for a client-credentials token, and does it differ from user.organization.id?" \
    "GET /accounts/api/me" "200" "${ans:-no JSON body}"

  step="probe Q9"
  api GET "$apps/$org/applications?query=$prefix"
  s1=$status
  local seen1 seen2
  seen1=$(json "$body_file" '"%d of total %s" % (len([x for x in d["applications"] if x["name"].startswith("'"$prefix"'")]), d.get("total"))')
  api GET "$apps/$org/applications?query=$prefix&targetAdminSite=true"
  s2=$status
  seen2=$(json "$body_file" '"%d of total %s" % (len([x for x in d["applications"] if x["name"].startswith("'"$prefix"'")]), d.get("total"))')
  report Q9 "Which applications does the Connected App see in A's list, with and without targetAdminSite=true?" \
    "GET $apps/{org}/applications?query=$prefix [&targetAdminSite=true] (it created $(sort -u "$created" | wc -l) so far)" \
    "$s1, $s2" "without: ${seen1:-no list} of its own; with targetAdminSite=true: ${seen2:-no list}"

  step="probe Q7"
  local self
  self=$(json "$me_file" 'd["user"]["id"]')
  api GET "$apps/$org/applications/$a"
  b=$(json "$body_file" '(d.get("owners") or [{}])[0].get("id")')
  b=${b:-$self}
  api POST "$apps/$org/applications/$a/owners" "{\"id\":\"$b\"}"
  report Q7 "What does a POST for an existing owner return?" \
    "POST $apps/{org}/applications/$a/owners {\"id\":\"$b\"} (already an owner)" "$status" \
    "$(case "$status" in 409) echo "409 Conflict: $(json "$body_file" 'd.get("message")')" ;; 200 | 201 | 204) echo "accepted as a no-op ($status)" ;; *) echo "$status: $(head -c 200 "$body_file")" ;; esac)"

  step="probe Q5"
  api DELETE "$apps/$org/applications/$id1"
  s1=$status
  api GET "$apps/$org/applications/$id1"
  report Q5 "What does GET of a deleted application return to the Connected App?" \
    "DELETE then GET $apps/{org}/applications/$id1" "$s1, then $status" "GET answers $status"

  step="probe contracts"
  local api_id=${ANYPOINT_API_INSTANCE_ID:-} env=${ANYPOINT_ENVIRONMENT_ID:-}
  if [ -z "$api_id" ] || [ -z "$env" ]; then
    report Q8 "Can a Connected App create a contract through API Manager v1?" "nothing" "-" \
      "not asked: set ANYPOINT_API_INSTANCE_ID and ANYPOINT_ENVIRONMENT_ID"
    report Q11 "What does revoking a contract return on each path, and an already revoked one?" "nothing" "-" \
      "not asked: set ANYPOINT_API_INSTANCE_ID and ANYPOINT_ENVIRONMENT_ID"
  else
    local inst="/apimanager/api/v1/organizations/$org/environments/$env/apis/$api_id"
    local tier=${ANYPOINT_TIER_ID:-} instance="$work/instance.json" cid p1 p2 p3
    api GET "$inst"
    cp "$body_file" "$instance"
    if [ -z "$tier" ]; then
      api GET "$inst/tiers"
      tier=$(json "$body_file" '(d["tiers"] if isinstance(d, dict) else d)[0]["id"]')
    fi
    local group asset ver vgroup
    group=$(json "$instance" 'd["groupId"]')
    asset=$(json "$instance" 'd["assetId"]')
    ver=$(json "$instance" 'd["assetVersion"]')
    api GET "/exchange/api/v2/assets/$group/$asset/$ver"
    vgroup=$(json "$body_file" 'd.get("versionGroup")')
    vgroup=${vgroup:-$(json "$instance" 'd.get("productVersion")')}
    new_contract() {
      api POST "/exchange/api/v2/organizations/$org/applications/$1/contracts" \
        "{\"apiId\":$api_id,\"instanceType\":\"api\",\"acceptedTerms\":true,\"organizationId\":\"$org\",\"environmentId\":\"$env\",\"groupId\":\"$group\",\"assetId\":\"$asset\",\"version\":\"$ver\",\"versionGroup\":\"$vgroup\"${tier:+,\"requestedTierId\":$tier}}"
      cid=$(json "$body_file" 'd["id"]')
    }

    step="probe Q8"
    create_app "$prefix-v1contract"
    api POST "$inst/contracts" "{\"applicationId\":$app_id${tier:+,\"requestedTierId\":$tier}}"
    s1=$status
    report Q8 "Can a Connected App create a contract through API Manager v1?" \
      "POST $inst/contracts {\"applicationId\":$app_id}" "$s1" \
      "$(case "$s1" in 201 | 200) echo "yes ($s1)" ;; *) echo "no: $s1 $(head -c 200 "$body_file")" ;; esac)"

    step="probe Q11"
    local labels=("POST api/v1 …/contracts/{id}/revoke" "PATCH api/v1 …/contracts/{id} {status:REVOKED}" "POST xapi/v1 …/contracts/{id}/revoke")
    local paths=("POST $inst/contracts/{id}/revoke {}"
      "PATCH $inst/contracts/{id} {\"status\":\"REVOKED\"}"
      "POST /apimanager/xapi/v1/organizations/$org/environments/$env/apis/$api_id/contracts/{id}/revoke {}")
    local i answers="" statuses="" method path body
    for i in 0 1 2; do
      create_app "$prefix-revoke$i"
      new_contract "$app_id"
      [ -n "$cid" ] || { answers="$answers [${labels[$i]}: no contract to revoke: $status $(head -c 150 "$body_file")]"; continue; }
      read -r method path body <<<"${paths[$i]}"
      path=${path//\{id\}/$cid}
      api "$method" "$path" "$body"
      p1=$status
      api "$method" "$path" "$body"
      p2=$status
      api GET "$inst/contracts/$cid"
      p3=$(json "$body_file" 'd.get("status")')
      statuses="$statuses $p1/$p2"
      answers="$answers [${labels[$i]}: first $p1, again $p2, contract then ${p3:-unreadable}]"
      # Tidy up: revoke through whichever path works here, then delete.
      local j
      for j in 0 1 2; do
        [ "$p3" = REVOKED ] && break
        read -r method path body <<<"${paths[$j]}"
        api "$method" "${path//\{id\}/$cid}" "$body"
        api GET "$inst/contracts/$cid"
        p3=$(json "$body_file" 'd.get("status")')
      done
      api DELETE "$inst/contracts/$cid"
    done
    report Q11 "What does revoking a contract return on each path, and an already revoked one?" \
      "each of: ${labels[0]}; ${labels[1]}; ${labels[2]} (under $inst; twice, on a new contract each)" "${statuses# }" "${answers# }"
  fi

  step="probe done"
  echo "==> Probe finished; the clean-up below deletes what it created"
}

if [ "$mode" = lifecycle ]; then
  lifecycle
else
  probe
fi
