// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* tk_bpfls: the BPF objects the leak checks of the tests ask about. Raw
 * bpf(2), so it needs no library and runs in a bare guest.
 *   tk_bpfls progs|links   one line per loaded program ("prog ID NAME") or
 *                          link ("link ID TYPE PROG_ID PROGNAME")
 *   tk_bpfls alive         of the "prog_id:N", "link_id:N", "map_id:N" lines
 *                          on stdin (as in /proc/PID/fdinfo), those whose
 *                          object still exists, with its name
 *   tk_bpfls cgroup PATH   "prog_id:N" for each program attached to the
 *                          cgroup PATH, any attach type (status 1 if the
 *                          kernel answered no query)
 *   tk_bpfls fake [-p PIN|-c CGROUP]  a stand-in tool for the leak check's
 *                          own test: loads a program "tk_fake", pinned at
 *                          PIN, or attached to CGROUP without a link (as
 *                          kernels before 5.7 do: it outlives the process),
 *                          says "Ctrl-C to end" on stderr, waits for a
 *                          signal */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <sys/syscall.h>

static long sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

static int obj_info(int fd, void *info, __u32 len)
{
	union bpf_attr attr;

	memset(info, 0, len);
	memset(&attr, 0, sizeof(attr));
	attr.info.bpf_fd = fd;
	attr.info.info_len = len;
	attr.info.info = (__u64)(unsigned long)info;
	return sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &attr);
}

/* fd_by_id KIND ID: an fd for object ID of KIND 'p', 'l' or 'm', or -1. */
static int fd_by_id(int kind, __u32 id)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	if (kind == 'p') {
		attr.prog_id = id;
		return sys_bpf(BPF_PROG_GET_FD_BY_ID, &attr);
	}
	if (kind == 'l') {
		attr.link_id = id;
		return sys_bpf(BPF_LINK_GET_FD_BY_ID, &attr);
	}
	attr.map_id = id;
	return sys_bpf(BPF_MAP_GET_FD_BY_ID, &attr);
}

static const char *prog_name(__u32 id)
{
	static struct bpf_prog_info info;
	int fd = fd_by_id('p', id);

	if (fd < 0)
		return "?";
	if (obj_info(fd, &info, sizeof(info)))
		info.name[0] = '\0';
	close(fd);
	return info.name;
}

static int walk(int next_cmd, int kind)
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
		fd = fd_by_id(kind, id);
		if (fd < 0)
			continue;	/* gone meanwhile */
		if (kind == 'l') {
			struct bpf_link_info info;

			if (!obj_info(fd, &info, sizeof(info)))
				printf("link %u %u %u %s\n", id, info.type, info.prog_id,
				       prog_name(info.prog_id));
		} else {
			struct bpf_prog_info info;

			if (!obj_info(fd, &info, sizeof(info)))
				printf("prog %u %s\n", id, info.name);
		}
		close(fd);
	}
}

/* Still there is what matters: a leaked object can be held by a pin, a
 * cgroup (attached without a link) or another object, not only by an fd. */
static int alive(void)
{
	char line[128], kind[16];
	unsigned int id;
	int fd;

	while (fgets(line, sizeof(line), stdin)) {
		if (sscanf(line, " %15[a-z]_id: %u", kind, &id) != 2)
			continue;
		if (strcmp(kind, "prog") && strcmp(kind, "link") && strcmp(kind, "map"))
			continue;
		fd = fd_by_id(kind[0], id);
		if (fd < 0)
			continue;
		if (kind[0] == 'p') {
			struct bpf_prog_info info;

			obj_info(fd, &info, sizeof(info));
			printf("prog_id:%u %s\n", id, info.name);
		} else if (kind[0] == 'm') {
			struct bpf_map_info info;

			obj_info(fd, &info, sizeof(info));
			printf("map_id:%u %s\n", id, info.name);
		} else {
			struct bpf_link_info info;

			obj_info(fd, &info, sizeof(info));
			printf("link_id:%u type %u prog %s\n", id, info.type,
			       prog_name(info.prog_id));
		}
		close(fd);
	}
	return 0;
}

