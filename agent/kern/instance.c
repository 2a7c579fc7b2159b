// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/if_link.h>
#include <linux/magic.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "haystack.skel.h"
#include "kern/instance.h"
#include "kern/mapwalk.h"
#include "kern/pins.h"
#include "lib/log.h"
#include "lib/prefix.h"
#include "lib/thread.h"

static int mkdir_p(const char *path)
{
	char buf[PATH_MAX];

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0700) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, 0700) && errno != EEXIST)
		return -errno;
	return 0;
}

static int open_skeleton(struct hs_instance *in)
{
	int err;

	in->skel = haystack_bpf__open();
	if (in->skel)
		return 0;
	err = -errno;
	hs_err("cannot open the BPF object: %s (%d)", strerror(-err), err);
	return err;
}

__u32 hs_map_capacity(int fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.max_entries;
}

/* The maps an operator sizes, and the option that does. */
static const struct {
	const char *map;
	size_t off;
	const char *option;
} sized_maps[] = {
	{ "evidence", offsetof(struct hs_map_sizes, evidence), "--max-evidence" },
	{ "service_endpoints", offsetof(struct hs_map_sizes, endpoints), "--max-endpoints" },
	{ "service_hosts", offsetof(struct hs_map_sizes, endpoints), "--max-endpoints" },
	{ "endpoint_rules", offsetof(struct hs_map_sizes, rulesets), "--max-rulesets" },
	{ "subscriber_prefixes", offsetof(struct hs_map_sizes, subscribers), "--max-subscribers" },
	{ "templates", offsetof(struct hs_map_sizes, templates), "--max-templates" },
	{ "exporter_clocks", offsetof(struct hs_map_sizes, exporter_clocks),
	  "--max-exporter-clocks" },
};

/* libbpf re-uses a pinned map only when its max_entries is the one it would
 * create: a pinned map is opened with its own size. A size asked for that
 * differs is refused rather than ignored, so an operator never believes the
 * map holds what it does not. */
static int size_map(struct bpf_map *map, const char *pin_dir, const struct hs_map_sizes *sizes)
{
	const char *name = bpf_map__name(map);
	__u32 want = 0, pinned = 0;
	const char *option = NULL;
	int fd;

	for (size_t i = 0; sizes && i < sizeof(sized_maps) / sizeof(sized_maps[0]); i++)
		if (!strcmp(sized_maps[i].map, name)) {
			want = *(const __u32 *)((const char *)sizes + sized_maps[i].off);
			option = sized_maps[i].option;
		}
	fd = pin_dir ? hs_pinned_map_fd(pin_dir, name) : -ENOENT;
	if (fd >= 0) {
		pinned = hs_map_capacity(fd);
		close(fd);
	}
	if (pinned && want && want != pinned) {
		hs_err("%s %u: the map %s pinned at %s holds %u entries, fixed when it was created; `haystack detach` to start afresh with another size",
		       option, want, name, pin_dir, pinned);
		return -EINVAL;
	}
	return pinned || want ? bpf_map__set_max_entries(map, pinned ?: want) : 0;
}

int hs_instance_open(struct hs_instance *in, const char *pin_dir,
		     const struct hs_map_sizes *sizes)
{
	struct bpf_map *map;
	char path[PATH_MAX];
	int err;

	memset(in, 0, sizeof(*in));
	in->pin_dir = pin_dir;
	if (pin_dir) {
		err = hs_ensure_bpffs();
		if (err)
			return err;
		err = mkdir_p(pin_dir);
		if (err) {
			hs_err("cannot create pin directory %s: %s (%d)", pin_dir,
			       strerror(-err), err);
			return err;
		}
	}
	err = open_skeleton(in);
	if (err)
		return err;
	/* Only the maps named in hs_map_names are shared by a program and
	 * the agents that follow; the walk's scratch space is the program's. */
	bpf_object__for_each_map(map, in->skel->obj) {
		if (pin_dir && hs_is_pinned_map(bpf_map__name(map))) {
			snprintf(path, sizeof(path), "%s/%s", pin_dir, bpf_map__name(map));
			err = bpf_map__set_pin_path(map, path);
		} else {
			err = bpf_map__set_pin_path(map, NULL);
		}
		if (err) {
			hs_err("cannot set pin path of map %s: %s (%d)", bpf_map__name(map),
			       strerror(-err), err);
			return err;
		}
		err = size_map(map, pin_dir && hs_is_pinned_map(bpf_map__name(map)) ? pin_dir : NULL,
			       sizes);
		if (err)
			return err;
	}
	return 0;
}

int hs_instance_open_pins(struct hs_instance *in, const char *pin_dir)
{
	struct bpf_map *map;
	int err;

	memset(in, 0, sizeof(*in));
	err = open_skeleton(in);
	if (err)
		return err;
	/* No program is loaded (that would need CAP_NET_ADMIN too): the maps
	 * are the pinned ones, their fds where the skeleton looks for them. */
	bpf_object__for_each_map(map, in->skel->obj) {
		int fd;

		if (!hs_is_pinned_map(bpf_map__name(map)))
			continue;
		fd = hs_pinned_map_fd(pin_dir, bpf_map__name(map));
		if (fd < 0) {
			hs_err("no haystack instance at %s (`haystack run` makes one): %s/%s: %s",
			       pin_dir, pin_dir, bpf_map__name(map), strerror(-fd));
			return fd == -ENOENT ? -ESRCH : fd;
		}
		err = bpf_map__reuse_fd(map, fd);
		close(fd);
		if (err) {
			hs_err("cannot use the pinned map %s: %s (%d)", bpf_map__name(map),
			       strerror(-err), err);
			return err;
		}
	}
	return 0;
}

int hs_instance_load(struct hs_instance *in)
{
	int err = haystack_bpf__load(in->skel);

	if (err) {
		hs_err("cannot load the XDP program into the kernel: %s (%d)%s", strerror(-err),
		       err, hs_log_get_level() >= HS_LOG_DEBUG ? "" : "; -v shows the verifier log");
		return err;
	}
	return 0;
}

/*
 * What is attached to an interface. libxdp looks every attached program up
 * by its id (BPF_PROG_GET_FD_BY_ID), which the kernel allows only with
 * CAP_SYS_ADMIN. Here the ids come from netlink (RTM_GETLINK, no capability)
 * and haystack's own program from its pin (bpf_obj_get: CAP_BPF and the
 * bpffs permissions): the same id is the same program. An id that is not
 * the pinned one is opened by id only to tell what it is, which works with
 * CAP_SYS_ADMIN and fails without it (then it is not taken for ours).
 */
enum hs_found {
	FOUND_PINNED,		/* the program pinned at pin_dir */
	FOUND_HAYSTACK,		/* a haystack_xdp, opened by id */
	FOUND_DISPATCHER,	/* libxdp's dispatcher, opened by id */
	FOUND_OTHER,		/* not haystack's */
	FOUND_UNKNOWN,		/* not the pinned one, and not to be opened by id */
};

struct found {
	__u32 id;
	enum xdp_attach_mode mode;
	enum hs_found what;
	int fd;			/* -1 for FOUND_UNKNOWN; closed by close_found */
	int err;		/* of BPF_PROG_GET_FD_BY_ID, for FOUND_UNKNOWN */
	char name[BPF_OBJ_NAME_LEN];
};

