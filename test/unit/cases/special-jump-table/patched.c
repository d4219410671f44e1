/*
 * Static branches (Linux 6.1 x86 arch_static_branch()): the code is a
 * 5-byte nop whatever the key; the key and the branch type are only in the
 * __jump_table entry.  on_key() tests another key after the patch and
 * on_branch() the other branch type: both changed.  A new static branch in
 * a new function before them moves every entry of the table; same_key()
 * is still unchanged.
 */
struct static_key {
	int enabled;
};

struct static_key key_a, key_b;

#define static_branch(key, branch) ({					\
	_Bool __on = 0;						\
	asm goto("1:\n\t.byte 0x0f,0x1f,0x44,0x00,0x00\n\t"		\
		 ".pushsection __jump_table, \"aw\"\n\t"		\
		 ".balign 8\n\t"					\
		 ".long 1b - .\n\t"					\
		 ".long %l[l_yes] - .\n\t"				\
		 ".quad %c0 + %c1 - .\n\t"				\
		 ".popsection"						\
		 : : "i" (key), "i" (branch) : : l_yes);		\
	if (0) {							\
l_yes:									\
		__on = 1;						\
	}								\
	__on;								\
})

extern void slow_path(int x);

int new_user(int x)
{
	if (static_branch(&key_b, 1))
		slow_path(x);
	return x + 3;
}

int on_key(int x)
{
	if (static_branch(&key_b, 0))
		slow_path(x);
	return x;
}

int on_branch(int x)
{
	if (static_branch(&key_b, 1))
		slow_path(x);
	return x + 1;
}

int same_key(int x)
{
	if (static_branch(&key_a, 0))
		slow_path(x);
	return x + 2;
}
