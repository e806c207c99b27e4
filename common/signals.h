/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* How a run is asked to end. The first SIGINT or SIGTERM sets tk_exiting
 * and gives the run a short grace period to print what it already has
 * (tk_out_of_time is set when it runs out, and a write blocked on a reader
 * that stopped reading is interrupted then); a second one kills the tool.
 * SIGPIPE is ignored: the write fails with EPIPE and the run ends quietly. */
#ifndef TK_SIGNALS_H
#define TK_SIGNALS_H

#include <signal.h>

#define TK_GRACE_MS 700

extern volatile sig_atomic_t tk_exiting;
extern volatile sig_atomic_t tk_out_of_time;

void tk_signals_init(void);
/* (Re)start the grace period now: once the producers are detached, which
 * can take a while, what they queued gets the whole of it. The signal's
 * own timer covers a write blocked before that. */
void tk_grace_start(void);

#endif
