// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Benchmark workload for bindsnoop: N times socket(), bind() to 127.0.0.1
 * port 0 (the kernel picks one), close(), of a UDP socket.
 *   bindloop N */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/socket.h>

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	long i, n = argc > 1 ? atol(argv[1]) : 0;
	int fd;

	if (n <= 0) {
		fprintf(stderr, "usage: bindloop N\n");
		return 2;
	}
	for (i = 0; i < n; i++) {
		fd = socket(AF_INET, SOCK_DGRAM, 0);
		if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a))) {
			perror("bindloop");
			return 1;
		}
		close(fd);
	}
	return 0;
}
