#ifndef GALLEY_CLIBPQ_SHIM_H
#define GALLEY_CLIBPQ_SHIM_H
#include <libpq-fe.h>
// For the pool's event loop, which waits on many connections' sockets at once.
#include <sys/epoll.h>
#include <sys/eventfd.h>
#endif
