#!/bin/sh
# Install scamper-py and everything it and its tests need, on Debian, as root.
#
# The package goes into a virtual environment under /opt/scamper-py built
# on Debian's own python3, so that the unprivileged service user can read
# the interpreter and every module (nothing under /root is needed at run
# time).  The commands are linked into /usr/local/bin.  Debian's scamper is
# installed too: the test suite uses it as the reference implementation.
set -eu

REPO=$(cd "$(dirname "$0")/.." && pwd)
VENV=${SCAMPER_VENV:-/opt/scamper-py}

if [ "$(id -u)" != 0 ]; then
    echo "install.sh: run me as root" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends \
    python3 python3-venv python3-dev gcc libc6-dev libcap-dev \
    iproute2 nftables python3-nftables python3-seccomp ethtool \
    iputils-ping procps \
    tcpdump scamper openssl \
    systemd systemd-container \
    debhelper dh-python pybuild-plugin-pyproject python3-all \
    python3-setuptools python3-wheel lintian man-db adduser \
    python3-pyroute2 python3-prctl python3-msgpack git

umask 022
[ -x "$VENV/bin/python" ] || /usr/bin/python3 -m venv "$VENV"
"$VENV/bin/pip" install -q --upgrade pip
"$VENV/bin/pip" install -q "$REPO[test]"
# the helper's firewall (tbit, sting) uses libnftables through Debian's
# python3-nftables, which is not on PyPI: link it into the venv
SITE=$("$VENV/bin/python" -c \
    'import sysconfig; print(sysconfig.get_paths()["purelib"])')
ln -sfn /usr/lib/python3/dist-packages/nftables "$SITE/nftables"
# and the workers' seccomp filter libseccomp's binding (not on PyPI either)
for so in /usr/lib/python3/dist-packages/seccomp.cpython-*.so; do
    ln -sfn "$so" "$SITE/$(basename "$so")"
done
# a real (non-editable) install, refreshed every time: the service user
# reads the copy in $VENV, never the checkout
"$VENV/bin/pip" install -q --force-reinstall --no-deps "$REPO"
sh "$REPO/packaging/launchers.sh" "$VENV/bin" "$VENV/bin/python3" "$SITE"
for cmd in scamper scamper-lab scamperctl scamperd scamper-warts; do
    ln -sf "$VENV/bin/$cmd" "/usr/local/bin/$cmd"
done

# the service (systemd/scamperd.service): its user, whose group `scamper`
# may also use the control socket; the unit; the settings, kept if edited
getent group scamper >/dev/null || groupadd --system scamper
getent passwd scamper >/dev/null || useradd --system --gid scamper \
    --home-dir /var/lib/scamperd --no-create-home \
    --shell /usr/sbin/nologin scamper
install -D -m 0644 "$REPO/systemd/scamperd.service" \
    /usr/local/lib/systemd/system/scamperd.service
[ -e /etc/scamperd.conf ] ||
    install -m 0644 "$REPO/packaging/scamperd.conf" /etc/scamperd.conf
[ ! -d /run/systemd/system ] || systemctl daemon-reload
echo "installed scamper-py in $VENV; commands linked in /usr/local/bin;" \
    "scamperd.service installed (systemctl enable --now scamperd)"
