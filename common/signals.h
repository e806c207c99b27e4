/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* How a run is asked to end. The first SIGINT or SIGTERM sets tk_exiting;
 * a second one kills the tool. SIGPIPE is ignored: the write fails with
 * EPIPE and the run ends quietly.
 *
 * The end of a run is bounded even when the reader of stdout stopped
 * reading: a watchdog thread sees the main thread blocked in a write to
 * stdout for TK_STALL_MS once an end was asked for, and interrupts that
 * write (tk_out_of_time is set then). A reader that is slow but reading is
 * never interrupted: stdio would drop what it held without a count. */
#ifndef TK_SIGNALS_H
#define TK_SIGNALS_H

#include <signal.h>

#define TK_GRACE_MS 700		/* for delivering what was queued at the end */
#define TK_STALL_MS 400		/* a write to stdout blocked this long: reader gone */

extern volatile sig_atomic_t tk_exiting;
/* The reader of stdout stopped reading at the end of the run: output given up. */
extern volatile sig_atomic_t tk_out_of_time;

void tk_signals_init(void);
/* The run is ending for a reason of its own (-d, a count): the watchdog
 * watches for a stopped reader from now on, as after a signal. */
void tk_signals_ending(void);

#endif