static __u32 mode_flags(enum xdp_attach_mode mode)
{
	switch (mode) {
	case XDP_MODE_NATIVE: return XDP_FLAGS_DRV_MODE;
	case XDP_MODE_SKB: return XDP_FLAGS_SKB_MODE;
	case XDP_MODE_HW: return XDP_FLAGS_HW_MODE;
	default: return 0;
	}
}

static int prog_id_name(int fd, __u32 *id, char *name)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	*id = info.id;
	if (name)
		snprintf(name, BPF_OBJ_NAME_LEN, "%s", info.name);
	return 0;
}

/* The program pinned at pin_dir, its fd (and id), or -errno. */
static int pinned_prog(const char *pin_dir, __u32 *id)
{
	char path[PATH_MAX];
	int fd, err;

	snprintf(path, sizeof(path), "%s/%s", pin_dir, HS_PROG_PIN);
	fd = bpf_obj_get(path);
	if (fd < 0) {
		err = -errno;
		if (err != -ENOENT)
			hs_debug("bpf_obj_get(%s): %s (%d)", path, strerror(-err), err);
		return err;
	}
	err = prog_id_name(fd, id, NULL);
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

static void close_found(struct found *f, int n)
{
	for (int i = 0; i < n; i++)
		if (f[i].fd >= 0)
			close(f[i].fd);
}

/* The programs attached to ifindex, one per mode (up to 3): how many, or
 * -errno when netlink did not answer. */
static int find_xdp(int ifindex, const char *pin_dir, struct found *f)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	__u32 pinned_id = 0;
	int pinned = -ENOENT, n = 0, err;

	err = bpf_xdp_query(ifindex, 0, &q);
	if (err)
		return err;
	const struct {
		__u32 id;
		enum xdp_attach_mode mode;
	} per[] = {
		{ q.drv_prog_id, XDP_MODE_NATIVE },
		{ q.skb_prog_id, XDP_MODE_SKB },
		{ q.hw_prog_id, XDP_MODE_HW },
	};
	if (pin_dir)
		pinned = pinned_prog(pin_dir, &pinned_id);
	for (size_t i = 0; i < sizeof(per) / sizeof(per[0]); i++) {
		struct found *a = &f[n];

		if (!per[i].id)
			continue;
		memset(a, 0, sizeof(*a));
		a->id = per[i].id;
		a->mode = per[i].mode;
		a->fd = -1;
		n++;
		if (pinned >= 0 && a->id == pinned_id) {
			a->what = FOUND_PINNED;
			a->fd = fcntl(pinned, F_DUPFD_CLOEXEC, 3);
			snprintf(a->name, sizeof(a->name), "haystack_xdp");
			if (a->fd >= 0)
				continue;
			err = -errno;
			close_found(f, n - 1);
			close(pinned);
			return err;
		}
		a->fd = bpf_prog_get_fd_by_id(a->id);
		if (a->fd < 0) {
			a->err = -errno;
			a->what = FOUND_UNKNOWN;
			hs_debug("BPF_PROG_GET_FD_BY_ID %u (attached to ifindex %d): %s (%d)", a->id,
				 ifindex, strerror(-a->err), a->err);
			continue;
		}
		prog_id_name(a->fd, &a->id, a->name);
		a->what = !strcmp(a->name, "haystack_xdp") ? FOUND_HAYSTACK :
			  !strcmp(a->name, "xdp_dispatcher") ? FOUND_DISPATCHER : FOUND_OTHER;
	}
	if (pinned >= 0)
		close(pinned);
	return n;
}

/* One line: what is attached is not haystack's, and it stays. */
static void say_not_ours(const char *what, const char *ifname, const struct found *a,
			 const char *pin_dir)
{
	if (a->what == FOUND_UNKNOWN)
		hs_err("%s %s: the XDP program attached there (id %u) is not the haystack pinned at %s (and the kernel opens a program by id, to tell what it is, only for CAP_SYS_ADMIN: %s); it is left as it is",
		       what, ifname, a->id, pin_dir ?: "(none)", strerror(-a->err));
	else
		hs_err("%s %s: the XDP program attached there (id %u, %s) is not haystack's; it is left as it is",
		       what, ifname, a->id, a->name);
}

/* Remove exactly the program at fd from ifindex by netlink: the kernel
 * refuses (EEXIST) when another one is attached there in that mode. */
static int detach_fd(int ifindex, int fd, enum xdp_attach_mode mode)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, opts, .old_prog_fd = fd);

	return bpf_xdp_detach(ifindex, mode_flags(mode) | XDP_FLAGS_REPLACE, &opts);
}

/* The id attached to ifindex in mode (0: none). */
static __u32 attached_id(int ifindex, enum xdp_attach_mode mode)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);

	if (bpf_xdp_query(ifindex, 0, &q))
		return 0;
	return mode == XDP_MODE_SKB ? q.skb_prog_id :
	       mode == XDP_MODE_HW ? q.hw_prog_id : q.drv_prog_id;
}

/* pin_dir/haystack_xdp is the attached program: a later agent or detach
 * finds it there without CAP_SYS_ADMIN. A pin of another program (the
 * one of an interface that went away) is replaced. */
static int pin_prog(struct hs_instance *in)
{
	char path[PATH_MAX];
	__u32 pinned_id = 0, id = 0;
	int fd, err;

	if (!in->pin_dir || !in->direct)
		return 0;
	err = prog_id_name(in->prog_fd, &id, NULL);
	if (err)
		return err;
	fd = pinned_prog(in->pin_dir, &pinned_id);
	if (fd >= 0)
		close(fd);
	if (fd >= 0 && pinned_id == id)
		return 0;
	snprintf(path, sizeof(path), "%s/%s", in->pin_dir, HS_PROG_PIN);
	if (fd != -ENOENT)
		unlink(path);
	if (bpf_obj_pin(in->prog_fd, path)) {
		err = -errno;
		hs_err("cannot pin the XDP program at %s: %s (%d)", path, strerror(-err), err);
		return err;
	}
	return 0;
}

/* The haystack program attached to ifindex through libxdp's dispatcher, if
 * any (caller closes mp). libxdp opens every program by id: CAP_SYS_ADMIN. */
static struct xdp_program *find_in_dispatcher(int ifindex, struct xdp_multiprog **mp)
{
	struct xdp_program *p;

	*mp = xdp_multiprog__get_from_ifindex(ifindex);
	if (libxdp_get_error(*mp)) {
		*mp = NULL;
		return NULL;
	}
	if (xdp_multiprog__is_legacy(*mp))
		return NULL;
	for (p = xdp_multiprog__next_prog(NULL, *mp); p; p = xdp_multiprog__next_prog(p, *mp))
		if (!strcmp(xdp_program__name(p), "haystack_xdp"))
			return p;
	return NULL;
}

static int prog_info(int fd, struct bpf_prog_info *info, __u32 *map_ids, __u32 n_ids)
{
	__u32 len = sizeof(*info);

	memset(info, 0, sizeof(*info));
	info->nr_map_ids = n_ids;
	info->map_ids = (__u64)(unsigned long)map_ids;
	return bpf_obj_get_info_by_fd(fd, info, &len) ? -errno : 0;
}

/* The attached program (fd) is ours to take over when it is the same build
 * (same instruction tag) and counts into the maps pinned where we loaded
 * ours. */
