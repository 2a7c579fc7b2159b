// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dict/signatures.h"
#include "dictbuild/build.h"
#include "lib/log.h"
#include "runtime/runtime.h"

/* ---- the verbs ---- */

static int exit_status(int err)
{
	return !err ? 0 : err == -EINVAL ? HS_EXIT_BADINPUT : 1;
}

static int add_file(struct hs_files *f, const char *path)
{
	const char **tmp = realloc(f->v, ((size_t)f->n + 1) * sizeof(*tmp));

	if (!tmp)
		return -ENOMEM;
	f->v = tmp;
	f->v[f->n++] = path;
	return 0;
}

/* argv[1] must be the one sub-verb: -1 when it is, else the exit status
 * (0 after printing usage for --help). */
static int sub_verb(int argc, char **argv, const char *name, const char *usage)
{
	if (argc >= 2 && !strcmp(argv[1], name)) {
		optind = 1;
		return -1;
	}
	if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		fputs(usage, stdout);
		return 0;
	}
	hs_err("%s: expected the sub-verb '%s' (haystack %s %s --help)", argv[0], name, argv[0], name);
	return HS_EXIT_BADINPUT;
}

static const char dict_usage[] =
	"usage: haystack dict build --signatures FILE... --day YYYY-MM-DD [--pdns FILE...]\n"
	"           [--hosts FILE...] [--censys FILE...] -o DICT.json [--explain FILE] [--strict]\n";

int cmd_dict(int argc, char **argv)
{
	enum { OPT_SIGS = 256, OPT_PDNS, OPT_HOSTS, OPT_CENSYS, OPT_DAY, OPT_EXPLAIN, OPT_STRICT };
	static const struct option opts[] = {
		{ "signatures", required_argument, NULL, OPT_SIGS },
		{ "pdns", required_argument, NULL, OPT_PDNS },
		{ "hosts", required_argument, NULL, OPT_HOSTS },
		{ "censys", required_argument, NULL, OPT_CENSYS },
		{ "day", required_argument, NULL, OPT_DAY },
		{ "out", required_argument, NULL, 'o' },
		{ "explain", required_argument, NULL, OPT_EXPLAIN },
		{ "strict", no_argument, NULL, OPT_STRICT },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL },
	};
	struct hs_build_opts o = {};
	struct hs_files *list = NULL;	/* where a bare FILE after a list option goes */
	int opt, err = 0;

	opt = sub_verb(argc, argv, "build", dict_usage);
	if (opt >= 0)
		return opt;
	argc--;
	argv++;
	/* "-" first: non-options come back in order as opt 1, so
	 * "--signatures a.json b.json" lists both */
	while ((opt = getopt_long(argc, argv, "-o:vh", opts, NULL)) != -1) {
		switch (opt) {
		case OPT_SIGS: list = &o.signatures; err = add_file(list, optarg); break;
		case OPT_PDNS: list = &o.pdns; err = add_file(list, optarg); break;
		case OPT_HOSTS: list = &o.hosts; err = add_file(list, optarg); break;
		case OPT_CENSYS: list = &o.censys; err = add_file(list, optarg); break;
		case OPT_DAY: o.day = optarg; list = NULL; break;
		case 'o': o.out = optarg; list = NULL; break;
		case OPT_EXPLAIN: o.explain = optarg; list = NULL; break;
		case OPT_STRICT: o.strict = true; list = NULL; break;
		case 'v': hs_log_set_level(HS_LOG_DEBUG); list = NULL; break;
		case 'h':
			fputs(dict_usage, stdout);
			goto out;
		case 1:
			if (!list) {
				hs_err("dict build: unexpected argument '%s'", optarg);
				err = -EINVAL;
			} else {
				err = add_file(list, optarg);
			}
			break;
		default:
			err = -EINVAL;
		}
		if (err)
			goto out;
	}
	if (!o.signatures.n || !o.day || !o.out) {
		hs_err("dict build: --signatures, --day and -o are required");
		err = -EINVAL;
		goto out;
	}
	err = hs_dict_build(&o);
out:
	free(o.signatures.v);
	free(o.pdns.v);
	free(o.hosts.v);
	free(o.censys.v);
	return exit_status(err);
}

static const char signatures_usage[] =
	"usage: haystack signatures import --iot-wild DIR -o FILE\n";

int cmd_signatures(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "iot-wild", required_argument, NULL, 'i' },
		{ "out", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL },
	};
	const char *dir = NULL, *out = NULL;
	int opt;

	opt = sub_verb(argc, argv, "import", signatures_usage);
	if (opt >= 0)
		return opt;
	argc--;
	argv++;
	while ((opt = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'i': dir = optarg; break;
		case 'o': out = optarg; break;
		case 'h':
			fputs(signatures_usage, stdout);
			return 0;
		default:
			return HS_EXIT_BADINPUT;
		}
	}
	if (optind < argc) {
		hs_err("signatures import: unexpected argument '%s'", argv[optind]);
		return HS_EXIT_BADINPUT;
	}
	if (!dir || !out) {
		hs_err("signatures import: --iot-wild DIR and -o FILE are required");
		return HS_EXIT_BADINPUT;
	}
	return exit_status(hs_iot_wild_import(dir, out));
}
