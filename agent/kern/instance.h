/* SPDX-License-Identifier: GPL-2.0 */
/* The XDP program and its maps: open, load or re-use pins, fill, attach. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <xdp/libxdp.h>
#include "haystack.h"
#include "dict/dict.h"
#include "kern/pins.h"

struct haystack_bpf;

/* Map sizes (max_entries) an operator asks for; 0 = the default of
 * include/haystack.h. The kernel fixes them when a map is created: pins
 * taken over keep theirs. */
struct hs_map_sizes {
	__u32 evidence;
	__u32 endpoints;
	__u32 rulesets;
	__u32 subscribers;
	__u32 templates;
	__u32 exporter_clocks;
};

struct hs_instance {
	struct haystack_bpf *skel;
	struct xdp_program *xdp;
	const char *pin_dir;		/* NULL: nothing pinned (replay, tests) */
	int ifindex;
	enum xdp_attach_mode mode;
	/* The program attached to ifindex, when it is there itself (no libxdp
	 * dispatcher): detached by netlink, replacing exactly this fd. */
	int prog_fd;
	bool own_prog_fd;		/* prog_fd is ours to close (taken over) */
	bool direct;
	bool attached;
	bool adopted;			/* took over a program left by run --keep */
	bool agent_written;		/* the agent map holds our state */
};

/* Open the program; with pin_dir, maps are pinned there by name and re-used
 * when already pinned (evidence and config survive a restart). Mounts a bpffs
 * at /sys/fs/bpf when there is none (as inside `ip netns exec`). The maps
 * get the sizes asked for (sizes NULL: the defaults); a pinned map keeps
 * its own, and a different size asked for it is refused (-EINVAL, one line). */
int hs_instance_open(struct hs_instance *in, const char *pin_dir,
		     const struct hs_map_sizes *sizes);
/* The maps pinned at pin_dir by a running (or kept) instance, for writing
 * into them (load); no program. -ESRCH with one line when none is there. */
int hs_instance_open_pins(struct hs_instance *in, const char *pin_dir);
/* Load without attaching (replay: BPF_PROG_TEST_RUN on the same program). */
int hs_instance_load(struct hs_instance *in);
/* Load (if needed) and attach with libxdp to ifname. A haystack program of
 * the same build already attached there and counting into this instance's
 * pins (left by `run --keep`) is taken over instead: it keeps running, with
 * its evidence and templates, and is ours to detach from then on. Called
 * again after hs_instance_lost, attaches the same program to ifname. */
int hs_instance_attach(struct hs_instance *in, const char *ifname, enum xdp_attach_mode mode);
/* The interface went away, and the program with it: not attached any more
 * (hs_instance_attach attaches the same program again). */
void hs_instance_lost(struct hs_instance *in);
/* Free; unless keep, detach first and remove the pins and their directory. */
void hs_instance_close(struct hs_instance *in, bool keep);

/* Writing the maps. The config entry is written last: until it holds a bin
 * width the program counts packets under not_configured and touches nothing. */
int hs_write_subscribers(struct hs_instance *in, const struct haystack_lpm_key *p, size_t n);
/* The --exporters allow-list (n 0: none). Entries a run we took over left
 * and p does not hold are removed, so the list is exactly p. */
int hs_write_exporters(struct hs_instance *in, const struct haystack_lpm_key *p, size_t n);
/* Loading a dictionary, in this order (include/haystack.h, dictionaries):
 * a generation no other load has, to key its entries by; a free slot of
 * the dictionaries map claimed and filled, not live; its endpoints, rule
 * sets, exact IPv4 endpoints and the slot's pre-filter written; then the
 * slot published. A failure on the way removes what it wrote and unclaims
 * the slot. */
__u32 hs_next_generation(struct hs_instance *in);
/* The slot's index, or -E2BIG with one line when every slot is taken. */
int hs_claim_dictionary(struct hs_instance *in, const struct dictionary_slot *slot);
/* Not seen by the program until published. A failed write removes what it
 * wrote (the slot stays claimed: the caller unclaims it). */
int hs_write_dictionary(struct hs_instance *in, const struct hs_compiled *c, __u32 generation,
			int slot);
void hs_remove_dictionary(struct hs_instance *in, const struct hs_compiled *c, __u32 generation);
/* The slot's live bit: the program chooses from it from then on. */
int hs_publish_dictionary(struct hs_instance *in, int slot);
void hs_unclaim_dictionary(struct hs_instance *in, int slot);
/* No datagram chooses generation g from then on; its slot stays claimed
 * (its pre-filter may still be read) until hs_remove_generation. */
int hs_unpublish_dictionary(struct hs_instance *in, __u32 generation);
/* Its endpoints (trie and service_hosts), and with rules its rule sets
 * (which harvesting its evidence reads), removed, and its slot freed: once
 * no datagram can be using them. */
int hs_remove_generation(struct hs_instance *in, __u32 generation, bool rules);
/* Both at once: for a generation no datagram can have chosen yet. */
int hs_withdraw_dictionary(struct hs_instance *in, __u32 generation);
int hs_schedule_read(int dictionaries_fd, struct dictionary_schedule *s);
int hs_write_config(struct hs_instance *in, const struct haystack_config *cfg);
/* The config entry in place (pinned by an earlier agent). */
int hs_config_read(int config_fd, struct haystack_config *cfg);
/* The agent map's entry; zeroed again when the instance is closed. */
int hs_write_agent(struct hs_instance *in, const struct agent_state *a);
int hs_agent_read(int agent_fd, struct agent_state *a);
/* max_entries of the map at fd, 0 when it cannot be read. */
__u32 hs_map_capacity(int fd);

/* The instance's maps and program, for the runtime: file descriptors, never
 * the skeleton, which stays in kern/. */
int hs_instance_map_fd(const struct hs_instance *in, enum hs_map m);
int hs_instance_prog_fd(const struct hs_instance *in);
/* The BTF an hour table is created with (bpf/maps.h evidence_table_layout):
 * the object's BTF fd, or -1 when it is not loaded, and the key's and
 * value's type ids in it. */
int hs_instance_table_btf(const struct hs_instance *in, __u32 *key, __u32 *value);

/* Route libbpf's and libxdp's messages through lib/log.h. */
void hs_kern_log_setup(void);

/* Detach the haystack program from ifname (detach verb): the one pinned at
 * pin_dir, found by netlink and bpf_obj_get (CAP_NET_ADMIN, CAP_BPF); with
 * CAP_SYS_ADMIN also one found by its name. Any other program stays: -EBUSY
 * with one line. */
int hs_detach_iface(const char *ifname, const char *pin_dir);
