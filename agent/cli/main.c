// SPDX-License-Identifier: GPL-2.0
/*
 * haystack — detect IoT devices behind subscriber lines from flow exports,
 * in the kernel. One binary, one verb per job (DESIGN §3): the verbs and
 * their options are the tables below and in dictverbs.c; main dispatches.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/params.h"
#include "cli/verbs.h"
#include "cli/version.h"
#include "runtime/runtime.h"
#include "lib/log.h"
#include "kern/instance.h"

/* ---- run, replay, status, detach: struct hs_options ---- */

#define RT(f, T) HS_FIELD(struct hs_options, f, T)

#define OPT_DICT                                                                   \
	{ HS_OPT_FILES, "dict", .off = RT(dicts, struct hs_files), .metavar = "FILE",   \
	  .required = true,                                                            \
	  .help = "a dictionary (haystack-dictionary/1) to detect with; again for more: each applies from its valid_from" }
#define OPT_SUBSCRIBERS                                                            \
	{ HS_OPT_STRING, "subscribers", .off = RT(subscribers_path, const char *),      \
	  .metavar = "FILE", .required = true,                                         \
	  .help = "the subscriber prefixes, one CIDR a line (#: a comment)" }
#define OPT_EXPORTERS                                                              \
	{ HS_OPT_STRING, "exporters", .off = RT(exporters_path, const char *),          \
	  .metavar = "FILE", .def = "every source",                                    \
	  .help = "read export datagrams only from these sources, one CIDR a line; "   \
		  "the kernel refuses and counts the others (exporter_not_allowed)" }
#define OPT_IFACE(text)                                                            \
	{ HS_OPT_STRING, "iface", .off = RT(iface, const char *), .metavar = "IF",      \
	  .required = true, .help = text }
#define OPT_PIN(text)                                                              \
	{ HS_OPT_STRING, "pin", .off = RT(pin_dir, const char *), .metavar = "DIR",     \
	  .help = text }
#define OPT_OUT(text)                                                              \
	{ HS_OPT_OUT, "out", 'o', .off = RT(out_path, const char *), .metavar = "FILE", \
	  .def = "standard output", .help = text }
/* Options of both run and replay, in the order help lists them. */
#define OPTS_REPORT                                                                \
	{ HS_OPT_BINS, "bins", .off = RT(bins, __u32[HS_MAX_BINS]),                     \
	  .aux = RT(n_bins, int), .metavar = "LIST",                                   \
	  .help = "report bins: whole hours that divide a day, or whole days" },        \
	{ HS_OPT_BOOL, "detail", .off = RT(detail, bool),                              \
	  .help = "also write one detection line per subscriber and class" },          \
	{ HS_OPT_BOOL, "records", .off = RT(records, bool),                            \
	  .help = "also write every flow record the kernel decoded, matched or not, "  \
		  "as a \"record\" line" },                                            \
	{ HS_OPT_PORTS, "ports", .off = RT(ports, __u16[HAYSTACK_MAX_PORTS]),           \
	  .metavar = "LIST", .help = "the collector UDP ports flow exports go to" },   \
	{ HS_OPT_U32, "sampling", .off = RT(sampling, __u32), .metavar = "N",          \
	  .min = 1, .max = UINT32_MAX,                                                 \
	  .def = "as exported: v5 header, v9/IPFIX options data, else 1",              \
	  .help = "treat every record as sampled 1-in-N, whatever the exporter says" }, \
	/* an exporter resends its templates every few minutes (10 to 30 by     \
	 * default); one not heard of for a day of export time is gone */       \
	{ HS_OPT_U32, "template-timeout", .off = RT(template_timeout, __u32),          \
	  .metavar = "SECONDS", .min = 1, .max = 86400,                                \
	  .def = HS_XSTR(HAYSTACK_TEMPLATE_TIMEOUT),                                   \
	  .help = "drop v9/IPFIX templates not refreshed for this long in export time" }, \
	OPTS_SIZES
