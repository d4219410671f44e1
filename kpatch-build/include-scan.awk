# SPDX-License-Identifier: GPL-2.0
# kpatch-build: the configured C objects that include a given header,
# directly or through other files, found from the #include lines of the
# source tree alone (no build, no dependency records).
#
#   awk -v src=SRC -v headers="H1 H2 ..." -f include-scan.awk \
#       LISTING FILES DIRECTIVES RECORDS RECORD-LINES
#
# LISTING    what kbuild-objects.mk wrote: "std FLAGS" (the include options
#            of every C object, in order), "y|m OBJ DIR" (the configured
#            objects), "d DIR FLAGS" and "o OBJ FLAGS" (more of them)
# FILES      every file of the tree, one path a line, relative to SRC
# DIRECTIVES grep -H output over the tree's .c and .h files, run in SRC:
#            "./PATH:TEXT"; the lines whose TEXT is an #include or
#            #include_next of <x> or "x", or a "#define NAME <x.h>" (or
#            "x.h": a file name that an "#include NAME" uses), are read
# RECORDS    the objects that have a kbuild dependency record (.OBJ.cmd)
# RECORD-LINES  grep -H output over those records, run in SRC: the lines
#            that may name a header ("./DIR/.NAME.o.cmd:  include/x.h \")
#
# Prints "HEADER OBJ HOW" for every header and configured object (with a
# .c) that includes it, in no particular order, and "HEADER OBJ
# unconfigured" for the objects whose records name the header but that
# this configuration does not build (they are left out).  An object that has a
# dependency record includes the header if the record names it (HOW is
# "record"); one that has none, if its .c reaches the header through
# #include lines, or a file it is compiled with by -include does ("scan").
# A header that every object gets by -include (kconfig.h,
# compiler_types.h and what they include) affects every object.
#
# An #include is resolved as gcc does with kbuild's options:
#   "x"  in the including file's own directory, else as <x>;
#   <x>  in the standard directories (LINUXINCLUDE: arch/x86/include, its
#        generated/, include/, the uapi directories): the first that has x;
#        when none has it, in every directory a kbuild Makefile adds with
#        -I or -iquote (ccflags-y, subdir-ccflags-y, CFLAGS_obj.o), since
#        a header is read with the options of each object that includes it;
#   #include_next: in any standard or added directory that has x.
# #if is not evaluated: an #include under a false #ifdef still counts.  A
# false candidate costs a compile; a missed one would leave a function
# silently unpatched.

# A path relative to SRC without "." and ".." components ("" if outside).
function clean(p,    n, a, i, k, out, part) {
	if (substr(p, 1, length(src) + 1) == src "/")
		p = substr(p, length(src) + 2)
	else if (substr(p, 1, 1) == "/")
		return ""
	if (!index(p, "./") && !index(p, "//") && p !~ /(^|\/)\.\.?$/)
		return p
	n = split(p, a, "/")
	k = 0
	for (i = 1; i <= n; i++) {
		if (a[i] == "" || a[i] == ".")
			continue
		if (a[i] == "..") {
			if (k == 0)
				return ""
			k--
			continue
		}
		part[++k] = a[i]
	}
	out = ""
	for (i = 1; i <= k; i++)
		out = out (i > 1 ? "/" : "") part[i]
	return out
}

function join(dir, name) {
	return clean(dir == "" ? name : dir "/" name)
}

