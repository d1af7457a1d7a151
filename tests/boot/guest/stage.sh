#!/bin/sh
# SPDX-License-Identifier: MIT
# The storage stage's /init (fixture_stage in tests/lib/image.bash): loads the stage's modules
# in the order of their file names, mounts /dev/vda read-only, moves /dev and /proc there and
# switch_roots to the disk's /sbin/init. Its BusyBox has only sh, mount, insmod, sleep and
# switch_root.
mount -t devtmpfs devtmpfs /dev
mount -t proc proc /proc
for module in /stage/*.ko; do insmod "$module" || echo "stage: insmod $module failed"; done
n=0
while [ ! -b /dev/vda ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
mount -t ext4 -o ro /dev/vda /newroot || echo "stage: cannot mount /dev/vda"
mount --move /dev /newroot/dev
mount --move /proc /newroot/proc
exec switch_root /newroot /sbin/init
