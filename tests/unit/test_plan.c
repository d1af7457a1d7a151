/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "plan.h"

static char err[256];

/* Adds a module with dependencies named in "a b c" (each added too). */
static size_t add(struct plan *plan, const char *name, const char *deps)
{
	size_t index = (size_t)plan_module(plan, name);
	char copy[256], *save = NULL;

	strcpy(copy, deps);
	for (char *dep = strtok_r(copy, " ", &save); dep; dep = strtok_r(NULL, " ", &save))
		plan_add_dep(plan, index, (size_t)plan_module(plan, dep));
	return index;
}

static const char *order_of(const struct plan *plan)
{
	static char text[512];

	text[0] = '\0';
	for (size_t k = 0; k < plan->norder; k++) {
		strcat(text, plan->modules[plan->order[k]].name);
		strcat(text, k + 1 < plan->norder ? " " : "");
	}
	return text;
}

static struct plan bridge_netfilter(void)
{
	struct plan plan = { 0 };

	add(&plan, "llc", "");
	add(&plan, "stp", "llc");
	add(&plan, "bridge", "stp llc");
	add(&plan, "br_netfilter", "bridge stp llc");
	add(&plan, "xor", "");
	return plan;
}

static void orders_dependencies_before_their_users(void)
{
	struct plan plan = bridge_netfilter();

	CHECK(plan_list(&plan, 4, 1, false, "", err, sizeof(err)) == 0);
	CHECK(plan_list(&plan, 3, 2, false, "", err, sizeof(err)) == 0);
	CHECK(plan_order(&plan, err, sizeof(err)) == 0);
	CHECK_STR(order_of(&plan), "xor llc stp bridge br_netfilter");
	plan_free(&plan);
}

static void gives_each_module_its_dependency_level(void)
{
	struct plan plan = bridge_netfilter();

	plan_list(&plan, 3, 1, false, "", err, sizeof(err));
	plan_list(&plan, 4, 2, false, "", err, sizeof(err));
	CHECK(plan_order(&plan, err, sizeof(err)) == 0);
	CHECK(plan.modules[0].level == 0);
	CHECK(plan.modules[1].level == 1);
	CHECK(plan.modules[2].level == 2);
	CHECK(plan.modules[3].level == 3);
	CHECK(plan.modules[4].level == 0);
	plan_free(&plan);
}

static void names_who_pulled_a_dependency_in(void)
{
	struct plan plan = bridge_netfilter();

	plan_list(&plan, 3, 1, false, "", err, sizeof(err));
	plan_list(&plan, 2, 2, false, "", err, sizeof(err));
	CHECK(plan_order(&plan, err, sizeof(err)) == 0);
	CHECK_STR(plan.modules[1].pulled_by, "br_netfilter");
	CHECK(plan.modules[1].flags & ML_DEPENDENCY);
	CHECK(!(plan.modules[2].flags & ML_DEPENDENCY)); /* bridge is listed too */
	plan_free(&plan);
}

static void collapses_duplicates_and_rejects_conflicting_parameters(void)
{
	struct plan plan = bridge_netfilter();

	CHECK(plan_list(&plan, 4, 1, false, "a=1", err, sizeof(err)) == 0);
	CHECK(plan_list(&plan, 4, 5, false, "a=1", err, sizeof(err)) == 0);
	CHECK(plan_list(&plan, 4, 7, false, "a=2", err, sizeof(err)) == -1);
	CHECK(strstr(err, "module xor is listed again with other parameters (first at line 1)"));
	CHECK(plan_order(&plan, err, sizeof(err)) == 0);
	CHECK(plan.norder == 1);
	plan_free(&plan);
}

static void keeps_optional_only_what_nothing_required_needs(void)
{
	struct plan plan = bridge_netfilter();

	plan_list(&plan, 3, 1, true, "", err, sizeof(err));  /* ?br_netfilter */
	plan_list(&plan, 1, 2, false, "", err, sizeof(err)); /* stp */
	CHECK(plan_order(&plan, err, sizeof(err)) == 0);
	CHECK(plan.modules[3].flags & ML_OPTIONAL);
	CHECK(plan.modules[2].flags & ML_OPTIONAL);    /* bridge: only the optional one needs it */
	CHECK(!(plan.modules[1].flags & ML_OPTIONAL)); /* stp: listed required */
	CHECK(!(plan.modules[0].flags & ML_OPTIONAL)); /* llc: stp needs it */
	plan_free(&plan);
}

static void refuses_a_dependency_cycle(void)
{
	struct plan plan = { 0 };

	add(&plan, "a", "b");
	add(&plan, "b", "a");
	plan_list(&plan, 0, 1, false, "", err, sizeof(err));
	CHECK(plan_order(&plan, err, sizeof(err)) == -1);
	CHECK(strstr(err, "dependency cycle through module a") != NULL);
	plan_free(&plan);
}

/* a needs x; s needs y; a has "softdep pre: s". */
static struct plan softdep_pair(void)
{
	struct plan plan = { 0 };

	add(&plan, "a", "x");
	add(&plan, "s", "y");
	plan_list(&plan, 0, 1, false, "", err, sizeof(err));
	plan_list(&plan, 2, 2, false, "", err, sizeof(err));
	return plan;
}