static int adopt(struct hs_instance *in, int fd, const char *ifname)
{
	struct bpf_prog_info mine, theirs;
	struct bpf_map_info config = {};
	__u32 ids[16], len = sizeof(config);
	bool shares_config = false;
	int err;

	err = hs_instance_load(in);
	if (err)
		return err;
	if (prog_info(bpf_program__fd(in->skel->progs.haystack_xdp), &mine, NULL, 0) ||
	    prog_info(fd, &theirs, ids, 16) ||
	    bpf_obj_get_info_by_fd(bpf_map__fd(in->skel->maps.config), &config, &len))
		return -errno;
	for (__u32 i = 0; i < theirs.nr_map_ids && i < 16; i++)
		shares_config |= ids[i] == config.id;
	if (!shares_config) {
		hs_err("another haystack instance is attached to %s (not the one pinned at %s); `haystack detach --iface %s` removes it",
		       ifname, in->pin_dir, ifname);
		return -EEXIST;
	}
	if (memcmp(mine.tag, theirs.tag, sizeof(mine.tag))) {
		hs_err("a haystack of another build is attached to %s; `haystack detach --iface %s` removes it (its evidence with it)",
		       ifname, ifname);
		return -EEXIST;
	}
	return 0;
}

static int already_attached(const char *ifname)
{
	hs_err("haystack is already attached to %s; `haystack detach --iface %s` removes it",
	       ifname, ifname);
	return -EEXIST;
}

/* Take over the haystack in libxdp's dispatcher (CAP_SYS_ADMIN: libxdp
 * found it by id), or add ours to the dispatcher when none is in it. */
static int attach_new(struct hs_instance *in, const char *ifname, enum xdp_attach_mode mode);

static int take_over_dispatcher(struct hs_instance *in, const char *ifname,
				enum xdp_attach_mode mode)
{
	struct xdp_multiprog *mp;
	struct xdp_program *old = find_in_dispatcher(in->ifindex, &mp);
	int err;

	if (!old) {
		xdp_multiprog__close(mp);
		return attach_new(in, ifname, mode);
	}
	err = in->pin_dir && !in->xdp && !in->own_prog_fd ? adopt(in, xdp_program__fd(old), ifname) :
							     already_attached(ifname);
	if (!err) {
		in->xdp = xdp_program__from_id(xdp_program__id(old));
		err = libxdp_get_error(in->xdp);
		if (err)
			in->xdp = NULL;
	}
	if (!err) {
		in->mode = xdp_multiprog__attach_mode(mp);
		in->direct = false;
		in->attached = in->adopted = true;
	}
	xdp_multiprog__close(mp);
	return err;
}

static int attach_new(struct hs_instance *in, const char *ifname, enum xdp_attach_mode mode)
{
	DECLARE_LIBXDP_OPTS(xdp_program_opts, opts, .obj = in->skel->obj,
			    .prog_name = "haystack_xdp");
	__u32 id = 0;
	int err;

	if (in->own_prog_fd) {
		/* The program taken over, attached again after its interface
		 * came back: by netlink, as libxdp attaches one alone. */
		err = bpf_xdp_attach(in->ifindex, in->prog_fd,
				     mode_flags(mode) | XDP_FLAGS_UPDATE_IF_NOEXIST, NULL);
		goto attached;
	}
	if (!in->xdp) {
		in->xdp = xdp_program__create(&opts);
		err = libxdp_get_error(in->xdp);
		if (err) {
			in->xdp = NULL;
			hs_err("cannot prepare the XDP program for %s: %s (%d)", ifname,
			       strerror(-err), err);
			return err;
		}
	}
	/* libxdp loads the object itself (as a dispatcher component where the
	 * kernel supports it), so other XDP programs can share the interface.
	 * A program attached before (the interface came back) is linked into
	 * the new dispatcher as it is, with the maps it counts into. */
	err = xdp_program__attach(in->xdp, in->ifindex, mode, 0);
attached:
	if (err) {
		/* A driver without native XDP refuses the attach itself: the
		 * operator's choice, so it is said, never silently changed. */
		if (mode == XDP_MODE_NATIVE && (err == -EOPNOTSUPP || err == -EINVAL))
			hs_err("cannot attach to %s: it does not support native XDP (%s, %d); try --xdp-mode skb",
			       ifname, strerror(-err), err);
		else
			hs_err("cannot attach to %s: %s (%d)", ifname, strerror(-err), err);
		return err;
	}
	in->mode = mode;
	in->attached = true;
	if (!in->own_prog_fd)
		in->prog_fd = xdp_program__fd(in->xdp);
	/* Alone on the interface (libxdp's dispatcher did not load): it is
	 * detached by netlink, and pinned to be found again. */
	in->direct = !prog_id_name(in->prog_fd, &id, NULL) && id &&
		     attached_id(in->ifindex, mode) == id;
	return pin_prog(in);
}

int hs_instance_attach(struct hs_instance *in, const char *ifname, enum xdp_attach_mode mode)
{
	struct found f[3], *h = NULL;
	int n, err;

	in->ifindex = if_nametoindex(ifname);
	if (!in->ifindex) {
		hs_err("no interface %s in this network namespace", ifname);
		return -ENODEV;
	}
	n = find_xdp(in->ifindex, in->pin_dir, f);
	if (n < 0) {
		hs_err("cannot query the XDP program of %s: %s (%d)", ifname, strerror(-n), n);
		return n;
	}
	for (int i = 0; i < n && !h; i++)
		if (f[i].what == FOUND_PINNED || f[i].what == FOUND_HAYSTACK)
			h = &f[i];
	/* A program left by `run --keep` goes on counting into its pins: it
	 * is taken over, never doubled by a second one counting every record
	 * twice, and never replaced (its templates and records in flight stay).
	 * Attaching again (the interface came back), whatever is there is not
	 * ours. */
	if (h) {
		err = in->pin_dir && !in->xdp && !in->own_prog_fd ? adopt(in, h->fd, ifname) :
								     already_attached(ifname);
		if (!err) {
			in->prog_fd = h->fd;
			in->own_prog_fd = true;
			h->fd = -1;
			in->mode = h->mode;
			in->direct = in->attached = in->adopted = true;
			err = pin_prog(in);
		}
	} else if (n && f[0].what == FOUND_DISPATCHER) {
		err = take_over_dispatcher(in, ifname, mode);
	} else if (n) {
		/* libxdp would refuse it too (it never replaces a program it
		 * did not attach): said here with what is there. */
		say_not_ours("cannot attach to", ifname, &f[0], in->pin_dir);
		err = -EBUSY;
	} else {
		err = attach_new(in, ifname, mode);
	}
	close_found(f, n);
	return err;
}

void hs_instance_lost(struct hs_instance *in)
{
	/* The kernel detached the program with the device. libxdp's pins of
	 * the dispatcher it ran in stay behind, holding it, until removed. */
	in->attached = false;
	libxdp_clean_references(in->ifindex);
}

