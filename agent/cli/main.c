// SPDX-License-Identifier: GPL-2.0
/*
 * haystack — detect IoT devices behind subscriber lines from flow exports,
 * in the kernel. One binary, one verb per job (DESIGN §3).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/runtime.h"
#include "dictbuild/build.h"
#include "lib/log.h"
#include "detect/bins.h"
#include "kern/instance.h"

struct verb {
	const char *name;
	int (*fn)(const struct hs_options *o);
	const char *usage;
	/* a verb with options of its own parses them itself and returns the
	 * exit status; argv[0] is the verb */
	int (*main)(int argc, char **argv);
};

static const struct verb verbs[] = {
	{ "run", cmd_run,
	  "run --iface IF --dict FILE --subscribers FILE [--bins 1h,1d] [--detail]\n"
	  "             [--out FILE] [--ports LIST] [--xdp-mode native|skb] [--grace SECONDS]\n"
	  "             [--consume] [--keep] [--pin DIR] [--records] [--sampling N]\n"
	  "             [--template-timeout SECONDS]\n"
	  "    Attach the XDP program to IF, load the dictionary and subscriber prefixes,\n"
	  "    and write report lines as bins close (by export time, plus the grace\n"
	  "    period, default 300 s). On SIGINT/SIGTERM writes the open bins, then\n"
	  "    detaches and unpins unless --keep. A haystack left attached by --keep\n"
	  "    is taken over with its pinned evidence and templates.", NULL },
	{ "replay", cmd_replay,
	  "replay --dict FILE --subscribers FILE [--bins 1h,1d] [--detail] [--out FILE]\n"
	  "             [--ports LIST] [--records] [--sampling N] [--template-timeout SECONDS]\n"
	  "             CAPTURE...\n"
	  "    Feed every frame of pcap/pcapng captures through the same XDP program\n"
	  "    (BPF_PROG_TEST_RUN) and report every bin from the first export time to\n"
	  "    the last. Pins nothing.", NULL },
	{ "status", cmd_status,
	  "status [--json] [--pin DIR]\n"
	  "    Counters, configuration, map fill, the v9/IPFIX template cache and\n"
	  "    the exporters' sampling rates of the running instance, read from the\n"
	  "    pinned maps.", NULL },
	{ "detach", cmd_detach,
	  "detach --iface IF [--pin DIR]\n"
	  "    Remove the haystack program from IF and the pinned maps.", NULL },
	{ "dict", NULL,
	  "dict build --signatures FILE... --day YYYY-MM-DD [--pdns FILE...] [--hosts FILE...]\n"
	  "             [--censys FILE...] -o DICT.json [--explain FILE] [--strict]\n"
	  "    Build the dictionary of one day: every signature domain whose addresses\n"
	  "    that day (DNSDB COF/SAF lines, hosts files) serve only its own registrable\n"
	  "    domain is kept with them; the others are excluded with a reason. --explain\n"
	  "    writes the evidence, --strict makes a malformed input line fatal.",
	  cmd_dict },
	{ "signatures", NULL,
	  "signatures import --iot-wild DIR -o FILE\n"
	  "    Convert the paper's published signature CSVs into haystack-signatures/1.",
	  cmd_signatures },
	{ NULL },
};

