#!/bin/sh
# Rewrite the console scripts in BINDIR (as pip or pybuild wrote them from
# setup.cfg's entry points) to start PYTHON isolated and without the site
# module (-IS: one word, for the kernel passes a #! line's options as one),
# with SITE, where the package and its dependencies are, put on sys.path
# by the script itself:
#
#   sh packaging/launchers.sh BINDIR PYTHON SITE
#
# Root runs these commands: -I keeps PYTHONPATH, PYTHONHOME, the user's
# site-packages and the current directory out of what they import.  And
# the site module, with the .pth files it reads, is 2-3 ms of scamper's
# start-up, before its first probe.
set -eu
bindir=$1 python=$2 site=$3
for cmd in scamper scamper-lab scamperctl scamperd scamper-warts; do
    script=$bindir/$cmd
    # "from MODULE import FUNC", as the generated script imports it
    imp=$(grep -m 1 '^from [a-z_.]* import [a-z_]*$' "$script")
    cat >"$script.new" <<END
#!$python -IS
import sys
sys.path.append('$site')
$imp
sys.exit(${imp##* }())
END
    chmod 0755 "$script.new"
    mv "$script.new" "$script"
done