void hs_instance_close(struct hs_instance *in, bool keep)
{
	bool keep_pins = keep;

	if (in->attached && !keep) {
		int err = in->direct ? detach_fd(in->ifindex, in->prog_fd, in->mode) :
				       xdp_program__detach(in->xdp, in->ifindex, in->mode, 0);

		/* Gone with its interface: nothing to detach. Still attached:
		 * its pins stay, for `haystack detach` to find it. */
		if (err && err != -ENODEV) {
			hs_err("cannot detach from ifindex %d: %s (%d); the program and its pins at %s stay",
			       in->ifindex, strerror(-err), err, in->pin_dir ?: "(none)");
			keep_pins = true;
		}
	}
	/* The xdp_program shares the skeleton's bpf_object: close it first
	 * without letting it free the object twice. */
	if (in->agent_written) {
		struct agent_state none = {};

		hs_write_agent(in, &none);
	}
	if (in->own_prog_fd)
		close(in->prog_fd);
	if (in->xdp)
		xdp_program__close(in->xdp);
	if (in->skel)
		haystack_bpf__destroy(in->skel);
	if (!keep_pins && in->pin_dir)
		hs_unpin_all(in->pin_dir);
	memset(in, 0, sizeof(*in));
}

static void map_write_failed(struct bpf_map *map, int err)
{
	hs_err("cannot write map %s (%u entries max): %s (%d)", bpf_map__name(map),
	       bpf_map__max_entries(map), strerror(-err), err);
}

static int map_update(struct bpf_map *map, const void *key, const void *val)
{
	int err = bpf_map_update_elem(bpf_map__fd(map), key, val, BPF_ANY);

	if (err) {
		err = -errno;
		map_write_failed(map, err);
	}
	return err;
}

/* Both prefix lists map a prefix to its position in its file. */
_Static_assert(sizeof(struct subscriber_prefix) == sizeof(__u32) &&
	       sizeof(struct exporter_prefix) == sizeof(__u32), "prefix values are ids");

struct stale_prefixes {
	struct bpf_map *map;
	struct haystack_lpm_key *sorted;
	size_t n;
	int err;
};

static int cmp_key(const void *a, const void *b)
{
	return hs_key_cmp(a, b);
}

static int remove_stale(const void *key, const void *value, void *arg)
{
	struct stale_prefixes *st = arg;

	if (bsearch(key, st->sorted, st->n, sizeof(*st->sorted), cmp_key))
		return 0;
	if (bpf_map_delete_elem(bpf_map__fd(st->map), key) && errno != ENOENT) {
		st->err = -errno;
		hs_err("cannot remove a stale entry of map %s: %s (%d)", bpf_map__name(st->map),
		       strerror(-st->err), st->err);
		return st->err;
	}
	return 0;
}

/* p[i] -> i, and nothing else: a run taking over pinned maps finds the
 * prefixes of the run before it there. The new ones go in first, so no
 * address listed in both is ever missing. */
static int write_prefixes(struct bpf_map *map, const struct haystack_lpm_key *p, size_t n,
			  const char *what)
{
	struct stale_prefixes st = { .map = map, .n = n };
	int err;

	if (n > bpf_map__max_entries(map)) {
		hs_err("%zu %s prefixes, at most %u fit", n, what, bpf_map__max_entries(map));
		return -E2BIG;
	}
	for (size_t i = 0; i < n; i++) {
		__u32 id = i;

		err = map_update(map, &p[i], &id);
		if (err)
			return err;
	}
	st.sorted = malloc((n ?: 1) * sizeof(*p));
	if (!st.sorted)
		return -ENOMEM;
	if (n) {	/* no list (no --exporters) is p NULL */
		memcpy(st.sorted, p, n * sizeof(*p));
		qsort(st.sorted, n, sizeof(*p), cmp_key);
	}
	err = hs_map_for_each(bpf_map__fd(map), sizeof(*p), 0, remove_stale, &st);
	free(st.sorted);
	return st.err ?: err;
}

/* What a prefix is to the IPv4 bitmaps (service_prefilter,
 * subscriber_blocks in include/haystack.h): an exact /32 (*first = *last = its address, host
 * order), a prefix over the /24s *first .. *last (an IPv6 prefix holding
 * ::ffff:0:0/96 covers every one), or nothing IPv4 (V4_NONE). */
enum v4_cover { V4_NONE, V4_EXACT, V4_PREFIX };

static enum v4_cover v4_cover(const struct haystack_lpm_key *k, __u32 *first, __u32 *last)
{
	static const __u8 mapped[12] = { [10] = 0xff, [11] = 0xff };
	__u32 p = k->prefixlen, a, n;

	if (!hs_bits_equal(k->addr, mapped, p < 96 ? p : 96))
		return V4_NONE;
	if (p <= 96) {
		*first = 0;
		*last = (1U << 24) - 1;
		return V4_PREFIX;
	}
	n = p - 96;
	memcpy(&a, k->addr + 12, 4);
	a = ntohl(a);
	if (n >= 32) {
		*first = *last = a;
		return V4_EXACT;
	}
	if (n >= 24) {
		*first = *last = a >> 8;
		return V4_PREFIX;
	}
	*first = (a >> 8) & ~((1U << (24 - n)) - 1);
	*last = *first + (1U << (24 - n)) - 1;
	return V4_PREFIX;
}

/* subscriber_blocks from the same prefixes as the trie (include/haystack.h),
 * made in memory and written whole into the mapped array. */
static int write_subscriber_blocks(struct hs_instance *in, const struct haystack_lpm_key *p,
				   size_t n)
{
	size_t size = (size_t)HAYSTACK_SUBSCRIBER_BLOCKS * sizeof(struct subscriber_block);
	int fd = bpf_map__fd(in->skel->maps.subscriber_blocks), err = 0;
	struct subscriber_block *b = calloc(HAYSTACK_SUBSCRIBER_BLOCKS, sizeof(*b)), *m;

	if (!b)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		__u32 first, last, base = HAYSTACK_SUBSCRIBER_BLOCKS16;
		bool whole = p[i].prefixlen <= 96 + 24;

		switch (v4_cover(&p[i], &first, &last)) {
		case V4_EXACT:
			first = last = first >> 8;
			break;
		case V4_PREFIX:
			break;
		case V4_NONE:	/* IPv6 (the parser refuses one over the mapped range) */
			base = HAYSTACK_SUBSCRIBER_BLOCKS6;
			whole = p[i].prefixlen <= 24;
			first = (__u32)p[i].addr[0] << 16 | p[i].addr[1] << 8 | p[i].addr[2];
			if (whole)
				first &= ~((1U << (24 - p[i].prefixlen)) - 1);
			last = whole ? first + (1U << (24 - p[i].prefixlen)) - 1 : first;
			break;
		}
		for (__u32 k = first; k <= last; k++) {
			__u32 w = base + (k >> 6);
			__u64 bit = 1ULL << (k & 63);

			b[w].any |= bit;
			if (whole)
				b[w].all |= bit;
		}
	}
	/* a /16 is all subscriber when its 256 /24s are, four words */
	for (__u32 k16 = 0; k16 < 1U << 16; k16++) {
		const struct subscriber_block *q = &b[HAYSTACK_SUBSCRIBER_BLOCKS16 + k16 * 4];
		__u64 bit = 1ULL << (k16 & 63), any = 0, all = ~0ULL;

		for (int j = 0; j < 4; j++) {
			any |= q[j].any;
			all &= q[j].all;
		}
		if (any)
			b[k16 >> 6].any |= bit;
		if (all == ~0ULL)
			b[k16 >> 6].all |= bit;
	}
	m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED) {
		err = -errno;
		hs_err("cannot map the subscriber_blocks map: %s (%d)", strerror(-err), err);
	} else {
		memcpy(m, b, size);
		munmap(m, size);
	}
	free(b);
	return err;
}

