/* SPDX-License-Identifier: MIT */
#include "plan.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { UNSEEN, VISITING, PLACED };

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

static int add_edge(size_t **edges, size_t *len, size_t to)
{
	for (size_t i = 0; i < *len; i++)
		if ((*edges)[i] == to)
			return 0;
	if (grow(edges, *len, sizeof(**edges)) < 0)
		return -1;
	(*edges)[(*len)++] = to;
	return 0;
}

int plan_add_dep(struct plan *plan, size_t index, size_t dep)
{
	return add_edge(&plan->modules[index].deps, &plan->modules[index].ndeps, dep);
}

int plan_add_order(struct plan *plan, size_t index, size_t before)
{
	return add_edge(&plan->modules[index].after, &plan->modules[index].nafter, before);
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

static int place(struct plan *plan, size_t index, bool via_soft, char *err, size_t errlen);

/* Places what m must follow (deps, then after) and raises m's level above theirs. */
static int place_edges(struct plan *plan, struct plan_module *m, const size_t *edges, size_t n,
		       bool via_soft, char *err, size_t errlen)
{
	for (size_t i = 0; i < n; i++) {
		if (place(plan, edges[i], via_soft, err, errlen) < 0)
			return -1;
		if (plan->modules[edges[i]].level + 1 > m->level)
			m->level = plan->modules[edges[i]].level + 1;
	}
	return 0;
}

static int place(struct plan *plan, size_t index, bool via_soft, char *err, size_t errlen)
{
	struct plan_module *m = &plan->modules[index];

	if (m->state == PLACED)
		return 0;
	if (m->state == VISITING) {
		snprintf(err, errlen, "dependency cycle through module %s%s", m->name,
			 via_soft ? " (pre: softdeps included)" : "");
		return -1;
	}
	m->state = VISITING;
	m->level = 0;
	if (place_edges(plan, m, m->deps, m->ndeps, via_soft, err, errlen) < 0 ||
	    place_edges(plan, m, m->after, m->nafter, true, err, errlen) < 0)
		return -1;
	m->state = PLACED;
	plan->order[plan->norder++] = index;
	return 0;
}

/* The first listed module, in list order, whose dependencies reach each unlisted one. */
static void name_puller(struct plan *plan, size_t index, const char *root)
{
	struct plan_module *m = &plan->modules[index];

	if (m->state != UNSEEN)
		return;
	m->state = VISITING;
	if (!m->listed_line)
		m->pulled_by = root;
	for (size_t i = 0; i < m->ndeps; i++)
		name_puller(plan, m->deps[i], root);
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
	for (size_t i = 0; i < plan->nlisted; i++)
		name_puller(plan, plan->listed[i], plan->modules[plan->listed[i]].name);
	for (size_t i = 0; i < plan->len; i++)
		plan->modules[i].state = UNSEEN;
	for (size_t i = 0; i < plan->nlisted; i++)
		if (place(plan, plan->listed[i], false, err, errlen) < 0)
			return -1;
	if (mark_optional(plan) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

/* chain[k]: the module at position k's cost plus the longest chain of those that wait for it. */
static void chain_costs(const struct plan *plan, unsigned long long *chain)
{
	for (size_t k = 0; k < plan->norder; k++)
		chain[k] = plan->modules[plan->order[k]].cost;
	/* Whatever waits for a module comes later in the order, so is final when it is reached. */
	for (size_t k = plan->norder; k-- > 0;) {
		const struct plan_module *m = &plan->modules[plan->order[k]];
		for (size_t i = 0; i < m->ndeps + m->nafter; i++) {
			size_t d = i < m->ndeps ? m->deps[i] : m->after[i - m->ndeps];
			size_t at = plan_position(plan, d);
			unsigned long long through = plan->modules[d].cost + chain[k];
			if (through > chain[at])
				chain[at] = through;
		}
	}
}

int plan_rank(struct plan *plan)
{
	unsigned long long *chain = calloc(plan->norder ? plan->norder : 1, sizeof(*chain));

	if (!chain)
		return -1;
	chain_costs(plan, chain);
	for (size_t k = 0; k < plan->norder; k++) {
		unsigned rank = 0;
		for (size_t j = 0; j < plan->norder; j++)
			rank += chain[j] > chain[k] || (chain[j] == chain[k] && j < k);
		plan->modules[plan->order[k]].rank = rank;
	}
	free(chain);
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
		free(plan->modules[i].after);
		for (size_t w = 0; w < plan->modules[i].nweakdeps; w++)
			free(plan->modules[i].weakdeps[w]);
		free(plan->modules[i].weakdeps);
	}
	free(plan->modules);
	free(plan->listed);
	free(plan->order);
	memset(plan, 0, sizeof(*plan));
}
