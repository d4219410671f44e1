/* The patch adds pre-patch and post-unpatch callbacks next to a change. */
#include "kpatch-macros.h"

int mode;

int get_mode(void)
{
	return mode + 1;
}

static int set_mode(patch_object *obj)
{
	mode = 2;
	return 0;
}
KPATCH_PRE_PATCH_CALLBACK(set_mode);

static void clear_mode(patch_object *obj)
{
	mode = 0;
}
KPATCH_POST_UNPATCH_CALLBACK(clear_mode);
