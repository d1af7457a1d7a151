/* SPDX-License-Identifier: MIT */
#include "fmt.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

struct out {
	char *buf;
	size_t size, len;
};

/* Counts every character, stores what fits: the result tells how long it would have been. */
static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void put_number(struct out *o, unsigned long long v, unsigned base, bool negative,
		       unsigned width, char pad)
{
	char digits[24];
	unsigned n = 0;

	do {
		digits[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (negative)
		digits[n++] = '-';
	for (; width > n; width--)
		put(o, pad);
	while (n)
		put(o, digits[--n]);
}

/* Reads a length modifier (l, ll, z) and the conversion after it; returns the conversion. */
static char conversion(const char **f, int *longs)
{
	*longs = 0;
	for (; **f == 'l' || **f == 'z'; (*f)++)
		*longs += 1; /* size_t is unsigned long on every Linux ABI */
	return **f;
}

static void put_integer(struct out *o, char c, int longs, va_list *ap, unsigned width, char pad)
{
	if (c == 'd') {
		long long v = longs >= 2 ? va_arg(*ap, long long)
			      : longs	 ? va_arg(*ap, long)
					 : va_arg(*ap, int);
		unsigned long long magnitude =
			v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
		put_number(o, magnitude, 10, v < 0, width, pad);
		return;
	}
	unsigned long long v = longs >= 2 ? va_arg(*ap, unsigned long long)
			       : longs	  ? va_arg(*ap, unsigned long)
					  : va_arg(*ap, unsigned);
	put_number(o, v, c == 'x' ? 16 : 10, false, width, pad);
}

size_t vfmt(char *buf, size_t size, const char *f, va_list ap)
{
	struct out o = { buf, size, 0 };
	va_list args;

	va_copy(args, ap);
	for (; *f; f++) {
		if (*f != '%') {
			put(&o, *f);
			continue;
		}
		f++;
		char pad = *f == '0' ? '0' : ' ';
		unsigned width = 0;
		int precision = -1, longs;
		for (; *f >= '0' && *f <= '9'; f++)
			width = width * 10 + (unsigned)(*f - '0');
		if (f[0] == '.' && f[1] == '*') {
			precision = va_arg(args, int);
			f += 2;
		}
		char c = conversion(&f, &longs);
		if (c == 's') {
			const char *s = va_arg(args, const char *);
			for (int i = 0; s[i] && (precision < 0 || i < precision); i++)
				put(&o, s[i]);
		} else if (c == 'c') {
			put(&o, (char)va_arg(args, int));
		} else if (c == 'd' || c == 'u' || c == 'x') {
			put_integer(&o, c, longs, &args, width, pad);
		} else if (c == '%') {
			put(&o, '%');
		} else {
			put(&o, '%');
			if (!c)
				break;
			put(&o, c);
		}
	}
	va_end(args);
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return o.len;
}

size_t fmt(char *buf, size_t size, const char *format, ...)
{
	va_list ap;

	va_start(ap, format);
	size_t len = vfmt(buf, size, format, ap);
	va_end(ap);
	return len;
}

void fdprint(int fd, const char *format, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, format);
	size_t len = vfmt(line, sizeof(line), format, ap);
	va_end(ap);
	if (len >= sizeof(line))
		len = sizeof(line) - 1;
	write_all(fd, line, len);
}

void write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return; /* nowhere left to say that saying failed */
		buf += n;
		len -= (size_t)n;
	}
}
