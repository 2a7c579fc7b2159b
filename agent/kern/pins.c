// SPDX-License-Identifier: GPL-2.0
/* The pin directory: the maps a program shares with the agents that follow
 * it, and the lock every command that touches them takes. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include <bpf/bpf.h>
#include "kern/pins.h"
#include "lib/log.h"

#define BPFFS "/sys/fs/bpf"

/* Every pinned map, by its name in bpf/maps.h. */
const char *const hs_map_names[HS_MAP_COUNT + 1] = {
	[HS_MAP_CONFIG] = "config",
	[HS_MAP_STATS] = "stats",
	[HS_MAP_SUBSCRIBERS] = "subscriber_prefixes",
	[HS_MAP_ENDPOINTS] = "service_endpoints",
	[HS_MAP_RULES] = "endpoint_rules",
	[HS_MAP_EVIDENCE] = "evidence",
	[HS_MAP_TEMPLATES] = "templates",
	[HS_MAP_EXPORTERS] = "exporters",
	[HS_MAP_RECORDS] = "records",	/* so a run taking over reads them */
	[HS_MAP_DICTIONARIES] = "dictionaries",
	[HS_MAP_EXPORTER_ALLOW] = "exporter_allow",
	[HS_MAP_AGENT] = "agent",
	[HS_MAP_EXPORTER_CLOCKS] = "exporter_clocks",
	[HS_MAP_SUBSCRIBER_BLOCKS] = "subscriber_blocks",
	[HS_MAP_PREFILTER] = "service_prefilter",
	[HS_MAP_HOSTS] = "service_hosts",
	[HS_MAP_TABLES] = "evidence_tables",
};

bool hs_is_pinned_map(const char *name)
{
	for (int i = 0; hs_map_names[i]; i++)
		if (!strcmp(hs_map_names[i], name))
			return true;
	return false;
}

int hs_ensure_bpffs(void)
{
	struct statfs st;
	int err;

	if (!statfs(BPFFS, &st) && st.f_type == BPF_FS_MAGIC)
		return 0;
	/* `ip netns exec` remounts /sys in a private mount namespace, which
	 * hides the host's bpffs: mount one there, as xdp-tools does. It
	 * disappears with the namespace. */
	mkdir(BPFFS, 0700);
	if (mount("bpf", BPFFS, "bpf", 0, "mode=0700")) {
		err = -errno;
		hs_err("%s is not a bpffs and mounting one failed: %s (%d)", BPFFS,
		       strerror(-err), err);
		return err;
	}
	hs_debug("mounted bpffs at %s", BPFFS);
	return 0;
}

int hs_pinned_map_fd(const char *pin_dir, const char *name)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", pin_dir, name);
	fd = bpf_obj_get(path);
	return fd < 0 ? -errno : fd;
}

unsigned int hs_pins_present(const char *pin_dir)
{
	char path[PATH_MAX];
	unsigned int mask = 0;

	for (int i = 0; hs_map_names[i]; i++) {
		snprintf(path, sizeof(path), "%s/%s", pin_dir, hs_map_names[i]);
		if (!access(path, F_OK))
			mask |= 1U << i;
	}
	snprintf(path, sizeof(path), "%s/%s", pin_dir, HS_PROG_PIN);
	if (!access(path, F_OK))
		mask |= 1U << HS_MAP_COUNT;
	return mask;
}

/* The hour tables and the folds pinned beside evidence_tables
 * (kern/tables.h): they go with it. */
static int unpin_dir(const char *pin_dir, const char *sub)
{
	char dir[PATH_MAX], path[2 * PATH_MAX];
	struct dirent *e;
	int err = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/%s", pin_dir, sub);
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (unlink(path) && errno != ENOENT)
			err = -errno;
	}
	closedir(d);
	if (rmdir(dir) && errno != ENOENT)
		err = err ?: -errno;
	return err;
}

int hs_unpin_except(const char *pin_dir, unsigned int keep)
{
	char path[PATH_MAX];
	int err = 0;

	for (int i = 0; hs_map_names[i]; i++) {
		if (keep & (1U << i))
			continue;
		snprintf(path, sizeof(path), "%s/%s", pin_dir, hs_map_names[i]);
		if (unlink(path) && errno != ENOENT)
			err = -errno;
	}
	if (!(keep & (1U << HS_MAP_TABLES)))
		err = unpin_dir(pin_dir, "tables") ?: unpin_dir(pin_dir, "folds") ?: err;
	snprintf(path, sizeof(path), "%s/%s", pin_dir, HS_PROG_PIN);
	if (!(keep & (1U << HS_MAP_COUNT)) && unlink(path) && errno != ENOENT)
		err = -errno;
	/* Not empty while something is kept: then it stays, without a word. */
	if (rmdir(pin_dir) && errno != ENOENT && !(keep && errno == ENOTEMPTY))
		err = err ?: -errno;
	return err;
}

int hs_unpin_all(const char *pin_dir)
{
	return hs_unpin_except(pin_dir, 0);
}

/*
 * xdp-tools serialises its commands with flock on the pin directory; here a
 * command can also be a daemon. `run` holds the lock exclusively for its whole
 * life, so a second run or a detach is refused while it counts. status takes
 * it shared: it reads beside a running agent (the maps are read entry by
 * entry, each entry whole), and while no agent runs it keeps a detach from
 * removing the maps under it.
 */
int hs_pin_lock(const char *dir, enum hs_pin_access access, int *fd)
{
	int err;

	*fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*fd < 0) {
		err = -errno;
		if (err == -ENOENT)
			return 0;	/* nothing pinned: nothing to guard */
		hs_err("cannot open %s: %s (%d)", dir, strerror(-err), err);
		return err;
	}
	if (!flock(*fd, (access == HS_PIN_WRITE ? LOCK_EX : LOCK_SH) | LOCK_NB))
		return 0;
	err = -errno;
	close(*fd);
	*fd = -1;
	if (err != -EWOULDBLOCK) {
		hs_err("cannot lock %s: %s (%d)", dir, strerror(-err), err);
		return err;
	}
	return HS_PIN_BUSY;
}

void hs_pin_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}
