#!/bin/sh
# SPDX-License-Identifier: MIT
# Imports localhost/busybox into podman's store, made from Debian's static BusyBox (package
# busybox-static), with a page in /www; does nothing when the image is there.
set -eu
podman image exists localhost/busybox && exit 0
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/bin" "$dir/www" "$dir/tmp"
cp /bin/busybox "$dir/bin/busybox"
for applet in sh httpd; do ln -s busybox "$dir/bin/$applet"; done
echo "web: served from a podman container" >"$dir/www/index.html"
tar -C "$dir" -cf "$dir.tar" .
podman import --change 'CMD=["/bin/sh"]' "$dir.tar" localhost/busybox
rm -f "$dir.tar"
