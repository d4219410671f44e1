# SPDX-License-Identifier: GPL-2.0
# kpatch-build: the one place that turns text into a C string literal or a
# JSON string.  Used by the generator (awk -f escape.awk -f generate.awk)
# and by module.sh's c_string and json_string (which hand the text over in
# ENVIRON, never in the program or in -v, which would read its backslashes
# as escapes).
# Byte by byte: run with LC_ALL=C.

function esc_init(	i) {
	if (esc_ready)
		return
	for (i = 1; i < 256; i++)
		esc_ord[sprintf("%c", i)] = i
	esc_ready = 1
}

# s as a string literal of lang, quotes included.  "c": '"' and '\'
# escaped, '?' too (no trigraph can form), control characters as
# three-digit octal escapes (which, unlike \x, never take the next
# character along).  "json" (RFC 8259): '"', '\' and every control
# character escaped.
function esc_string(s, lang,	out, i, n, c, o) {
	esc_init()
	out = ""
	n = length(s)
	for (i = 1; i <= n; i++) {
		c = substr(s, i, 1)
		o = (c in esc_ord) ? esc_ord[c] : 0
		if (c == "\"" || c == "\\" || (c == "?" && lang == "c"))
			c = "\\" c
		else if (lang == "c" && (o < 32 || o == 127))
			c = sprintf("\\%03o", o)
		else if (c == "\n" || c == "\t")
			c = (c == "\n") ? "\\n" : "\\t"
		else if (o < 32)
			c = sprintf("\\u%04x", o)
		out = out c
	}
	return "\"" out "\""
}

function c_string(s) { return esc_string(s, "c") }
function json_string(s) { return esc_string(s, "json") }
