#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# haystack(8) from docs/man/haystack.8.in: the line @VERBS@ becomes every
# verb's own --help, read from the binary, so the page lists exactly the
# options, ranges and defaults the option table parses.
# usage: gen-man.sh HAYSTACK TEMPLATE > haystack.8
set -euo pipefail
haystack=$1 template=$2

# The verbs, as `haystack --help` names them: the words after "haystack" up
# to the first option or argument.
verbs() {
	"$haystack" --help | awk '/^  haystack / {
		v = ""
		for (i = 2; i <= NF && $i !~ /^[-\[A-Z]/; i++) v = v (v ? " " : "") $i
		print v }'
}

# Text as roff prints it: backslashes and hyphens escaped, no line read as
# a request.
roff() { sed -e 's/\\/\\e/g' -e 's/-/\\-/g' -e "s/^\\([.']\\)/\\\\\\&\\1/"; }

while IFS= read -r line; do
	if [ "$line" != "@VERBS@" ]; then
		printf '%s\n' "$line"
		continue
	fi
	while IFS= read -r v; do
		printf '.SS %s\n.nf\n' "$v"
		# shellcheck disable=SC2086 # "dict build" is two words
		"$haystack" $v --help | sed '1d' | roff
		printf '.fi\n'
	done < <(verbs)
done <"$template"
