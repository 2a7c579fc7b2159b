// SPDX-License-Identifier: GPL-2.0
/* `haystack load`: a dictionary into a running instance, through its pins. */
#include <errno.h>
#include "kern/instance.h"
#include "lib/log.h"
#include "runtime/runtime.h"
#include "runtime/setup.h"

int cmd_load(const struct hs_options *o)
{
	struct hs_instance in = {};
	int lock = -1, err;
	__u32 gen;

	/* shared, as status: beside the running agent, never under a detach */
	err = hs_pin_lock(o->pin_dir, HS_PIN_READ, &lock);
	if (err < 0)
		return err;
	err = hs_instance_open_pins(&in, o->pin_dir);
	for (int i = 0; !err && i < o->dicts.n; i++) {
		err = hs_dict_add(&in, o->dicts.v[i], o->force, NULL, &gen);
		if (!err)
			hs_info("%s: dictionary generation %u, in force from its valid_from",
				o->dicts.v[i], gen);
	}
	hs_instance_close(&in, true);
	hs_pin_unlock(lock);
	return err;
}
