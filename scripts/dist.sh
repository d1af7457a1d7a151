#!/bin/sh
# SPDX-License-Identifier: MIT
# The release tarball, for a build system to pin by its SHA-256. `make dist` runs it.
#
#   dist.sh tarball VERSION OUT   OUT/modlatch-VERSION.tar.gz and OUT/modlatch-VERSION.tar.gz.sha256
#   dist.sh work-tree WHAT        succeeds in modlatch's git work tree; elsewhere (an unpacked
#                                 release has no .git) fails, saying that WHAT (make lint) needs one
#
# The tarball holds the files git tracks, under modlatch-VERSION/, and nothing else. It is a
# commit's: made from a work tree whose tracked files differ from HEAD it is refused, unless
# DIST_DIRTY=yes, which packs those files as they are (a snapshot no commit reproduces).
#
# Its bytes depend on the commit alone, not on the checkout, the clock or the user:
#   - the files come out of git (HEAD's tree through a private index), so their contents and
#     executable bits are the commit's, whatever the disk, core.fileMode or an assume-unchanged
#     flag says;
#   - entries are sorted by name, owned by 0/0 with no user or group names, 0644 or 0755 (0755
#     for directories and for what git records as executable), and dated with the commit time;
#   - GNU tar's format (--format=gnu): with whole-second times and no owner names it needs no
#     extended headers, so there is no pax header name or atime to pin;
#   - gzip -n: no file name and no time stamp in the gzip header.
# GNU tar rather than git archive: git archive honours export-ignore and export-subst in
# .gitattributes (the release would then silently differ from git ls-files), gives modes by its
# own tar.umask setting (0664 by default), cannot pack uncommitted changes for DIST_DIRTY, and its
# built-in gzip (git 2.38 and later) is another compressor than gzip(1). Here every property of
# the archive is one named flag below.
set -eu

src=$(cd "$(dirname "$0")/.." && pwd -P)
# The tree this script lives in, whatever repository the caller's environment names. An
# index of our own is set below; tar and gzip take no options from the environment.
unset GIT_DIR GIT_WORK_TREE GIT_COMMON_DIR GIT_INDEX_FILE TAR_OPTIONS GZIP

# Who speaks in the messages: make dist, or the target that asked work-tree.
me="make dist"
die() {
	echo "$me: $*" >&2
	exit 1
}

# work_tree: is $src the top of a git work tree? An unpacked release has no .git, and may
# lie inside someone else's work tree (a Buildroot checkout, say), where git would answer for
# that one.
work_tree() {
	command -v git >/dev/null 2>&1 || die "needs git, which is not installed"
	if ! top=$(git -C "$src" rev-parse --show-toplevel 2>&1); then
		die "needs modlatch's git work tree, and $src is none (an unpacked release has no" \
			".git; use a git clone): $top"
	fi
	if [ "$(cd "$top" && pwd -P)" != "$src" ]; then
		die "needs modlatch's git work tree, and $src is none (an unpacked release has no" \
			".git; use a git clone): git answers for the work tree at $top"
	fi
}

tarball() {
	[ $# -eq 2 ] || die "usage: dist.sh tarball VERSION OUT"
	version=$1 out=$2 dirty=${DIST_DIRTY:-no}
	case $version in
	'' | *[!A-Za-z0-9._+~-]*) die "VERSION='$version': expected letters, digits and . _ + ~ -" ;;
	esac
	case $dirty in
	yes | no) ;;
	*) die "DIST_DIRTY='$dirty': expected yes or no" ;;
	esac
	work_tree
	tar --version 2>/dev/null | grep -q 'GNU tar' || die "make dist needs GNU tar (--sort=name)"
	cd "$src"
	commit=$(git rev-parse -q --verify 'HEAD^{commit}') || die "the repository has no commit yet"
	if git ls-files -s | grep -q '^160000'; then
		die "tracked submodules are not supported: their files would be missing from the tarball"
	fi

	# Staged or not, a change to a tracked file against HEAD (git diff reads the contents
	# where only the time stamps differ).
	changed=$(git diff --name-only HEAD --)
	if [ -n "$changed" ] && [ "$dirty" != yes ]; then
		echo "$me: tracked files differ from the last commit, $commit:" >&2
		echo "$changed" | sed 's/^/  /' >&2
		die "a release is made from a commit: commit or stash these changes, or run" \
			"make dist DIST_DIRTY=yes for a tarball of the work tree as it is"
	fi

	name=modlatch-$version
	mkdir -p "$out"
	out=$(cd "$out" && pwd)
	tmp=$(mktemp -d "$out/.dist.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	trap 'exit 1' HUP INT TERM

	# The tracked files, out of git: HEAD's tree, or with DIST_DIRTY the index with the work
	# tree's changes to tracked files added (git add -u; deleted files leave it).
	if [ -n "$changed" ]; then
		cp "$(git rev-parse --git-path index)" "$tmp/index"
		GIT_INDEX_FILE=$tmp/index git add -u
	else
		GIT_INDEX_FILE=$tmp/index git read-tree HEAD
	fi
	GIT_INDEX_FILE=$tmp/index git checkout-index -a --prefix="$tmp/stage/$name/"

	# The tarball's name and the version its Makefile builds must agree.
	shipped=$(sed -n 's/^VERSION[[:space:]]*:*=[[:space:]]*//p' "$tmp/stage/$name/Makefile")
	[ "$shipped" = "$version" ] ||
		die "VERSION=$version, but the Makefile in the tarball says $shipped: change VERSION in" \
			"the Makefile and commit, then make dist"

	mtime=$(git -c log.showSignature=false log -1 --format=%ct HEAD)
	(cd "$tmp/stage" && LC_ALL=C tar --create --file=- --format=gnu --sort=name \
		--owner=0 --group=0 --numeric-owner --mtime="@$mtime" --mode=u=rwX,go=rX \
		"$name") >"$tmp/$name.tar"
	gzip -9 -n <"$tmp/$name.tar" >"$tmp/$name.tar.gz"
	(cd "$tmp" && sha256sum "$name.tar.gz" >"$name.tar.gz.sha256")
	rm -f "$out/$name.tar.gz.sha256"
	mv -f "$tmp/$name.tar.gz" "$out/$name.tar.gz"
	mv -f "$tmp/$name.tar.gz.sha256" "$out/$name.tar.gz.sha256"

	if [ -n "$changed" ]; then
		echo "$me: WARNING: DIST_DIRTY=yes: the tarball holds uncommitted changes to" \
			"$(echo "$changed" | wc -l) tracked files; no commit reproduces it" >&2
	fi
	untracked=$(git ls-files --others --exclude-standard | wc -l)
	[ "$untracked" -eq 0 ] ||
		echo "$me: note: $untracked untracked files are not in the tarball (git status)" >&2
	git tag --points-at HEAD | grep -qxF -e "v$version" -e "$version" ||
		echo "$me: note: no tag v$version on $commit: tag the commit the release is made from" >&2
	echo "$me: $out/$name.tar.gz from $commit, dated $(date -u -d "@$mtime" '+%Y-%m-%d %H:%M:%S UTC')"
	cat "$out/$name.tar.gz.sha256"
}

command=${1:-}
[ $# -gt 0 ] && shift
case $command in
tarball) tarball "$@" ;;
work-tree)
	[ $# -eq 1 ] || die "usage: dist.sh work-tree WHAT"
	me=$1
	work_tree
	;;
*) die "usage: dist.sh tarball VERSION OUT | dist.sh work-tree WHAT" ;;
esac
