#!/bin/bash
# Usage: lab.sh up TAG | down TAG.  Topology:
#  A (192.0.2.1, 2001:db8:1::1) -- R1 -- R2 -- B (192.0.2.10, 2001:db8:3::2; lo 203.0.113.1)
# R1-R2 link has MTU 1400.
set -e
T=$2; A=sc-$T-a; R1=sc-$T-r1; R2=sc-$T-r2; B=sc-$T-b
x() { ip netns exec "$@"; }
if [ "$1" = down ]; then
  for n in $A $R1 $R2 $B; do ip netns del $n 2>/dev/null || true; done; exit 0
fi
for n in $A $R1 $R2 $B; do ip netns add $n; x $n ip link set lo up; done
link() { # ns1 if1 ns2 if2
  ip link add $2 netns $1 type veth peer name $4 netns $3
  x $1 ethtool -K $2 tx off >/dev/null; x $3 ethtool -K $4 tx off >/dev/null
  x $1 ip link set $2 up; x $3 ip link set $4 up
}
link $A a0 $R1 r1a; link $R1 r1b $R2 r2a; link $R2 r2b $B b0
x $R1 ip link set r1b mtu 1400; x $R2 ip link set r2a mtu 1400
x $A ip addr add 192.0.2.1/30 dev a0;  x $R1 ip addr add 192.0.2.2/30 dev r1a
x $R1 ip addr add 192.0.2.5/30 dev r1b; x $R2 ip addr add 192.0.2.6/30 dev r2a
x $R2 ip addr add 192.0.2.9/30 dev r2b; x $B ip addr add 192.0.2.10/30 dev b0
x $B ip addr add 203.0.113.1/32 dev lo
x $A ip -6 addr add 2001:db8:1::1/64 dev a0 nodad;  x $R1 ip -6 addr add 2001:db8:1::2/64 dev r1a nodad
x $R1 ip -6 addr add 2001:db8:2::1/64 dev r1b nodad; x $R2 ip -6 addr add 2001:db8:2::2/64 dev r2a nodad
x $R2 ip -6 addr add 2001:db8:3::1/64 dev r2b nodad; x $B ip -6 addr add 2001:db8:3::2/64 dev b0 nodad
for n in $R1 $R2; do x $n sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
  net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0; done
for n in $A $B; do x $n sysctl -qw net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0; done
x $A ip route add default via 192.0.2.2; x $A ip -6 route add default via 2001:db8:1::2
x $R1 ip route add default via 192.0.2.6; x $R1 ip -6 route add default via 2001:db8:2::2
x $R2 ip route add 192.0.2.0/30 via 192.0.2.5; x $R2 ip -6 route add 2001:db8:1::/64 via 2001:db8:2::1
x $R2 ip route add 203.0.113.0/24 via 192.0.2.10; x $R2 ip -6 route add 2001:db8:100::/48 via 2001:db8:3::2
x $B ip route add default via 192.0.2.9; x $B ip -6 route add default via 2001:db8:3::1
x $B ip -6 addr add 2001:db8:100::1/128 dev lo