static void usage(FILE *f, const struct verb *only)
{
	if (!only)
		fprintf(f, "usage: haystack [-v] VERB [OPTIONS]\n\n"
			   "Detects IoT devices behind subscriber lines from NetFlow exports with an\n"
			   "XDP program. Reports are JSON lines on standard output (or --out);\n"
			   "diagnostics go to standard error. Exit status 2 means bad input.\n\n");
	for (const struct verb *v = verbs; v->name; v++)
		if (!only || only == v)
			fprintf(f, "  haystack %s\n\n", v->usage);
	if (!only)
		fprintf(f, "Common options:\n"
			   "  --pin DIR        pinned maps (default %s)\n"
			   "  --ports LIST     collector UDP ports (default 2055,4739,9995)\n"
			   "  --bins LIST      report bins, whole hours dividing a day or whole days\n"
			   "                   (default 1h,1d)\n"
			   "  --detail         also write one detection line per subscriber and class\n"
			   "  --records        also write every flow record the kernel decoded, matched\n"
			   "                   or not, as a \"record\" line\n"
			   "  --sampling N     treat every record as sampled 1-in-N, whatever the\n"
			   "                   exporter says (default: the v5 header, v9/IPFIX options\n"
			   "                   data; unsampled when it says nothing)\n"
			   "  --template-timeout SECONDS\n"
			   "                   drop v9/IPFIX templates not refreshed for this long in\n"
			   "                   export time (default 5400)\n"
			   "  -v, --verbose    libbpf/libxdp messages and debugging on stderr\n"
			   "  -h, --help       this text; `haystack VERB --help` for one verb\n",
			HAYSTACK_PIN_DIR);
}

static void set_verbosity(int verbose)
{
	hs_log_set_level(verbose > 1 ? HS_LOG_VERBOSE : verbose ? HS_LOG_DEBUG : HS_LOG_INFO);
	hs_kern_log_setup();
}

static int parse_ports(const char *s, __u16 *ports)
{
	char *copy = strdup(s), *tok, *save = NULL;
	int n = 0, err = 0;

	if (!copy)
		return -ENOMEM;
	memset(ports, 0, sizeof(__u16) * HAYSTACK_MAX_PORTS);
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *end;
		unsigned long v = strtoul(tok, &end, 10);

		if (*end || end == tok || !v || v > 65535 || n == HAYSTACK_MAX_PORTS) {
			err = -EINVAL;
			break;
		}
		ports[n++] = v;
	}
	if (!err && !n)
		err = -EINVAL;
	if (err)
		hs_err("--ports %s: expected up to %d UDP ports like 2055,4739", s,
		       HAYSTACK_MAX_PORTS);
	free(copy);
	return err;
}

static int parse_positive(const char *opt, const char *s, const char *what, __u32 *v)
{
	char *end;
	unsigned long x;

	errno = 0;
	x = strtoul(s, &end, 10);
	if (*end || end == s || !x || x > UINT32_MAX || errno || *s == '-') {
		hs_err("%s %s: expected %s (a whole number from 1)", opt, s, what);
		return -EINVAL;
	}
	*v = x;
	return 0;
}

enum {
	OPT_DICT = 256, OPT_SUBS, OPT_IFACE, OPT_BINS, OPT_DETAIL, OPT_OUT, OPT_PIN,
	OPT_PORTS, OPT_XDP_MODE, OPT_KEEP, OPT_JSON, OPT_GRACE, OPT_CONSUME,
	OPT_RECORDS, OPT_SAMPLING, OPT_TEMPLATE_TIMEOUT,
};

static const struct option long_opts[] = {
	{ "dict", required_argument, NULL, OPT_DICT },
	{ "subscribers", required_argument, NULL, OPT_SUBS },
	{ "iface", required_argument, NULL, OPT_IFACE },
	{ "bins", required_argument, NULL, OPT_BINS },
	{ "detail", no_argument, NULL, OPT_DETAIL },
	{ "out", required_argument, NULL, OPT_OUT },
	{ "pin", required_argument, NULL, OPT_PIN },
	{ "ports", required_argument, NULL, OPT_PORTS },
	{ "xdp-mode", required_argument, NULL, OPT_XDP_MODE },
	{ "keep", no_argument, NULL, OPT_KEEP },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "grace", required_argument, NULL, OPT_GRACE },
	{ "consume", no_argument, NULL, OPT_CONSUME },
	{ "records", no_argument, NULL, OPT_RECORDS },
	{ "sampling", required_argument, NULL, OPT_SAMPLING },
	{ "template-timeout", required_argument, NULL, OPT_TEMPLATE_TIMEOUT },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL },
};