function dirname(p) {
	return (p ~ /\//) ? substr(p, 1, match(p, /\/[^\/]*$/) - 1) : ""
}

# ---- the kbuild listing ----------------------------------------------------

# The include options of a listing line from field "from" on: of every
# object ("std"), or added by a directory or an object ("owner").
function options(from, owner,    i, f) {
	for (i = from; i <= NF; i++) {
		f = $i
		if (f ~ /^-I/ || f ~ /^-iquote=/) {
			sub(/^-I/, "", f)
			sub(/^-iquote=/, "", f)
			if (owner == "") {
				std_dir[++nstd] = clean(f)
				is_std[clean(f)] = 1
			} else
				extra[clean(f)] = 1
		} else if (f ~ /^-include=/) {
			sub(/^-include=/, "", f)
			if (owner == "")
				forced_all[clean(f)] = 1
			else
				forced[owner] = forced[owner] " " clean(f)
		}
	}
}

function listing() {
	if ($1 == "std")
		options(2, "")
	else if ($1 == "y" || $1 == "m") {
		configured[$2] = 1
		obj_dir[$2] = $3
	} else if ($1 == "d")
		options(3, "dir " $2)
	else if ($1 == "o")
		options(3, $2)
}

# ---- the directives ----------------------------------------------------------

# Directive e goes on the chain of by_path[key] (or by_name[key]), linked
# through next_e.
function add_path(key, e) {
	next_e[e] = (key in by_path) ? by_path[key] : 0
	by_path[key] = e
}

function add_name(key, e) {
	next_e[e] = (key in by_name) ? by_name[key] : 0
	by_name[key] = e
}

# A directive, filed where the walk looks for it: a "x" that is in the
# including file's own directory, and an absolute name, under the path of
# the file (by_path); an #include_next, and a name with "." or ".."
# components, among the odd ones (file_odd); any other under its name as
# written (by_name), to be looked up in the directories.
function directive(    n, f, head, file, name, e, c) {
	n = split($0, f, /[<>"]/)
	head = f[1]
	if (n < 3 || head !~ /:[ \t]*#[ \t]*(include(_next)?|define[ \t]+[A-Za-z0-9_]+)[ \t]*$/)
		return
	name = f[2]
	if (head ~ /#[ \t]*define/ && name !~ /\.h$/)
		return
	file = substr(head, 1, index(head, ":") - 1)
	sub(/^\.\//, "", file)
	e = ++ne
	e_file[e] = file
	e_name[e] = name
	if (index(head, "include_next")) {
		odd[++nodd] = e
		return
	}
	if (substr($0, length(head) + 1, 1) == "\"") {
		c = join(dirname(file), name)
		if (c in exists) {
			add_path(c, e)
			return
		}
	}
	if (substr(name, 1, 1) == "/")
		add_path(clean(name), e)
	else if (index(name, "./") || index(name, "//"))
		odd[++nodd] = e
	else
		add_name(name, e)
}

# ---- the walk --------------------------------------------------------------

# The file <name> is in the standard directories, "" if none has it.
function std_lookup(name,    i, c) {
	if (!(name in std_res)) {
		std_res[name] = ""
		for (i = 1; i <= nstd; i++) {
			c = join(std_dir[i], name)
			if (c in exists) {
				std_res[name] = c
				break
			}
		}
	}
	return std_res[name]
}

# The odd directives (#include_next, "." or ".." in the name) may name a
# file in any standard or added directory that has it: filed under each
# such file (by_odd, a chain of links), once, before the walks.
function file_odd(    i, e, d) {
	for (i = 1; i <= nodd; i++) {
		e = odd[i]
		for (d in is_std)
			file_odd_link(e, join(d, e_name[e]))
		for (d in extra)
			file_odd_link(e, join(d, e_name[e]))
	}
}

function file_odd_link(e, c) {
	if (!(c in exists) || c == e_file[e])
		return
	link_e[++nlink] = e
	link_next[nlink] = (c in by_odd) ? by_odd[c] : 0
	by_odd[c] = nlink
}

function reach(f) {
	if (f in reached)
		return
	reached[f] = 1
	queue[++nqueue] = f
}

# Every file that includes t, found through the name it is written with:
# t is DIR/NAME for a standard directory DIR (and NAME is found there
# first) or for a directory a Makefile adds (and no standard one has NAME).
function includers(t,    e, i, n, part, dir, name) {
	for (e = (t in by_path) ? by_path[t] : 0; e; e = next_e[e])
		reach(e_file[e])
	n = split(t, part, "/")
	dir = ""
	name = t
	for (i = 1; i <= n; i++) {
		if ((dir in is_std && std_lookup(name) == t) ||
		    (dir in extra && std_lookup(name) == ""))
			for (e = (name in by_name) ? by_name[name] : 0; e; e = next_e[e])
				reach(e_file[e])
		dir = (i == 1) ? part[1] : dir "/" part[i]
		name = substr(name, length(part[i]) + 2)
	}
	for (i = (t in by_odd) ? by_odd[t] : 0; i; i = link_next[i])
		reach(e_file[link_e[i]])
}

# Every file that includes header h, directly or not, and h: reached[].
function walk(h,    i) {
	split("", reached)
	nqueue = 0
	reach(h)
	for (i = 1; i <= nqueue; i++)
		includers(queue[i])
}

function forced_reached(list,    n, a, i) {
	n = split(list, a, " ")
	for (i = 1; i <= n; i++)
		if (a[i] in reached)
			return 1
	return 0
}

# ---- the dependency records --------------------------------------------------

# A record line "./DIR/.NAME.o.cmd:  PATH \": object DIR/NAME.o depends on
# PATH (cleaned: records name files as the compiler opened them,
# "arch/x86/events/intel/../perf_event.h").
function record_line(    colon, rec, dir, obj, dep) {
	colon = index($0, ":")
	rec = substr($0, 1, colon - 1)
	dep = substr($0, colon + 1)
	if (dep !~ /^  [^ $]/)		# not "    $(wildcard ...)"
		return
	sub(/^\.\//, "", rec)
	dir = dirname(rec)
	obj = substr(rec, length(dir) + (dir == "" ? 2 : 3))	# after "."
	sub(/\.cmd$/, "", obj)
	if (dir != "")
		obj = dir "/" obj
	sub(/^  /, "", dep)
	sub(/[ \t]*\\?$/, "", dep)
	names_dep[obj, clean(dep)] = 1
}

# ---- the answer --------------------------------------------------------------

# "HEADER OBJ HOW" for every configured object that includes h; and
# "HEADER OBJ unconfigured" for an object whose record names h although
# this configuration does not build it (arch/x86/boot/, the vDSO, ...).
function affected(h,    all, f, o, c, walked, k, part) {
	for (k in names_dep) {
		split(k, part, SUBSEP)
		if (part[2] == h && !(part[1] in configured))
			print h, part[1], "unconfigured"
	}
	walked = 0
	for (o in configured) {
		c = o
		sub(/\.o$/, ".c", c)
		if (!(c in exists))
			continue
		if (o in recorded) {
			if ((o, h) in names_dep)
				print h, o, "record"
			continue
		}
		if (!walked) {
			walk(h)
			walked = 1
			all = 0
			for (f in forced_all)
				if (f in reached)
					all = 1
		}
		if (all || c in reached || forced_reached(forced[o]) ||
		    forced_reached(forced["dir " obj_dir[o]]))
			print h, o, "scan"
	}
}

# which input this line is from (an empty file has no first line)
FNR == 1 { for (input = 1; ARGV[input] != FILENAME; input++) ; }
input == 1 { listing(); next }
input == 2 { exists[$0] = 1; next }
input == 3 { directive(); next }
input == 4 { recorded[$0] = 1; next }
input == 5 { record_line(); next }

END {
	file_odd()
	n = split(headers, h, " ")
	for (i = 1; i <= n; i++)
		affected(clean(h[i]))
}
