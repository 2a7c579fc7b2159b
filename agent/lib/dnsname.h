/* SPDX-License-Identifier: GPL-2.0 */
/* Domain names: normal form and registrable domain (Public Suffix List). */
#pragma once

/* In place: lower case, trailing dot dropped. Returns -EINVAL for a name
 * that is empty, too long, has an empty label (also "a.com.."), or holds
 * characters no host name has (a '*.' first label is allowed: signatures use
 * it as a pattern). A normalized name normalizes to itself. */
int hs_name_normalize(char *name);

/* The registrable domain by the Public Suffix List (ICANN and private
 * sections, so "x.cloudfront.net" is its own), or NULL when the name is a
 * public suffix itself. The result points into name. */
const char *hs_registrable_domain(const char *name);
