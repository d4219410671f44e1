/*
 * Stand-ins for the kernel's lock initializers with CONFIG_LOCKDEP: each
 * call site has its own "static struct lock_class_key __key" (GCC names
 * them __key.N), passed with the lock's name.
 */
struct lock_class_key {
	unsigned long subkeys[2];
};

struct mutex { int owner; };
struct spinlock { int raw; };
struct wait_queue_head { int lock; };

extern void __mutex_init(struct mutex *m, const char *name,
			 struct lock_class_key *key);
extern void __raw_spin_lock_init(struct spinlock *l, const char *name,
				 struct lock_class_key *key, short wait);
extern void __init_waitqueue_head(struct wait_queue_head *q, const char *name,
				  struct lock_class_key *key);

#define mutex_init(m) do {						\
	static struct lock_class_key __key;				\
	__mutex_init((m), #m, &__key);					\
} while (0)

#define spin_lock_init(l) do {						\
	static struct lock_class_key __key;				\
	__raw_spin_lock_init((l), "&" #l "->rlock", &__key, 3);	\
} while (0)

#define init_waitqueue_head(q) do {					\
	static struct lock_class_key __key;				\
	__init_waitqueue_head((q), #q, &__key);				\
} while (0)

struct dev {
	struct mutex cfg_lock, io_lock, irq_lock;
	struct spinlock stat_lock;
	struct wait_queue_head wait;
};