int hs_write_subscribers(struct hs_instance *in, const struct haystack_lpm_key *p, size_t n)
{
	return write_prefixes(in->skel->maps.subscriber_prefixes, p, n, "subscriber") ?:
	       write_subscriber_blocks(in, p, n);
}

int hs_write_exporters(struct hs_instance *in, const struct haystack_lpm_key *p, size_t n)
{
	return write_prefixes(in->skel->maps.exporter_allow, p, n, "exporter");
}

static struct endpoint_key endpoint_key_of(const struct hs_endpoint *e, __u32 generation)
{
	struct endpoint_key k = {
		.prefixlen = 32 + e->key.prefixlen,
		.generation = htonl(generation),
	};

	memcpy(k.addr, e->key.addr, 16);
	return k;
}

static struct service_host_key host_key_of(__u32 generation, __u32 addr)
{
	struct service_host_key k = { .generation = generation };
	__u32 be = htonl(addr);

	memcpy(k.addr, &be, 4);
	return k;
}

#define PREFILTER_SLOT_BYTES	((size_t)HAYSTACK_PREFILTER_SLOT_WORDS * sizeof(__u64))

static void set_bit(__u64 *bitmap, __u32 b)
{
	bitmap[b >> 6] |= 1ULL << (b & 63);
}

/* The log2 of a bitmap's bits: sixteen bits or more for each of n
 * entries, so that one address in 17 or fewer that is none finds its bit
 * set. */
static __u32 prefilter_log(size_t n, __u32 max)
{
	__u32 log = HAYSTACK_PREFILTER_LOG_MIN;

	while (log < max && (1ULL << log) < 16 * (unsigned long long)n)
		log++;
	return log;
}

/* Whether k lies inside ::ffff:0:0/96, IPv4 alone. */
static bool v4_mapped(const struct haystack_lpm_key *k)
{
	static const __u8 mapped[12] = { [10] = 0xff, [11] = 0xff };

	return k->prefixlen >= 96 && !memcmp(k->addr, mapped, sizeof(mapped));
}

/* Slot's region of the pre-filter, zeroed and filled with the endpoints of
 * c, in place through a shared mapping of that region alone. The slot is
 * claimed and not live: no datagram reads the region meanwhile. */
static int write_prefilter(struct hs_instance *in, const struct hs_compiled *c, int slot)
{
	int fd = bpf_map__fd(in->skel->maps.service_prefilter);
	size_t n_exact = 0, n_v6 = 0;
	__u32 log4, log6, first, last;
	bool short6 = false;
	__u64 *w;

	w = mmap(NULL, PREFILTER_SLOT_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 (off_t)slot * PREFILTER_SLOT_BYTES);
	if (w == MAP_FAILED) {
		int err = -errno;

		hs_err("cannot map the service_prefilter map: %s (%d)", strerror(-err), err);
		return err;
	}
	memset(w, 0, PREFILTER_SLOT_BYTES);
	for (size_t i = 0; i < c->n_endpoints; i++) {
		const struct haystack_lpm_key *k = &c->endpoints[i].key;

		n_exact += v4_cover(k, &first, &last) == V4_EXACT;
		if (!v4_mapped(k)) {
			n_v6++;
			short6 |= k->prefixlen < 48;
		}
	}
	log4 = prefilter_log(n_exact, HAYSTACK_PREFILTER_HOST_LOG_MAX);
	log6 = prefilter_log(n_v6, HAYSTACK_PREFILTER_NET6_LOG_MAX);
	w[HAYSTACK_PREFILTER_AT_HEAD] = log4 | log6 << 8 | (short6 ? HAYSTACK_PREFILTER_SHORT6 : 0);
	for (size_t i = 0; i < c->n_endpoints; i++) {
		const struct haystack_lpm_key *k = &c->endpoints[i].key;

		switch (v4_cover(k, &first, &last)) {
		case V4_EXACT:
			set_bit(w + HAYSTACK_PREFILTER_AT16, first >> 16);
			set_bit(w + HAYSTACK_PREFILTER_AT24, (first >> 8) * 2);
			set_bit(w + HAYSTACK_PREFILTER_AT_HOSTS, HAYSTACK_HOST_BIT(first, log4));
			break;
		case V4_PREFIX:
			for (__u32 n = first; n <= last; n++) {
				set_bit(w + HAYSTACK_PREFILTER_AT16, n >> 8);
				set_bit(w + HAYSTACK_PREFILTER_AT24, n * 2 + 1);
			}
			break;
		case V4_NONE:
			break;
		}
		/* a prefix holding IPv6 addresses: its /48 (a shorter one
		 * sent every IPv6 address to the trie: short6) */
		if (!v4_mapped(k) && k->prefixlen >= 48)
			set_bit(w + HAYSTACK_PREFILTER_AT_NETS6,
				HAYSTACK_NET6_BIT((__u32)k->addr[0] << 24 | (__u32)k->addr[1] << 16 |
						  (__u32)k->addr[2] << 8 | k->addr[3],
						  (__u32)k->addr[4] << 8 | k->addr[5], log6));
	}
	munmap(w, PREFILTER_SLOT_BYTES);
	return 0;
}

/* Entries a batch syscall: a dictionary's maps take a million entries, and
 * one syscall each was most of its load time. Few enough that the keys of
 * a batch are still in the cache when the kernel reads them. */
#define MAP_BATCH	4096

/* keys[0 .. n) -> values[0 .. n), in one syscall; *done of them written
 * (the kernel's batch stops at the first entry it refuses). After a
 * refusal, or on a kernel without batch updates for the map type, the
 * rest go one a call, so the error is that of the entry refused. Prints
 * nothing: the map's writer may not be the thread that reports. */
static int map_update_batch(struct bpf_map *map, const void *keys, const void *values,
			    size_t n, size_t *done)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts, .elem_flags = BPF_ANY);
	size_t ks = bpf_map__key_size(map), vs = bpf_map__value_size(map), i;
	int fd = bpf_map__fd(map), err = 0;
	__u32 count = (__u32)n;

	if (!n || !bpf_map_update_batch(fd, keys, values, &count, &opts)) {
		*done = n;
		return 0;
	}
	for (i = count < n ? count : 0; i < n; i++) {
		if (bpf_map_update_elem(fd, (const char *)keys + i * ks,
					(const char *)values + i * vs, BPF_ANY)) {
			err = -errno;
			break;
		}
	}
	*done = i;
	return err;
}

/* keys[0 .. n) deleted, those missing skipped: the batch stops at each,
 * and goes on after it. A kernel without batch deletes for the map type
 * gets them one a call. */
static void map_delete_batch(int fd, const void *keys, size_t key_size, size_t n)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	const char *k = keys;

	while (n) {
		__u32 count = (__u32)n;

		if (!bpf_map_delete_batch(fd, k, &count, &opts))
			return;
		if (count > n)
			count = 0;
		if (errno != ENOENT)
			break;
		k += (count + 1) * key_size;
		n -= count + 1;
	}
	for (size_t i = 0; i < n; i++)
		bpf_map_delete_elem(fd, k + i * key_size);
}

