#include "plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { UNSEEN, VISITING, PLACED };

static int grow(void *array, size_t len, size_t size)
{
	void **p = array;
	void *grown = realloc(*p, (len + 1) * size);

	if (!grown)
		return -1;
	*p = grown;
	return 0;
}

long plan_find(const struct plan *plan, const char *name)
{
	for (size_t i = 0; i < plan->len; i++)
		if (strcmp(plan->modules[i].name, name) == 0)
			return (long)i;
	return -1;
}

long plan_module(struct plan *plan, const char *name)
{
	long found = plan_find(plan, name);

	if (found >= 0)
		return found;
	if (grow(&plan->modules, plan->len, sizeof(*plan->modules)) < 0)
		return -1;
	struct plan_module *m = &plan->modules[plan->len];
	memset(m, 0, sizeof(*m));
	m->name = strdup(name);
	if (!m->name)
		return -1;
	return (long)plan->len++;
}

int plan_add_dep(struct plan *plan, size_t index, size_t dep)
{
	struct plan_module *m = &plan->modules[index];

	for (size_t i = 0; i < m->ndeps; i++)
		if (m->deps[i] == dep)
			return 0;
	if (grow(&m->deps, m->ndeps, sizeof(*m->deps)) < 0)
		return -1;
	m->deps[m->ndeps++] = dep;
	return 0;
}

int plan_list(struct plan *plan, size_t index, unsigned line, bool optional, const char *params,
	      char *err, size_t errlen)
{
	struct plan_module *m = &plan->modules[index];

	if (m->listed_line) {
		if (strcmp(m->params ? m->params : "", params) != 0) {
			snprintf(err, errlen,
				 "module %s is listed again with other parameters (first at line "
				 "%u)",
				 m->name, m->listed_line);
			return -1;
		}
		m->listed_optional = m->listed_optional && optional;
		return 0;
	}
	m->params = strdup(params);
	if (!m->params || grow(&plan->listed, plan->nlisted, sizeof(*plan->listed)) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	m->listed_line = line;
	m->listed_optional = optional;
	plan->listed[plan->nlisted++] = index;
	return 0;
}

void plan_mark_sequential(struct plan *plan, size_t index)
{
	plan->modules[index].sequential = true;
}

static int place(struct plan *plan, size_t index, const char *root, char *err, size_t errlen)
{
	struct plan_module *m = &plan->modules[index];

	if (m->state == PLACED)
		return 0;
	if (m->state == VISITING) {
		snprintf(err, errlen, "dependency cycle through module %s", m->name);
		return -1;
	}
	m->state = VISITING;
	if (!m->listed_line && !m->pulled_by)
		m->pulled_by = root;
	m->level = 0;
	for (size_t i = 0; i < m->ndeps; i++) {
		struct plan_module *dep = &plan->modules[m->deps[i]];
		if (place(plan, m->deps[i], root, err, errlen) < 0)
			return -1;
		if (dep->level + 1 > m->level)
			m->level = dep->level + 1;
	}
	m->state = PLACED;
	plan->order[plan->norder++] = index;
	return 0;
}

/* Walking users before what they use, a required user makes all it needs required. */
static int mark_optional(struct plan *plan)
{
	bool *required = calloc(plan->len ? plan->len : 1, sizeof(*required));

	if (!required)
		return -1;
	for (size_t i = 0; i < plan->len; i++)
		required[i] = plan->modules[i].listed_line && !plan->modules[i].listed_optional;
	for (size_t k = plan->norder; k-- > 0;) {
		struct plan_module *m = &plan->modules[plan->order[k]];
		if (!required[plan->order[k]])
			continue;
		for (size_t i = 0; i < m->ndeps; i++)
			required[m->deps[i]] = true;
	}
	for (size_t i = 0; i < plan->len; i++) {
		struct plan_module *m = &plan->modules[i];
		m->flags &= ~(ML_OPTIONAL | ML_DEPENDENCY | ML_SEQUENTIAL);
		if (m->sequential)
			m->flags |= ML_SEQUENTIAL;
		if (!required[i])
			m->flags |= ML_OPTIONAL;
		if (!m->listed_line)
			m->flags |= ML_DEPENDENCY;
	}
	free(required);
	return 0;
}

int plan_order(struct plan *plan, char *err, size_t errlen)
{
	free(plan->order);
	plan->norder = 0;
	plan->order = malloc((plan->len ? plan->len : 1) * sizeof(*plan->order));
	if (!plan->order) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < plan->len; i++) {
		plan->modules[i].state = UNSEEN;
		plan->modules[i].pulled_by = NULL;
	}
	for (size_t i = 0; i < plan->nlisted; i++) {
		size_t index = plan->listed[i];
		if (place(plan, index, plan->modules[index].name, err, errlen) < 0)
			return -1;
	}
	if (mark_optional(plan) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

size_t plan_position(const struct plan *plan, size_t index)
{
	for (size_t k = 0; k < plan->norder; k++)
		if (plan->order[k] == index)
			return k;
	return (size_t)-1;
}

void plan_free(struct plan *plan)
{
	for (size_t i = 0; i < plan->len; i++) {
		free(plan->modules[i].name);
		free(plan->modules[i].path);
		free(plan->modules[i].params);
		free(plan->modules[i].deps);
	}
	free(plan->modules);
	free(plan->listed);
	free(plan->order);
	memset(plan, 0, sizeof(*plan));
}
