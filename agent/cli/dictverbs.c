// SPDX-License-Identifier: GPL-2.0
/* `dict build` and `signatures import`: struct hs_build_opts and the
 * paper's CSV directory. They need no kernel. */
#include "cli/verbs.h"
#include "dict/signatures.h"
#include "dictbuild/build.h"

#define DB(f, T) HS_FIELD(struct hs_build_opts, f, T)

static const struct hs_opt dict_build_opts[] = {
	{ HS_OPT_FILES, "signatures", .off = DB(signatures, struct hs_files), .metavar = "FILE",
	  .required = true, .help = "haystack-signatures/1 files; class names must differ across files" },
	{ HS_OPT_STRING, "day", .off = DB(day, const char *), .metavar = "YYYY-MM-DD",
	  .required = true, .help = "the day (UTC) the dictionary is valid for" },
	{ HS_OPT_STRING, "out", 'o', .off = DB(out, const char *), .metavar = "DICT.json",
	  .required = true, .help = "where the dictionary goes, - for standard output" },
	{ HS_OPT_FILES, "pdns", .off = DB(pdns, struct hs_files), .metavar = "FILE",
	  .help = "DNSDB exports: COF JSON lines or an API v2 SAF stream" },
	{ HS_OPT_FILES, "hosts", .off = DB(hosts, struct hs_files), .metavar = "FILE",
	  .help = "hosts files, ADDRESS NAME... a line" },
	{ HS_OPT_FILES, "censys", .off = DB(censys, struct hs_files), .metavar = "FILE",
	  .help = "certificate scan lines, for domains passive DNS knows nothing about" },
	{ HS_OPT_STRING, "explain", .off = DB(explain, const char *), .metavar = "FILE",
	  .help = "write the evidence of every decision to FILE" },
	{ HS_OPT_BOOL, "strict", .off = DB(strict, bool),
	  .help = "a malformed input line, or an incomplete SAF stream, is fatal" },
	{ .type = HS_OPT_END },
};

static const struct hs_build_opts dict_build_defaults;

static int dict_build(void *cfg)
{
	return hs_dict_build(cfg);
}

const struct hs_verb hs_dict_build_verb = {
	.name = "dict build",
	.about = "Build the dictionary of one day: every signature domain whose addresses that "
		 "day (DNSDB COF/SAF lines, hosts files) serve only its own registrable domain "
		 "is kept with them; unknown ones may be recovered from certificate scans; the "
		 "others are excluded with a reason. Each list option takes more FILEs after it.",
	.opts = dict_build_opts,
	.cfg_size = sizeof(struct hs_build_opts),
	.defaults = &dict_build_defaults,
	.fn = dict_build,
};

struct import_opts {
	const char *iot_wild;
	const char *out;
};

static const struct hs_opt signatures_import_opts[] = {
	{ HS_OPT_STRING, "iot-wild", .off = HS_FIELD(struct import_opts, iot_wild, const char *),
	  .metavar = "DIR", .required = true,
	  .help = "the directory of the paper's published signature CSVs" },
	{ HS_OPT_STRING, "out", 'o', .off = HS_FIELD(struct import_opts, out, const char *),
	  .metavar = "FILE", .required = true,
	  .help = "where the signatures go, - for standard output" },
	{ .type = HS_OPT_END },
};

static const struct import_opts import_defaults;

static int signatures_import(void *cfg)
{
	const struct import_opts *o = cfg;

	return hs_iot_wild_import(o->iot_wild, o->out);
}

const struct hs_verb hs_signatures_import_verb = {
	.name = "signatures import",
	.about = "Convert the paper's published signature CSVs into haystack-signatures/1 (the "
		 "rules applied where they are silent are written in the file and on stderr).",
	.opts = signatures_import_opts,
	.cfg_size = sizeof(struct import_opts),
	.defaults = &import_defaults,
	.fn = signatures_import,
};
