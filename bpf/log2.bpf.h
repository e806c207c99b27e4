/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* log2 bucketing: slot i holds [2^i, 2^(i+1)-1] (0 goes to slot 0), the
 * slots common/hist.c prints. */
#ifndef TK_LOG2_BPF_H
#define TK_LOG2_BPF_H

static __always_inline __u32 tk_log2_32(__u32 v)
{
	__u32 r, shift;

	r = (v > 0xffff) << 4; v >>= r;
	shift = (v > 0xff) << 3; v >>= shift; r |= shift;
	shift = (v > 0xf) << 2; v >>= shift; r |= shift;
	shift = (v > 0x3) << 1; v >>= shift; r |= shift;
	r |= (v >> 1);
	return r;
}

static __always_inline __u32 tk_log2(__u64 v)
{
	__u32 hi = v >> 32;

	return hi ? tk_log2_32(hi) + 32 : tk_log2_32((__u32)v);
}

/* Slot for @v in a histogram of @nslots, the last slot taking the overflow.
 * The barrier makes the slot an opaque 64-bit value, so the register bounded
 * here is the one used as the index. Otherwise the compiler compares a
 * zero-extended copy and zero-extends the 32-bit slot again at the use, and
 * 6.1's verifier knows no bounds of that ("unbounded memory access"). */
static __always_inline __u64 tk_log2_slot(__u64 v, __u32 nslots)
{
	__u64 slot = tk_log2(v);

	asm volatile("" : "+r"(slot));
	if (slot >= nslots)
		slot = nslots - 1;
	return slot;
}

#endif
