# SPDX-License-Identifier: MIT
# shellcheck shell=sh
# A private apt state for fetching Debian packages of any suite and architecture without
# touching the host's sources, lists or dpkg database. Sourced by kernel.sh and cross.sh, which
# set apt_dir, suite and arch first.

apt_options() {
	echo "-o Dir::Etc::SourceList=$apt_dir/sources.list -o Dir::Etc::SourceParts=/dev/null" \
		"-o Dir::State::Lists=$apt_dir/lists -o Dir::State::Status=/dev/null" \
		"-o Dir::Cache=$apt_dir/cache -o APT::Architecture=$arch" \
		"-o APT::Architectures=$arch -o Debug::NoLocking=1 -o APT::Sandbox::User=root"
}

# Package lists for the suite and its security updates, refreshed at most once a day.
update_lists() {
	mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
	keyring=/usr/share/keyrings/debian-archive-keyring.gpg
	cat >"$apt_dir/sources.list" <<-SOURCES
		deb [signed-by=$keyring] http://deb.debian.org/debian $suite main
		deb [signed-by=$keyring] http://deb.debian.org/debian-security $suite-security main
	SOURCES
	if [ -z "$(find "$apt_dir/lists" -name '*Packages*' -mmin -1440 2>/dev/null | head -n 1)" ]; then
		# shellcheck disable=SC2046 # one word per option
		apt-get $(apt_options) update -q >&2 || return 1
	fi
}

# apt_unpack PACKAGE DIR [DEB]: downloads the package's current version and unpacks it into DIR;
# with DEB, keeps the package file there too.
apt_unpack() {
	rm -rf "$2" "$2.deb"
	mkdir -p "$2.deb"
	# shellcheck disable=SC2046
	(cd "$2.deb" && apt-get $(apt_options) download "$1" >&2) || return 1
	dpkg-deb -x "$2.deb"/*.deb "$2" || return 1
	if [ -n "${3:-}" ]; then mv "$2.deb"/*.deb "$3" || return 1; fi
	rm -rf "$2.deb"
}
