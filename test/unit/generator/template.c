/* @MODNAME@: a test template */
@DECLARATIONS@
@FUNCS@
static struct klp_object kpb_objects[] = {
@OBJECTS@
	{ }
};
static const struct kpb_file_callbacks kpb_callbacks[] = {
@CALLBACKS@
};
.replace = @REPLACE@, @UNKNOWN@ stays
MODULE_DESCRIPTION(@DESCRIPTION@);
