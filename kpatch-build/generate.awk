# SPDX-License-Identifier: GPL-2.0
# kpatch-build's generator: the livepatch module's source from the manifest
# of the diff objects (doc/PIPELINE.md, "manifest") and the template.
#
#   KPB_MODNAME=livepatch-NAME KPB_REPLACE=true|false KPB_DESCRIPTION=TEXT \
#   LC_ALL=C awk -f escape.awk -f generate.awk MANIFEST livepatch-main.c.in
#
# writes livepatch-main.c on stdout: the template with its lines
# @DECLARATIONS@, @FUNCS@, @OBJECTS@ and @CALLBACKS@ replaced by the klp_patch
# description, and @MODNAME@, @REPLACE@ and @DESCRIPTION@ (the text as one C
# string literal) replaced in its other lines.  The manifest's records:
#
#   object ID STATUS KLP_OBJECT PATH   a diff object (kpatch-build)
#   callback ID KIND ENTRY             a callback of diff object ID
#                                      (create-diff-object --manifest)
#   func KLP_OBJECT NAME SYMPOS ALIAS  a function to replace (lookup)
#
# One klp_object per KLP_OBJECT of a func line (in their order), then of a
# callback line; one klp_func per func line, in order; one kpb_callbacks row
# per diff object with callbacks (a source file), in order.  A malformed
# record is an error naming the file and line; exit status 1.

function fail(msg) {
	fail_at(FILENAME ":" FNR, msg)
}

function fail_at(where, msg) {
	printf "generate.awk: error: %s: %s\n", where, msg > "/dev/stderr"
	failed = 1
	exit 1
}

function klp_object(o) {
	if (!(o in seen)) { seen[o] = 1; order[++nobj] = o }
}

function record() {
	if ($1 == "object") {
		if (NF < 5)
			fail("want 'object ID STATUS KLP_OBJECT PATH'")
		objname[$2] = $4
	} else if ($1 == "func") {
		if (NF != 5 || $4 !~ /^[0-9]+$/)
			fail("want 'func KLP_OBJECT NAME SYMPOS ALIAS', SYMPOS a number")
		nf++
		f_obj[nf] = $2; f_name[nf] = $3; f_pos[nf] = $4; f_alias[nf] = $5
	} else if ($1 == "callback") {
		if (NF != 4 || $3 !~ /^(pre|post)_(patch|unpatch)$/)
			fail("want 'callback ID KIND ENTRY', KIND pre_patch, post_patch, pre_unpatch or post_unpatch")
		if (!($2 in objname))
			fail("callback of diff object " $2 ", which no 'object' line names")
		ncb++
		c_id[ncb] = $2; c_kind[ncb] = $3; c_entry[ncb] = $4
	} else if (NF && $1 !~ /^#/) {
		fail("unknown record '" $1 "'")
	}
}

# The klp_patch description, as the four blocks of the template.
function describe(	i, o, id, rows, rowlist, nrows, funcs, hascb) {
	for (i = 1; i <= nf; i++) {
		block["@DECLARATIONS@"] = block["@DECLARATIONS@"] sprintf("extern void kpb_func_%d(void) __asm__(%s);\n", i, c_string(f_alias[i]))
		funcs[f_obj[i]] = funcs[f_obj[i]] sprintf("\t{\n\t\t.old_name = %s,\n\t\t.new_func = kpb_func_%d,\n\t\t.old_sympos = %d,\n\t},\n", c_string(f_name[i]), i, f_pos[i])
		klp_object(f_obj[i])
	}
	for (i = 1; i <= ncb; i++) {
		id = c_id[i]
		block["@DECLARATIONS@"] = block["@DECLARATIONS@"] sprintf("extern %s (*const kpb_cb_%d)(struct klp_object *obj) __asm__(%s);\n", (c_kind[i] == "pre_patch" ? "int" : "void"), i, c_string(c_entry[i]))
		if (!(id in rows))
			rowlist[++nrows] = id
		rows[id] = rows[id] sprintf("\t\t.%s = &kpb_cb_%d,\n", c_kind[i], i)
		klp_object(objname[id])
		hascb[objname[id]] = 1
	}
	for (i = 1; i <= nobj; i++) {
		o = order[i]
		index_of[o] = i - 1
		block["@FUNCS@"] = block["@FUNCS@"] sprintf("static struct klp_func kpb_funcs_%d[] = {\n%s\t{ }\n};\n\n", i, funcs[o])
		block["@OBJECTS@"] = block["@OBJECTS@"] sprintf("\t{\n\t\t.name = %s,\n\t\t.funcs = kpb_funcs_%d,\n%s\t},\n", (o == "vmlinux" ? "NULL" : c_string(o)), i, (o in hascb ? "\t\t.callbacks = KPB_CALLBACKS,\n" : ""))
	}
	for (i = 1; i <= nrows; i++)
		block["@CALLBACKS@"] = block["@CALLBACKS@"] sprintf("\t{\n\t\t.object = &kpb_objects[%d],\n%s\t},\n", index_of[objname[rowlist[i]]], rows[rowlist[i]])
}

# A template line with every @KEY@ that has a value replaced by it.
function fill(line,	out, key) {
	out = ""
	while (match(line, /@[A-Z_]+@/)) {
		key = substr(line, RSTART, RLENGTH)
		out = out substr(line, 1, RSTART - 1) ((key in value) ? value[key] : key)
		line = substr(line, RSTART + RLENGTH)
	}
	return out line
}

BEGIN {
	if (ARGC != 3) {
		print "usage: awk -f escape.awk -f generate.awk MANIFEST TEMPLATE" > "/dev/stderr"
		failed = 1
		exit 1
	}
	if (ENVIRON["KPB_REPLACE"] !~ /^(true|false)$/ || ENVIRON["KPB_MODNAME"] !~ /^[A-Za-z0-9_-]+$/) {
		print "generate.awk: error: KPB_REPLACE must be true or false, KPB_MODNAME a module name" > "/dev/stderr"
		failed = 1
		exit 1
	}
	block["@DECLARATIONS@"] = block["@FUNCS@"] = ""
	block["@OBJECTS@"] = block["@CALLBACKS@"] = ""
	value["@MODNAME@"] = ENVIRON["KPB_MODNAME"]
	value["@REPLACE@"] = ENVIRON["KPB_REPLACE"]
	value["@DESCRIPTION@"] = c_string(ENVIRON["KPB_DESCRIPTION"])
}

FILENAME == ARGV[1] { record(); next }

FNR == 1 {
	if (!nf && !ncb)
		fail_at(ARGV[1], "no 'func' or 'callback' line: lookup found no function to patch")
	describe()
	described = 1
}

$0 in block { printf "%s", block[$0]; next }

{ print fill($0) }

END {
	if (!failed && !described)
		fail_at(ARGV[2], "empty template")
}
