/* A struct of a header gains a member in the middle: the types of headers
 * are compared like those of the .c file. */
#include "orig-dev.h"

void *dev_priv(struct dev_state *d)
{
	return d->priv;
}
