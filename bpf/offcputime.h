/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef OFFCPUTIME_H
#define OFFCPUTIME_H

#include "stackkey.h"

/* offcputime's own reasons, after the stack tools' (tk_stack_err). */
enum offcpu_err {
	OFFCPU_START_FULL = TK_STACK_NERR,	/* a switch-out not kept: the table was full */
	OFFCPU_UNSEEN_IN,	/* a switch back in not reported: the block timed by CPU time */
	OFFCPU_NERR,
};

#define OFFCPU_NO_STATE (-1LL)	/* targ_state: every state */

#endif
