#!/bin/bash
# SPDX-License-Identifier: MIT
# The Lynis workload: modlatch execs this as PID 1 after the latch (built with ALSO_LATCH=all),
# and Debian's lynis audits the kernel's sysctls in its check KRNL-6000. The guest prints what
# lynis itself said about them, for the test to assert on:
#   CHECK lynis rc=N seconds=N          how lynis ended and how long it took
#   CHECK screen <line>                 its KRNL-6000 lines on the terminal ("- KEY (exp: V) [ OK ]")
#   CHECK log <line>                    its verdict on each key in /var/log/lynis.log
#   CHECK report <line>                 the KRNL-6000 lines of /var/log/lynis-report.dat
# then "CHECK done", and powers off.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin

# Debian's profile (/etc/lynis/default.prf) checks kernel.modules_disabled,
# kernel.unprivileged_bpf_disabled and kernel.yama.ptrace_scope, but not
# kernel.kexec_load_disabled: the custom profile adds that key, in the same form. The host IDs
# spare lynis deriving them from a MAC address: this guest has no NIC, and each of the three
# exceptions that would follow sleeps 5 seconds. No update check: there is no network.
cat >/etc/lynis/custom.prf <<'PROFILE'
config-data=sysctl;kernel.kexec_load_disabled;1;1;Disable kexec_load and kexec_file_load;-;category:security;
hostid=5d637ca48dfb309b4f2416dbbc19ec45c1e3d2c4
hostid2=4b8ada408edff3b7a0820b7eda5cc0962733d970591b10cab05a9fb85f864245
skip-upgrade-test=yes
PROFILE
chmod 600 /etc/lynis/custom.prf

# The narrowest run that still performs KRNL-6000: only that test, only its group's file
# (tests_kernel_hardening) read, no plugins, no pauses. Lynis still detects the OS, reads its
# profiles and scans the binaries, which it needs for the test. Under TCG (6.1, one vCPU, 2026-11)
# this took 65 s; `--tests KRNL-6000 --quick --no-colors` alone about 5 minutes, and this run
# without the host IDs and the skipped update check 118 s.
start=$(date +%s)
lynis audit system --tests KRNL-6000 --tests-from-group kernel_hardening --skip-plugins \
	--quick --no-colors >/run/lynis.out 2>&1
rc=$?
echo "CHECK lynis rc=$rc seconds=$(($(date +%s) - start))"

# Without colours lynis still moves the cursor (ESC[nC) to align its columns; the lines read
# here as on a terminal, one space for each run of blanks.
sed 's/\x1b\[[0-9;]*[A-Za-z]/ /g; s/  */ /g; s/^ //; s/ $//' /run/lynis.out |
	grep -E '^- [a-z0-9_.-]+ \(exp: .*\) \[ [A-Z ]+ \]$' | sed 's/^/CHECK screen /'
grep -o 'Result: sysctl key .*' /var/log/lynis.log | sed 's/^/CHECK log /'
grep -E 'KRNL-6000' /var/log/lynis-report.dat | sed 's/^/CHECK report /'
echo "CHECK done"
echo o >/proc/sysrq-trigger
sleep 10
