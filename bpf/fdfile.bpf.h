/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The current task's open file behind a descriptor, through a CO-RE walk of
 * its file table (task -> files -> fdt -> fd[]): for tracepoint programs,
 * which get the descriptor, not the file. */
#ifndef TK_FDFILE_BPF_H
#define TK_FDFILE_BPF_H

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

/* The file of @fd, or NULL (no such descriptor). */
static __always_inline struct file *tk_fd_file(long fd)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct file **fds = BPF_CORE_READ(task, files, fdt, fd);
	unsigned int max = BPF_CORE_READ(task, files, fdt, max_fds);
	struct file *f = NULL;

	if (fd < 0 || fd >= max)
		return NULL;
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
	return f;
}

#endif
