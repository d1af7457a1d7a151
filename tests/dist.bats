#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# make dist: a release tarball whose bytes depend on the commit alone, that holds the tracked
# files and nothing else, and that builds and passes the unit tests with no git around it.
#
# The tarball of this checkout is made with DIST_DIRTY=yes, so the suite also checks a change
# that is not committed yet (a new file it needs but git does not track fails the build from
# the tarball). What a commit gives, and the refusals, are checked in a clone.

bats_load_library bats-support
bats_load_library bats-assert
load lib/fixture

VERSION=$(sed -n 's/^VERSION := //p' "$REPO/Makefile")
NAME=modlatch-$VERSION

# dist TREE OUT [MAKE_VAR=VALUE ...]: make dist in TREE, writing into OUT.
dist() { run make -s -C "$1" B="$2" "${@:3}" dist; }

# Under a umask that would leave files 0600 if the modes were not set.
setup_file() {
	(umask 077 && make -s -C "$REPO" B="$BATS_FILE_TMPDIR/repo" DIST_DIRTY=yes dist)
}

setup() {
	OUT=$BATS_FILE_TMPDIR/repo
	TARBALL=$OUT/$NAME.tar.gz
	CLONE=$BATS_TEST_TMPDIR/clone
}

clone() { git clone -q "$REPO" "$CLONE"; }

# unpack DIR: the tarball unpacked in DIR, as SRC. Git looks no further up than DIR, so the
# tree is outside every work tree wherever the temporary directory is.
unpack() {
	mkdir -p "$1"
	tar -xzf "$TARBALL" -C "$1"
	export GIT_CEILING_DIRECTORIES=$1
	SRC=$(cd "$1/$NAME" && pwd -P)
}

@test "make dist is byte-for-byte reproducible: time stamps, umask and file modes do not matter" {
	clone
	(umask 022 && make -s -C "$CLONE" B="$BATS_TEST_TMPDIR/one" dist)
	find "$CLONE" -path "$CLONE/.git" -prune -o -exec touch -d '2001-02-03 04:05:06' {} +
	chmod -R go-rwx "$CLONE"
	(umask 077 && make -s -C "$CLONE" B="$BATS_TEST_TMPDIR/two" dist)
	cmp "$BATS_TEST_TMPDIR/one/$NAME.tar.gz" "$BATS_TEST_TMPDIR/two/$NAME.tar.gz"
	cmp "$BATS_TEST_TMPDIR/one/$NAME.tar.gz.sha256" "$BATS_TEST_TMPDIR/two/$NAME.tar.gz.sha256"
	echo "# $NAME.tar.gz: $(stat -c %s "$BATS_TEST_TMPDIR/two/$NAME.tar.gz") bytes," \
		"sha256 $(cut -d' ' -f1 "$BATS_TEST_TMPDIR/two/$NAME.tar.gz.sha256")" >&3
	# A checkout with nothing uncommitted gives the clone's bytes too.
	if git -C "$REPO" diff --quiet HEAD --; then
		cmp "$TARBALL" "$BATS_TEST_TMPDIR/one/$NAME.tar.gz"
	fi
}

@test "sha256sum -c checks the tarball beside its .sha256, and catches a changed byte" {
	run grep -cE "^[0-9a-f]{64}  $NAME\\.tar\\.gz\$" "$OUT/$NAME.tar.gz.sha256"
	assert_output 1
	run wc -l <"$OUT/$NAME.tar.gz.sha256"
	assert_output 1
	cd "$OUT"
	run sha256sum -c "$NAME.tar.gz.sha256"
	assert_success
	assert_output "$NAME.tar.gz: OK"
	cp "$TARBALL" "$TARBALL.sha256" "$BATS_TEST_TMPDIR/"
	flip_byte "$BATS_TEST_TMPDIR/$NAME.tar.gz" 1000
	cd "$BATS_TEST_TMPDIR"
	run sha256sum -c "$NAME.tar.gz.sha256"
	assert_failure
}

