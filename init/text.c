/* SPDX-License-Identifier: MIT */
#include "text.h"

size_t span(const char *s, const char *stop)
{
	size_t n = 0;

	for (; s[n]; n++)
		for (const char *c = stop; *c; c++)
			if (s[n] == *c)
				return n;
	return n;
}

char *find(const char *s, char c)
{
	s += span(s, (const char[]){ c, '\0' });
	return *s ? (char *)s : NULL;
}
