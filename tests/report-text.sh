# report-text.sh - sourced by the lab tests: what a report must never say.
#
# report_leftovers JSON: the first lines of a JSON report's own words
# (steps, timeline, evidence, verdict; not the generic remedies, which name
# <mp> on purpose) that hold text a customer cannot read: -1 for an
# unknown number, a placeholder, an unsigned or raw GSS status, empty
# parentheses, a negative zero, a doubled word, an empty field.
report_leftovers() {
	jq -r '(.steps[]?.summary), (.timeline[]?.text),
	    (.findings[]?.evidence[]?.text), .verdict.summary' "$1" |
	    grep -nP '(^|[ (])-1(?![\d.]| s\b)|<mp>|minor 18446744|major 0x0 |\(\)|-0(\.0)? s\b|\b([A-Za-z]{2,}) \3\b|  |: [;,]|[:,]$' |
	    head -3
}

# report_uncited JSON: the ids of the findings that cite no evidence (every
# finding must name the events that raised it), space-separated; "" none.
report_uncited() {
	jq -r '[.findings[]? | select((.evidence // []) | length == 0) | .id] |
	    join(" ")' "$1" 2>/dev/null
}
