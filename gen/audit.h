/* SPDX-License-Identifier: MIT */
/* modlatch-gen --audit: what in an image could open a window before or beside the latch. */
#ifndef MODLATCH_AUDIT_H
#define MODLATCH_AUDIT_H

/* Runs the audit command; returns the exit status (0 clean, 1 findings, 2 usage). */
int audit_main(int argc, char **argv);

#endif
