#!/usr/bin/env bash
# Acceptance run against a real Anypoint organization (maintainers only).
#
#   scripts/acceptance.sh           the Terraform lifecycle: create, empty plan,
#                                   update, owner, import, destroy; with an API
#                                   instance, also a contract: create, empty
#                                   plan, import, destroy
#   scripts/acceptance.sh --probe   answer the open questions of the API notes
#                                   (anypoint-api.md §8 and §9) by making the
#                                   calls, and print a report; each question the
#                                   emulator has variants for gets a line
#                                   "variant: <name>" or "variant: default (...)"
#                                   naming the emulator variant the answer
#                                   matches (docs/guides/emulator.md); it also
#                                   reports what the look-ups of the data
#                                   sources answer (the user search, the
#                                   environment list, API Manager's API
#                                   search): their shape and paging
#
# Environment:
#   ANYPOINT_CLIENT_ID, ANYPOINT_CLIENT_SECRET   a Connected App (client
#                                   credentials, Application Creator scope)
#   ANYPOINT_CONTROL_PLANE          us (default), eu, gov, ca, jp
#   ANYPOINT_BASE_URL               instead of the control plane (e.g. the emulator)
#   ANYPOINT_ORG_ID                 root organization (default: user.organization.id
#                                   of /accounts/api/me)
#   ANYPOINT_OWNER_USER_ID          user to add as owner (default: the first
#                                   user of the organization other than the
#                                   Connected App's owner)
#   ANYPOINT_API_INSTANCE_ID, ANYPOINT_ENVIRONMENT_ID
#                                   an API instance (and its environment) for
#                                   the contract questions of --probe and the
#                                   contract steps of the lifecycle; without
#                                   them --probe searches the first environment
#   ANYPOINT_API_GROUP_INSTANCE_ID  an API group instance (in ANYPOINT_ENVIRONMENT_ID)
#                                   for the API group questions of --probe
#   ANYPOINT_GROUP_TIER_ID          its SLA tier to request (default: the first
#                                   ACTIVE tier approved automatically, else
#                                   the first ACTIVE tier)
#   ANYPOINT_TIER_ID                SLA tier to request (default: the first
#                                   ACTIVE tier approved automatically)
#   ANYPOINT_PENDING_TIER_ID        SLA tier that needs approval, for the
#                                   teardown question of --probe (default: the
#                                   first ACTIVE tier that is not approved
#                                   automatically)
#   ANYPOINT_PROVIDER_DIR           directory holding a built
#                                   terraform-provider-anypoint (default: build
#                                   it with cargo into target/debug)
#   ANYPOINT_ACCEPTANCE_PREFIX      name prefix (default: tfacc-<time>-<random>)
#   TERRAFORM                       the Terraform CLI (default: terraform on PATH)
#
# Everything is created under a unique name prefix. On exit, also after a
# failed step, the script destroys what Terraform manages, then ends every
# contract it created (delete, or revoke then delete) and deletes every
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
# The interpreter itself: a version manager's python3 shim costs a process
# or two more on each of the many JSON reads.
py=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null) || py=""
[ -n "$py" ] && [ -x "$py" ] || py=python3
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
# "<application id> <contract id>" of every contract the probe asked for.
contracts_made="$work/created-contracts"
: >"$contracts_made"
# The same for the contracts with the API group instance.
group_contracts_made="$work/created-group-contracts"
: >"$group_contracts_made"
# The API instance of the contract questions and steps, when given.
api_id=${ANYPOINT_API_INSTANCE_ID:-}
env_id=${ANYPOINT_ENVIRONMENT_ID:-}
inst=""
# The API group instance of the group questions, when given.
group_inst_id=${ANYPOINT_API_GROUP_INSTANCE_ID:-}
ginst=""
tf_dir=""
step="start"

# ---------------------------------------------------------------- HTTP

# urlencode TEXT: TEXT as one query parameter value.
urlencode() {
  "$py" -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"
}

