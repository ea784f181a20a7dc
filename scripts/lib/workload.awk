# SPDX-License-Identifier: GPL-2.0
# workload.awk - the workload file grammar and its checks (the keys are
# documented in workloads/README.md; keep the two in step). Input: the file;
# -v file=PATH -v flavour=FLAVOUR (scripts/kvm-flavour.sh: vmx, svm, pvm,
# svm-emulated, ...), which picks the variant: @emulated on an emulated CPU,
# @pvm on nested PVM. Output: wl_KEY='value' lines, or on any error
# "PATH:LINE: what is wrong" lines and exit status 2. -v modetab="MODE GUEST
# VMM-MODE..." (workload.sh's table) names the modes and the guest of each.

# The variant of KEY@VARIANT lines that applies on FLAVOUR, "" for none.
function variant_of(f) { return f ~ /-emulated$/ ? "emulated" : f == "pvm" ? "pvm" : "" }
function anyof(k) { return (k in where) || ((k "@emulated") in where) || ((k "@pvm") in where) }
function err(msg) { print file ":" NR ": " msg; bad = 1 }
function isint(v, lo, hi) { return v ~ /^[0-9]+$/ && v + 0 >= lo && v + 0 <= hi }
function isnum(v, lo, hi) { return v ~ /^[0-9]+(\.[0-9]+)?$/ && v + 0 >= lo && v + 0 <= hi }

# rates: integers (0 = as fast as possible) or sweeps FROM..TO xFACTOR
# (geometric) or FROM..TO +STEP (linear); returns the expanded list or "".
function rates(v,    n, w, i, out, a, b, f, r, cnt) {
	gsub(/,/, " ", v)
	n = split(v, w, /[ \t]+/)
	out = ""; cnt = 0
	for (i = 1; i <= n; i++) {
		if (w[i] == "")
			continue
		if (w[i] ~ /^[0-9]+$/) {
			out = out " " (w[i] + 0); cnt++
			continue
		}
		if (w[i] ~ /^[0-9]+\.\.[0-9]+$/ && i < n && w[i + 1] ~ /^[x+][0-9]+(\.[0-9]+)?$/) {
			split(w[i], ab, /\.\./); a = ab[1] + 0; b = ab[2] + 0
			f = substr(w[i + 1], 2) + 0
			if (a < 1 || b < a || (substr(w[i + 1], 1, 1) == "x" && f <= 1) || f <= 0) {
				rate_err = "sweep '" w[i] " " w[i + 1] "' must rise: 1 <= FROM <= TO, factor > 1, step > 0"
				return ""
			}
			for (r = a; r <= b * 1.000001 && cnt <= 200; r = substr(w[i + 1], 1, 1) == "x" ? r * f : r + f) {
				out = out " " int(r + 0.5); cnt++
			}
			i++
			continue
		}
		rate_err = "'" w[i] "' is not a rate: packets/s (0 = as fast as possible), or FROM..TO xFACTOR, or FROM..TO +STEP"
		return ""
	}
	if (cnt == 0) { rate_err = "no rates given"; return "" }
	if (cnt > 200) { rate_err = "more than 200 rates"; return "" }
	return substr(out, 2)
}

function listcheck(v, allowed, what,    n, w, i, seen, out) {
	gsub(/,/, " ", v)
	n = split(v, w, /[ \t]+/)
	out = ""
	for (i = 1; i <= n; i++) {
		if (w[i] == "")
			continue
		if (!((" " allowed " ") ~ (" " w[i] " "))) { list_err = "'" w[i] "' is not a " what " (" allowed ")"; return "" }
		if (w[i] in seen) { list_err = "'" w[i] "' given twice"; return "" }
		seen[w[i]] = 1; out = out " " w[i]
	}
	if (out == "") { list_err = "no " what " given"; return "" }
	return substr(out, 2)
}

# The line a key's applying value came from (its @variant's, if that applied).
function lineof(k) { return (mine != "" && ((k "@" mine) in where)) ? where[k "@" mine] : where[k] }

BEGIN {
	known = "name description modes rates pattern burst size packets duration vcpus repeats warmup probes hobble poll_us coalesce_us adaptive_up_pps adaptive_down_pps timeout idle cdf_rates budget guest"
	nk = split(known, keys, " ")
	for (i = 1; i <= nk; i++) isknown[keys[i]] = 1
	nt = split(modetab, tl, /\n/)
	allmodes = ""
	for (i = 1; i <= nt; i++) {
		if (split(tl[i], tw, /[ \t]+/) != 3) continue
		guest_of[tw[1]] = tw[2]; vmm_of[tw[1]] = tw[3]
		allmodes = allmodes (allmodes == "" ? "" : " ") tw[1]
		# The mode a guest runs for a vmm-mini --mode (guest = linux: virtio -> linux-virtio).
		as_guest[tw[2], tw[3]] = tw[1]
	}
}

