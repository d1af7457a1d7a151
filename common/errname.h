/* SPDX-License-Identifier: MIT */
/* errno values by their symbolic names: logs say ENOEXEC, not "Exec format error". */
#ifndef MODLATCH_ERRNAME_H
#define MODLATCH_ERRNAME_H

/* The name of errnum ("EPERM"); "EUNKNOWN" for a number Linux does not define. */
const char *errno_name(int errnum);

#endif