@test "the tarball holds the tracked files under $NAME/, their directories, and nothing else" {
	run tar -tzf "$TARBALL"
	assert_success
	assert_line --index 0 "$NAME/"
	refute_line --regexp "^($NAME/)?build/"
	run grep -cv "^$NAME/" <<<"$output"
	assert_output 0
	listing=$(tar -tzf "$TARBALL" | sed "s|^$NAME/||" | grep -v '^$')
	# What git tracks, less files deleted from the work tree (DIST_DIRTY leaves them out).
	tracked=$(cd "$REPO" && git ls-files | grep -vxF -f <(git ls-files --deleted) | LC_ALL=C sort)
	files=$(grep -v '/$' <<<"$listing" | LC_ALL=C sort)
	assert_equal "$files" "$tracked"
	dirs=$(grep '/$' <<<"$listing" | LC_ALL=C sort)
	parents=$(awk -F/ '{ p = ""; for (i = 1; i < NF; i++) { p = p $i "/"; print p } }' \
		<<<"$tracked" | LC_ALL=C sort -u)
	assert_equal "$dirs" "$parents"
}

@test "entries are sorted by name, 0/0, 0644, 0755 or a link as git records, dated with the commit; gzip -n" {
	# Without --numeric-owner tar shows owner names, where there are any: there must be none.
	listing=$(TZ=UTC tar --full-time -tvzf "$TARBALL")
	# Each directory's entries sorted by name, depth first: paths in byte order with '/'
	# before every other character.
	names=$(awk '{ print $6 }' <<<"$listing" | sed 's|/$||')
	assert_equal "$names" "$(tr / '\001' <<<"$names" | LC_ALL=C sort | tr '\001' /)"
	run awk '$2 != "0/0"' <<<"$listing"
	assert_output ""
	when=$(TZ=UTC date -d "@$(git -C "$REPO" log -1 --format=%ct)" '+%Y-%m-%d %H:%M:%S')
	run awk -v when="$when" '$4 " " $5 != when' <<<"$listing"
	assert_output ""
	run awk '$1 ~ /^d/ && $1 != "drwxr-xr-x"' <<<"$listing"
	assert_output ""
	# Every file's mode against the one git records for it (a link is a link: rootfs-overlay's
	# systemd units are enabled by theirs).
	expected=$(cd "$REPO" && git ls-files -s | awk -F '\t' -v name="$NAME" '
		FILENAME == ARGV[1] { gone[$0] = 1; next }
		!($2 in gone) {
			split($1, f, " ")
			mode = f[1] == "100755" ? "-rwxr-xr-x" : f[1] == "120000" ? "lrwxr-xr-x" : "-rw-r--r--"
			print mode, name "/" $2
		}
	' <(git ls-files --deleted) - | LC_ALL=C sort -k2)
	actual=$(awk '$1 !~ /^d/ { print $1, $6 }' <<<"$listing" | LC_ALL=C sort -k2)
	assert_equal "$actual" "$expected"
	# gzip's header: deflate, no flags (no file name), time stamp zero.
	run od -An -tx1 -N8 "$TARBALL"
	assert_output " 1f 8b 08 00 00 00 00 00"
}

@test "the unpacked tarball, outside any git work tree, passes make unit and builds both programs" {
	unpack "$BATS_TEST_TMPDIR/unpacked"
	src=$SRC
	[ ! -e "$src/.git" ]
	run make -s -C "$src" unit
	assert_success
	# The unit tests plain and under the sanitizers, and the SHA-256 tests on an emulated arm64
	# and an x86-64 without SHA extensions.
	run grep -cE '^[0-9]+ passed, 0 failed$' <<<"$output"
	assert_output 4
	moddir=$(kernel_modules_dir)
	run make -s -C "$src" MODULES_DIR="$moddir" build/modlatch-gen build/modlatch
	assert_success
	run "$src/build/modlatch-gen" --version
	assert_output "modlatch-gen $VERSION"
	run "$src/build/modlatch" --version
	assert_success
	assert_output --partial "modlatch $VERSION "
	# The same table and choices as the shim built from this checkout.
	make -s -C "$REPO" B="$BATS_TEST_TMPDIR/ref" MODULES_DIR="$moddir" "$BATS_TEST_TMPDIR/ref/modlatch"
	assert_equal "$("$src/build/modlatch" --print)" "$("$BATS_TEST_TMPDIR/ref/modlatch" --print)"
}

@test "in an unpacked tarball, make dist and make lint stop and say they need a git work tree" {
	unpack "$BATS_TEST_TMPDIR/unpacked"
	src=$SRC
	run make -s -C "$src" dist
	assert_failure
	assert_output --partial "make dist: needs modlatch's git work tree, and $src is none (an unpacked release has no .git; use a git clone)"
	[ ! -e "$src/build/$NAME.tar.gz" ]
	run make -s -C "$src" lint </dev/null
	assert_failure
	assert_output --partial "make lint: needs modlatch's git work tree, and $src is none"
	refute_output --partial "No files specified"
	# Unpacked inside another project's work tree, git answers for that one: still no release.
	other=$BATS_TEST_TMPDIR/other
	git init -q "$other"
	other=$(cd "$other" && pwd -P)
	unpack "$other"
	src=$SRC
	export GIT_CEILING_DIRECTORIES=$BATS_TEST_TMPDIR
	run make -s -C "$src" dist
	assert_failure
	assert_output --partial "git answers for the work tree at $other"
}

@test "uncommitted changes to tracked files stop make dist, naming them, unless DIST_DIRTY=yes" {
	clone
	out=$BATS_TEST_TMPDIR/out
	dist "$CLONE" "$BATS_TEST_TMPDIR/clean"
	assert_success
	echo "a local change" >>"$CLONE/README.md"
	dist "$CLONE" "$out"
	assert_failure
	assert_output --partial "make dist: tracked files differ from the last commit, $(git -C "$CLONE" rev-parse HEAD):"
	assert_line "  README.md"
	assert_output --partial "commit or stash these changes, or run make dist DIST_DIRTY=yes"
	[ ! -e "$out/$NAME.tar.gz" ]
	# Staged is not committed.
	git -C "$CLONE" add README.md
	dist "$CLONE" "$out"
	assert_failure
	assert_line "  README.md"
	dist "$CLONE" "$out" DIST_DIRTY=maybe
	assert_failure
	assert_output --partial "DIST_DIRTY='maybe': expected yes or no"
	rm "$CLONE/LICENSE"
	dist "$CLONE" "$out" DIST_DIRTY=yes
	assert_success
	assert_output --partial "WARNING: DIST_DIRTY=yes: the tarball holds uncommitted changes to 2 tracked files"
	run tar -xOzf "$out/$NAME.tar.gz" "$NAME/README.md"
	assert_line --index -1 "a local change"
	run tar -tzf "$out/$NAME.tar.gz" "$NAME/LICENSE"
	assert_failure
	# Back to the commit, with an untracked file beside it: the commit's bytes again.
	git -C "$CLONE" reset -q --hard
	echo "not tracked" >"$CLONE/notes.txt"
	dist "$CLONE" "$out"
	assert_success
	assert_output --partial "note: 1 untracked files are not in the tarball"
	cmp "$BATS_TEST_TMPDIR/clean/$NAME.tar.gz" "$out/$NAME.tar.gz"
}

@test "make dist refuses a VERSION that the shipped Makefile does not say, or one unfit for a name" {
	dist "$REPO" "$BATS_TEST_TMPDIR/out" DIST_DIRTY=yes VERSION=9.9.9
	assert_failure
	assert_output --partial "VERSION=9.9.9, but the Makefile in the tarball says $VERSION"
	dist "$REPO" "$BATS_TEST_TMPDIR/out" DIST_DIRTY=yes VERSION=../0.1
	assert_failure
	assert_output --partial "VERSION='../0.1': expected letters, digits and . _ + ~ -"
	[ ! -e "$BATS_TEST_TMPDIR/out/$NAME.tar.gz" ]
}
