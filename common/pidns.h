/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef TK_PIDNS_H
#define TK_PIDNS_H

#include <linux/types.h>
#include "../bpf/filter.h"

/* Fill @f's pid namespace fields: the tool's pid namespace when it is not
 * the initial one, else zeros. 0, or -1 (said on stderr) if it cannot be
 * told: then -p/-t and the tool's own pid would be compared wrongly. */
int tk_pidns_fill(struct tk_filter *f);

#endif
