# iis-clients.awk - the reference for bench/iis-vs-awk.sh: per client of
# CCM_POST /ccm_system_windowsauth/request, count the 401.2, 401.1 and 200
# answers and give the final verdict, with the same client rules as
# ingest/iis.c (anonymous legs go to the address's latest client; the
# first authenticated request names it).  Prints one line per client:
#   ip user verdict requests n401_2 n401_1 n200
# Columns come from the #Fields directive, as IIS may reorder them.
/^#/ {
	if ($1 == "#Fields:")
		for (i = 2; i <= NF; i++)
			col[$i] = i - 1
	next
}
$(col["cs-method"]) == "CCM_POST" &&
$(col["cs-uri-stem"]) == "/ccm_system_windowsauth/request" {
	ip = $(col["c-ip"]); u = $(col["cs-username"]); if (u == "-") u = ""
	st = $(col["sc-status"]) + 0; sb = $(col["sc-substatus"]) + 0
	w = $(col["sc-win32-status"]) + 0
	if (u != "") {
		k = ip " " u
		if (k in byuser)
			c = byuser[k]
		else {
			c = (ip in byip) ? byip[ip] : 0
			if (c && user[c] == "")
				user[c] = u
			else {
				c = ++n; addr[c] = ip; user[c] = u
			}
			byuser[k] = c
		}
		byip[ip] = c
	} else if (ip in byip)
		c = byip[ip]
	else {
		c = ++n; addr[c] = ip; byip[ip] = c
	}
	req[c]++
	if (st == 401 && sb == 2) {
		n4012[c]++; saw4012[c] = 1
	} else if (st == 401 && sb == 1 && w == 2148074254) {
		n4011[c]++; leg[c] = 1
	} else if (st >= 200 && st < 300) {
		n200[c]++
		out[c] = u == "" ? "anonymous-accepted" : leg[c] ? "ntlm" : "kerberos"
		leg[c] = 0
	} else if (st == 401) {
		n4011[c]++; out[c] = "rejected"; leg[c] = 0
	} else
		out[c] = "http-error"
}
END {
	for (c = 1; c <= n; c++) {
		v = out[c]
		if (v == "")
			v = leg[c] ? "ntlm-incomplete" : saw4012[c] ? \
			    "never-authenticated" : "unknown"
		printf "%s %s %s %d %d %d %d\n", addr[c], user[c], v, req[c], \
		    n4012[c], n4011[c], n200[c]
	}
}
