# SPDX-License-Identifier: GPL-2.0
# haystack — build out of tree in build/. `make V=1` shows the commands.
#
# CFLAGS, CPPFLAGS and LDFLAGS are the operator's and the packager's: given on
# the command line they replace the defaults below (Debian's hardening flags),
# never the include paths and warnings haystack needs, which live in HS_*.
# `make SANITIZE=1` builds with clang's AddressSanitizer, UndefinedBehavior-
# Sanitizer and LeakSanitizer into build/san/.

CLANG   ?= clang
BPFTOOL ?= bpftool
PKG_CONFIG ?= pkg-config

ifeq ($(SANITIZE),1)
CC      := $(CLANG)
BUILD   := build/san
SAN_FLAGS := -fsanitize=address,undefined,float-cast-overflow -fno-sanitize-recover=all \
             -fno-omit-frame-pointer
CFLAGS  ?= -O1 -g
CPPFLAGS ?=
else
CC      ?= gcc
BUILD   := build
SAN_FLAGS :=
CFLAGS  ?= -O2 -g -fstack-protector-strong -Wformat -Werror=format-security
CPPFLAGS ?= -D_FORTIFY_SOURCE=2
endif
LDFLAGS ?= -Wl,-z,relro -Wl,-z,now

ARCH    := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null)

ifeq ($(V),1)
Q :=
msg =
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

# Two link levels. The core (agent/lib, dict, detect, output, dictbuild) needs
# only json-c and libpsl: `dict build` and the unit tests of pure code link
# against it alone. kern/ and runtime/ add libbpf, libxdp, libpcap, libnl-3
# (run watches its interface over rtnetlink) and the skeleton; cli/ is the
# binary's entry point over both.
CORE_LIBS := json-c libpsl
KERN_LIBS := libbpf libxdp libpcap libnl-3.0
pkg_cflags = $(shell $(PKG_CONFIG) --cflags $(1) 2>/dev/null)
pkg_libs   = $(shell $(PKG_CONFIG) --libs $(1) 2>/dev/null || echo $(2))
CORE_LDLIBS := $(call pkg_libs,$(CORE_LIBS),-ljson-c -lpsl)
KERN_LDLIBS := $(call pkg_libs,$(KERN_LIBS),-lbpf -lxdp -lpcap -lnl-3) -lelf -lz

HS_CPPFLAGS := -Iinclude -Iagent -I$(BUILD) $(call pkg_cflags,$(CORE_LIBS) $(KERN_LIBS))
# Callbacks take parameters they do not all use; test tables name only the
# fields a case is about and leave the rest zero.
HS_CFLAGS   := -std=gnu11 -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers \
               -MMD -MP $(SAN_FLAGS)
HS_LDFLAGS  := $(SAN_FLAGS)
COMPILE     = $(CC) $(HS_CPPFLAGS) $(CPPFLAGS) $(HS_CFLAGS) $(CFLAGS)
LINK        = $(CC) $(HS_LDFLAGS) $(CFLAGS) $(LDFLAGS)

BPF_CFLAGS := -g -O2 -target bpf -mcpu=v3 -Wall -Werror -D__TARGET_ARCH_$(ARCH) -Iinclude \
              $(if $(MULTIARCH),-I/usr/include/$(MULTIARCH)) -MMD -MP

BPF_SRC   := bpf/haystack.bpf.c
BPF_OBJ   := $(BUILD)/haystack.bpf.o
SKEL      := $(BUILD)/haystack.skel.h

