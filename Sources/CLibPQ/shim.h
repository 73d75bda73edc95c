#ifndef GALLEY_CLIBPQ_SHIM_H
#define GALLEY_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#endif