/* Map sizes, set when the maps are created; a taken-over instance keeps
 * its own. The upper bounds keep a preallocated bucket array and the
 * kernel's memory accounting sane, far beyond any dictionary seen. */
#define OPT_SIZE(opt, field, max_n, dflt, text)                                    \
	{ HS_OPT_U32, opt, .off = RT(sizes.field, __u32), .metavar = "N", .min = 1,  \
	  .max = max_n, .def = HS_XSTR(dflt), .help = text }
#define OPTS_SIZES                                                                 \
	OPT_SIZE("max-evidence", evidence, 1U << 26, HAYSTACK_MAX_EVIDENCE,            \
		 "entries (subscriber, hour, rule set, rules matched) of the evidence map, and "  \
		 "of an hour table; records beyond both count as evidence_full"),           \
	OPT_SIZE("max-endpoints", endpoints, 1U << 26, HAYSTACK_MAX_ENDPOINTS,         \
		 "service endpoint prefixes, of every loaded dictionary together"),       \
	OPT_SIZE("max-rulesets", rulesets, 1U << 24, HAYSTACK_MAX_RULESETS,            \
		 "endpoint rule sets, of every loaded dictionary together"),              \
	OPT_SIZE("max-subscribers", subscribers, 1U << 24, HAYSTACK_MAX_SUBSCRIBER_PREFIXES, \
		 "subscriber prefixes"),                                                   \
	OPT_SIZE("max-templates", templates, 1U << 20, HAYSTACK_MAX_TEMPLATES,         \
		 "v9/IPFIX templates cached, of every exporter together"),                \
	OPT_SIZE("max-exporter-clocks", exporter_clocks, 1U << 20,                     \
		 HAYSTACK_MAX_EXPORTER_CLOCKS,                                             \
		 "exporters (source, domain) whose clocks the kernel keeps; more sources "  \
		 "evict the least recently heard")

static const struct hs_options rt_defaults = {
	.pin_dir = HAYSTACK_PIN_DIR,
	.bins = { 3600, 86400 },
	.n_bins = 2,
	.ports = { 2055, 4739, 9995 },
	.xdp_mode = XDP_MODE_NATIVE,
	.grace = 300,
	.refresh_status = HS_REFRESH_STATUS,
};

static const struct hs_enum_val xdp_modes[] = {
	{ "native", XDP_MODE_NATIVE },
	{ "skb", XDP_MODE_SKB },
	{ .name = NULL },
};
_Static_assert(sizeof(enum xdp_attach_mode) == sizeof(unsigned int), "--xdp-mode is stored as unsigned int");

static const struct hs_opt run_opts[] = {
	OPT_IFACE("the interface the flow exports arrive on"),
	OPT_DICT,
	OPT_SUBSCRIBERS,
	OPT_EXPORTERS,
	OPT_OUT("append the reports to FILE, - for standard output"),
	OPTS_REPORT,
	{ HS_OPT_ENUM, "xdp-mode", .off = RT(xdp_mode, enum xdp_attach_mode), .values = xdp_modes,
	  .help = "the driver's XDP, or generic XDP in the network stack" },
	/* Exporters flush long flows every active timeout (30 min at most by
	 * default) and collectors batch a few minutes; a day of export time
	 * beyond a bin's end is far past any of that, and keeps every open
	 * bin's evidence in the kernel for as long. */
	{ HS_OPT_U32, "grace", .off = RT(grace, unsigned int), .metavar = "SECONDS", .min = 0,
	  .max = 86400,
	  .help = "how long in export time a bin stays open after its end, for late exports" },
	{ HS_OPT_BOOL, "consume", .off = RT(consume, bool),
	  .help = "drop the export datagrams once read, instead of passing them on to a "
		  "collector on this host" },
	{ HS_OPT_BOOL, "keep", .off = RT(keep, bool),
	  .help = "leave the program attached, the maps pinned and the open bins open on exit" },
	OPT_PIN("where the maps are pinned"),
	{ .type = HS_OPT_END },
};

