#!/bin/sh
# extract.sh - regenerate the decoder fixtures from the public captures.
# Usage: tests/data/extract.sh [PCAPDIR]   (default tests/data/pcap/public)
# Needs tshark (4.0) and xxd.  Each row: fixture, capture, frame, method.
#   krb     Kerberos over UDP, or TCP with the 4-byte record mark removed
#   authz   base64 token of an HTTP Authorization header
#   wwwauth base64 token of an HTTP WWW-Authenticate header
#   smb     SMB1/SMB2 session-setup security blob
#   mech    SPNEGO mechToken, the bare inner token
#   ldapcred LDAP SASL bind credentials
#   ipdata  frame bytes after a 20-byte IPv4 header (damaged packets)
#   udp     whole UDP payload (DNS)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
pcaps=${1:-$here/pcap/public}

field() {	# pcap frame field...
	f=$1; n=$2; shift 2
	args=""
	for e in "$@"; do args="$args -e $e"; done
	# shellcheck disable=SC2086
	tshark -r "$f" -Y "frame.number == $n" -T fields -E separator=/t \
	    $args 2>/dev/null | head -1
}

first() {	# print the first non-empty tab-separated column
	tr '\t' '\n' | sed -n '/./{p;q;}' | cut -d, -f1
}

hex2bin() {
	xxd -r -p
}

one() {
	out=$here/$1; f=$pcaps/$2; n=$3; how=$4
	case $how in
	krb)
		u=$(field "$f" "$n" udp.payload)
		t=$(field "$f" "$n" tcp.reassembled.data tcp.payload | first)
		if [ -n "$u" ]; then
			printf %s "$u" | hex2bin >"$out"
		else
			printf %s "$t" | cut -c9- | hex2bin >"$out"
		fi ;;
	authz|wwwauth)
		[ $how = authz ] && e=http.authorization || e=http.www_authenticate
		field "$f" "$n" "$e" | tr ',' '\n' | grep -E '^ ?(Negotiate|NTLM) ' |
		    head -1 | sed 's/^ *[A-Za-z]* //' | base64 -d >"$out" ;;
	smb)
		field "$f" "$n" smb2.security_blob smb.security_blob | first |
		    hex2bin >"$out" ;;
	mech)
		field "$f" "$n" spnego.mechToken | first | hex2bin >"$out" ;;
	ldapcred)
		field "$f" "$n" ldap.credentials | hex2bin >"$out" ;;
	ipdata)
		tshark -r "$f" -Y "frame.number == $n" -x 2>/dev/null |
		    sed -n 's/^[0-9a-f]\{4\}  \(.\{47\}\).*/\1/p' | hex2bin |
		    tail -c +21 >"$out" ;;
	udp)
		field "$f" "$n" udp.payload | hex2bin >"$out" ;;
	esac
	printf '%-36s %6d bytes  %s #%s\n' "$1" "$(wc -c <"$out")" "$2" "$n"
}

while read -r name pcap frame how; do
	case $name in ''|\#*) continue ;; esac
	one "$name" "$pcap" "$frame" "$how"
done <<'LIST'
krb/as_req.bin                  suricata-verify__bug-8278-krb5-03_baseline.2.flows.pcap 4 krb
krb/err25_preauth_required.bin  suricata-verify__bug-8278-krb5-03_baseline.2.flows.pcap 5 krb
krb/as_req_preauth.bin          suricata-verify__bug-8278-krb5-03_baseline.2.flows.pcap 12 krb
krb/as_rep.bin                  suricata-verify__bug-8278-krb5-03_baseline.2.flows.pcap 13 krb
krb/tgs_req.bin                 suricata-verify__bug-8278-krb5-03_baseline.2.flows.pcap 20 krb
krb/err7_s_principal_unknown.bin suricata-verify__bug-8278-krb5-03_baseline.2.flows.pcap 21 krb
krb/tgs_req_cross.bin           wswiki__rbcd_win_trasitive_trust.pcapng 9 krb
krb/tgs_rep_referral.bin        wswiki__rbcd_win_trasitive_trust.pcapng 11 krb
krb/tgs_rep_final.bin           wswiki__rbcd_win_trasitive_trust.pcapng 19 krb
krb/tgs_rep_rc4.bin             suricata-verify__krb5-kerberoasting.pcap 7 krb
krb/err13_ntstatus.bin          nDPI__kerberos.pcap 32 krb
krb/err60_no_sname.bin          zeek__krb_optional-service-name.pcap 4 krb
krb/err52_udp.bin               nDPI__kerberos-error.pcap 2 krb
krb/err68_wrong_realm.bin       wswiki__win_s4u2self.pcap 6 krb
krb/err7_mit_etext.bin          zeek__krb_kinit.pcap 175 krb
krb/err6_enterprise.bin         zeek__krb_kinit.pcap 76 krb
krb/fuzzed_frame.bin            nDPI__kerberos_fuzz.pcapng 1 ipdata
spnego/http_init_apreq.bin      wswiki__rbcd_win_trasitive_trust.pcapng 20 authz
spnego/http_resp_aprep.bin      wswiki__rbcd_win_trasitive_trust.pcapng 21 wwwauth
spnego/krb5_apreq.bin           wswiki__rbcd_win_trasitive_trust.pcapng 20 mech
spnego/smb_init2_hints.bin      nDPI__smb_frags.pcap 4 smb
spnego/smb_init_apreq.bin       nDPI__smb_frags.pcap 6 smb
spnego/smb_resp_err37.bin       nDPI__smb_frags.pcap 7 smb
spnego/smb_resp_aprep.bin       zeek__krb_smb_gssapi.pcap 8 smb
spnego/ldap_init_raw_apreq.bin  zeek__ldap_aduser1.pcap 46 ldapcred
spnego/http_ntlm1_raw.bin       arkime__ntlm_synthetic.pcap 58 authz
spnego/http_ntlm2_raw.bin       arkime__ntlm_synthetic.pcap 60 wwwauth
spnego/smb_init_ntlm1.bin       wswiki__smb-on-windows-10.pcapng 707 smb
spnego/smb_resp_ntlm2.bin       wswiki__smb-on-windows-10.pcapng 708 smb
spnego/smb_init_negoex.bin      wswiki__smb-on-windows-10.pcapng 196 smb
dns/srv_query.bin               suricata-verify__dns-udp-eve-log-srv.pcap 1 udp
dns/srv_answer.bin              suricata-verify__dns-udp-eve-log-srv.pcap 2 udp
dns/txt.bin                     wswiki__dns.cap 2 udp
dns/mx.bin                      wswiki__dns.cap 4 udp
dns/ptr.bin                     wswiki__dns.cap 8 udp
dns/aaaa.bin                    wswiki__dns.cap 12 udp
dns/cname.bin                   wswiki__dns.cap 16 udp
dns/nxdomain_srv.bin            wswiki__dns.cap 32 udp
dns/any.bin                     wswiki__dns.cap 24 udp
dns/ns.bin                      wswiki__dns.cap 29 udp
LIST
