// SPDX-License-Identifier: GPL-2.0
/*
 * The haystack-dictionary/1 text: the other half of dict.c. What this writes
 * hs_dict_load reads back to the same struct hs_dict (less what the reader
 * derives: n_monitored, path, file_hash).
 */
#include <stdio.h>
#include <netinet/in.h>
#include <json-c/json.h>
#include "dict/dict.h"
#include "lib/outfile.h"
#include "lib/prefix.h"

const char *hs_format_port(const struct hs_port *p, char *buf, size_t len)
{
	const char *proto = p->proto == IPPROTO_TCP ? "tcp" : p->proto == IPPROTO_UDP ? "udp" :
			    p->proto == IPPROTO_SCTP ? "sctp" : "?";

	snprintf(buf, len, "%s/%u", proto, p->port);
	return buf;
}

static struct json_object *str(const char *s)
{
	return json_object_new_string(s);
}

static struct json_object *class_list(const struct hs_dict *d, const int *classes, int n)
{
	struct json_object *arr = json_object_new_array();
	int i;

	for (i = 0; i < n; i++)
		json_object_array_add(arr, str(d->classes[classes[i]].name));
	return arr;
}

static struct json_object *class_json(const struct hs_dict *d, const struct hs_class *c)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "name", str(c->name));
	json_object_object_add(o, "title", str(c->title ? c->title : c->name));
	json_object_object_add(o, "level", str(hs_level_name(c->level)));
	json_object_object_add(o, "parent", c->parent >= 0 ? str(d->classes[c->parent].name) : NULL);
	json_object_object_add(o, "threshold", hs_json_double(c->threshold));
	json_object_object_add(o, "active_packets_per_hour",
			       json_object_new_uint64(c->active_packets_per_hour));
	return o;
}

static struct json_object *domain_json(const struct hs_dict *d, const struct hs_domain *dom)
{
	struct json_object *o = json_object_new_object(), *ports = json_object_new_array();
	struct json_object *prefixes = json_object_new_array();
	char buf[HS_ADDRSTRLEN + 8];
	int i;

	json_object_object_add(o, "name", str(dom->name));
	json_object_object_add(o, "classes", class_list(d, dom->classes, dom->n_classes));
	json_object_object_add(o, "role", str(dom->primary ? "primary" : "support"));
	for (i = 0; i < dom->n_ports; i++)
		json_object_array_add(ports, str(hs_format_port(&dom->ports[i], buf, sizeof(buf))));
	json_object_object_add(o, "ports", ports);
	for (i = 0; i < dom->n_prefixes; i++)
		json_object_array_add(prefixes,
				      str(hs_format_prefix(&dom->prefixes[i], buf, sizeof(buf))));
	json_object_object_add(o, "prefixes", prefixes);
	return o;
}

struct json_object *hs_dict_to_json(const struct hs_dict *d)
{
	struct json_object *root = json_object_new_object(), *arr;
	int i;

	json_object_object_add(root, "format", str(HS_DICT_FORMAT));
	if (d->valid_from)
		json_object_object_add(root, "valid_from", str(d->valid_from));
	if (d->valid_until)
		json_object_object_add(root, "valid_until", str(d->valid_until));
	arr = json_object_new_array();
	for (i = 0; i < d->n_classes; i++)
		json_object_array_add(arr, class_json(d, &d->classes[i]));
	json_object_object_add(root, "classes", arr);
	arr = json_object_new_array();
	for (i = 0; i < d->n_domains; i++)
		json_object_array_add(arr, domain_json(d, &d->domains[i]));
	json_object_object_add(root, "domains", arr);
	arr = json_object_new_array();
	for (i = 0; i < d->n_excluded; i++) {
		const struct hs_excluded *x = &d->excluded[i];
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "name", str(x->name));
		json_object_object_add(o, "classes", class_list(d, x->classes, x->n_classes));
		json_object_object_add(o, "reason", str(x->reason ? x->reason : ""));
		json_object_array_add(arr, o);
	}
	json_object_object_add(root, "excluded", arr);
	return root;
}
