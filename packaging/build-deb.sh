#!/bin/sh
# Build scamper-py_<version>_all.deb from this checkout (its tracked files,
# as they are now) with packaging/debian as debian/, check it with lintian
# (no error, no warning), and leave it in OUTDIR (default: dist/).
#
#   sh packaging/build-deb.sh [OUTDIR]
#
# Needs debhelper, dh-python, pybuild-plugin-pyproject, python3-all,
# python3-setuptools, python3-wheel and lintian (packaging/install.sh
# installs them).
set -eu
# Debian's Python, whatever else is first on PATH (pyenv, a venv)
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
repo=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$repo/dist}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir "$tmp/scamper-py"
git -C "$repo" ls-files -z |
    tar -C "$repo" --null --no-recursion -T - -cf - |
    tar -C "$tmp/scamper-py" -xf -
cp -R "$repo/packaging/debian" "$tmp/scamper-py/debian"
(cd "$tmp/scamper-py" && dpkg-buildpackage -b -us -uc >"$tmp/build.log" 2>&1) || {
    tail -40 "$tmp/build.log" >&2
    exit 1
}
deb=$(ls "$tmp"/scamper-py_*_all.deb)
lintian --fail-on error,warning --suppress-tags-from-file /dev/null "$deb"
mkdir -p "$out"
cp "$deb" "$out/"
echo "$out/$(basename "$deb")"