# json FILE EXPR: evaluate a Python expression over the JSON in FILE (`d`);
# prints nothing when the file is not JSON or the expression fails.
json() {
  "$py" - "$1" "$2" <<'PY' 2>/dev/null || true
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
# The root organization: applications live there (anypoint-api.md §9.2). A
# Connected App in a business group has that group in client.org_id, so the
# root is taken from user.organization.id.
discover_org() {
  api GET /accounts/api/me
  cp "$body_file" "$me_file"
  org=${ANYPOINT_ORG_ID:-}
  if [ -z "$org" ]; then
    org=$(json "$me_file" '((d.get("user") or {}).get("organization") or {}).get("id") or (d.get("client") or {}).get("org_id")')
  fi
  [ -n "$org" ] || { echo "error: could not find the organization id (set ANYPOINT_ORG_ID)" >&2; return 1; }
  if [ -n "$api_id" ] && [ -n "$env_id" ]; then
    inst="/apimanager/api/v1/organizations/$org/environments/$env_id/apis/$api_id"
  fi
  if [ -n "$group_inst_id" ] && [ -n "$env_id" ]; then
    ginst="/apimanager/api/v1/organizations/$org/environments/$env_id/groupInstances/$group_inst_id"
  fi
}

apps="/apiplatform/repository/v2/organizations"
# create_app NAME [EXTRA_JSON_FIELDS]: sets $status and $app_id.
app_id=""
create_app() {
  api POST "$apps/$org/applications" "{\"name\":\"$1\"${2:+,$2}}"
  app_id=$(json "$body_file" 'd["id"]')
  if [ -n "$app_id" ]; then echo "$app_id" >>"$created"; fi
}

# ---------------------------------------------------------------- contracts

# tier_ids: sets $tier (ANYPOINT_TIER_ID, else the first ACTIVE tier approved
# automatically) and $pending_tier (ANYPOINT_PENDING_TIER_ID, else the first
# ACTIVE tier that needs approval); $has_tiers is the number of tiers listed.
tier="" pending_tier="" has_tiers=0
tier_ids() {
  api GET "$inst/tiers"
  local tiers="$work/tiers.json"
  cp "$body_file" "$tiers"
  has_tiers=$(json "$tiers" 'len(d["tiers"] if isinstance(d, dict) else d)')
  has_tiers=${has_tiers:-0}
  tier=${ANYPOINT_TIER_ID:-$(json "$tiers" 'next(t["id"] for t in (d["tiers"] if isinstance(d, dict) else d) if t.get("status", "ACTIVE") == "ACTIVE" and t.get("autoApprove"))')}
  pending_tier=${ANYPOINT_PENDING_TIER_ID:-$(json "$tiers" 'next(t["id"] for t in (d["tiers"] if isinstance(d, dict) else d) if t.get("status", "ACTIVE") == "ACTIVE" and not t.get("autoApprove"))')}
}

# asset_coordinates: sets $group $asset $ver $vgroup from the instance and
# Exchange (what a contract request names).
group="" asset="" ver="" vgroup=""
asset_coordinates() {
  local instance="$work/instance.json"
  api GET "$inst"
  cp "$body_file" "$instance"
  group=$(json "$instance" 'd["groupId"]')
  asset=$(json "$instance" 'd["assetId"]')
  ver=$(json "$instance" 'd["assetVersion"]')
  api GET "/exchange/api/v2/assets/$group/$asset/$ver"
  vgroup=$(json "$body_file" 'd.get("versionGroup")')
  vgroup=${vgroup:-$(json "$instance" 'd.get("productVersion")')}
}

# new_contract APP [TIER]: request access for APP on the instance; sets
# $status, $cid and $cstatus (the contract's status) and records it.
cid="" cstatus=""
new_contract() {
  api POST "/exchange/api/v2/organizations/$org/applications/$1/contracts" \
    "{\"apiId\":$api_id,\"instanceType\":\"api\",\"acceptedTerms\":true,\"organizationId\":\"$org\",\"environmentId\":\"$env_id\",\"groupId\":\"$group\",\"assetId\":\"$asset\",\"version\":\"$ver\",\"versionGroup\":\"$vgroup\"${2:+,\"requestedTierId\":$2}}"
  cid=$(json "$body_file" 'd["id"]')
  cstatus=$(json "$body_file" 'd.get("status")')
  if [ -n "$cid" ]; then echo "$1 $cid" >>"$contracts_made"; fi
}

# new_app_contract NAME [TIER]: a new application with a contract.
new_app_contract() {
  create_app "$1"
  cid="" cstatus=""
  [ -n "$app_id" ] || return 0
  new_contract "$app_id" "${2:-}"
}

# contract_status CID APP: the contract's status as API Manager reports it,
# or as application APP's contract list does when API Manager refuses (403:
# the Connected App may not view contracts).
contract_status() {
  api GET "$inst/contracts/$1"
  if [ "$status" = 404 ]; then echo GONE
  elif [ "$status" = 403 ]; then
    api GET "$apps/$org/applications/$2/contracts?limit=250"
    json "$body_file" 'next((c.get("status") for c in d if str(c["id"]) == "'"$1"'"), "GONE")'
  else json "$body_file" 'd.get("status")'; fi
}

# parent_api_id APP CID: the parent API id of the contract's instance, from
# the application's contract list (apiVersion.apiId, anypoint-api.md §9.4).
parent_api_id() {
  api GET "$apps/$org/applications/$1/contracts?limit=250"
  json "$body_file" 'next(c["apiVersion"]["apiId"] for c in d if str(c["id"]) == "'"$2"'")'
}

# revoke_contract APP CID: the documented API Manager PATCH; when that is not
# served (404, 405), the legacy API Platform POST …/revoke. Sets $status and
# $revoked_by.
revoked_by=""
revoke_contract() {
  revoked_by=PATCH
  api PATCH "$inst/contracts/$2" '{"status":"REVOKED"}'
  case "$status" in 404 | 405) ;; *) return 0 ;; esac
  local parent
  parent=$(parent_api_id "$1" "$2")
  [ -n "$parent" ] || return 0
  revoked_by="legacy POST"
  api POST "$apps/$org/apis/$parent/versions/$api_id/contracts/$2/revoke" '{}'
}

# end_contract APP CID: delete it; if the delete is refused, revoke it and
# delete it again. Fails when it is still there.
end_contract() {
  api DELETE "$inst/contracts/$2"
  case "$status" in 2?? | 404) return 0 ;; esac
  revoke_contract "$1" "$2"
  api DELETE "$inst/contracts/$2"
  case "$status" in 2?? | 404) return 0 ;; esac
  return 1
}

# end_group_contract APP CID: a contract with the API group instance, ended
# through it (API Manager only: a group has no legacy path): delete it; if
# the delete is refused, revoke it and delete it again. Fails when it is
# still there.
end_group_contract() {
  api DELETE "$ginst/contracts/$2"
  case "$status" in 2?? | 404) return 0 ;; esac
  api PATCH "$ginst/contracts/$2" '{"status":"REVOKED"}'
  api DELETE "$ginst/contracts/$2"
  case "$status" in 2?? | 404) return 0 ;; esac
  return 1
}

# ---------------------------------------------------------------- clean-up

end_leftover_contracts() {
  local app c
  [ -n "$inst" ] && [ -s "$contracts_made" ] || return 0
  while read -r app c; do
    end_contract "$app" "$c" \
      || echo "    clean-up: contract $c of application $app is still there ($status: $(head -c 200 "$body_file")); deleting the application" >&2
  done < <(sort -u "$contracts_made")
}

end_leftover_group_contracts() {
  local app c
  [ -n "$ginst" ] && [ -s "$group_contracts_made" ] || return 0
  while read -r app c; do
    end_group_contract "$app" "$c" \
      || echo "    clean-up: group contract $c of application $app is still there ($status: $(head -c 200 "$body_file")); deleting the application" >&2
  done < <(sort -u "$group_contracts_made")
}

