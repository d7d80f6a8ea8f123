#!/bin/sh
# r53migrate in-VPC DNS probe, output format R53M1 (parsed by src/probes/probe-output.ts).
# Run by SSM (AWS-RunShellScript); POSIX sh. Env: R53M_NAMES R53M_COUNT R53M_INTERVAL_MS
# R53M_TIMEOUT_MS R53M_RESOLVER R53M_PORT R53M_QTYPE R53M_MODE (see probe-program.ts). One query at
# a time (the resolver allows 1,024 packets/s per ENI). Exit 0 if it ran, 2 if it could not.
set -f
N=${R53M_NAMES-} C=${R53M_COUNT:-3} I=${R53M_INTERVAL_MS:-1000} W=${R53M_TIMEOUT_MS:-1000}
R=${R53M_RESOLVER:-169.254.169.253} P=${R53M_PORT:-53} Q=${R53M_QTYPE:-A} M=${R53M_MODE-}
die() { echo "r53m-probe: $*" >&2; exit 2; }
has() { command -v "$1" >/dev/null 2>&1; }
[ -n "$N" ] || die "R53M_NAMES is empty"
for x in $N; do case $x in *[!A-Za-z0-9._-]*|.*|*..*) die "bad name in R53M_NAMES: $x";; esac; done
for x in "$C" "$I" "$W" "$P"; do case $x in ''|*[!0-9]*) die "not a whole number: $x";; esac; done
[ "$C" -ge 1 ] && [ "$W" -ge 1 ] || die "R53M_COUNT and R53M_TIMEOUT_MS must be at least 1"
case $Q in A) V=4;; AAAA) V=6;; *) die "R53M_QTYPE must be A or AAAA: $Q";; esac
case $R in ''|*[!0-9A-Fa-f.:]*) die "R53M_RESOLVER must be an IP address: $R";; esac
usable() { has "$1" && { [ "$1" != dig ] || has awk; }; }
if [ -z "$M" ]; then
  for x in dig python3 getent; do usable $x && { M=$x; break; }; done
  [ -n "$M" ] || die "none of dig, python3, getent found"
fi
case $M in dig|python3|getent) usable $M || die "R53M_MODE=$M: $M (or awk) not found";;
  *) die "R53M_MODE must be dig, python3 or getent: $M";; esac
case $(date +%s%3N) in *[!0-9]*|'') ms() { echo $(($(date +%s) * 1000)); };; *) ms() { date +%s%3N; };; esac
nap() { sleep "$((I / 1000)).$(printf %03d $((I % 1000)))" 2>/dev/null || sleep $(((I + 999) / 1000)); }

# Each prints "<rcode> <latencyMs or -> <answers or ->" for one name (dig: no ~/.digrc).
qdig() {
  HOME=/nonexistent dig +time=$(((W + 999) / 1000)) +tries=1 @"$R" -p "$P" "$1" "$Q" 2>&1 | awk -v q="$1" -v t="$Q" '
/^;; ->>HEADER<<-/ { s = $0; sub(/.*status: /, "", s); sub(/,.*/, "", s) }
/^;; Query time:/ { l = $4 }
/timed out/ { to = 1 }
/error|refused|^dig:/ && e == "" { e = $0 }
/^;; ANSWER SECTION:/ { a = 1; next }
/^$/ { a = 0 }
a && !/^;/ { k = tolower($1); sub(/\.$/, "", k)
  if ($4 == t) v[k] = v[k] (v[k] == "" ? "" : ",") $5
  else if ($4 == "CNAME") { c = tolower($5); sub(/\.$/, "", c); cn[k] = c } }
END { if (s == "") { if (!to) print "r53m-probe: " q ": " e > "/dev/stderr"
    print (to ? "TIMEOUT" : "ERROR"), "-", "-"; exit }
  k = tolower(q); sub(/\.$/, "", k)
  for (h = 0; h < 17 && !(k in v) && (k in cn); h++) k = cn[k]
  print s, (l == "" ? "-" : l), ((k in v) ? v[k] : "-") }'
}

