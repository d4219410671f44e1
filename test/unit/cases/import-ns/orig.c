/*
 * MODULE_IMPORT_NS(NS) as Linux 6.1 writes it into .modinfo: "import_ns=NS"
 * in a module's object, "MODNAME.import_ns=NS" in one built into vmlinux.
 * The new code calls dma_buf_get(), which DMA_BUF's namespace exports; the
 * livepatch module must import DMA_BUF itself, or the kernel refuses to
 * load it.  The patch also adds an import (of a second namespace).  Only
 * the imports are carried, the object's other .modinfo entries are not.
 */
#define MODINFO(id, text) \
	static const char __modinfo_##id[] \
	__attribute__((used, section(".modinfo"), aligned(1))) = text

MODINFO(license, "license=GPL");
MODINFO(ns1, "import_ns=DMA_BUF");

extern void *dma_buf_get(int fd);

void *get_buf(int fd)
{
	return fd < 0 ? (void *)0 : dma_buf_get(fd);
}