delete_leftovers() {
  local id ids page offset name
  get_token || return 0
  [ -n "$org" ] || discover_org || return 0
  end_leftover_contracts
  end_leftover_group_contracts
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

variable "api_instance_id" {
  type    = string
  default = ""
}
variable "environment_id" {
  type    = string
  default = ""
}
variable "tier_id" {
  type    = string
  default = ""
}

resource "anypoint_client_application_contract" "contract" {
  count             = var.api_instance_id == "" ? 0 : 1
  application_id    = anypoint_client_application.app.id
  api_instance_id   = var.api_instance_id
  environment_id    = var.environment_id
  requested_tier_id = var.tier_id == "" ? null : var.tier_id
  accepted_terms    = true
}
TF
  cd "$tf_dir"
  local common=(-input=false -no-color)
  tf_vars=(-var "prefix=$prefix" -var "description=created by scripts/acceptance.sh")

  step="create"
  echo "==> $step"
  "$tf" apply -auto-approve "${common[@]}" "${tf_vars[@]}"
  local id
  id=$("$tf" show -json | "$py" -c 'import json,sys
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

  local contract_id=""
  if [ -n "$inst" ]; then
    step="contract"
    tier_ids
    if [ "$has_tiers" -gt 0 ] && [ -z "$tier" ]; then
      echo "error: instance $api_id has no ACTIVE tier approved automatically (set ANYPOINT_TIER_ID)" >&2
      return 1
    fi
    echo "==> $step (API instance $api_id${tier:+, tier $tier})"
    tf_vars+=(-var "api_instance_id=$api_id" -var "environment_id=$env_id" -var "tier_id=$tier")
    "$tf" apply -auto-approve "${common[@]}" "${tf_vars[@]}"
    contract_id=$("$tf" show -json | "$py" -c 'import json,sys
d=json.load(sys.stdin)
print(next(r["values"]["id"] for r in d["values"]["root_module"]["resources"] if r["address"]=="anypoint_client_application_contract.contract[0]"))')
    echo "    contract $contract_id"
    api GET "$apps/$org/applications/$id/contracts?limit=250"
    [ "$(json "$body_file" 'any(str(c["id"]) == "'"$contract_id"'" for c in d)')" = true ] \
      || { echo "error: the platform does not list contract $contract_id (GET answered $status)" >&2; return 1; }
    empty_plan "contract"
  fi

  step="import"
  echo "==> $step"
  local imported=(anypoint_client_application.app 'anypoint_client_application_owner.owner[0]')
  if [ -n "$contract_id" ]; then imported+=('anypoint_client_application_contract.contract[0]'); fi
  "$tf" state rm -no-color "${imported[@]}"
  "$tf" import "${common[@]}" "${tf_vars[@]}" anypoint_client_application.app "$org/$id"
  "$tf" import "${common[@]}" "${tf_vars[@]}" 'anypoint_client_application_owner.owner[0]' "$org/$id/$owner"
  if [ -n "$contract_id" ]; then
    "$tf" import "${common[@]}" "${tf_vars[@]}" 'anypoint_client_application_contract.contract[0]' "$org/$id/$contract_id"
    # The platform does not report a contract's environment or terms: the
    # first apply after the import records them in place, never by replacing.
    local code=0
    "$tf" plan -detailed-exitcode "${common[@]}" "${tf_vars[@]}" -out "$work/import.plan" >"$work/import-plan.log" || code=$?
    cat "$work/import-plan.log"
    case "$code" in
      0) ;;
      2)
        if grep -q "must be replaced" "$work/import-plan.log"; then
          echo "error: the plan after the import replaces something" >&2
          return 1
        fi
        "$tf" apply "${common[@]}" "$work/import.plan"
        ;;
      *) echo "error: the plan after the import failed (exit $code)" >&2; return 1 ;;
    esac
  fi
  empty_plan "import"

  if [ -n "$contract_id" ]; then
    step="contract destroy"
    echo "==> $step"
    tf_vars=(-var "prefix=$prefix" -var "description=updated by scripts/acceptance.sh" -var "owner=$owner")
    "$tf" apply -auto-approve "${common[@]}" "${tf_vars[@]}"
    api GET "$apps/$org/applications/$id/contracts?limit=250"
    [ "$status" = 200 ] && [ "$(json "$body_file" 'any(str(c["id"]) == "'"$contract_id"'" for c in d)')" = false ] \
      || { echo "error: the platform still lists contract $contract_id (GET answered $status)" >&2; return 1; }
    empty_plan "contract destroy"
  fi

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
  echo "==> Acceptance lifecycle passed (create, empty plan, update, owner,${contract_id:+ contract,} import,${contract_id:+ contract destroy,} destroy)"
}

# ---------------------------------------------------------------- probe

report() {
  # report ID QUESTION SENT STATUS ANSWER [VARIANT]: VARIANT names the
  # emulator variant the answer matches (docs/guides/emulator.md), or
  # "default (...)" for the emulator's default answer, or "unknown (...)".
  printf '%s %s\n   sent:   %s\n   status: %s\n   answer: %s\n' "$1" "$2" "$3" "$4" "$5"
  if [ $# -ge 6 ]; then printf '   variant: %s\n' "$6"; fi
  printf '\n'
}

# is2xx STATUS
is2xx() { case "$1" in 2??) return 0 ;; *) return 1 ;; esac; }

