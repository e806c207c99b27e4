/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The current task's open files: what a file descriptor it was handed (or
 * is about to use) refers to, through CO-RE (task -> files -> fdt -> fd[]),
 * for the tools whose hooks see only the number (ttysnoop's write(2),
 * tcpaccept's accept(2) return). */
#ifndef TK_TASK_BPF_H
#define TK_TASK_BPF_H

#include <bpf/bpf_core_read.h>

/* The file of the current task's descriptor @fd, or NULL. */
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
