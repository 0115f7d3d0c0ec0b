#!/usr/bin/env bash
# Quickstart against the built-in Anypoint emulator, with no account and no
# network: build the provider and the emulator, install the provider into a
# local filesystem mirror, then `terraform init`, `apply`, a second `plan`
# that must show no changes, and `destroy`.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
export CHECKPOINT_DISABLE=1
tf=${TERRAFORM:-terraform}
command -v "$tf" >/dev/null 2>&1 || { echo "error: Terraform CLI 1.5+ is required (PATH or \$TERRAFORM)" >&2; exit 1; }
command -v cargo >/dev/null 2>&1 || { echo "error: Rust (cargo) is required" >&2; exit 1; }

echo "==> Building the provider and the emulator (release)"
cargo build --release --locked --bins
# Where cargo put it: CARGO_TARGET_DIR is honoured, as cargo does.
release_dir="${CARGO_TARGET_DIR:-target}/release"

version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
case "$(uname -m)" in
  x86_64 | amd64) arch=amd64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) arch=$(uname -m) ;;
esac
os=$(uname -s | tr '[:upper:]' '[:lower:]')

work=$(mktemp -d "${TMPDIR:-/tmp}/anypoint-quickstart.XXXXXX")
emulator_pid=""
cleanup() {
  if [ -n "$emulator_pid" ]; then kill "$emulator_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "==> Installing the provider into a local filesystem mirror"
mirror="$work/mirror/registry.terraform.io/anypoint-platform/anypoint/$version/${os}_$arch"
mkdir -p "$mirror"
cp "$release_dir/terraform-provider-anypoint" "$mirror/terraform-provider-anypoint_v$version"
cat > "$work/terraform.rc" <<RC
provider_installation {
  filesystem_mirror {
    path    = "$work/mirror"
    include = ["registry.terraform.io/anypoint-platform/anypoint"]
  }
  direct {
    exclude = ["registry.terraform.io/anypoint-platform/anypoint"]
  }
}
RC
export TF_CLI_CONFIG_FILE="$work/terraform.rc"

echo "==> Starting the Anypoint emulator"
"$release_dir/anypoint-emulator" --listen 127.0.0.1:0 --url-file "$work/emulator.url" >"$work/emulator.log" 2>&1 &
emulator_pid=$!
for _ in $(seq 1 100); do
  [ -s "$work/emulator.url" ] && break
  kill -0 "$emulator_pid" 2>/dev/null || { cat "$work/emulator.log" >&2; exit 1; }
  sleep 0.1
done
[ -s "$work/emulator.url" ] || { echo "error: the emulator did not start" >&2; exit 1; }
export ANYPOINT_BASE_URL=$(head -1 "$work/emulator.url")
export ANYPOINT_CLIENT_ID=emulator-client-id
export ANYPOINT_CLIENT_SECRET=emulator-client-secret
echo "    emulator at $ANYPOINT_BASE_URL"

mkdir -p "$work/config"
cp "$root/examples/quickstart/main.tf" "$work/config/"
cd "$work/config"

echo "==> terraform init"
"$tf" init -input=false -no-color

echo "==> terraform apply"
"$tf" apply -input=false -auto-approve -no-color

echo "==> terraform plan (must show no changes)"
set +e
"$tf" plan -input=false -detailed-exitcode -no-color
code=$?
set -e
if [ "$code" -ne 0 ]; then
  echo "error: the second plan was not empty (exit code $code)" >&2
  exit 1
fi

echo "==> terraform destroy"
"$tf" destroy -input=false -auto-approve -no-color

echo "==> Quickstart finished: created, planned with no changes, destroyed."