probe() {
  local a b c s0 s1 s2 id1 id2 ans v
  echo "==> Probe: open questions of anypoint-api.md §8 and §9 against $base"
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
  ans=$(json "$body_file" '(lambda kept, cleared: ("omitted fields are kept" if not cleared else "omitted fields are cleared" if not kept else "some omitted fields are kept: " + ", ".join(kept) + "; cleared: " + ", ".join(cleared)) + " (%s)" % ", ".join("%s=%r" % (k, d.get(k)) for k in ("description", "url", "redirectUri", "grantTypes")))(*(lambda sent: ([k for k in sent if d.get(k) == sent[k]], [k for k in sent if d.get(k) != sent[k]]))({"description": "kept?", "url": "https://example.com/kept", "redirectUri": ["https://example.com/cb"], "grantTypes": ["authorization_code"]}))')
  report Q2 "Does a partial PUT clear the fields it omits?" \
    "PUT $apps/{org}/applications/$a {\"name\":…} after a create with description, url, redirectUri, grantTypes" "$s1" "${ans:-GET answered $status}"

  step="probe Q10"
  api PUT "$apps/$org/applications/$a" "{\"name\":\"$prefix-put\",\"description\":\"set\",\"url\":\"https://example.com/set\"}"
  s0=$status
  api PUT "$apps/$org/applications/$a" "{\"name\":\"$prefix-put\",\"description\":null,\"url\":null}"
  s1=$status
  api GET "$apps/$org/applications/$a"
  b=$(json "$body_file" '"description=%r url=%r" % (d.get("description"), d.get("url"))')
  local null_kept
  null_kept=$(json "$body_file" '"kept" if d.get("description") == "set" else "cleared" if d.get("description") in (None, "") else "other"')
  api PUT "$apps/$org/applications/$a" "{\"name\":\"$prefix-put\",\"description\":\"\",\"url\":\"\"}"
  s2=$status
  api GET "$apps/$org/applications/$a"
  c=$(json "$body_file" '"description=%r url=%r" % (d.get("description"), d.get("url"))')
  local empty_read listed unset
  empty_read=$(json "$body_file" '{None: "null", "": "empty"}.get(d.get("description"), "other")')
  api GET "$apps/$org/applications?query=$prefix-put&targetAdminSite=true"
  listed=$(json "$body_file" 'next("description=%r" % x.get("description") for x in d["applications"] if str(x["id"]) == "'"$a"'")')
  create_app "$prefix-bare"
  api GET "$apps/$org/applications/$app_id"
  unset=$(json "$body_file" '"description=%r url=%r" % (d.get("description"), d.get("url"))')
  api DELETE "$apps/$org/applications/$app_id"
  if [ "$s0" != 200 ] || ! is2xx "$s1"; then v="unknown (setting answered $s0, the PUT with null $s1)"
  elif [ "$null_kept" = kept ] && [ "$empty_read" = empty ]; then v="put-keeps-null"
  elif [ "$null_kept" = cleared ] && [ "$empty_read" = null ]; then v="default (null clears; \"\" reads back as null)"
  else v="unknown (null: $null_kept; \"\" read back as $empty_read)"; fi
  report Q10 "Does PUT accept null for description/url, or must a cleared field be \"\"? What does GET answer for an unset one?" \
    "PUT {\"description\":\"set\",…}, PUT {\"description\":null,\"url\":null}, PUT {\"description\":\"\",\"url\":\"\"}; GET by id and the list item; GET of an application created without them" \
    "$s0, $s1, then $s2" \
    "null: $s1, read back $b; \"\": $s2, read back $c, in the list ${listed:-not found}; created without: $unset" "$v"

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
  local client_org user_org
  client_org=$(json "$me_file" '(d.get("client") or {}).get("org_id")')
  user_org=$(json "$me_file" '((d.get("user") or {}).get("organization") or {}).get("id")')
  ans="client.org_id=${client_org:-absent}, user.organization.id=${user_org:-absent}"
  s1="200"
  if [ -z "$client_org" ]; then v="unknown (no client.org_id)"
  elif [ "$client_org" = "$user_org" ]; then v="default (client.org_id is the root organization, user.organization.id)"
  else
    api GET "/accounts/api/organizations/$client_org"
    s1="200, then $status"
    b=$(json "$body_file" '"isMaster=%s, parentOrganizationIds=%s" % (d.get("isMaster"), d.get("parentOrganizationIds"))')
    ans="$ans; GET /accounts/api/organizations/$client_org answered $status${b:+: $b}"
    if [ "$status" = 200 ] && [ "$(json "$body_file" 'd.get("isMaster") is False or bool(d.get("parentOrganizationIds"))')" = true ]; then
      v="business-group"
    else v="unknown (client.org_id differs, but $status does not show a business group)"; fi
  fi
  report Q4 "Is client.org_id in /me for a client-credentials token, and does it name the root organization (user.organization.id)?" \
    "GET /accounts/api/me; GET /accounts/api/organizations/{client.org_id} when they differ" "$s1" "$ans" "$v"

  step="probe Q9"
  api GET "$apps/$org/applications?query=$prefix"
  s1=$status
  local seen1 seen2 ours mine
  seen1=$(json "$body_file" '"%d of total %s" % (len([x for x in d["applications"] if x["name"].startswith("'"$prefix"'")]), d.get("total"))')
  api GET "$apps/$org/applications?query=$prefix&targetAdminSite=true"
  s2=$status
  seen2=$(json "$body_file" '"%d of total %s" % (len([x for x in d["applications"] if x["name"].startswith("'"$prefix"'")]), d.get("total"))')
  ours=$(json "$body_file" 'len([x for x in d["applications"] if x["name"].startswith("'"$prefix"'")])')
  mine=$(json "$body_file" 'sorted(set(k for x in d["applications"] if x["name"].startswith("'"$prefix"'") for k in x))')
  if [ "$s2" != 200 ]; then v="unknown (the list answered $s2)"
  elif [ "${ours:-0}" = 0 ]; then v="list-hides-applications"
  else v="default (the list shows the Connected App's applications)"; fi
  report Q9 "Which applications does the Connected App see in A's list, with and without targetAdminSite=true?" \
    "GET $apps/{org}/applications?query=$prefix [&targetAdminSite=true] (it created $(sort -u "$created" | wc -l) so far)" \
    "$s1, $s2" "without: ${seen1:-no list} of its own; with targetAdminSite=true: ${seen2:-no list}" "$v"

  step="probe list items"
  if [ "$s2" != 200 ] || [ "${ours:-0}" = 0 ]; then v="unknown (the list showed none of its applications)"
  elif [ "$(json "$body_file" 'any("clientId" in x for x in d["applications"] if x["name"].startswith("'"$prefix"'"))')" = true ]; then
    v="default (whole items: client id and secret, redirect URIs, grant types)"
  else v="list-items-short"; fi
  report LIST-ITEMS "Are list items whole applications with targetAdminSite=true?" \
    "GET $apps/{org}/applications?query=$prefix&targetAdminSite=true (Q9)" "$s2" "keys of its items: ${mine:-none}" "$v"

  step="probe Q7"
  local self owner_id
  self=$(json "$me_file" 'd["user"]["id"]')
  api GET "$apps/$org/applications/$a"
  owner_id=$(json "$body_file" '(d.get("owners") or [{}])[0].get("id")')
  owner_id=${owner_id:-$self}
  api POST "$apps/$org/applications/$a/owners" "{\"id\":\"$owner_id\"}"
  s1=$status
  ans=$(case "$s1" in 409) echo "409 Conflict: $(json "$body_file" 'd.get("message")')" ;; 200 | 201 | 204) echo "accepted as a no-op ($s1)" ;; *) echo "$s1: $(head -c 200 "$body_file")" ;; esac)
  api GET "$apps/$org/applications/$a"
  b=$(json "$body_file" 'len([o for o in d.get("owners", []) if o.get("id") == "'"$owner_id"'"])')
  ans="$ans; the owner is listed ${b:-?} time(s)"
  case "$s1" in
    409) v="default (409 Conflict)" ;;
    201) if [ "$b" = 1 ]; then v="owner-add-existing-201"; else v="unknown (201, listed ${b:-?} times)"; fi ;;
    *) v="unknown ($s1)" ;;
  esac
  report Q7 "What does a POST for an existing owner return?" \
    "POST $apps/{org}/applications/$a/owners {\"id\":\"$owner_id\"} (already an owner)" "$s1" "$ans" "$v"

  step="probe Q5"
  api DELETE "$apps/$org/applications/$id1"
  s1=$status
  api GET "$apps/$org/applications/$id1"
  report Q5 "What does GET of a deleted application return to the Connected App?" \
    "DELETE then GET $apps/{org}/applications/$id1" "$s1, then $status" "GET answers $status"

  probe_lookups

  step="probe contracts"
  if [ -z "$inst" ]; then
    local q none="not asked: set ANYPOINT_API_INSTANCE_ID and ANYPOINT_ENVIRONMENT_ID"
    report INSTANCE-APIID "Does the API instance GET carry its parent API id (apiId)?" "nothing" "-" "$none" "unknown ($none)"
    report Q8 "Can a Connected App create a contract through API Manager v1?" "nothing" "-" "$none"
    report Q11 "What does revoking a contract return on each path, and an already revoked one?" "nothing" "-" "$none" "unknown ($none)"
    for q in REVOKE-PATH TEARDOWN MANAGE-CONTRACTS VIEW-CONTRACTS DEPRECATED-TIER; do
      report "$q" "(needs an API instance)" "nothing" "-" "$none" "unknown ($none)"
    done
  else
    probe_contracts
  fi

  step="probe groups"
  if [ -z "$ginst" ]; then
    local gnone="not asked: set ANYPOINT_API_GROUP_INSTANCE_ID and ANYPOINT_ENVIRONMENT_ID"
    report GROUP-INSTANCE-ASSET "Does the API group instance GET carry its Exchange asset coordinates?" \
      "nothing" "-" "$gnone" "unknown ($gnone)"
    report GROUP-CONTRACT-FIELD "Which field of the application's contract list names a group contract's API group instance?" \
      "nothing" "-" "$gnone" "unknown ($gnone)"
  else
    probe_groups
  fi

  step="probe done"
  echo "==> Probe finished; the clean-up below deletes what it created"
}