/* The service_endpoints entries of c->endpoints[first ..), a batch. */
struct trie_batch {
	struct endpoint_key k[MAP_BATCH];
	struct service_endpoint v[MAP_BATCH];
	size_t n;
};

/* The service_hosts entries of the exact IPv4 ones among a batch of
 * endpoints, of which = their positions in it. */
struct hosts_batch {
	struct service_host_key k[MAP_BATCH];
	struct service_endpoint v[MAP_BATCH];
	size_t of[MAP_BATCH];
	size_t n;
};

static size_t batch_end(size_t first, size_t n)
{
	return n - first < MAP_BATCH ? n : first + MAP_BATCH;
}

static void trie_batch_fill(struct trie_batch *b, const struct hs_compiled *c, __u32 generation,
			    size_t first)
{
	size_t end = batch_end(first, c->n_endpoints);

	for (b->n = 0; first + b->n < end; b->n++) {
		const struct hs_endpoint *e = &c->endpoints[first + b->n];

		b->k[b->n] = endpoint_key_of(e, generation);
		b->v[b->n] = (struct service_endpoint){ .ruleset = e->ruleset };
	}
}

static void hosts_batch_fill(struct hosts_batch *b, const struct hs_compiled *c, __u32 generation,
			     size_t first)
{
	size_t end = batch_end(first, c->n_endpoints);

	b->n = 0;
	for (size_t i = first; i < end; i++) {
		__u32 addr, last;

		if (v4_cover(&c->endpoints[i].key, &addr, &last) != V4_EXACT)
			continue;
		b->k[b->n] = host_key_of(generation, addr);
		b->v[b->n] = (struct service_endpoint){ .ruleset = c->endpoints[i].ruleset };
		b->of[b->n++] = i - first;
	}
}

/* What of c is in the maps taken out again: the first n_rulesets rule
 * sets, the trie entries of the first n_trie endpoints, and the
 * service_hosts entries of the first n_hosts. */
static void remove_written(struct hs_instance *in, const struct hs_compiled *c, __u32 generation,
			   size_t n_rulesets, size_t n_trie, size_t n_hosts)
{
	int eps = bpf_map__fd(in->skel->maps.service_endpoints);
	int rules = bpf_map__fd(in->skel->maps.endpoint_rules);
	int hosts = bpf_map__fd(in->skel->maps.service_hosts);
	struct ruleset_key rk[MAP_BATCH];
	struct trie_batch *t = malloc(sizeof(*t));
	struct hosts_batch *h = malloc(sizeof(*h));
	size_t i, j, n;

	for (i = 0; t && h && (i < n_trie || i < n_hosts); i += MAP_BATCH) {
		if (i < n_trie) {
			trie_batch_fill(t, c, generation, i);
			map_delete_batch(eps, t->k, sizeof(t->k[0]),
					 t->n < n_trie - i ? t->n : n_trie - i);
		}
		if (i < n_hosts) {
			hosts_batch_fill(h, c, generation, i);
			for (j = 0; j < h->n && i + h->of[j] < n_hosts; j++)
				;
			map_delete_batch(hosts, h->k, sizeof(h->k[0]), j);
		}
	}
	/* no memory for a batch: a key a call */
	for (i = 0; (!t || !h) && (i < n_trie || i < n_hosts); i++) {
		struct endpoint_key k = endpoint_key_of(&c->endpoints[i], generation);
		__u32 addr, last;

		if (i < n_trie)
			bpf_map_delete_elem(eps, &k);
		if (i < n_hosts && v4_cover(&c->endpoints[i].key, &addr, &last) == V4_EXACT) {
			struct service_host_key hk = host_key_of(generation, addr);

			bpf_map_delete_elem(hosts, &hk);
		}
	}
	free(t);
	free(h);
	for (i = 0; i < n_rulesets; i += n) {
		n = batch_end(i, n_rulesets) - i;
		for (j = 0; j < n; j++)
			rk[j] = (struct ruleset_key){ .generation = generation, .ruleset = i + j };
		map_delete_batch(rules, rk, sizeof(rk[0]), n);
	}
}

/* How far the rule sets are in their map, for the writers of the
 * endpoints that point at them, which wait for their own. */
struct rules_progress {
	pthread_mutex_t lock;
	pthread_cond_t more;
	size_t written;		/* the rule sets [0, written) are in the map */
	bool over;		/* all of them, or the map refused one */
};

static void rules_advance(struct rules_progress *p, size_t written, bool over)
{
	pthread_mutex_lock(&p->lock);
	p->written = written;
	p->over = over;
	pthread_cond_broadcast(&p->more);
	pthread_mutex_unlock(&p->lock);
}

/* Whether rule sets [0, n) are in the map, once they are or never will. */
static bool rules_wait(struct rules_progress *p, size_t n)
{
	bool in;

	pthread_mutex_lock(&p->lock);
	while (p->written < n && !p->over)
		pthread_cond_wait(&p->more, &p->lock);
	in = p->written >= n;
	pthread_mutex_unlock(&p->lock);
	return in;
}

/* One map of a dictionary's endpoints written: the trie, or service_hosts
 * (the kernel takes a microsecond or so an entry in either, most of it
 * waiting on memory, and the maps do not share a lock: they are written
 * at once). Batch by batch once the rule sets they point at are in, up to
 * the first entry refused, and only as far as the endpoint of an entry
 * the other map refused: what the two refuse first is what writing
 * endpoint by endpoint would have met first. */
struct endpoints_writer {
	struct bpf_map *map;
	const struct hs_compiled *c;
	__u32 generation;
	struct trie_batch *trie;	/* one of the two */
	struct hosts_batch *hosts;
	struct rules_progress *rules;
	size_t *stop_at;	/* the earliest endpoint refused, shared */
	size_t written;		/* the endpoints [0, written) are in the map */
	size_t refused;		/* the endpoint of the entry refused, if err */
	int err;
};

