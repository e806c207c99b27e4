/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Linux errno values by name, for printing and for -e/--errno style filters. */
#ifndef TK_ERRNOS_H
#define TK_ERRNOS_H

/* "ENOENT" for 2, or NULL if unknown. */
const char *errno_name(int err);
/*
 * Parse "ENOENT", "enoent" or "2" into 2; returns -1 if invalid/unknown.
 * Numbers must be 1..4095 and fully numeric (no trailing junk). Any number in
 * that range is accepted, named or not, so kernel-internal codes that leak to
 * tracepoints (512 ERESTARTSYS, ...) can still be filtered on.
 */
int errno_parse(const char *s);

#endif