# The API group questions (anypoint-api.md §9.9): where a group instance's
# asset coordinates are, and which field of the application's contract list
# names a group contract's group instance.
probe_groups() {
  local s1 s2 v ans gfile ga gg gv gp gid gver vg gtier app c field keys
  step="probe group instance"
  api GET "$ginst"
  s1=$status
  gfile="$work/group-instance.json"
  cp "$body_file" "$gfile"
  gg=$(json "$gfile" 'd.get("assetGroupId") or None')
  ga=$(json "$gfile" 'd.get("assetId") or None')
  gv=$(json "$gfile" 'd.get("assetVersion") or None')
  gp=$(json "$gfile" 'd.get("productVersion") or None')
  ans="the group instance: assetGroupId=${gg:-none}, assetId=${ga:-none}, assetVersion=${gv:-none}, productVersion=${gp:-none}"
  if [ "$s1" != 200 ]; then v="unknown (the group instance GET answered $s1)"
  elif [ -n "$ga" ] && [ -n "$gv" ]; then v="default (the group instance carries its asset coordinates)"
  else
    gid=$(json "$gfile" 'd.get("groupId")')
    gver=$(json "$gfile" 'd.get("groupVersionId")')
    api GET "/apimanager/api/v1/organizations/$org/groups/$gid"
    s2=$status
    gg=${gg:-$(json "$body_file" 'd.get("assetGroupId") or None')}
    ga=${ga:-$(json "$body_file" 'd.get("assetId") or None')}
    api GET "/apimanager/api/v1/organizations/$org/groups/$gid/versions/$gver"
    s2="$s2, $status"
    gv=$(json "$body_file" 'd.get("assetVersion") or None')
    gp=${gp:-$(json "$body_file" 'd.get("productVersion") or None')}
    s1="$s1, then $s2"
    ans="$ans; its group and version: ${gg:-none}/${ga:-none}/${gv:-none} (${gp:-none})"
    if [ -n "$ga" ] && [ -n "$gv" ]; then v="group-instance-without-asset"
    else v="unknown (neither the group instance nor its group and version carry the asset)"; fi
  fi
  report GROUP-INSTANCE-ASSET "Does the API group instance GET carry its Exchange asset coordinates?" \
    "GET $ginst; GET …/groups/{groupId} and …/versions/{groupVersionId} when it lacks them" "$s1" "$ans" "$v"

  step="probe group contract field"
  api GET "/exchange/api/v2/assets/$gg/$ga/$gv"
  vg=$(json "$body_file" 'd.get("versionGroup")')
  vg=${vg:-$gp}
  api GET "$ginst/tiers"
  gtier=${ANYPOINT_GROUP_TIER_ID:-$(json "$body_file" 'next(t["id"] for t in (d["tiers"] if isinstance(d, dict) else d) if t.get("status", "ACTIVE") == "ACTIVE" and t.get("autoApprove"))')}
  gtier=${gtier:-$(json "$body_file" 'next(t["id"] for t in (d["tiers"] if isinstance(d, dict) else d) if t.get("status", "ACTIVE") == "ACTIVE")')}
  create_app "$prefix-group"
  app=$app_id
  api POST "/exchange/api/v2/organizations/$org/applications/$app/contracts" \
    "{\"apiGroupInstanceId\":$group_inst_id,\"instanceType\":\"api-group\",\"acceptedTerms\":true,\"organizationId\":\"$org\",\"environmentId\":\"$env_id\",\"groupId\":\"$gg\",\"assetId\":\"$ga\",\"version\":\"$gv\",\"versionGroup\":\"$vg\"${gtier:+,\"requestedTierId\":$gtier}}"
  s1=$status
  c=$(json "$body_file" 'd["id"]')
  if [ -n "$c" ]; then echo "$app $c" >>"$group_contracts_made"; fi
  if [ -z "$c" ]; then
    v="unknown (the group request answered $s1)"
    ans="$s1: $(head -c 200 "$body_file")"
  else
    api GET "$apps/$org/applications/$app/contracts?limit=250"
    s1="$s1, then $status"
    field=$(json "$body_file" '(lambda c: "groupInstanceId" if c.get("groupInstanceId") is not None else "groupInstance" if isinstance(c.get("groupInstance"), dict) else "groupInstances" if c.get("groupInstances") else "apiGroupInstanceId" if c.get("apiGroupInstanceId") is not None else "none")(next(c for c in d if str(c["id"]) == "'"$c"'"))')
    keys=$(json "$body_file" '", ".join(sorted(next(c for c in d if str(c["id"]) == "'"$c"'")))')
    case "$field" in
      groupInstanceId) v="default (groupInstanceId)" ;;
      groupInstance) v="group-contract-group-instance" ;;
      groupInstances) v="group-contract-group-instances" ;;
      apiGroupInstanceId) v="group-contract-api-group-instance-id" ;;
      *) v="unknown (no known field names the group instance: ${keys:-the contract is not listed})" ;;
    esac
    ans="contract $c is listed with ${field:-nothing}; its keys: ${keys:-none}"
    end_group_contract "$app" "$c" || ans="$ans; ending it answered $status"
  fi
  report GROUP-CONTRACT-FIELD "Which field of the application's contract list names a group contract's API group instance?" \
    "POST /exchange/api/v2/organizations/{org}/applications/$app/contracts {\"apiGroupInstanceId\":$group_inst_id,\"instanceType\":\"api-group\",…}; GET $apps/{org}/applications/$app/contracts" \
    "$s1" "$ans" "$v"
}

