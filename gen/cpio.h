/* SPDX-License-Identifier: MIT */
/* modlatch-gen --cpio: a directory tree as a reproducible initramfs archive (newc format). */
#ifndef MODLATCH_CPIO_H
#define MODLATCH_CPIO_H

/* modlatch-gen --cpio [--mtime SECONDS] [--node NAME:MODE:c|b:MAJOR:MINOR]... DIR OUTPUT;
 * 0 written, 1 not written, 2 usage. */
int cpio_main(int argc, char **argv);

#endif
