// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* tk_bpfls progs|links: one line per loaded BPF program ("prog NAME") or
 * link ("link TYPE PROGNAME"), for leak checks in the tests. Raw bpf(2),
 * so it needs no library and runs in a bare guest. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <sys/syscall.h>

static long sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

static const char *prog_name(__u32 id)
{
	static struct bpf_prog_info info;
	union bpf_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.prog_id = id;
	fd = sys_bpf(BPF_PROG_GET_FD_BY_ID, &attr);
	if (fd < 0)
		return "?";
	memset(&info, 0, sizeof(info));
	memset(&attr, 0, sizeof(attr));
	attr.info.bpf_fd = fd;
	attr.info.info_len = sizeof(info);
	attr.info.info = (__u64)(unsigned long)&info;
	if (sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &attr))
		info.name[0] = '\0';
	close(fd);
	return info.name;
}

static int walk(int next_cmd, int fd_cmd, int links)
{
	union bpf_attr attr;
	__u32 id = 0;
	int fd;

	for (;;) {
		memset(&attr, 0, sizeof(attr));
		attr.start_id = id;
		if (sys_bpf(next_cmd, &attr))
			return errno == ENOENT ? 0 : 1;
		id = attr.next_id;
		memset(&attr, 0, sizeof(attr));
		if (links)
			attr.link_id = id;
		else
			attr.prog_id = id;
		fd = sys_bpf(fd_cmd, &attr);
		if (fd < 0)
			continue;	/* gone meanwhile */
		if (links) {
			struct bpf_link_info info;

			memset(&info, 0, sizeof(info));
			memset(&attr, 0, sizeof(attr));
			attr.info.bpf_fd = fd;
			attr.info.info_len = sizeof(info);
			attr.info.info = (__u64)(unsigned long)&info;
			if (!sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &attr))
				printf("link %u %s\n", info.type, prog_name(info.prog_id));
		} else {
			struct bpf_prog_info info;

			memset(&info, 0, sizeof(info));
			memset(&attr, 0, sizeof(attr));
			attr.info.bpf_fd = fd;
			attr.info.info_len = sizeof(info);
			attr.info.info = (__u64)(unsigned long)&info;
			if (!sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &attr))
				printf("prog %s\n", info.name);
		}
		close(fd);
	}
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "progs"))
		return walk(BPF_PROG_GET_NEXT_ID, BPF_PROG_GET_FD_BY_ID, 0);
	if (argc == 2 && !strcmp(argv[1], "links"))
		return walk(BPF_LINK_GET_NEXT_ID, BPF_LINK_GET_FD_BY_ID, 1);
	fprintf(stderr, "usage: tk_bpfls progs|links\n");
	return 2;
}
