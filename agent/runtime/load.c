// SPDX-License-Identifier: GPL-2.0
/* `haystack load`: a dictionary into a running instance, through its pins. */
#include <errno.h>
#include <unistd.h>
#include "kern/instance.h"
#include "lib/log.h"
#include "runtime/runtime.h"
#include "runtime/setup.h"

int cmd_load(const struct hs_options *o)
{
	struct hs_instance in = {};
	int lock = -1, fd, err;
	__u32 gen;

	/* shared, as status: beside the running agent, never under a detach */
	err = hs_pin_lock(o->pin_dir, HS_PIN_READ, &lock);
	if (err < 0)
		return err;
	fd = hs_pinned_map_fd(o->pin_dir, hs_map_names[HS_MAP_DICTIONARIES]);
	if (fd < 0) {
		hs_err("no haystack instance at %s to load into: start `haystack run` first",
		       o->pin_dir);
		err = -ESRCH;	/* a state, not bad input: exit 1 */
		goto out;
	}
	close(fd);
	/* the pinned maps, through a program of this build never attached */
	err = hs_instance_open(&in, o->pin_dir, NULL);
	if (!err)
		err = hs_instance_load(&in);
	for (int i = 0; !err && i < o->dicts.n; i++) {
		err = hs_dict_add(&in, o->dicts.v[i], o->force, NULL, &gen);
		if (!err)
			hs_info("%s: dictionary generation %u, in force from its valid_from",
				o->dicts.v[i], gen);
	}
	hs_instance_close(&in, true);
out:
	hs_pin_unlock(lock);
	return err;
}
