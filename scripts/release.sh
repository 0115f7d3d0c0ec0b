#!/usr/bin/env bash
# Build release artifacts in the layout the Terraform Registry (and a private
# registry) takes, signed with a GPG key from the environment; optionally lay
# out a static provider network mirror and a packed filesystem mirror.
#
#   scripts/release.sh [options]
#
# For each platform it writes the provider's zip
# (terraform-provider-anypoint_<version>_<os>_<arch>.zip) and the emulator's
# (anypoint-emulator_<version>_<os>_<arch>.zip); SHA256SUMS lists both kinds
# and the manifest, and its signature covers them all. The mirrors get the
# provider's zips only.
#
# Options:
#   --dist DIR                where the artifacts go (default: dist/)
#   --prebuilt DIR            also package binaries built elsewhere (another
#                             runner, a cross toolchain): every DIR/<os>_<arch>/
#                             holding terraform-provider-anypoint and
#                             anypoint-emulator (.exe on windows) is one
#                             platform; a platform found there is not built
#   --no-build                build nothing: package only what --prebuilt gives
#   --network-mirror DIR      also write a static network mirror under DIR
#                             (Provider Network Mirror Protocol: index.json,
#                             <version>.json with zh: hashes, the zip archives)
#   --filesystem-mirror DIR   also write a packed filesystem mirror under DIR
#   --hostname HOST           registry hostname for the mirrors
#                             (default: registry.terraform.io)
#   --namespace NS            provider namespace (default: anypoint-platform)
#   --no-sign                 skip the GPG signature (local mirrors only; the
#                             Registry and private registries need it)
#   -h, --help                this text
#
# Environment:
#   GPG_FINGERPRINT or GPG_KEY_ID   the signing key (required unless --no-sign)
#   GNUPGHOME                       the keyring holding it (gpg's default otherwise)
#   GPG_PASSPHRASE                  passphrase of the key, if it has one
#   RELEASE_TARGETS                 Rust targets to try besides the host
#                                   (space separated; unset: the platforms
#                                   Terraform runs on; empty: none)
#   CARGO_TARGET_DIR                honoured, like cargo does
#
# Unless --no-build, the host platform is built (when --prebuilt does not give
# it). Every other target is built only when its Rust standard library is
# installed (`rustup target list --installed`); otherwise it is skipped with a
# message. .github/workflows/release.yml builds each platform on its own runner
# and hands the binaries to this script with --prebuilt --no-build.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }

dist="$root/dist"
net_mirror=""
fs_mirror=""
hostname="registry.terraform.io"
namespace="anypoint-platform"
sign=1
prebuilt=""
build=1
abspath() { case "$1" in /*) printf '%s\n' "$1" ;; *) printf '%s/%s\n' "$root" "$1" ;; esac; }
while [ $# -gt 0 ]; do
  case "$1" in
    --dist) dist=$(abspath "${2:?--dist needs a directory}"); shift 2 ;;
    --network-mirror) net_mirror=$(abspath "${2:?--network-mirror needs a directory}"); shift 2 ;;
    --filesystem-mirror) fs_mirror=$(abspath "${2:?--filesystem-mirror needs a directory}"); shift 2 ;;
    --hostname) hostname=${2:?--hostname needs a value}; shift 2 ;;
    --namespace) namespace=${2:?--namespace needs a value}; shift 2 ;;
    --prebuilt) prebuilt=$(abspath "${2:?--prebuilt needs a directory}"); shift 2 ;;
    --no-build) build=0; shift ;;
    --no-sign) sign=0; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "error: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

die() { echo "error: $*" >&2; exit 1; }
for tool in zip sha256sum; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is required"
done
if [ "$build" = 1 ]; then
  for tool in cargo rustc; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool is required (or pass --prebuilt DIR --no-build)"
  done
fi

type_name="anypoint"
name="terraform-provider-$type_name"
emulator="anypoint-emulator"
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
[ -n "$version" ] || die "no version in Cargo.toml"

key=${GPG_FINGERPRINT:-${GPG_KEY_ID:-}}
if [ "$sign" = 1 ]; then
  command -v gpg >/dev/null 2>&1 || die "gpg is required to sign (or pass --no-sign)"
  [ -n "$key" ] || die "set GPG_FINGERPRINT (or GPG_KEY_ID) to the signing key, and GNUPGHOME to its keyring if not the default; or pass --no-sign"
  gpg --batch --list-secret-keys "$key" >/dev/null 2>&1 \
    || die "no secret key $key in ${GNUPGHOME:-the default keyring}"
fi

# Terraform's os_arch for a Rust target triple; empty if Terraform has none.
tf_platform() {
  local arch os
  case "$1" in
    x86_64-*) arch=amd64 ;;
    aarch64-*) arch=arm64 ;;
    i686-* | i586-*) arch=386 ;;
    arm-* | armv7-*) arch=arm ;;
    *) return 0 ;;
  esac
  case "$1" in
    *-linux-*) os=linux ;;
    *-apple-darwin) os=darwin ;;
    *-windows-*) os=windows ;;
    *-freebsd) os=freebsd ;;
    *) return 0 ;;
  esac
  printf '%s_%s\n' "$os" "$arch"
}

# Platforms given prebuilt: DIR/<os>_<arch>/ with both binaries.
prebuilt_platforms=""
if [ -n "$prebuilt" ]; then
  [ -d "$prebuilt" ] || die "--prebuilt $prebuilt is not a directory"
  for d in "$prebuilt"/*/; do
    [ -d "$d" ] || continue
    platform=$(basename "$d")
    case "$platform" in
      [a-z]*_[a-z0-9]*) ;;
      *) die "--prebuilt: $d is not named <os>_<arch> (like linux_amd64)" ;;
    esac
    exe=""
    case "$platform" in windows_*) exe=".exe" ;; esac
    for b in "$name" "$emulator"; do
      [ -f "$d$b$exe" ] || die "--prebuilt: $d has no $b$exe"
    done
    prebuilt_platforms="$prebuilt_platforms $platform"
  done
  [ -n "$prebuilt_platforms" ] || die "--prebuilt $prebuilt holds no <os>_<arch> directory"
