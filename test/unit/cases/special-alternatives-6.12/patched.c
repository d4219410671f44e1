/*
 * special-alternatives in Linux 6.12's layout: struct alt_instr is 14
 * bytes (a 32-bit ft_flags), replacementlen still its last byte.
 */
#define ALT_FEATURE_FIELD ".long"
#include "../special-alternatives/patched.c"