int main(int argc, char **argv)
{
	struct hs_options o = {
		.pin_dir = HAYSTACK_PIN_DIR,
		.bins = { 3600, 86400 },
		.n_bins = 2,
		.ports = { 2055, 4739, 9995 },
		.xdp_mode = XDP_MODE_NATIVE,
		.grace = 300,
	};
	const struct verb *v = NULL;
	int verbose = 0;
	int opt, err, vi;

	/* Options may come before the verb (-v) or after it. */
	for (vi = 1; vi < argc && argv[vi][0] == '-'; vi++) {
		if (!strcmp(argv[vi], "-v") || !strcmp(argv[vi], "--verbose")) {
			verbose++;
		} else if (!strcmp(argv[vi], "-h") || !strcmp(argv[vi], "--help")) {
			usage(stdout, NULL);
			return 0;
		} else {
			break;
		}
	}
	if (vi < argc)
		for (v = verbs; v->name && strcmp(v->name, argv[vi]); v++)
			;
	if (!v || !v->name) {
		if (vi < argc)
			hs_err("unknown verb '%s' (haystack --help lists them)", argv[vi]);
		else
			hs_err("no verb given (haystack --help lists them)");
		return HS_EXIT_BADINPUT;
	}
	argc -= vi;
	argv += vi;
	if (v->main) {
		set_verbosity(verbose);
		return v->main(argc, argv);
	}

	/* getopt's own message is the one line; we add no usage dump. */
	while ((opt = getopt_long(argc, argv, "vh", long_opts, NULL)) != -1) {
		char *end;

		err = 0;
		switch (opt) {
		case OPT_DICT: o.dict_path = optarg; break;
		case OPT_SUBS: o.subscribers_path = optarg; break;
		case OPT_IFACE: o.iface = optarg; break;
		case OPT_OUT: o.out_path = optarg; break;
		case OPT_PIN: o.pin_dir = optarg; break;
		case OPT_DETAIL: o.detail = true; break;
		case OPT_KEEP: o.keep = true; break;
		case OPT_JSON: o.json = true; break;
		case OPT_CONSUME: o.consume = true; break;
		case OPT_RECORDS: o.records = true; break;
		case OPT_SAMPLING:
			err = parse_positive("--sampling", optarg, "a 1-in-N rate like 1000",
					     &o.sampling);
			break;
		case OPT_TEMPLATE_TIMEOUT:
			err = parse_positive("--template-timeout", optarg, "seconds",
					     &o.template_timeout);
			break;
		case OPT_BINS:
			err = hs_parse_bins(optarg, o.bins, HS_MAX_BINS, &o.n_bins);
			break;
		case OPT_PORTS:
			err = parse_ports(optarg, o.ports);
			break;
		case OPT_XDP_MODE:
			if (!strcmp(optarg, "native")) {
				o.xdp_mode = XDP_MODE_NATIVE;
			} else if (!strcmp(optarg, "skb")) {
				o.xdp_mode = XDP_MODE_SKB;
			} else {
				hs_err("--xdp-mode %s: expected native or skb", optarg);
				err = -EINVAL;
			}
			break;
		case OPT_GRACE:
			o.grace = strtoul(optarg, &end, 10);
			if (*end || end == optarg) {
				hs_err("--grace %s: expected seconds", optarg);
				err = -EINVAL;
			}
			break;
		case 'v': verbose++; break;
		case 'h':
			usage(stdout, v);
			return 0;
		default:
			return HS_EXIT_BADINPUT;
		}
		if (err)
			return HS_EXIT_BADINPUT;
	}
	o.inputs = argv + optind;
	o.n_inputs = argc - optind;
	if (o.n_inputs && v->fn != cmd_replay) {
		hs_err("%s: unexpected argument '%s'", v->name, o.inputs[0]);
		return HS_EXIT_BADINPUT;
	}

	set_verbosity(verbose);
	err = v->fn(&o);
	/* Bad input: a malformed file or option, or an interface that is not there. */
	if (err == -EINVAL || err == -ENODEV)
		return HS_EXIT_BADINPUT;
	return err ? 1 : 0;
}
