/* Hand PID 1 over: exec the first supervisor of the compiled-in list that can run. */
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "boot.h"
#include "config.h"
#include "errname.h"
#include "log.h"

extern char **environ;

/* A supervisor path that leads back to this binary (say /sbin/init -> modlatch) would loop. */
static bool is_this_program(const char *path)
{
	struct stat self, other;

	return stat("/proc/self/exe", &self) == 0 && stat(path, &other) == 0 &&
	       self.st_dev == other.st_dev && self.st_ino == other.st_ino;
}

_Noreturn void exec_supervisor(void)
{
	for (unsigned i = 0; ml_supervisors[i]; i++) {
		const char *const *argv = ml_supervisors[i];
		if (is_this_program(argv[0])) {
			say(LOG_WARNING, "skipping supervisor %s: it is modlatch itself", argv[0]);
			continue;
		}
		say(LOG_INFO, "exec %s", argv[0]);
		execve(argv[0], (char *const *)argv, environ);
		say(LOG_ERR, "cannot exec %s: %s", argv[0], errno_name(errno));
	}
	stop_machine("no supervisor could be executed");
}
