#!/bin/sh
# SPDX-License-Identifier: MIT
# Installed as /sbin/modprobe and /sbin/hotplug in the window test's image. If the kernel ever
# runs it, it leaves a marker in /canary.log and, once devtmpfs is mounted, in the kernel log.
# Only modlatch mounts devtmpfs in this image, so a marker written while /dev/kmsg is not yet a
# character device comes from before PID 1 started. (Redirecting to a /dev path that does not
# exist would create a plain file there: test first.)
if [ -c /dev/kmsg ]; then
	echo "after-pid1 $0 $*" >>/canary.log
	echo "<0>modlatch-canary: $0 $*" >/dev/kmsg
else
	echo "before-pid1 $0 $*" >>/canary.log
fi
exit 1
