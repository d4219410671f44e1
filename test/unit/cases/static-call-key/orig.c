/*
 * static_call(name) calls the trampoline __SCT__name and makes the key
 * __SCK__name addressable (.discard.addressable).  From Linux 6.2 with IBT,
 * objtool runs on the linked livepatch module and finds the key of a call
 * site there by name: the key entries of the trampolines the new code calls
 * are kept, the others are not.
 */
#define ADDRESSABLE(sym) \
	__attribute__((used, section(".discard.addressable"))) \
	static void *__addressable_##sym = (void *)&sym

extern int __SCK__tp_func_a, __SCK__tp_func_b;
extern int __SCT__tp_func_a(int), __SCT__tp_func_b(int);
ADDRESSABLE(__SCK__tp_func_a);
ADDRESSABLE(__SCK__tp_func_b);

int fire_a(int v)
{
	return __SCT__tp_func_a(v) + 1;
}

int fire_b(int v)
{
	return __SCT__tp_func_b(v);
}
