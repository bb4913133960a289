#!/bin/bash
# capture.sh TAG OUTDIR: run Debian scamper in the lab made by "lab.sh up TAG"
# (remove it with "lab.sh down TAG") for each case, and keep CASE.warts with
# its sc_warts2json (CASE.json), sc_warts2text (CASE.txt) and sc_wartsdump
# (CASE.dump) conversions.  Run with TZ=UTC (the JSON "ftime" is local time).
T=$1; OUT=$2; A=sc-$T-a; R2=sc-$T-r2; B=sc-$T-b
export TZ=UTC
x() { ip netns exec "$@"; }
run() { # name dst command
  x $A /usr/bin/scamper -O warts -o $OUT/$1.warts -p 200 -c "$3" -i $2
  /usr/bin/sc_warts2json $OUT/$1.warts > $OUT/$1.json; /usr/bin/sc_warts2text $OUT/$1.warts > $OUT/$1.txt
  /usr/bin/sc_wartsdump $OUT/$1.warts > $OUT/$1.dump
}
x $R2 nft -f - <<'NFT'
table ip lab {
  chain filt { type filter hook forward priority 0;
    ip daddr 203.0.113.2 reject with icmp type host-unreachable
    ip daddr 203.0.113.3 reject with icmp type net-unreachable
    ip daddr 203.0.113.4 reject with icmp type prot-unreachable
    ip daddr 203.0.113.5 reject with icmp type admin-prohibited
    ip daddr 203.0.113.6 reject with icmp type net-prohibited
    ip daddr 203.0.113.8 drop
    ip daddr 203.0.113.9 icmp type echo-request numgen inc mod 2 == 0 drop
  }
}
table ip6 lab6 {
  chain filt { type filter hook forward priority 0;
    ip6 daddr 2001:db8:100::3 reject with icmpv6 type no-route
    ip6 daddr 2001:db8:100::4 reject with icmpv6 type admin-prohibited
    ip6 daddr 2001:db8:100::5 reject with icmpv6 type addr-unreachable
  }
}
NFT
x $B nft add table ip labdup
x $B nft add chain ip labdup out '{ type filter hook output priority 0; }'
x $B nft add rule ip labdup out ip saddr 203.0.113.1 icmp type echo-reply dup to 192.0.2.9
x $B ip addr add 203.0.113.9/32 dev lo
ip netns exec $B python3 -c '
import socket, time
s = socket.create_server(("0.0.0.0", 80)); s6 = socket.create_server(("::", 80), family=socket.AF_INET6, dualstack_ipv6=False)
time.sleep(3600)' & LPID=$!
sleep 1
D=192.0.2.10; D6=2001:db8:3::2
run trace-udp $D "trace -P udp"
run trace-icmp $D "trace -P icmp"
run trace-udp-paris $D "trace -P udp-paris"
run trace-icmp-paris $D "trace -P icmp-paris -U 7"
run trace-tcp-open $D "trace -P tcp -d 80"
run trace-tcp-closed $D "trace -P tcp -d 81"
run trace-tcp-ack $D "trace -P tcp-ack -d 80"
run trace-q3 $D "trace -P icmp-paris -q 3 -Q"
run trace-q3-udp $D "trace -P udp -q 3 -Q"
run trace-firsthop $D "trace -P udp-paris -f 2"
run trace-unreach-host 203.0.113.2 "trace -P udp-paris"
run trace-unreach-net 203.0.113.3 "trace -P icmp-paris"
run trace-unreach-proto 203.0.113.4 "trace -P udp"
run trace-unreach-admin 203.0.113.5 "trace -P tcp -d 80"
run trace-unreach-code 203.0.113.6 "trace -P icmp"
run trace-gaplimit 203.0.113.8 "trace -P udp-paris -w 1 -g 2"
run trace-gaplimit-all 203.0.113.8 "trace -P icmp-paris -w 1 -g 2 -Q -q 2"
run trace-pmtud $D "trace -P udp-paris -M"
run trace6-udp-paris $D6 "trace -P udp-paris"
run trace6-icmp $D6 "trace -P icmp -q 3"
run trace6-tcp $D6 "trace -P tcp -d 80"
run trace6-unreach-net 2001:db8:100::3 "trace -P icmp-paris"
run trace6-unreach-admin 2001:db8:100::4 "trace -P udp-paris"
run trace6-unreach-addr 2001:db8:100::5 "trace -P udp"
run trace6-pmtud $D6 "trace -P udp-paris -M"
# a silent hop: R2 sends no time exceeded
x $R2 nft add chain ip lab out '{ type filter hook output priority 0; }'
x $R2 nft add chain ip6 lab6 out '{ type filter hook output priority 0; }'
x $R2 nft add rule ip lab out icmp type time-exceeded drop
x $R2 nft add rule ip6 lab6 out icmpv6 type time-exceeded drop
run trace-silent $D "trace -P udp-paris -w 1"
run trace-silent-q3 $D "trace -P icmp-paris -w 1 -q 3"
run trace-silent-all $D "trace -P icmp-paris -w 1 -Q"
run trace6-silent $D6 "trace -P icmp-paris -w 1"
run trace-silent-pmtud $D "trace -P udp-paris -w 1 -M"
x $R2 nft flush chain ip lab out; x $R2 nft delete chain ip lab out
x $R2 nft flush chain ip6 lab6 out; x $R2 nft delete chain ip6 lab6 out
run ping-icmp-echo $D "ping -c 3 -i 0.5"
run ping-icmp-time $D "ping -P icmp-time -c 2"
run ping-tcp-syn-open $D "ping -P tcp-syn -d 80 -c 2"
run ping-tcp-syn-closed $D "ping -P tcp-syn -d 81 -c 2"
run ping-tcp-ack $D "ping -P tcp-ack -d 80 -c 2"
run ping-tcp-ack-sport $D "ping -P tcp-ack-sport -d 80 -c 2"
run ping-udp $D "ping -P udp -c 2"
run ping-udp-dport $D "ping -P udp-dport -c 2"
run ping-rr $D "ping -R -c 2"
run ping-tsonly $D "ping -T tsonly -c 2"
run ping-tsandaddr $D "ping -T tsandaddr -c 2"
run ping-tsprespec $D "ping -T tsprespec=192.0.2.2,192.0.2.6 -c 2"
run ping-loss 203.0.113.9 "ping -c 4"
run ping-noreply 203.0.113.8 "ping -c 2"
run ping-dup 203.0.113.1 "ping -c 2"
run ping-opts $D "ping -c 2 -s 100 -z 4 -m 30 -U 9 -p 0a0b0c0d0e -C 4660"
run ping-payload $D "ping -c 1 -B 00112233445566778899"
run ping-unreach 203.0.113.2 "ping -c 2"
run ping6-icmp-echo $D6 "ping -c 2"
run ping6-tcp-syn $D6 "ping -P tcp-syn -d 80 -c 2"
run ping6-udp $D6 "ping -P udp -c 2"
kill $LPID
x $R2 nft delete table ip lab; x $R2 nft delete table ip6 lab6; x $B nft delete table ip labdup
# MPLS: R1 answers TTL-1 probes itself (mpls.py) instead of the kernel
R1=sc-$T-r1
x $R1 nft add table ip labte
x $R1 nft add chain ip labte out '{ type filter hook output priority 0; }'
x $R1 nft add rule ip labte out icmp type time-exceeded ip length lt 160 drop
for n in 1 2; do
  ip netns exec $R1 python3 $(dirname $0)/mpls.py r1a 192.0.2.2 $n & MP=$!
  sleep 1
  [ $n = 1 ] && run trace-mpls $D "trace -P udp-paris" && run trace-mpls-icmp $D "trace -P icmp-paris -q 2 -Q"
  [ $n = 2 ] && run trace-mpls-2obj $D "trace -P udp-paris"
  kill $MP
done
x $R1 nft delete table ip labte