static void orders_a_pre_softdep_before_its_user_and_raises_its_level(void)
{
	struct plan plan = softdep_pair();

	CHECK(plan_order(&plan, err, sizeof(err)) == 0);
	CHECK_STR(order_of(&plan), "x a y s");
	CHECK(plan.modules[0].level == 1);
	CHECK(plan_add_order(&plan, 0, 2) == 0);
	CHECK(plan_order(&plan, err, sizeof(err)) == 0);
	CHECK_STR(order_of(&plan), "x y s a");
	CHECK(plan.modules[0].level == 2); /* above s (level 1), so never in s's wave */
	CHECK(plan.modules[0].ndeps == 1); /* ordered after s, but s is not needed */
	plan_free(&plan);
}

static void refuses_a_cycle_through_a_softdep(void)
{
	struct plan plan = softdep_pair();

	plan_add_order(&plan, 1, 0); /* x has "softdep pre: a", and a needs x */
	CHECK(plan_order(&plan, err, sizeof(err)) == -1);
	CHECK(strstr(err, "dependency cycle through module a (pre: softdeps included)") != NULL);
	plan_free(&plan);
}

static void names_the_puller_by_dependencies_not_by_softdeps(void)
{
	struct plan plan = { 0 };

	add(&plan, "u", "");
	add(&plan, "v", "p");
	plan_list(&plan, 0, 1, false, "", err, sizeof(err));
	plan_list(&plan, 1, 2, false, "", err, sizeof(err));
	plan_add_order(&plan, 0, 2); /* u has "softdep pre: p", which v needs */
	CHECK(plan_order(&plan, err, sizeof(err)) == 0);
	CHECK_STR(order_of(&plan), "p u v");
	CHECK_STR(plan.modules[2].pulled_by, "v");
	plan_free(&plan);
}

/* The rank of each module, in load order: "name=rank ...". */
static const char *ranks_of(const struct plan *plan)
{
	static char text[512];
	size_t len = 0;

	text[0] = '\0';
	for (size_t k = 0; k < plan->norder; k++) {
		const struct plan_module *m = &plan->modules[plan->order[k]];
		len += (size_t)snprintf(text + len, sizeof(text) - len, "%s%s=%u", k ? " " : "",
					m->name, m->rank);
	}
	return text;
}

static void ranks_first_what_the_longest_chain_of_costs_waits_behind(void)
{
	struct plan plan = { 0 };
	const char *names[] = { "small", "slow", "big", "tiny", "after" };
	const unsigned long long costs[] = { 5, 300, 200, 1, 1 };

	add(&plan, "small", "");
	add(&plan, "slow", "small");
	add(&plan, "big", "");
	add(&plan, "tiny", "");
	add(&plan, "after", "");
	plan_add_order(&plan, 4, 3); /* after has "softdep pre: tiny": an order edge counts too */
	for (size_t i = 0; i < 5; i++) {
		CHECK_STR(plan.modules[i].name, names[i]);
		plan.modules[i].cost = costs[i];
		plan_list(&plan, i, (unsigned)i + 1, false, "", err, sizeof(err));
	}
	CHECK(plan_order(&plan, err, sizeof(err)) == 0);
	CHECK(plan_rank(&plan) == 0);
	/* small starts first: 305 waits behind it, more than big's 200 alone. */
	CHECK_STR(ranks_of(&plan), "small=0 slow=1 big=2 tiny=3 after=4");
	plan.modules[2].cost = 400;
	CHECK(plan_rank(&plan) == 0);
	CHECK_STR(ranks_of(&plan), "small=1 slow=2 big=0 tiny=3 after=4");
	plan_free(&plan);
}

static void ranks_equal_chains_in_load_order(void)
{
	struct plan plan = bridge_netfilter();

	for (size_t i = 0; i < plan.len; i++)
		plan.modules[i].cost = 0;
	plan_list(&plan, 4, 1, false, "", err, sizeof(err));
	plan_list(&plan, 3, 2, false, "", err, sizeof(err));
	CHECK(plan_order(&plan, err, sizeof(err)) == 0);
	CHECK(plan_rank(&plan) == 0);
	CHECK_STR(ranks_of(&plan), "xor=0 llc=1 stp=2 bridge=3 br_netfilter=4");
	plan_free(&plan);
}

static const struct unit_test plan_tests[] = {
	{ "plan orders dependencies before their users", orders_dependencies_before_their_users },
	{ "plan gives each module its dependency level", gives_each_module_its_dependency_level },
	{ "plan names who pulled a dependency in", names_who_pulled_a_dependency_in },
	{ "plan collapses duplicates and rejects conflicting parameters",
	  collapses_duplicates_and_rejects_conflicting_parameters },
	{ "plan keeps optional only what nothing required needs",
	  keeps_optional_only_what_nothing_required_needs },
	{ "plan refuses a dependency cycle", refuses_a_dependency_cycle },
	{ "plan orders a pre: softdep before its user and raises its level",
	  orders_a_pre_softdep_before_its_user_and_raises_its_level },
	{ "plan refuses a cycle through a softdep", refuses_a_cycle_through_a_softdep },
	{ "plan ranks first what the longest chain of costs waits behind",
	  ranks_first_what_the_longest_chain_of_costs_waits_behind },
	{ "plan ranks equal chains in load order", ranks_equal_chains_in_load_order },
	{ "plan names the puller by dependencies, not by softdeps",
	  names_the_puller_by_dependencies_not_by_softdeps },
	{ NULL, NULL },
};
UNIT_SUITE(plan_tests)