static const struct hs_opt replay_opts[] = {
	OPT_DICT,
	OPT_SUBSCRIBERS,
	OPT_EXPORTERS,
	OPT_OUT("write the reports to FILE, - for standard output"),
	OPTS_REPORT,
	{ HS_OPT_ARGS, "CAPTURE", .off = RT(inputs, char **), .aux = RT(n_inputs, int),
	  .required = true },
	{ .type = HS_OPT_END },
};

static const struct hs_opt status_opts[] = {
	{ HS_OPT_BOOL, "json", .off = RT(json, bool), .help = "one JSON object" },
	{ HS_OPT_STRING, "refresh-status", .off = RT(refresh_status, const char *),
	  .metavar = "FILE",
	  .help = "the result of the last dictionary refresh, the JSON file haystack-refresh "
		  "writes; not there: none shown" },
	OPT_PIN("the pinned maps of the instance"),
	{ .type = HS_OPT_END },
};

static const struct hs_opt load_opts[] = {
	OPT_DICT,
	{ HS_OPT_BOOL, "force", .off = RT(force, bool),
	  .help = "load it even with fewer than half the domains of the newest one loaded" },
	OPT_PIN("the pinned maps of the running instance"),
	{ .type = HS_OPT_END },
};

static const struct hs_opt detach_opts[] = {
	OPT_IFACE("the interface to remove the program from"),
	OPT_PIN("the pinned maps to remove"),
	{ .type = HS_OPT_END },
};

#define RUNTIME_VERB(verb, fn_name, text)                                          \
	static int verb##_fn(void *cfg) { return fn_name(cfg); }                   \
	static const struct hs_verb verb##_verb = {                                 \
		.name = #verb, .about = text, .opts = verb##_opts,                   \
		.cfg_size = sizeof(struct hs_options), .defaults = &rt_defaults,      \
		.fn = verb##_fn,                                                      \
	}

RUNTIME_VERB(run, cmd_run,
	     "Attach the XDP program to IF, load the dictionary and subscriber prefixes, and "
	     "write report lines as bins close (by export time, plus the grace period). On "
	     "SIGINT/SIGTERM writes the open bins, then detaches and unpins; with --keep it "
	     "leaves them open, the program counting. A haystack left attached by --keep, "
	     "kill -9 or a crash is taken over with its pinned evidence, templates, dictionaries "
	     "and reporting progress; with the same --out every bin is written once.");
RUNTIME_VERB(replay, cmd_replay,
	     "Feed every frame of pcap/pcapng captures through the same XDP program "
	     "(BPF_PROG_TEST_RUN) and report every bin from the first export time to the "
	     "last. Pins nothing.");
RUNTIME_VERB(status, cmd_status,
	     "What the running instance is doing, read from the pinned maps: the agent (pid, "
	     "version, interface, XDP mode, uptime), the dictionaries, the bins reported and open, "
	     "the counters, each map's entries against its size (a warning when 90% full), the "
	     "v9/IPFIX template cache, the exporters' sampling rates, the last refresh's result.");
RUNTIME_VERB(detach, cmd_detach, "Remove the haystack program from IF and the pinned maps.");
RUNTIME_VERB(load, cmd_load,
	     "Add a dictionary to the running instance, as a generation of its own: it classifies "
	     "the records whose export time is at or after its valid_from (until a later one "
	     "takes over), and the running agent reports with it. A dictionary that fails "
	     "validation, or does not fit, leaves what is loaded as it was (exit 2).");

static const struct hs_verb *const verbs[] = {
	&run_verb, &replay_verb, &load_verb, &status_verb, &detach_verb,
	&hs_dict_build_verb, &hs_signatures_import_verb,
	NULL,
};

/* ---- before the verb ---- */

static const struct hs_opt version_opt[] = {
	{ HS_OPT_BOOL, "version", 'V', .help = "print \"haystack VERSION\"" },
	{ .type = HS_OPT_END },
};

