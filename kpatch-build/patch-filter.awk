# SPDX-License-Identifier: GPL-2.0
# kpatch-build: a unified diff without the sections of some files.
#
#   KPB_DROP="path1<newline>path2..." awk -f patch-filter.awk PATCH
#
# Paths are -p1 paths, as the +++ (or, for a deletion, ---) header names
# them.  A section is its header lines (diff, index, mode lines, ---, +++)
# and its hunks; hunk bodies are counted by their @@ line numbers, so a
# removed line that starts with "-- " is not taken for a header.  Text
# before the first section (a commit message) is kept.

BEGIN {
	n = split(ENVIRON["KPB_DROP"], d, "\n")
	for (i = 1; i <= n; i++)
		if (d[i] != "")
			drop[d[i]] = 1
}

function hunk_counts(line,    a, o, c) {
	split(line, a, " ")
	split(substr(a[2], 2), o, ",")
	split(substr(a[3], 2), c, ",")
	left_old = (2 in o) ? o[2] + 0 : 1
	left_new = (2 in c) ? c[2] + 0 : 1
}

function emit(line) {
	if (!skipping)
		print line
}

in_hunk {
	c = substr($0, 1, 1)
	if (c == " " || c == "") { left_old--; left_new-- }
	else if (c == "-") left_old--
	else if (c == "+") left_new--
	emit($0)
	if (left_old <= 0 && left_new <= 0)
		in_hunk = 0
	next
}

/^diff / {
	header = $0 "\n"
	in_header = 1
	next
}

/^--- / {
	header = header $0 "\n"
	in_header = 1
	old = $2
	next
}

/^\+\+\+ / && in_header {
	f = ($2 == "/dev/null") ? old : $2
	sub(/^[^\/]*\//, "", f)
	skipping = (f in drop)
	if (!skipping)
		printf "%s%s\n", header, $0
	header = ""
	in_header = 0
	next
}

/^@@ / {
	hunk_counts($0)
	in_hunk = (left_old > 0 || left_new > 0)
	emit($0)
	next
}

in_header {
	header = header $0 "\n"
	next
}

{ emit($0) }

END {
	if (in_header && !skipping)
		printf "%s", header
}
