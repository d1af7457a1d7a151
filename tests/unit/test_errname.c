/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <string.h>

#include "check.h"
#include "errname.h"

static void names_the_errors_finit_module_returns(void)
{
	CHECK_STR(errno_name(EPERM), "EPERM");
	CHECK_STR(errno_name(ENOEXEC), "ENOEXEC");
	CHECK_STR(errno_name(EEXIST), "EEXIST");
	CHECK_STR(errno_name(ENOENT), "ENOENT");
	CHECK_STR(errno_name(EKEYREJECTED), "EKEYREJECTED");
	CHECK_STR(errno_name(EBADMSG), "EBADMSG");
	CHECK_STR(errno_name(ENODEV), "ENODEV");
	CHECK_STR(errno_name(ENXIO), "ENXIO");
	CHECK_STR(errno_name(EOPNOTSUPP), "EOPNOTSUPP");
	CHECK_STR(errno_name(ENOSYS), "ENOSYS");
	CHECK_STR(errno_name(EBADF), "EBADF");
}

static void spells_aliases_by_their_first_name(void)
{
	CHECK_STR(errno_name(EWOULDBLOCK), "EAGAIN");
	CHECK_STR(errno_name(EDEADLOCK), "EDEADLK");
}

static void has_a_name_for_every_linux_errno(void)
{
	for (int e = 1; e <= EHWPOISON; e++) {
		if (e == 41 || e == 58) /* numbers Linux never assigned */
			continue;
		CHECK(strcmp(errno_name(e), "EUNKNOWN") != 0);
	}
	CHECK_STR(errno_name(0), "EUNKNOWN");
	CHECK_STR(errno_name(4095), "EUNKNOWN");
}

static const struct unit_test errname_tests[] = {
	{ "errname names the errors finit_module returns", names_the_errors_finit_module_returns },
	{ "errname spells aliases by their first name", spells_aliases_by_their_first_name },
	{ "errname has a name for every Linux errno", has_a_name_for_every_linux_errno },
	{ NULL, NULL },
};
UNIT_SUITE(errname_tests)