objs = $(patsubst %.c,$(BUILD)/%.o,$(1))
CORE_SRCS := $(wildcard $(addprefix agent/,$(addsuffix /*.c,lib dict detect output dictbuild)))
KERN_SRCS := $(wildcard agent/kern/*.c agent/runtime/*.c)
CLI_SRCS  := $(wildcard agent/cli/*.c)
CORE_LIB  := $(BUILD)/libhaystack-core.a
KERN_LIB  := $(BUILD)/libhaystack-kern.a
BIN       := $(BUILD)/haystack

UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/test_*.c))
BPF_TESTS  := $(patsubst tests/bpf/%.c,$(BUILD)/tests/%,$(wildcard tests/bpf/test_*.c))
# Helpers the tests and the demo run (packet and capture generators).
TEST_TOOLS := $(patsubst tests/tools/%.c,$(BUILD)/tests/tools/%,$(wildcard tests/tools/*.c))

ALL_OBJS := $(call objs,$(CORE_SRCS) $(KERN_SRCS) $(CLI_SRCS) $(wildcard tests/*/*.c bench/*.c))

# `make install`: DESTDIR for staging (a package), PREFIX for the tree. The
# configuration goes to SYSCONFDIR (/etc, as Debian's daemons), never
# replacing one already there.
PREFIX     ?= /usr/local
SBINDIR    ?= $(PREFIX)/sbin
LIBEXECDIR ?= $(PREFIX)/lib/haystack
MANDIR     ?= $(PREFIX)/share/man
UNITDIR    ?= $(PREFIX)/lib/systemd/system
SYSCONFDIR ?= /etc
MAN        := $(BUILD)/haystack.8

.PHONY: all deps test check demo clean install bench bench-build bench-scale
.DELETE_ON_ERROR:
# Objects are kept, not removed as intermediates once a test tool is linked.
.SECONDARY: $(ALL_OBJS)

all: $(BIN) $(BPF_OBJ)

deps:
	$(Q)scripts/install-deps.sh

$(BPF_OBJ): $(BPF_SRC)
	$(call msg,CLANG,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(SKEL): $(BPF_OBJ)
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name haystack_bpf > $@

# Only what includes the skeleton waits for it (and, through the generated
# dependencies, is rebuilt when the BPF program changes).
$(call objs,$(KERN_SRCS) $(CLI_SRCS) $(wildcard tests/bpf/*.c)): | $(SKEL)

$(BUILD)/%.o: %.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(COMPILE) -Itests/lib -c $< -o $@

$(CORE_LIB): $(call objs,$(CORE_SRCS))
$(KERN_LIB): $(call objs,$(KERN_SRCS))
$(CORE_LIB) $(KERN_LIB):
	$(call msg,AR,$@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(BIN): $(call objs,$(CLI_SRCS)) $(KERN_LIB) $(CORE_LIB)
	$(call msg,LINK,$@)
	$(Q)$(LINK) $^ -o $@ $(KERN_LDLIBS) $(CORE_LDLIBS)

# Unit tests and tools link the core alone (tools add libpcap to write
# captures): one that reaches into kern/ fails
# to link, which keeps pure code pure.
$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(CORE_LIB)
	$(call msg,LINK,$@)
	$(Q)$(LINK) $^ -o $@ $(CORE_LDLIBS) -lcmocka

$(BUILD)/tests/%: $(BUILD)/tests/bpf/%.o $(KERN_LIB) $(CORE_LIB)
	$(call msg,LINK,$@)
	$(Q)$(LINK) $^ -o $@ $(KERN_LDLIBS) $(CORE_LDLIBS) -lcmocka

$(BUILD)/tests/tools/%: $(BUILD)/tests/tools/%.o $(CORE_LIB)
	$(call msg,LINK,$@)
	$(Q)$(LINK) $^ -o $@ $(CORE_LDLIBS) $(call pkg_libs,libpcap,-lpcap)

# The README's test command: installs what the tests need, builds, runs every
# suite, and ends with the line "N passed, N failed[, N skipped]".
test: deps
	$(Q)$(MAKE) --no-print-directory check

check: all $(UNIT_TESTS) $(BPF_TESTS) $(TEST_TOOLS)
	$(Q)BUILD=$(BUILD) tests/run.sh

demo: deps
	$(Q)$(MAKE) --no-print-directory all $(TEST_TOOLS)
	$(Q)BUILD=$(BUILD) scripts/demo.sh

# The page lists each verb's --help as the binary prints it.
$(MAN): docs/man/haystack.8.in scripts/gen-man.sh $(BIN)
	$(call msg,GEN,$@)
	$(Q)scripts/gen-man.sh $(BIN) $< > $@

install: all $(MAN)
	$(call msg,INSTALL,$(DESTDIR)$(PREFIX))
	$(Q)install -D -m 0755 $(BIN) $(DESTDIR)$(SBINDIR)/haystack
	$(Q)install -D -m 0755 scripts/haystack-refresh $(DESTDIR)$(LIBEXECDIR)/haystack-refresh
	$(Q)install -D -m 0644 $(MAN) $(DESTDIR)$(MANDIR)/man8/haystack.8
	$(Q)install -d $(DESTDIR)$(UNITDIR)
	$(Q)for u in haystack.service haystack-refresh.service; do \
		sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@LIBEXECDIR@|$(LIBEXECDIR)|g' \
		    -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' scripts/$$u.in > $(DESTDIR)$(UNITDIR)/$$u && \
		chmod 0644 $(DESTDIR)$(UNITDIR)/$$u || exit 1; \
	done
	$(Q)install -m 0644 scripts/haystack-refresh.timer $(DESTDIR)$(UNITDIR)/
	$(Q)if [ -e $(DESTDIR)$(SYSCONFDIR)/haystack/haystack.conf ]; then \
		echo "install: kept $(DESTDIR)$(SYSCONFDIR)/haystack/haystack.conf" >&2; \
	else \
		install -D -m 0644 scripts/haystack.conf $(DESTDIR)$(SYSCONFDIR)/haystack/haystack.conf; \
	fi

# Benchmarks (docs/benchmarks.md): built by `make bench-build` (and by
# .ci/run), run by `make bench`, never by `make test`.
BENCH_BIN   := $(BUILD)/bench/bench_kern
BENCH_EMPTY := $(BUILD)/bench/empty.bpf.o
BENCH_SCALE := $(BUILD)/bench/bench_scale
BENCH_SEND  := $(BUILD)/bench/sender

$(BENCH_EMPTY): bench/empty.bpf.c
	$(call msg,CLANG,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/bench/%.o: bench/%.c $(SKEL)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(COMPILE) -c $< -o $@

$(BENCH_BIN): $(BUILD)/bench/bench_kern.o $(BUILD)/bench/world.o $(KERN_LIB) $(CORE_LIB)
	$(call msg,LINK,$@)
	$(Q)$(LINK) $^ -o $@ $(KERN_LDLIBS) $(CORE_LDLIBS)

$(BENCH_SCALE): $(BUILD)/bench/scale.o $(BUILD)/bench/world.o $(KERN_LIB) $(CORE_LIB)
	$(call msg,LINK,$@)
	$(Q)$(LINK) $^ -o $@ $(KERN_LDLIBS) $(CORE_LDLIBS)

$(BENCH_SEND): $(BUILD)/bench/sender.o
	$(call msg,LINK,$@)
	$(Q)$(LINK) $^ -o $@ $(call pkg_libs,libpcap,-lpcap) -lpthread

bench-build: all $(BENCH_BIN) $(BENCH_EMPTY) $(BENCH_SCALE) $(BENCH_SEND)

bench: deps
	$(Q)$(MAKE) --no-print-directory bench-build
	$(Q)BUILD=$(BUILD) bench/run.sh

# At the paper's scale (15 M lines, 3 M with IoT, three hours folded into
# their day): about 6 minutes, some 1.3 GB of kernel memory for the evidence
# and 2 GB in the process; as root, on a quiet machine.
bench-scale: deps
	$(Q)$(MAKE) --no-print-directory bench-build
	$(Q)$(BENCH_SCALE) $(BUILD)/bench-scale.json

clean:
	$(Q)rm -rf build

-include $(ALL_OBJS:.o=.d) $(BPF_OBJ:.o=.d)
-include tests/fuzz/fuzz.mk
