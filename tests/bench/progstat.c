// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Where the time goes: run CMD while BPF run-time statistics are on
 * (BPF_ENABLE_STATS, which ends when this process exits) and report, for
 * each BPF program process PID holds, how many times it ran meanwhile and
 * its mean run time.
 *   progstat PID CMD [ARG]...
 * CMD's output passes through; then one line per program on stderr:
 *   "progstat NAME RUNS NS_PER_RUN". */
#include <errno.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <bpf/bpf.h>

#define MAXPROGS 64

struct prog {
	__u32 id;
	char name[BPF_OBJ_NAME_LEN];
	__u64 cnt, ns;
};

static int find_progs(int pid, struct prog *p)
{
	char path[64], line[128], fpath[320];
	struct dirent *de;
	int n = 0, i;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo", pid);
	d = opendir(path);
	if (!d)
		return -1;
	while ((de = readdir(d)) && n < MAXPROGS) {
		unsigned int id;
		FILE *f;

		snprintf(fpath, sizeof(fpath), "%s/%s", path, de->d_name);
		f = fopen(fpath, "r");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f)) {
			if (sscanf(line, "prog_id: %u", &id) != 1)
				continue;
			for (i = 0; i < n && p[i].id != id; i++)
				;
			if (i == n)
				p[n++].id = id;
		}
		fclose(f);
	}
	closedir(d);
	return n;
}

static void snapshot(struct prog *p, int n, int sign)
{
	for (int i = 0; i < n; i++) {
		struct bpf_prog_info info;
		__u32 len = sizeof(info);
		int fd = bpf_prog_get_fd_by_id(p[i].id);

		memset(&info, 0, sizeof(info));
		if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len)) {
			if (fd >= 0)
				close(fd);
			continue;
		}
		close(fd);
		memcpy(p[i].name, info.name, sizeof(p[i].name));
		p[i].cnt += sign * info.run_cnt;
		p[i].ns += sign * info.run_time_ns;
	}
}

int main(int argc, char **argv)
{
	struct prog progs[MAXPROGS] = {};
	int n, stats, status;
	pid_t child;

	if (argc < 3) {
		fprintf(stderr, "usage: progstat PID CMD [ARG]...\n");
		return 2;
	}
	stats = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (stats < 0) {
		fprintf(stderr, "progstat: cannot enable BPF stats: %s\n", strerror(errno));
		return 1;
	}
	n = find_progs(atoi(argv[1]), progs);
	if (n <= 0) {
		fprintf(stderr, "progstat: no BPF programs held by pid %s\n", argv[1]);
		return 1;
	}
	snapshot(progs, n, -1);
	child = fork();
	if (child == 0) {
		close(stats);
		execvp(argv[2], argv + 2);
		_exit(127);
	}
	if (child < 0 || waitpid(child, &status, 0) < 0)
		return 1;
	snapshot(progs, n, 1);
	close(stats);
	for (int i = 0; i < n; i++)
		fprintf(stderr, "progstat %s %llu %.1f\n", progs[i].name[0] ? progs[i].name : "?",
			(unsigned long long)progs[i].cnt,
			progs[i].cnt ? (double)progs[i].ns / progs[i].cnt : 0.0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
