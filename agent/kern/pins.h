/* SPDX-License-Identifier: GPL-2.0 */
/* The pin directory: pinned maps by name, and its lock. */
#pragma once

#include <stdbool.h>

/* The pinned maps, by index into hs_map_names (NULL-terminated). */
enum hs_map {
	HS_MAP_CONFIG, HS_MAP_STATS, HS_MAP_SUBSCRIBERS, HS_MAP_ENDPOINTS, HS_MAP_RULES,
	HS_MAP_EVIDENCE, HS_MAP_TEMPLATES, HS_MAP_EXPORTERS, HS_MAP_RECORDS, HS_MAP_DICTIONARIES,
	HS_MAP_EXPORTER_ALLOW, HS_MAP_AGENT, HS_MAP_EXPORTER_CLOCKS, HS_MAP_SUBSCRIBER_BLOCKS,
	HS_MAP_PREFILTER, HS_MAP_HOSTS, HS_MAP_TABLES,
	HS_MAP_COUNT,
};
extern const char *const hs_map_names[HS_MAP_COUNT + 1];
bool hs_is_pinned_map(const char *name);
/* The attached program is pinned beside its maps under this name, so that
 * an agent finds it again with bpf_obj_get (bpffs permissions) instead of
 * opening it by id, which the kernel allows only with CAP_SYS_ADMIN. Bit
 * HS_MAP_COUNT of the masks below. */
#define HS_PROG_PIN "haystack_xdp"

/* Make sure a bpffs is mounted at /sys/fs/bpf. */
int hs_ensure_bpffs(void);
/* A pinned map by name (status, detach: no program needed): fd or -errno. */
int hs_pinned_map_fd(const char *pin_dir, const char *name);
/* Remove the pinned maps and the directory. */
int hs_unpin_all(const char *pin_dir);
/* The maps pinned in pin_dir now, bit i for hs_map_names[i] (and bit
 * HS_MAP_COUNT for the program): a start that
 * fails removes only the pins it made, never those of an earlier run. */
unsigned int hs_pins_present(const char *pin_dir);
/* Remove the pinned maps and program but those in keep, and the directory
 * once empty. */
int hs_unpin_except(const char *pin_dir, unsigned int keep);

enum hs_pin_access {
	HS_PIN_READ,	/* status: beside a running agent */
	HS_PIN_WRITE,	/* run (for its whole life), detach */
};
#define HS_PIN_BUSY 1	/* another command holds the lock: a running agent */
/* Lock dir: 0 with *fd held (-1 when dir does not exist), HS_PIN_BUSY when
 * another command holds it in a conflicting way, or -errno after one line. */
int hs_pin_lock(const char *dir, enum hs_pin_access access, int *fd);
void hs_pin_unlock(int fd);
