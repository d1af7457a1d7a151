/* SPDX-License-Identifier: MIT */
/*
 * Runs a fuzz target over saved inputs without libFuzzer, so the regression needs only the
 * host compiler and its sanitizers. Each argument is a file or a directory of files. Every
 * input runs in a child of its own, so one crash or leak names its input and the others still
 * run; the closing line is "N passed, N failed".
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <sanitizer/common_interface_defs.h>

#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static unsigned passed, failed;
/* Where reports go once the children's stdout and stderr are silenced. */
static FILE *report;

static void fail(const char *path, const char *why)
{
	fprintf(report, "FAIL %s: %s\n", path, why);
	failed++;
}

static void run_child(const uint8_t *data, size_t size)
{
	int null = open("/dev/null", O_WRONLY);

	/* The targets print what a user would see for bad input; only sanitizer reports matter. */
	if (null < 0 || dup2(null, STDOUT_FILENO) < 0 || dup2(null, STDERR_FILENO) < 0)
		_exit(125);
	/*
	 * Set here, not before the fork: a report fd set by another process is taken for a log
	 * file of the parent's and replaced by a file ".PID" in the working directory.
	 */
	__sanitizer_set_report_fd((void *)(intptr_t)fileno(report));
	LLVMFuzzerTestOneInput(data, size);
	/* exit, not _exit: LeakSanitizer checks at exit. */
	exit(0);
}

static void replay(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;

	if (fd < 0 || fstat(fd, &st) < 0) {
		fail(path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return;
	}
	/* Exactly the input's size, as libFuzzer gives it, so an overread is caught. */
	uint8_t *data = malloc(st.st_size ? (size_t)st.st_size : 1);
	ssize_t got = data ? read(fd, data, (size_t)st.st_size) : -1;
	close(fd);
	if (got != st.st_size) {
		fail(path, "short read");
		free(data);
		return;
	}

	fflush(NULL);
	pid_t pid = fork();
	int status;
	char why[64];
	if (pid == 0)
		run_child(data, (size_t)got);
	free(data);
	if (pid < 0 || waitpid(pid, &status, 0) < 0) {
		fail(path, strerror(errno));
	} else if (WIFSIGNALED(status)) {
		snprintf(why, sizeof(why), "killed by signal %d", WTERMSIG(status));
		fail(path, why);
	} else if (WEXITSTATUS(status) != 0) {
		snprintf(why, sizeof(why), "exit status %d", WEXITSTATUS(status));
		fail(path, why);
	} else {
		passed++;
	}
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int no_dot(const struct dirent *e)
{
	return e->d_name[0] != '.';
}

static void replay_arg(const char *arg)
{
	struct stat st;
	struct dirent **names;
	char path[4096];

	if (stat(arg, &st) < 0) {
		fail(arg, strerror(errno));
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		replay(arg);
		return;
	}
	int n = scandir(arg, &names, no_dot, by_name);
	if (n < 0) {
		fail(arg, strerror(errno));
		return;
	}
	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", arg, names[i]->d_name);
		replay(path);
		free(names[i]);
	}
	free(names);
}

int main(int argc, char **argv)
{
	int fd = dup(STDERR_FILENO);

	if (fd < 0 || !(report = fdopen(fd, "w"))) {
		perror("dup");
		return 2;
	}
	setvbuf(report, NULL, _IONBF, 0);
	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	for (int i = 1; i < argc; i++)
		replay_arg(argv[i]);
	printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
