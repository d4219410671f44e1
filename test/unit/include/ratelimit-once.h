/*
 * Stand-ins for printk_ratelimited() (a static "_rs" per call site),
 * pr_warn_once() (a static "__already_done" in .data.once) and mutex_init()
 * without lockdep (a static, zero-size "__key").
 */
struct ratelimit_state {
	int lock, interval, burst, printed, missed;
	unsigned long begin;
};

struct lock_class_key { };
struct mutex { int owner; };

extern int printk(const char *fmt, ...) __attribute__((__format__(printf, 1, 2)));
extern int ___ratelimit(struct ratelimit_state *rs, const char *func);
extern void __mutex_init(struct mutex *m, const char *name,
			 struct lock_class_key *key);

#define printk_ratelimited(fmt, ...) ({					\
	static struct ratelimit_state _rs = { .interval = 5 * 250,	\
					      .burst = 10 };		\
	if (___ratelimit(&_rs, __func__))				\
		printk(fmt, ##__VA_ARGS__);				\
})

#define pr_warn_once(fmt, ...) ({					\
	static _Bool __attribute__((__section__(".data.once")))	\
		__already_done;						\
	if (!__already_done) {						\
		__already_done = 1;					\
		printk(fmt, ##__VA_ARGS__);				\
	}								\
})

#define mutex_init(m) do {						\
	static struct lock_class_key __key;				\
	__mutex_init((m), #m, &__key);					\
} while (0)