static void usage(FILE *f)
{
	fputs("usage: haystack [-v] VERB [OPTIONS]\n"
	      "       haystack --version\n\n"
	      "Detects IoT devices behind subscriber lines from NetFlow/IPFIX exports with an\n"
	      "XDP program. Reports are JSON lines on standard output (or --out); diagnostics\n"
	      "go to standard error. Exit status: 0 done, 2 bad input (an option, a file or\n"
	      "an interface malformed, out of range or not there), 1 anything else.\n\n",
	      f);
	for (const struct hs_verb *const *v = verbs; *v; v++)
		hs_verb_synopsis(f, *v);
	fputs("Options of every verb (-v and -h before the verb too):\n", f);
	hs_opts_help(f, hs_common_opts, NULL);
	fputs("Before the verb:\n", f);
	hs_opts_help(f, version_opt, NULL);
}

static void set_verbosity(int verbose)
{
	hs_log_set_level(verbose > 1 ? HS_LOG_VERBOSE : verbose ? HS_LOG_DEBUG : HS_LOG_INFO);
	hs_kern_log_setup();
}

static bool word_is(const char *name, size_t len, const char *word)
{
	return strlen(word) == len && !strncmp(name, word, len);
}

/*
 * The verb argv names, and how many words it takes ("dict build": 2). NULL
 * after one line, or after the help of every sub-verb for `haystack dict
 * --help` (*help set).
 */
static const struct hs_verb *find_verb(int argc, char **argv, int *words, bool *help)
{
	const char *group = NULL;

	for (const struct hs_verb *const *v = verbs; *v; v++) {
		const char *name = (*v)->name;
		size_t len = strcspn(name, " ");

		if (!word_is(name, len, argv[0]))
			continue;
		if (!name[len]) {
			*words = 1;
			return *v;
		}
		group = argv[0];
		if (argc > 1 && !strcmp(argv[1], name + len + 1)) {
			*words = 2;
			return *v;
		}
	}
	if (group && argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		fputs("usage:\n", stdout);
		for (const struct hs_verb *const *v = verbs; *v; v++)
			if (word_is((*v)->name, strcspn((*v)->name, " "), group))
				hs_verb_synopsis(stdout, *v);
		*help = true;
	} else if (group && argc > 1) {
		hs_err("unknown verb '%s %s' (haystack %s --help lists them)", group, argv[1], group);
	} else if (group) {
		hs_err("%s: expected a sub-verb (haystack %s --help lists them)", group, group);
	} else {
		hs_err("unknown verb '%s' (haystack --help lists them)", argv[0]);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	const struct hs_verb *v;
	int verbose = 0, words, vi, err;
	bool help = false;
	void *cfg;

	for (vi = 1; vi < argc && argv[vi][0] == '-'; vi++) {
		const char *a = argv[vi];

		if (!strcmp(a, "--verbose")) {
			verbose++;
		} else if (a[1] == 'v' && strspn(a + 1, "v") == strlen(a + 1)) {
			verbose += strlen(a + 1);	/* -v, -vv */
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return HS_EXIT_OK;
		} else if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
			printf("haystack %s\n", HAYSTACK_VERSION);
			return HS_EXIT_OK;
		} else {
			hs_err("unrecognized option '%s' before the verb (haystack --help)", a);
			return HS_EXIT_BADINPUT;
		}
	}
	if (vi == argc) {
		hs_err("no verb given (haystack --help lists them)");
		return HS_EXIT_BADINPUT;
	}
	v = find_verb(argc - vi, argv + vi, &words, &help);
	if (!v)
		return help ? HS_EXIT_OK : HS_EXIT_BADINPUT;

	cfg = malloc(v->cfg_size);
	if (!cfg)
		return HS_EXIT_FAILURE;
	memcpy(cfg, v->defaults, v->cfg_size);
	vi += words - 1;	/* argv[0] of the parse is the verb's last word */
	err = hs_verb_parse(verbs, v, argc - vi, argv + vi, cfg, &verbose);
	if (!err) {
		set_verbosity(verbose);
		err = v->fn(cfg);
	} else if (err > 0) {
		err = 0;	/* the help asked for is printed */
	}
	hs_verb_free(v, cfg);
	free(cfg);
	return hs_exit_status(err);
}
