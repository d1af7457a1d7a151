/* SPDX-License-Identifier: MIT */
/*
 * modlatch: PID 1 for appliances. Loads the modules pinned at build time, closes module loading
 * for good, and hands PID 1 to the real supervisor. No other program runs until the latch holds.
 */
#include "boot.h"
#include "clock.h"
#include "table.h"

int main(int argc, char **argv)
{
	struct boot boot = { .started_us = monotonic_us() };

	if (choose_mode() == MODE_COMMAND)
		return command_main(argc, argv);
	mount_proc();
	blank_module_helpers(&boot);
	drop_helpers_module_capability(&boot);
	mount_dev_and_console();
	name_other_processes();
	mount_sys_and_run();
	check_kernel_release(&boot);
	check_loading_open(&boot);
	arm_load_deadline(&boot);
	load_modules(&boot);
	latch_module_loading(&boot);
	disarm_load_deadline();
	latch_companions(&boot);
	check_loaded_modules(&boot);
	record_requests_after_latch(&boot);
	report(&boot);
	enforce_policies(&boot);
	enter_root();
	name_modules_load_gaps(&boot);
	hand_off();
}
