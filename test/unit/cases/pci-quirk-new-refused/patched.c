/*
 * A fix made of a new PCI quirk (Linux 6.1's DECLARE_PCI_FIXUP_FINAL with
 * PREL32 relocations: vendor, device, class, class_shift, hook - .).  The
 * PCI core reads only vmlinux's .pci_fixup_* tables, at device discovery
 * and resume; a module's are never read, so the fix would vanish: refused,
 * naming the hook.  The changed quirk_other() entry (another device) is
 * refused too: the running kernel keeps applying the old one.
 */
#define FIXUP(sec, vendor, device, hook)				\
	asm(".section " #sec ", \"a\"\n"				\
	    ".balign 16\n"						\
	    ".short " #vendor ", " #device "\n"				\
	    ".long 0, 0\n"						\
	    ".long " #hook " - .\n"					\
	    ".previous\n")

struct pci_dev;
extern void pci_clear_flag(struct pci_dev *dev, int flag);

void quirk_broken_msi(struct pci_dev *dev)
{
	pci_clear_flag(dev, 1);
}
FIXUP(.pci_fixup_final, 0x8086, 0x1234, quirk_broken_msi);

void quirk_other(struct pci_dev *dev)
{
	pci_clear_flag(dev, 2);
}
FIXUP(.pci_fixup_header, 0x8086, 0x0002, quirk_other);