qpython3() {
  python3 - "$R" "$P" "$Q" "$W" "$1" <<'R53M_PY'
import socket as S, struct, random, sys, time
r, p, q, w, n = sys.argv[1:]
p = int(p); w = int(w) / 1000.0; t = 28 if q == 'AAAA' else 1
C = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED', 'YXDOMAIN', 'YXRRSET', 'NXRRSET', 'NOTAUTH', 'NOTZONE']
n = n.rstrip('.').lower()
m = struct.pack('>HHHHHH', random.randint(0, 65535), 256, 1, 0, 0, 0)
m += b''.join(struct.pack('B', len(x)) + x.encode() for x in n.split('.')) + struct.pack('>BHH', 0, t, 1)
f = S.AF_INET6 if ':' in r else S.AF_INET
a = time.time(); d = a + w
def left():
    x = d - time.time()
    if x <= 0: raise S.timeout()
    return x
def name(b, o):  # (name, offset after it); follows compression pointers
    l = []; e = None; k = 0
    while True:
        c = b[o]
        if c >= 192:
            e = o + 2 if e is None else e; o = ((c & 63) << 8) | b[o + 1]; k += 1
            if k > 100: raise ValueError('compression loop')
        elif c: l.append(b[o + 1:o + 1 + c].decode('ascii', 'replace').lower()); o += 1 + c
        else: return '.'.join(l), (o + 1 if e is None else e)
def udp():
    s = S.socket(f, S.SOCK_DGRAM); s.connect((r, p)); s.send(m)
    while True:
        s.settimeout(left()); b = s.recv(65535)
        if len(b) >= 12 and b[:2] == m[:2] and b[2] & 128: return b
def tcp():
    global d
    d = time.time() + w; s = S.create_connection((r, p), left()); s.sendall(struct.pack('>H', len(m)) + m); b = b''
    while len(b) < 2 or len(b) < 2 + struct.unpack('>H', b[:2])[0]:
        s.settimeout(left()); x = s.recv(65535)
        if not x: raise ValueError('TCP connection closed before a reply')
        b += x
    b = b[2:2 + struct.unpack('>H', b[:2])[0]]
    if b[:2] != m[:2]: raise ValueError('TCP reply with the wrong id')
    return b
try:
    b = udp()
    if b[2] & 2: b = tcp()
    rc = b[3] & 15; qd, an = struct.unpack('>HH', b[4:8]); o = 12; A = {}; K = {}
    for _ in range(qd): o = name(b, o)[1] + 4
    for _ in range(an):
        k, o = name(b, o); ty, _c, _t, rl = struct.unpack('>HHIH', b[o:o + 10]); o += 10
        if ty == t and rl in (4, 16): A.setdefault(k, []).append(S.inet_ntop(S.AF_INET if rl == 4 else S.AF_INET6, b[o:o + rl]))
        elif ty == 5: K[k] = name(b, o)[0]
        o += rl
    h = 0
    while n not in A and n in K and h < 17: n = K[n]; h += 1
    print('%s %d %s' % (C[rc] if rc < len(C) else 'RCODE%d' % rc, round((time.time() - a) * 1000), ','.join(A.get(n, [])) or '-'))
except S.timeout:
    print('TIMEOUT %d -' % round((time.time() - a) * 1000))
except Exception as e:
    sys.stderr.write('r53m-probe: %s: %s\n' % (n, e)); print('ERROR %d -' % round((time.time() - a) * 1000))
R53M_PY
}

qgetent() {
  o=$(getent ahostsv$V "$1" 2>/dev/null) l=
  while read -r a x; do
    case $a in ''|::ffff:*.*) continue;; esac
    case ",$l," in *",$a,"*) ;; *) l=${l:+$l,}$a;; esac
  done <<R53M_GE
$o
R53M_GE
  echo "? - ${l:--}"
}

S=$R:$P
[ "$M" = getent ] && S=system
t0=$(ms) n=0 k=0
echo "R53M1 begin mode=$M resolver=$S t=$t0"
while [ "$k" -lt "$C" ]; do
  [ "$k" -gt 0 ] && nap
  i=0
  for x in $N; do
    s=$(ms)
    set -- $(q$M "$x")
    e=$(($(ms) - s)) l=${2:--}
    [ "$l" = - ] && l=$e
    echo "$i $((s - t0)) ${1:-ERROR} $l ${3:--}"
    i=$((i + 1)) n=$((n + 1))
  done
  k=$((k + 1))
done
echo "R53M1 end n=$n"
exit 0