{
	line = $0
	sub(/\r$/, "", line)
	if (line ~ /^[ \t]*(#|$)/)
		next
	if (line !~ /=/) { err("expected 'key = value', got '" line "'"); next }
	key = line; sub(/[ \t]*=.*/, "", key); sub(/^[ \t]+/, "", key)
	val = line; sub(/^[^=]*=[ \t]*/, "", val)
	if (key != "description") sub(/[ \t]*#.*/, "", val)	# trailing comment
	sub(/[ \t]+$/, "", val)
	variant = ""
	if (key ~ /@/) { variant = key; sub(/^[^@]*@/, "", variant); sub(/@.*/, "", key) }
	if (!(key in isknown)) { err("unknown key '" key "' (known: " known ")"); next }
	if (variant != "" && variant != "emulated" && variant != "pvm") { err("'" key "@" variant "': the variants are @emulated (an emulated CPU, e.g. the SVM sandbox) and @pvm (nested PVM)"); next }
	if (variant != "" && key == "name") { err("'name' has no variants"); next }
	slot = key (variant != "" ? "@" variant : "")
	if (slot in where) { err("'" slot "' already set on line " where[slot]); next }
	if (val == "") { err("'" key "' has no value"); next }
	where[slot] = NR

	ok = 1
	if (key == "name") ok = val ~ /^[a-z0-9][a-z0-9-]*$/
	else if (key == "description") { gsub(/'/, "", val); ok = 1 }
	else if (key == "modes") { v = listcheck(val, allmodes, "mode"); if (v == "") { err("modes: " list_err); next } val = v }
	else if (key == "rates" || key == "cdf_rates") { v = rates(val); if (v == "") { err(key ": " rate_err); next } val = v }
	else if (key == "pattern") ok = val ~ /^(constant|poisson|burst)$/
	else if (key == "burst") ok = isint(val, 1, 4096)
	else if (key == "size") ok = isint(val, 64, 9000)
	else if (key == "packets") ok = isint(val, 1, 1000000000)
	else if (key == "duration") ok = isnum(val, 0.1, 86400)
	else if (key == "vcpus") ok = isint(val, 1, 64)
	else if (key == "repeats") ok = isint(val, 1, 100)
	else if (key == "warmup") ok = isint(val, 0, 10)
	else if (key == "probes" || key == "hobble") ok = val ~ /^(on|off)$/
	else if (key == "poll_us") ok = isint(val, 1, 1000000)
	else if (key == "coalesce_us") ok = isint(val, 1, 1000000)
	else if (key == "adaptive_up_pps" || key == "adaptive_down_pps") ok = isint(val, 1, 100000000)
	else if (key == "budget") ok = isint(val, 1, 1024)
	else if (key == "guest") ok = val ~ /^(virqlab|linux)$/
	else if (key == "timeout") ok = isint(val, 1, 86400)
	else if (key == "idle") ok = isnum(val, 0.01, 3600)
	if (!ok) {
		expect["name"] = "lower-case letters, digits and '-'"
		expect["pattern"] = "constant, poisson or burst"
		expect["burst"] = "datagrams per burst, 1..4096"
		expect["size"] = "datagram bytes, 64..9000"
		expect["packets"] = "packets per cell, 1..1000000000"
		expect["duration"] = "seconds per cell, 0.1..86400"
		expect["vcpus"] = "1..64"
		expect["repeats"] = "1..100"
		expect["warmup"] = "discarded runs per cell, 0..10"
		expect["probes"] = "on or off"; expect["hobble"] = "on or off"
		expect["poll_us"] = "microseconds mask-poll polls before it sleeps, 1..1000000"
		expect["coalesce_us"] = "microseconds of one coalesce interrupt window, 1..1000000"
		expect["adaptive_up_pps"] = "packets per second adaptive starts polling at, 1..100000000"
		expect["adaptive_down_pps"] = "packets per second adaptive stops polling at, 1..100000000"
		expect["budget"] = "buffers the virtio driver takes per poll pass, 1..1024"
		expect["guest"] = "virqlab or linux"
		expect["timeout"] = "whole seconds per cell, 1..86400"
		expect["idle"] = "seconds, 0.01..3600"
		err(key ": '" val "' is not valid (expected " expect[key] ")")
		next
	}
	value[slot] = val
}

END {
	last = NR
	if (NR == 0) { print file ":1: empty workload file"; exit 2 }
	mine = variant_of(flavour)
	for (i = 1; i <= nk; i++) {
		k = keys[i]
		if (mine != "" && ((k "@" mine) in value)) value[k] = value[k "@" mine]
	}
	NR = last
	if (!anyof("modes")) err("no 'modes' key (required: e.g. modes = inject mask-direct)")
	if (!anyof("rates")) err("no 'rates' key (required: e.g. rates = 250..8000 x2)")
	if (!anyof("packets") && !anyof("duration")) err("neither 'packets' nor 'duration' is set (one is required)")
	if (("packets" in value) && ("duration" in value)) { NR = where["duration"] > where["packets"] ? where["duration"] : where["packets"]; err("set 'packets' or 'duration', not both") }
	if ("cdf_rates" in value) {
		n = split(value["cdf_rates"], cr, " ")
		for (i = 1; i <= n; i++)
			if (!((" " value["rates"] " ") ~ (" " cr[i] " "))) { NR = where["cdf_rates"]; err("cdf_rates: " cr[i] " is not one of the rates (" value["rates"] ")") }
	}
	up = ("adaptive_up_pps" in value) ? value["adaptive_up_pps"] : 10000
	down = ("adaptive_down_pps" in value) ? value["adaptive_down_pps"] : 5000
	if (down + 0 >= up + 0) { NR = where["adaptive_down_pps"] ? where["adaptive_down_pps"] : where["adaptive_up_pps"]; err("adaptive_down_pps " down " must be below adaptive_up_pps " up " (the hysteresis)") }
	# guest = linux: each mode is the Linux guest's mode of the same vmm-mini
	# --mode (the table), and only virtio has one: Linux drives the virtio
	# device alone (virtio_net). Its cells carry the guest in their mode
	# name, so summaries, plots and compare never mix the two guests.
	guests = ""
	if (("modes" in value) && !bad) {
		g = ("guest" in value) ? value["guest"] : "virqlab"
		n = split(value["modes"], ms, " "); out = ""
		delete gseen
		for (i = 1; i <= n; i++) {
			m = ms[i]
			if (g == "linux" && guest_of[m] != "linux") {
				if (!((g SUBSEP vmm_of[m]) in as_guest)) {
					NR = lineof("modes")
					err("modes: '" m "' with guest = linux (line " lineof("guest") "): a Linux guest receives with its virtio_net driver, mode virtio only")
					continue
				}
				m = as_guest[g, vmm_of[m]]
			}
			if ((" " out " ") ~ (" " m " ")) { NR = lineof("modes"); err("modes: '" m "' given twice (guest = linux makes virtio linux-virtio)"); continue }
			out = out (out == "" ? "" : " ") m
			if (!(guest_of[m] in gseen)) { gseen[guest_of[m]] = 1; guests = guests (guests == "" ? "" : " ") guest_of[m] }
		}
		value["modes"] = out
		# Linux boots on one vCPU (vmm-mini --kernel) and takes no guest --args.
		if (("linux" in gseen) && ("vcpus" in value) && value["vcpus"] != 1) { NR = lineof("vcpus"); err("vcpus: " value["vcpus"] " with a Linux guest mode: Linux boots on one vCPU here (vmm-mini --kernel)") }
		if (("linux" in gseen) && ("hobble" in value) && value["hobble"] == "on" && !("virqlab" in gseen)) { NR = lineof("hobble"); err("hobble: on with only Linux guest modes: hobble defeats the virqlab guest's mask-direct, which this run does not have") }
	}
	if (bad) exit 2
	name = file; sub(/.*\//, "", name); sub(/\.conf$/, "", name)
	def["name"] = name; def["description"] = ""; def["pattern"] = "constant"; def["burst"] = 32
	def["size"] = 64; def["packets"] = ""; def["duration"] = ""; def["vcpus"] = 1
	def["repeats"] = 3; def["warmup"] = 0; def["probes"] = "off"; def["hobble"] = "off"
	def["poll_us"] = 1000; def["coalesce_us"] = 100; def["adaptive_up_pps"] = 10000; def["adaptive_down_pps"] = 5000; def["timeout"] = 300; def["idle"] = 2; def["cdf_rates"] = ""; def["budget"] = 64; def["guest"] = "virqlab"
	for (i = 1; i <= nk; i++) {
		k = keys[i]
		printf "wl_%s='%s'\n", k, (k in value) ? value[k] : def[k]
	}
	printf "wl_guests='%s'\n", guests
}
