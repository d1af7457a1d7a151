/* SPDX-License-Identifier: MIT */
#include "util.h"

#include <stdlib.h>
#include <string.h>

int grow(void *array, size_t len, size_t size)
{
	void **p = array;
	void *grown = realloc(*p, (len + 1) * size);

	if (!grown)
		return -1;
	*p = grown;
	return 0;
}

int append_copy(char ***array, size_t *len, const char *s)
{
	char *copy = strdup(s);

	if (!copy || grow(array, *len, sizeof(**array)) < 0) {
		free(copy);
		return -1;
	}
	(*array)[(*len)++] = copy;
	return 0;
}

bool plain_relative(const char *path)
{
	for (const char *p = path;; p++) {
		size_t len = strcspn(p, "/");
		if (len == 0 || (p[0] == '.' && (len == 1 || (len == 2 && p[1] == '.'))))
			return false;
		p += len;
		if (!*p)
			return true;
	}
}

bool ends_with(const char *s, const char *suffix)
{
	size_t len = strlen(s), n = strlen(suffix);

	return len >= n && strcmp(s + len - n, suffix) == 0;
}