static void *write_endpoints(void *arg)
{
	struct endpoints_writer *w = arg;
	size_t i, j, n = w->c->n_endpoints, done, stop, need = 0;

	for (i = 0; i < n && i <= __atomic_load_n(w->stop_at, __ATOMIC_RELAXED);
	     i = batch_end(i, n)) {
		for (j = i; j < batch_end(i, n); j++)
			if (w->c->endpoints[j].ruleset >= need)
				need = w->c->endpoints[j].ruleset + 1;
		if (!rules_wait(w->rules, need))
			break;
		if (w->trie) {
			trie_batch_fill(w->trie, w->c, w->generation, i);
			w->err = map_update_batch(w->map, w->trie->k, w->trie->v, w->trie->n, &done);
			w->refused = i + done;
		} else {
			hosts_batch_fill(w->hosts, w->c, w->generation, i);
			w->err = map_update_batch(w->map, w->hosts->k, w->hosts->v, w->hosts->n,
						  &done);
			w->refused = i + (done < w->hosts->n ? w->hosts->of[done] : 0);
		}
		if (w->err)
			break;
	}
	w->written = w->err ? w->refused : i;
	stop = __atomic_load_n(w->stop_at, __ATOMIC_RELAXED);
	while (w->err && w->refused < stop &&
	       !__atomic_compare_exchange_n(w->stop_at, &stop, w->refused, false,
					    __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
	return NULL;
}

/* The rule sets of c, before the endpoints that point at them (which wait
 * for their own). */
struct rules_writer {
	struct bpf_map *map;
	const struct hs_compiled *c;
	__u32 generation;
	struct rules_progress *progress;
	size_t written;
	int err;
};

static void *write_rulesets(void *arg)
{
	struct rules_writer *w = arg;
	struct ruleset_key rk[MAP_BATCH];
	size_t i, j, n, done;

	for (i = 0; i < w->c->n_rulesets; i += n) {
		n = batch_end(i, w->c->n_rulesets) - i;
		for (j = 0; j < n; j++)
			rk[j] = (struct ruleset_key){ .generation = w->generation, .ruleset = i + j };
		w->err = map_update_batch(w->map, rk, &w->c->rulesets[i], n, &done);
		w->written += done;
		if (w->err)
			break;
		rules_advance(w->progress, w->written, w->written == w->c->n_rulesets);
	}
	rules_advance(w->progress, w->written, true);
	return NULL;
}

/* The rule sets, and every prefix of c in the trie, the exact IPv4 ones in
 * service_hosts too: the trie here, the rule sets and service_hosts in a
 * thread each. The two hashes together take longer than the trie (half a
 * million rule sets and most of the endpoints are /32s): one after the
 * other in the same thread, they were what the load waited for. Without a
 * thread, the rule sets go first, as the endpoints wait for them. */
static int write_maps(struct rules_writer *rules, struct endpoints_writer *trie,
		      struct endpoints_writer *hosts)
{
	pthread_t rules_thread, hosts_thread;
	bool rules_started, hosts_started;

	trie->trie = malloc(sizeof(*trie->trie));
	hosts->hosts = malloc(sizeof(*hosts->hosts));
	if (!trie->trie || !hosts->hosts) {
		free(trie->trie);
		free(hosts->hosts);
		return -ENOMEM;
	}
	rules_started = hs_thread_start(&rules_thread, write_rulesets, rules);
	if (!rules_started)
		write_rulesets(rules);
	hosts_started = hs_thread_start(&hosts_thread, write_endpoints, hosts);
	write_endpoints(trie);
	if (!hosts_started)
		write_endpoints(hosts);
	if (rules_started)
		pthread_join(rules_thread, NULL);
	if (hosts_started)
		pthread_join(hosts_thread, NULL);
	free(trie->trie);
	free(hosts->hosts);
	if (rules->err) {
		map_write_failed(rules->map, rules->err);
		return rules->err;
	}
	/* of the two refusals, the earliest endpoint's; the trie's entry of
	 * an endpoint comes before its service_hosts one */
	if (hosts->err && (!trie->err || hosts->refused < trie->refused)) {
		map_write_failed(hosts->map, hosts->err);
		return hosts->err;
	}
	if (trie->err)
		map_write_failed(trie->map, trie->err);
	return trie->err;
}

int hs_write_dictionary(struct hs_instance *in, const struct hs_compiled *c, __u32 generation,
			int slot)
{
	struct rules_progress progress = {
		.lock = PTHREAD_MUTEX_INITIALIZER, .more = PTHREAD_COND_INITIALIZER,
	};
	struct rules_writer rules = {
		.map = in->skel->maps.endpoint_rules, .c = c, .generation = generation,
		.progress = &progress,
	};
	size_t stop_at = SIZE_MAX;
	struct endpoints_writer trie = {
		.map = in->skel->maps.service_endpoints, .c = c, .generation = generation,
		.rules = &progress, .stop_at = &stop_at,
	}, hosts = trie;
	int err;

	hosts.map = in->skel->maps.service_hosts;
	err = write_maps(&rules, &trie, &hosts);
	/* Half a dictionary is never published, and it gives its room back. */
	if (err) {
		remove_written(in, c, generation, rules.written, trie.written, hosts.written);
		hs_err("the dictionary did not fit (a map full, or out of memory): not loaded; the dictionaries loaded before are as they were");
		return -E2BIG;	/* this input does not fit: exit 2 */
	}
	err = write_prefilter(in, c, slot);
	if (err)
		hs_remove_dictionary(in, c, generation);
	return err;
}

void hs_remove_dictionary(struct hs_instance *in, const struct hs_compiled *c, __u32 generation)
{
	remove_written(in, c, generation, c->n_rulesets, c->n_endpoints, c->n_endpoints);
}

int hs_schedule_read(int fd, struct dictionary_schedule *s)
{
	__u32 zero = 0;

	if (bpf_map_lookup_elem(fd, &zero, s)) {
		int err = -errno;

		hs_err("cannot read the dictionaries map: %s (%d)", strerror(-err), err);
		return err;
	}
	return 0;
}

/* The schedule is written in place through a shared mapping, so that the
 * bit that publishes or withdraws a slot is one atomic store, and a slot is
 * whole before its bit is set (an update through the syscall copies the
 * value in no stated order). */
static struct dictionary_schedule *schedule_map(struct hs_instance *in)
{
	int fd = bpf_map__fd(in->skel->maps.dictionaries);
	struct dictionary_schedule *s;

	s = mmap(NULL, sizeof(*s), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (s == MAP_FAILED) {
		hs_err("cannot map the dictionaries map: %s (%d)", strerror(errno), -errno);
		return NULL;
	}
	return s;
}

__u32 hs_next_generation(struct hs_instance *in)
{
	struct dictionary_schedule *s = schedule_map(in);
	__u32 gen;

	if (!s)
		return 0;
	/* atomic: two loads at once get two generations */
	gen = __atomic_add_fetch(&s->last_generation, 1, __ATOMIC_ACQ_REL);
	munmap(s, sizeof(*s));
	return gen;
}

int hs_claim_dictionary(struct hs_instance *in, const struct dictionary_slot *slot)
{
	struct dictionary_schedule *s = schedule_map(in);
	__u64 claimed;
	int i;

	if (!s)
		return -ENOMEM;
	/* claim a free slot (two loads at once claim two) and fill it; its
	 * live bit stays clear: the program never sees a slot being written */
	claimed = __atomic_load_n(&s->claimed, __ATOMIC_ACQUIRE);
	do {
		for (i = 0; i < HAYSTACK_MAX_DICTIONARIES && (claimed & (1ULL << i)); i++)
			;
		if (i == HAYSTACK_MAX_DICTIONARIES)
			break;
	} while (!__atomic_compare_exchange_n(&s->claimed, &claimed, claimed | 1ULL << i, false,
					      __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE));
	if (i == HAYSTACK_MAX_DICTIONARIES) {
		hs_err("%d dictionaries are loaded already, the most there is room for",
		       HAYSTACK_MAX_DICTIONARIES);
		i = -E2BIG;	/* does not fit: exit 2 */
	} else {
		s->slot[i] = *slot;
	}
	munmap(s, sizeof(*s));
	return i;
}

int hs_publish_dictionary(struct hs_instance *in, int slot)
{
	struct dictionary_schedule *s = schedule_map(in);

	if (!s)
		return -ENOMEM;
	__atomic_fetch_or(&s->live, 1ULL << slot, __ATOMIC_RELEASE);
	munmap(s, sizeof(*s));
	return 0;
}

/* A claimed slot that is not live given back. Its generation is cleared
 * first: a later look for that generation never finds the slot again once
 * another load has claimed it. */
static void unclaim(struct dictionary_schedule *s, int i)
{
	__atomic_store_n(&s->slot[i].generation, 0, __ATOMIC_RELEASE);
	__atomic_fetch_and(&s->claimed, ~(1ULL << i), __ATOMIC_RELEASE);
}

void hs_unclaim_dictionary(struct hs_instance *in, int slot)
{
	struct dictionary_schedule *s = schedule_map(in);

	if (!s)
		return;
	unclaim(s, slot);
	munmap(s, sizeof(*s));
}

struct withdrawn {
	int fd;
	__u32 generation;
	size_t offset;		/* of the key's generation field */
	bool big_endian;
};

static int delete_generation(const void *key, const void *value, void *ctx)
{
	const struct withdrawn *w = ctx;
	__u32 g;

	memcpy(&g, (const char *)key + w->offset, sizeof(g));
	if ((w->big_endian ? ntohl(g) : g) == w->generation)
		bpf_map_delete_elem(w->fd, key);
	return 0;
}

int hs_unpublish_dictionary(struct hs_instance *in, __u32 generation)
{
	struct dictionary_schedule *s = schedule_map(in);
	__u64 live;

	if (!s)
		return -ENOMEM;
	/* The slot stays claimed until hs_remove_generation: a datagram that
	 * chose the generation just before may still read its pre-filter,
	 * which the next claim of the slot rewrites. */
	live = __atomic_load_n(&s->live, __ATOMIC_ACQUIRE);
	for (int i = 0; i < HAYSTACK_MAX_DICTIONARIES; i++)
		if ((live & (1ULL << i)) && s->slot[i].generation == generation)
			__atomic_fetch_and(&s->live, ~(1ULL << i), __ATOMIC_RELEASE);
	munmap(s, sizeof(*s));
	return 0;
}

/* The slot generation held, claimed and no longer live, given back. */
static int free_slot_of(struct hs_instance *in, __u32 generation)
{
	struct dictionary_schedule *s = schedule_map(in);
	__u64 live, claimed;

	if (!s)
		return -ENOMEM;
	live = __atomic_load_n(&s->live, __ATOMIC_ACQUIRE);
	claimed = __atomic_load_n(&s->claimed, __ATOMIC_ACQUIRE);
	for (int i = 0; i < HAYSTACK_MAX_DICTIONARIES; i++)
		if ((claimed & ~live & (1ULL << i)) &&
		    __atomic_load_n(&s->slot[i].generation, __ATOMIC_ACQUIRE) == generation)
			unclaim(s, i);
	munmap(s, sizeof(*s));
	return 0;
}

int hs_remove_generation(struct hs_instance *in, __u32 generation, bool rules)
{
	struct withdrawn eps = {
		.fd = bpf_map__fd(in->skel->maps.service_endpoints), .generation = generation,
		.offset = offsetof(struct endpoint_key, generation), .big_endian = true,
	};
	struct withdrawn rs = {
		.fd = bpf_map__fd(in->skel->maps.endpoint_rules), .generation = generation,
		.offset = offsetof(struct ruleset_key, generation),
	};
	struct withdrawn hosts = {
		.fd = bpf_map__fd(in->skel->maps.service_hosts), .generation = generation,
		.offset = offsetof(struct service_host_key, generation),
	};
	int err = hs_map_for_each(eps.fd, sizeof(struct endpoint_key), 0, delete_generation, &eps);

	if (!err)
		err = hs_map_for_each(hosts.fd, sizeof(struct service_host_key), 0,
				      delete_generation, &hosts);
	/* no datagram reads the slot's pre-filter any more: free to claim */
	if (!err)
		err = free_slot_of(in, generation);
	if (!err && rules)
		err = hs_map_for_each(rs.fd, sizeof(struct ruleset_key), 0, delete_generation, &rs);
	return err;
}

int hs_withdraw_dictionary(struct hs_instance *in, __u32 generation)
{
	return hs_unpublish_dictionary(in, generation) ?: hs_remove_generation(in, generation, true);
}

int hs_write_config(struct hs_instance *in, const struct haystack_config *cfg)
{
	__u32 zero = 0;

	return map_update(in->skel->maps.config, &zero, cfg);
}

/* The one entry of a one-entry array. */
static int read_entry(int fd, void *value, const char *what)
{
	__u32 zero = 0;

	if (bpf_map_lookup_elem(fd, &zero, value)) {
		int err = -errno;

		hs_err("cannot read the pinned %s: %s (%d)", what, strerror(-err), err);
		return err;
	}
	return 0;
}

int hs_config_read(int config_fd, struct haystack_config *cfg)
{
	return read_entry(config_fd, cfg, "config");
}

int hs_write_agent(struct hs_instance *in, const struct agent_state *a)
{
	__u32 zero = 0;
	int err = map_update(in->skel->maps.agent, &zero, a);

	in->agent_written = !err && a->pid;
	return err;
}

int hs_agent_read(int agent_fd, struct agent_state *a)
{
	return read_entry(agent_fd, a, "agent state");
}

int hs_instance_map_fd(const struct hs_instance *in, enum hs_map m)
{
	struct bpf_map *map = bpf_object__find_map_by_name(in->skel->obj, hs_map_names[m]);

	return map ? bpf_map__fd(map) : -ENOENT;
}

int hs_instance_prog_fd(const struct hs_instance *in)
{
	return bpf_program__fd(in->skel->progs.haystack_xdp);
}


int hs_detach_iface(const char *ifname, const char *pin_dir)
{
	struct found f[3];
	const struct found *other = NULL;
	int ifindex, n, detached = 0, err = 0;

	ifindex = if_nametoindex(ifname);
	if (!ifindex) {
		hs_err("no interface %s in this network namespace", ifname);
		return -ENODEV;
	}
	n = find_xdp(ifindex, pin_dir, f);
	if (n < 0) {
		hs_err("cannot query the XDP program of %s: %s (%d)", ifname, strerror(-n), n);
		return n;
	}
	for (int i = 0; i < n && !err; i++) {
		struct xdp_multiprog *mp;
		struct xdp_program *p;

		switch (f[i].what) {
		case FOUND_PINNED:
		case FOUND_HAYSTACK:
			err = detach_fd(ifindex, f[i].fd, f[i].mode);
			detached += !err;
			break;
		case FOUND_DISPATCHER:
			p = find_in_dispatcher(ifindex, &mp);
			if (p) {
				err = xdp_program__detach(p, ifindex, xdp_multiprog__attach_mode(mp), 0);
				detached += !err;
			}
			xdp_multiprog__close(mp);
			break;
		default:
			other = &f[i];
		}
	}
	if (err)
		hs_err("cannot detach from %s: %s (%d)", ifname, strerror(-err), err);
	else if (other && !detached) {
		say_not_ours("nothing removed from", ifname, other, pin_dir);
		err = -EBUSY;
	} else if (other) {
		say_not_ours("detached haystack from", ifname, other, pin_dir);
	} else if (!detached) {
		hs_info("no haystack program attached to %s", ifname);
	}
	close_found(f, n);
	return err;
}

int hs_instance_table_btf(const struct hs_instance *in, __u32 *key, __u32 *value)
{
	const struct bpf_map *layout = in->skel->maps.evidence_table_layout;
	struct btf *btf = bpf_object__btf(in->skel->obj);

	*key = bpf_map__btf_key_type_id(layout);
	*value = bpf_map__btf_value_type_id(layout);
	return btf && btf__fd(btf) >= 0 ? btf__fd(btf) : -1;
}