static int cgroup(const char *path)
{
	__u32 ids[256];
	union bpf_attr attr;
	int fd, type, answered = 0;

	fd = open(path, O_RDONLY | O_DIRECTORY);
	if (fd < 0) {
		fprintf(stderr, "tk_bpfls: %s: %s\n", path, strerror(errno));
		return 1;
	}
	/* Every attach type: those that are not cgroup hooks are refused. */
	for (type = 0; type < 64; type++) {
		memset(&attr, 0, sizeof(attr));
		attr.query.target_fd = fd;
		attr.query.attach_type = type;
		attr.query.prog_ids = (__u64)(unsigned long)ids;
		attr.query.prog_cnt = sizeof(ids) / sizeof(ids[0]);
		if (sys_bpf(BPF_PROG_QUERY, &attr))
			continue;
		answered = 1;
		for (__u32 i = 0; i < attr.query.prog_cnt; i++)
			printf("prog_id:%u\n", ids[i]);
	}
	close(fd);
	return answered ? 0 : 1;
}

static void on_signal(int sig)
{
	(void)sig;
}

static int fake(const char *pin, const char *cgroup)
{
	/* A handler, as the tools have: a background job ignores SIGINT. */
	struct sigaction sa = { .sa_handler = on_signal };
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	union bpf_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	if (cgroup) {
		insns[0].imm = 1;	/* let the packet pass */
		attr.prog_type = BPF_PROG_TYPE_CGROUP_SKB;
		attr.expected_attach_type = BPF_CGROUP_INET_EGRESS;
	}
	attr.insns = (__u64)(unsigned long)insns;
	attr.insn_cnt = 2;
	attr.license = (__u64)(unsigned long)"GPL";
	strcpy(attr.prog_name, "tk_fake");
	fd = sys_bpf(BPF_PROG_LOAD, &attr);
	if (fd < 0) {
		fprintf(stderr, "tk_bpfls: cannot load a program: %s\n", strerror(errno));
		return 1;
	}
	if (pin) {
		memset(&attr, 0, sizeof(attr));
		attr.pathname = (__u64)(unsigned long)pin;
		attr.bpf_fd = fd;
		if (sys_bpf(BPF_OBJ_PIN, &attr)) {
			fprintf(stderr, "tk_bpfls: cannot pin at %s: %s\n", pin, strerror(errno));
			return 1;
		}
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (cgroup) {
		int cg = open(cgroup, O_RDONLY | O_DIRECTORY);

		memset(&attr, 0, sizeof(attr));
		attr.target_fd = cg;
		attr.attach_bpf_fd = fd;
		attr.attach_type = BPF_CGROUP_INET_EGRESS;
		if (cg < 0 || sys_bpf(BPF_PROG_ATTACH, &attr)) {
			fprintf(stderr, "tk_bpfls: cannot attach to %s: %s\n", cgroup,
				strerror(errno));
			return 1;
		}
	}
	fprintf(stderr, "tk_fake: Ctrl-C to end.\n");
	pause();
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "progs"))
		return walk(BPF_PROG_GET_NEXT_ID, 'p');
	if (argc == 2 && !strcmp(argv[1], "links"))
		return walk(BPF_LINK_GET_NEXT_ID, 'l');
	if (argc == 2 && !strcmp(argv[1], "alive"))
		return alive();
	if (argc == 3 && !strcmp(argv[1], "cgroup"))
		return cgroup(argv[2]);
	if (argc >= 2 && !strcmp(argv[1], "fake"))	/* extra arguments: tool_start's -v */
		return fake(argc >= 4 && !strcmp(argv[2], "-p") ? argv[3] : NULL,
			    argc >= 4 && !strcmp(argv[2], "-c") ? argv[3] : NULL);
	fprintf(stderr, "usage: tk_bpfls progs|links|alive|cgroup PATH|fake [-p PIN|-c CGROUP]\n");
	return 2;
}