fi
is_prebuilt() { case " $prebuilt_platforms " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

host=""
host_platform=""
if command -v rustc >/dev/null 2>&1; then
  host=$(rustc -vV | sed -n 's/^host: //p')
  host_platform=$(tf_platform "$host")
fi
targets=""
if [ "$build" = 1 ]; then
  [ -n "$host_platform" ] || die "the host target $host has no Terraform platform name"
  candidates=${RELEASE_TARGETS-"x86_64-unknown-linux-gnu aarch64-unknown-linux-gnu x86_64-apple-darwin aarch64-apple-darwin x86_64-pc-windows-msvc x86_64-unknown-freebsd"}
  installed=""
  if command -v rustup >/dev/null 2>&1; then
    installed=$(rustup target list --installed 2>/dev/null || true)
  fi
  if is_prebuilt "$host_platform"; then
    echo "==> $host_platform (the host) comes prebuilt from $prebuilt"
  else
    targets="$host"
  fi
  for t in $candidates; do
    [ "$t" = "$host" ] && continue
    if [ -z "$(tf_platform "$t")" ]; then
      echo "==> skipping $t: Terraform has no platform for it"
    elif is_prebuilt "$(tf_platform "$t")"; then
      echo "==> $(tf_platform "$t") comes prebuilt from $prebuilt"
    elif printf '%s\n' "$installed" | grep -qx "$t"; then
      targets="$targets $t"
    elif command -v rustup >/dev/null 2>&1; then
      echo "==> skipping $t: its Rust target is not installed (rustup target add $t)"
    else
      echo "==> skipping $t: rustup is not installed, only the host target is built"
    fi
  done
fi
[ -n "$targets$prebuilt_platforms" ] || die "nothing to package: --no-build without --prebuilt"

target_dir=${CARGO_TARGET_DIR:-$root/target}
case "$target_dir" in /*) ;; *) target_dir="$root/$target_dir" ;; esac

# Archive timestamps: the last commit's time when there is one, so the same
# commit gives the same zip.
if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
  SOURCE_DATE_EPOCH=$(git log -1 --format=%ct 2>/dev/null || date +%s)
fi

mkdir -p "$dist"
rm -f "$dist/${name}_${version}_"* "$dist/${emulator}_${version}_"*
stage=$(mktemp -d "${TMPDIR:-/tmp}/anypoint-release.XXXXXX")
trap 'rm -rf "$stage"' EXIT

zips=()          # the provider's zips: the Registry packages and the mirrors'
emulator_zips=() # the emulator's, beside them in dist/ and SHA256SUMS

# zip_one PLATFORM FILE INNER_NAME ZIPNAME: one file in a zip with a fixed
# timestamp (the same commit gives the same zip).
zip_one() {
  local dir="$stage/$1/${4%.zip}"
  mkdir -p "$dir"
  cp "$2" "$dir/$3"
  chmod 0755 "$dir/$3"
  touch -d "@$SOURCE_DATE_EPOCH" "$dir/$3"
  (cd "$dir" && TZ=UTC zip -q -X "$dist/$4" "$3")
  echo "    $dist/$4"
}

# package PLATFORM PROVIDER_BINARY EMULATOR_BINARY
package() {
  local platform=$1 exe=""
  case "$platform" in windows_*) exe=".exe" ;; esac
  zip_one "$platform" "$2" "${name}_v${version}$exe" "${name}_${version}_${platform}.zip"
  zips+=("${name}_${version}_${platform}.zip")
  zip_one "$platform" "$3" "$emulator$exe" "${emulator}_${version}_${platform}.zip"
  emulator_zips+=("${emulator}_${version}_${platform}.zip")
}

# Checks of binaries that can run here: the provider reports the version in
# the file names; the emulator (which has no --version) answers --help.
check_binaries() {
  local reported help
  reported=$("$1" --version)
  [ "$reported" = "$name $version" ] || die "$1 reports '$reported', Cargo.toml says $version"
  help=$("$2" --help 2>&1) || die "$2 --help failed"
  case "$help" in *--listen*) ;; *) die "$2 --help does not look like the emulator's" ;; esac
}

for t in $targets; do
  platform=$(tf_platform "$t")
  exe=""
  case "$t" in *-windows-*) exe=".exe" ;; esac
  if [ "$t" = "$host" ]; then
    echo "==> Building $name and $emulator $version for $t (host, release)"
    cargo build --release --locked --bin "$name" --bin "$emulator"
    out="$target_dir/release"
  else
    echo "==> Building $name and $emulator $version for $t (release)"
    cargo build --release --locked --bin "$name" --bin "$emulator" --target "$t"
    out="$target_dir/$t/release"
  fi
  for b in "$name" "$emulator"; do
    [ -f "$out/$b$exe" ] || die "the build did not produce $out/$b$exe"
  done
  if [ "$t" = "$host" ]; then
    check_binaries "$out/$name$exe" "$out/$emulator$exe"
  fi
  package "$platform" "$out/$name$exe" "$out/$emulator$exe"
done

for platform in $prebuilt_platforms; do
  exe=""
  case "$platform" in windows_*) exe=".exe" ;; esac
  echo "==> Packaging $platform from $prebuilt/$platform"
  if [ "$platform" = "$host_platform" ]; then
    check_binaries "$prebuilt/$platform/$name$exe" "$prebuilt/$platform/$emulator$exe"
  fi
  package "$platform" "$prebuilt/$platform/$name$exe" "$prebuilt/$platform/$emulator$exe"
done

manifest="${name}_${version}_manifest.json"
grep -q '"6.0"' terraform-registry-manifest.json \
  || die "terraform-registry-manifest.json does not declare protocol 6.0"
cp terraform-registry-manifest.json "$dist/$manifest"

sums="${name}_${version}_SHA256SUMS"
(cd "$dist" && sha256sum "${zips[@]}" "${emulator_zips[@]}" "$manifest" | LC_ALL=C sort -k2 >"$sums")
echo "    $dist/$sums"

if [ "$sign" = 1 ]; then
  echo "==> Signing $sums with $key"
  pass=()
  if [ -n "${GPG_PASSPHRASE:-}" ]; then
    pass=(--pinentry-mode loopback --passphrase-fd 0)
  fi
  printf '%s' "${GPG_PASSPHRASE:-}" | gpg --batch --yes "${pass[@]}" --local-user "$key" \
    --detach-sign --output "$dist/$sums.sig" "$dist/$sums"
  echo "    $dist/$sums.sig"
fi

sha_of() { sed -n "s/^\([0-9a-f]\{64\}\)  $1\$/\1/p" "$dist/$sums"; }

if [ -n "$net_mirror" ]; then
  dir="$net_mirror/$hostname/$namespace/$type_name"
  mkdir -p "$dir"
  {
    printf '{\n  "archives": {'
    sep=""
    for z in "${zips[@]}"; do
      platform=${z#"${name}_${version}_"}
      platform=${platform%.zip}
      cp "$dist/$z" "$dir/$z"
      # The url is relative to this file's own URL.
      printf '%s\n    "%s": {\n      "url": "%s",\n      "hashes": ["zh:%s"]\n    }' \
        "$sep" "$platform" "$z" "$(sha_of "$z")"
      sep=","
    done
    printf '\n  }\n}\n'
  } >"$dir/$version.json"
  # index.json lists every version laid out here, this one and earlier ones.
  {
    printf '{\n  "versions": {'
    sep=""
    for f in "$dir"/*.json; do
      v=$(basename "$f" .json)
      [ "$v" = index ] && continue
      printf '%s\n    "%s": {}' "$sep" "$v"
      sep=","
    done
    printf '\n  }\n}\n'
  } >"$dir/index.json"
  echo "==> Network mirror: $net_mirror (serve it over HTTPS; base URL points at this directory)"
fi

if [ -n "$fs_mirror" ]; then
  dir="$fs_mirror/$hostname/$namespace/$type_name"
  mkdir -p "$dir"
  for z in "${zips[@]}"; do cp "$dist/$z" "$dir/$z"; done
  echo "==> Filesystem mirror (packed layout): $fs_mirror"
fi

echo "==> Release $version written to $dist:$(printf ' %s' "${zips[@]}" | sed "s/${name}_${version}_//g; s/\.zip//g")"