# The calls behind the data sources anypoint_user, anypoint_environment and
# anypoint_api_instance (by asset): what each answers, its shape and paging.
probe_lookups() {
  local s1 s2 s3 ans v part self_name envs="$work/environments.json"

  step="probe users"
  self_name=$(json "$me_file" '(d.get("user") or {}).get("username")')
  api GET "/accounts/api/organizations/$org/users?offset=0&limit=2"
  s1=$status
  ans=$(json "$body_file" '"total %s, %d item(s) with limit=2; keys: %s; item keys: %s" % (d.get("total"), len(d.get("data") or []), ", ".join(sorted(d)), ", ".join(sorted((d.get("data") or [{}])[0])))')
  part=${self_name:0:3}
  api GET "/accounts/api/organizations/$org/users?search=$(urlencode "$part")&offset=0&limit=100"
  s2=$status
  ans="${ans:-no JSON body}; search=$part (part of its own username ${self_name:-unknown}): $(json "$body_file" '"%d found, its own user among them: %s" % (len(d.get("data") or []), "yes" if any(u.get("username") == "'"$self_name"'" for u in d.get("data") or []) else "no")')"
  report USERS "What does the user search (anypoint_user) answer: shape, paging, partial matches?" \
    "GET /accounts/api/organizations/{org}/users?offset=0&limit=2; …/users?search=$part" "$s1, $s2" "$ans"

  step="probe environments"
  api GET "/accounts/api/organizations/$org/environments"
  s1=$status
  cp "$body_file" "$envs"
  ans=$(json "$envs" '(lambda items, names: "total %s, %d listed: %s; keys: %s; item keys: %s; names used more than once: %s" % (d.get("total"), len(items), ", ".join("%s (%s)" % (e.get("name"), e.get("type")) for e in items), ", ".join(sorted(d)), ", ".join(sorted(items[0])) if items else "none", ", ".join(sorted(set(n for n in names if names.count(n) > 1))) or "none"))(d.get("data") or [], [e.get("name") for e in d.get("data") or []])')
  api GET "/accounts/api/organizations/$org/environments?offset=1&limit=1"
  s2=$status
  ans="${ans:-no JSON body}; with offset=1&limit=1: $(json "$body_file" '"%d listed" % len(d.get("data") or [])')"
  report ENVIRONMENTS "What does the environment list (anypoint_environment) answer: shape, paging?" \
    "GET /accounts/api/organizations/{org}/environments [?offset=1&limit=1]" "$s1, $s2" "$ans"

  step="probe API search"
  local search_env asset="" exact part_found search
  search_env=${env_id:-$(json "$envs" '(d.get("data") or [{}])[0].get("id")')}
  search="/apimanager/api/v1/organizations/$org/environments/$search_env/apis"
  api GET "$search?offset=0&limit=100"
  s1=$status
  ans=$(json "$body_file" '(lambda assets: "total %s, %d asset(s) holding %d instance(s) on one page (total counts %s); keys: %s; asset keys: %s; instance keys: %s" % (d.get("total"), len(assets), sum(len(a.get("apis") or []) for a in assets), "assets" if d.get("total") == len(assets) else "instances" if d.get("total") == sum(len(a.get("apis") or []) for a in assets) else "neither", ", ".join(sorted(d)), ", ".join(sorted(assets[0])) if assets else "none", ", ".join(sorted((assets[0].get("apis") or [{}])[0])) if assets else "none"))(d.get("assets") or [])')
  if [ -n "$inst" ]; then
    api GET "$inst"
    asset=$(json "$body_file" 'd.get("assetId")')
  else
    asset=$(json "$body_file" 'next(a["assetId"] for a in d.get("assets") or [] if a.get("assetId"))')
  fi
  api GET "$search?offset=0&limit=1"
  s2=$status
  ans="${ans:-no JSON body}; with limit=1: $(json "$body_file" '"%d asset(s) of total %s" % (len(d.get("assets") or []), d.get("total"))')"
  if [ "$s1" != 200 ]; then v="unknown (the search answered $s1: $(head -c 200 "$body_file"))"
  elif [ -z "$asset" ]; then v="unknown (no API instance with an asset id in environment $search_env)"
  else
    api GET "$search?assetId=$(urlencode "$asset")&offset=0&limit=100"
    s3=$status
    exact=$(json "$body_file" '"%s of %d asset(s) listed" % (sum(a.get("assetId") == "'"$asset"'" for a in d.get("assets") or []), len(d.get("assets") or []))')
    api GET "$search?assetId=$(urlencode "${asset%?}")&offset=0&limit=100"
    s3="$s3, $status"
    part_found=$(json "$body_file" 'any(a.get("assetId") == "'"$asset"'" for a in d.get("assets") or [])')
    ans="$ans; assetId=$asset: ${exact:-no list}; assetId=${asset%?} (a part) finds it: ${part_found:-no list}"
    case "$exact" in
      "0 of"* | "") v="unknown (a search for assetId=$asset did not find it)" ;;
      *) if [ "$part_found" = true ]; then v="api-search-loose"; else v="default (assetId matches exactly)"; fi ;;
    esac
    s2="$s2, $s3"
  fi
  report API-SEARCH "What does API Manager's API search (anypoint_api_instance by asset) answer, and does assetId match exactly?" \
    "GET /apimanager/api/v1/organizations/{org}/environments/$search_env/apis?offset=0&limit=100 [&limit=1] [&assetId=${asset:-<none>}, then a part of it] (View APIs Configuration)" \
    "$s1, $s2" "$ans" "$v"
}

