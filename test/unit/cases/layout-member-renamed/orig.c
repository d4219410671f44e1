/* A member only renamed (same offset, same type) is no layout change. */
struct port {
	int id;
	unsigned int speed;
};

unsigned int port_speed(struct port *p)
{
	return p->speed;
}