probe_contracts() {
  local s1 s2 c v ans

  step="probe instance"
  api GET "$inst"
  s1=$status
  ans=$(json "$body_file" '"keys: " + ", ".join(sorted(d.keys()))')
  if [ "$s1" != 200 ]; then v="unknown (the instance GET answered $s1)"
  elif [ "$(json "$body_file" '"apiId" in d')" = true ]; then v="instance-with-api-id"
  else v="default (no apiId; the parent id is in the contract list's apiVersion.apiId)"; fi
  report INSTANCE-APIID "Does the API instance GET carry its parent API id (apiId)?" "GET $inst" "$s1" "${ans:-no JSON body}" "$v"

  asset_coordinates
  tier_ids

  step="probe Q8"
  create_app "$prefix-v1contract"
  api POST "$inst/contracts" "{\"applicationId\":$app_id${tier:+,\"requestedTierId\":$tier}}"
  s1=$status
  c=$(json "$body_file" 'd["id"]')
  if [ -n "$c" ]; then echo "$app_id $c" >>"$contracts_made"; fi
  report Q8 "Can a Connected App create a contract through API Manager v1?" \
    "POST $inst/contracts {\"applicationId\":$app_id}" "$s1" \
    "$(case "$s1" in 201 | 200) echo "yes ($s1)" ;; *) echo "no: $s1 $(head -c 200 "$body_file")" ;; esac)"

  step="probe Q11"
  local labels=("POST api/v1 …/contracts/{id}/revoke" "PATCH api/v1 …/contracts/{id} {status:REVOKED}"
    "POST xapi/v1 …/contracts/{id}/revoke" "POST API Platform v2 …/apis/{apiId}/versions/{api}/contracts/{id}/revoke")
  local paths=("POST $inst/contracts/{id}/revoke {}"
    "PATCH $inst/contracts/{id} {\"status\":\"REVOKED\"}"
    "POST /apimanager/xapi/v1/organizations/$org/environments/$env_id/apis/$api_id/contracts/{id}/revoke {}"
    "POST $apps/$org/apis/{parent}/versions/$api_id/contracts/{id}/revoke {}")
  local i answers="" statuses="" method path body p1 p2 p3 app parent
  local -a first again after
  for i in 0 1 2 3; do
    first[i]="" again[i]="" after[i]=""
    new_app_contract "$prefix-revoke$i" "$tier"
    app=$app_id
    [ -n "$cid" ] || { answers="$answers [${labels[$i]}: no contract to revoke: $status $(head -c 150 "$body_file")]"; continue; }
    read -r method path body <<<"${paths[$i]}"
    path=${path//\{id\}/$cid}
    if [ "$i" = 3 ]; then
      parent=$(parent_api_id "$app" "$cid")
      path=${path//\{parent\}/${parent:-unknown}}
    fi
    api "$method" "$path" "$body"
    p1=$status
    api "$method" "$path" "$body"
    p2=$status
    p3=$(contract_status "$cid" "$app")
    first[i]=$p1 again[i]=$p2 after[i]=$p3
    statuses="$statuses $p1/$p2"
    answers="$answers [${labels[$i]}: first $p1, again $p2, contract then ${p3:-unreadable}]"
    end_contract "$app" "$cid" || true
  done
  # The second revoke on the first served path that revoked.
  v="unknown (no revoke succeeded, so none could be repeated)"
  for i in 1 3; do
    is2xx "${first[i]}" && [ "${after[i]}" = REVOKED ] || continue
    case "${again[i]}" in
      409) v="default (409 Conflict)" ;;
      200) v="revoke-again-200" ;;
      400) v="revoke-again-400" ;;
      *) v="unknown (${again[i]})" ;;
    esac
    break
  done
  report Q11 "What does revoking a contract return on each path, and an already revoked one?" \
    "each of: ${labels[0]}; ${labels[1]}; ${labels[2]}; ${labels[3]} (twice, on a new contract each)" "${statuses# }" "${answers# }" "$v"

  step="probe revoke path"
  case "${first[1]}" in
    2?? | 400 | 409) v="default (the API Manager PATCH is served: it answered ${first[1]})" ;;
    404 | 405)
      case "${first[3]}" in
        "" | 404 | 405) v="unknown (neither the PATCH nor the legacy POST is served: ${first[1]}, ${first[3]:-not sent})" ;;
        *) v="revoke-legacy-only" ;;
      esac ;;
    *) v="unknown (the PATCH answered ${first[1]:-nothing})" ;;
  esac
  report REVOKE-PATH "Which revoke call is served: the API Manager PATCH or only the legacy API Platform POST?" \
    "the PATCH and the legacy POST of Q11" "PATCH ${first[1]:--}, legacy POST ${first[3]:--}" \
    "PATCH: ${first[1]:-not sent}; legacy POST: ${first[3]:-not sent}" "$v"

  step="probe teardown"
  # An approved contract: revoke one, delete another without a revoke; the
  # same for pending ones (a tier that needs approval).
  local ra="" da="" rp="" dp="" rvia="" approved=yes
  new_app_contract "$prefix-teardown-a1" "$tier"
  if [ -n "$cid" ]; then
    [ "$cstatus" = APPROVED ] || approved=no
    app=$app_id
    revoke_contract "$app" "$cid"
    ra=$status rvia=$revoked_by
    end_contract "$app" "$cid" || true
  fi
  new_app_contract "$prefix-teardown-a2" "$tier"
  if [ -n "$cid" ]; then
    app=$app_id
    api DELETE "$inst/contracts/$cid"
    da=$status
    end_contract "$app" "$cid" || true
  fi
  if [ -n "$pending_tier" ]; then
    new_app_contract "$prefix-teardown-p1" "$pending_tier"
    if [ -n "$cid" ]; then
      app=$app_id
      revoke_contract "$app" "$cid"
      rp=$status
      end_contract "$app" "$cid" || true
    fi
    new_app_contract "$prefix-teardown-p2" "$pending_tier"
    if [ -n "$cid" ]; then
      app=$app_id
      api DELETE "$inst/contracts/$cid"
      dp=$status
      end_contract "$app" "$cid" || true
    fi
  fi
  ans="APPROVED: revoke (${rvia:-none}) ${ra:--}, delete ${da:--}; PENDING (tier ${pending_tier:-none}): revoke ${rp:--}, delete ${dp:--}"
  if [ -z "$ra" ] || [ -z "$da" ] || [ "$approved" = no ]; then v="unknown (no contract was approved at once)"
  elif [ "$ra" = 403 ] || [ "$da" = 403 ]; then v="unknown (403: the Connected App lacks Manage Contracts)"
  elif ! is2xx "$ra" && is2xx "$da"; then v="revoke-refused"
  elif ! is2xx "$ra"; then v="unknown (the revoke answered $ra and the delete $da)"
  elif [ -z "$pending_tier" ]; then v="unknown (not asked: the instance has no ACTIVE tier that needs approval; set ANYPOINT_PENDING_TIER_ID)"
  elif [ "$rp" = 400 ] && is2xx "$dp" && [ "$da" = 409 ]; then v="revoke-approved-only"
  elif is2xx "$rp" && [ "$dp" = 409 ] && [ "$da" = 409 ]; then v="default (any live contract can be revoked; only an ended one deleted)"
  else v="unknown ($ans)"; fi
  report TEARDOWN "Which contracts can be revoked, and which deleted without a revoke?" \
    "revoke, and delete without a revoke, an APPROVED contract and a PENDING one (a new contract each)" \
    "${ra:--} ${da:--} ${rp:--} ${dp:--}" "$ans" "$v"

  step="probe manage contracts"
  if [ -z "$ra" ]; then v="unknown (no contract to revoke)"
  elif [ "$ra" = 403 ] || [ "$da" = 403 ]; then v="no-manage-contracts"
  else v="default (revoke and delete are allowed: no 403)"; fi
  report MANAGE-CONTRACTS "Does the Connected App hold API Manager's \"Manage Contracts\" permission?" \
    "the revoke and delete of an APPROVED contract (TEARDOWN)" "${ra:--}, ${da:--}" "revoke ${ra:--}, delete ${da:--}" "$v"

  step="probe view contracts"
  local vl vt
  api GET "$inst/contracts?offset=0&limit=1"
  vl=$status
  api GET "$inst/tiers"
  vt=$status
  if [ "$vl" = 403 ] || [ "$vt" = 403 ]; then v="no-view-contracts"
  elif is2xx "$vl" && is2xx "$vt"; then v="default (the instance's contract list and tiers are served)"
  else v="unknown (the contract list answered $vl, the tiers $vt)"; fi
  report VIEW-CONTRACTS "Does the Connected App hold API Manager's \"View Contracts\" permission?" \
    "GET $inst/contracts?offset=0&limit=1; GET $inst/tiers" "$vl, $vt" "contract list $vl, tiers $vt" "$v"

  step="probe deprecated tiers"
  local dep listed_active
  api GET "$inst/tiers"
  s1=$status
  dep=$(json "$body_file" 'next(t["id"] for t in (d["tiers"] if isinstance(d, dict) else d) if t.get("status") == "DEPRECATED")')
  if [ "$s1" != 200 ]; then
    report DEPRECATED-TIER "Does a DEPRECATED tier take new contracts?" "GET $inst/tiers" "$s1" \
      "the tiers answered $s1" "unknown (the tiers answered $s1)"
  elif [ -z "$dep" ]; then
    report DEPRECATED-TIER "Does a DEPRECATED tier take new contracts?" "GET $inst/tiers" "$s1" \
      "no DEPRECATED tier among ${has_tiers} tier(s)" "default (no DEPRECATED tier on this instance)"
  else
    api GET "$inst/tiers?active=true"
    listed_active=$(json "$body_file" 'any(str(t["id"]) == "'"$dep"'" for t in (d["tiers"] if isinstance(d, dict) else d))')
    s2=$status
    new_app_contract "$prefix-deprecated" "$dep"
    ans="tier $dep is DEPRECATED; ?active=true ($s2) lists it: ${listed_active:-?}; a request on it: $status $(head -c 150 "$body_file")"
    if [ "$status" = 400 ]; then v="deprecated-tier"
    elif is2xx "$status"; then v="unknown (a DEPRECATED tier took a new contract)"; end_contract "$app_id" "$cid" || true
    else v="unknown ($status)"; fi
    report DEPRECATED-TIER "Does a DEPRECATED tier take new contracts?" \
      "GET $inst/tiers [?active=true]; a contract request on tier $dep" "$s1, $s2, $status" "$ans" "$v"
  fi
}

if [ "$mode" = lifecycle ]; then
  lifecycle
else
  probe
fi
