# SPDX-License-Identifier: GPL-2.0
# haystack — build out of tree in build/. `make V=1` shows the commands.

CC      ?= gcc
CLANG   ?= clang
BPFTOOL ?= bpftool
PKG_CONFIG ?= pkg-config

BUILD   := build
ARCH    := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null)

ifeq ($(V),1)
Q :=
msg =
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

LIBS      := libbpf libxdp json-c libpcap libpsl
CFLAGS    ?= -O2 -g
CFLAGS    += -Wall -Wextra -Wno-unused-parameter -std=gnu11 -Iinclude -Iagent -I$(BUILD) \
             $(shell $(PKG_CONFIG) --cflags $(LIBS) 2>/dev/null)
LDLIBS    += $(shell $(PKG_CONFIG) --libs $(LIBS) 2>/dev/null || echo -lbpf -lxdp -ljson-c -lpcap -lpsl) -lelf -lz
BPF_CFLAGS := -g -O2 -target bpf -Wall -Werror -D__TARGET_ARCH_$(ARCH) -Iinclude \
              $(if $(MULTIARCH),-I/usr/include/$(MULTIARCH))

BPF_SRC   := bpf/haystack.bpf.c
BPF_HDRS  := $(wildcard bpf/*.h) include/haystack.h
BPF_OBJ   := $(BUILD)/haystack.bpf.o
SKEL      := $(BUILD)/haystack.skel.h

# Agent sources: everything in agent/ except the entry point is linked into
# the tests too, so they exercise the same code the binary runs.
AGENT_MAIN := agent/main.c
AGENT_LIB  := $(filter-out $(AGENT_MAIN),$(wildcard agent/*.c))
AGENT_OBJS := $(patsubst agent/%.c,$(BUILD)/agent/%.o,$(AGENT_LIB))
BIN        := $(BUILD)/haystack

UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/test_*.c))
BPF_TESTS  := $(patsubst tests/bpf/%.c,$(BUILD)/tests/%,$(wildcard tests/bpf/test_*.c))
# Helpers the tests and the demo run (packet and capture generators).
TEST_TOOLS := $(patsubst tests/tools/%.c,$(BUILD)/tests/tools/%,$(wildcard tests/tools/*.c))

.PHONY: all deps test check demo clean
.DELETE_ON_ERROR:

all: $(BIN) $(BPF_OBJ)

deps:
	$(Q)scripts/install-deps.sh

$(BUILD) $(BUILD)/agent $(BUILD)/tests $(BUILD)/tests/tools:
	$(Q)mkdir -p $@

$(BPF_OBJ): $(BPF_SRC) $(BPF_HDRS) | $(BUILD)
	$(call msg,CLANG,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(SKEL): $(BPF_OBJ)
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name haystack_bpf > $@

$(BUILD)/agent/%.o: agent/%.c $(wildcard agent/*.h) include/haystack.h $(SKEL) | $(BUILD)/agent
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(BIN): $(BUILD)/agent/main.o $(AGENT_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ -o $@ $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(wildcard tests/lib/*.h) $(AGENT_OBJS) | $(BUILD)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -Itests/lib $< $(AGENT_OBJS) -o $@ $(LDLIBS) -lcmocka

$(BUILD)/tests/%: tests/bpf/%.c $(wildcard tests/lib/*.h) $(AGENT_OBJS) $(SKEL) | $(BUILD)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -Itests/lib $< $(AGENT_OBJS) -o $@ $(LDLIBS) -lcmocka

$(BUILD)/tests/tools/%: tests/tools/%.c $(wildcard tests/lib/*.h) $(AGENT_OBJS) | $(BUILD)/tests/tools
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -Itests/lib $< $(AGENT_OBJS) -o $@ $(LDLIBS)

# The README's test command: installs what the tests need, builds, runs every
# suite, and ends with the line "N passed, N failed[, N skipped]".
test: deps
	$(Q)$(MAKE) --no-print-directory check

check: all $(UNIT_TESTS) $(BPF_TESTS) $(TEST_TOOLS)
	$(Q)tests/run.sh

demo: deps
	$(Q)$(MAKE) --no-print-directory all $(TEST_TOOLS)
	$(Q)scripts/demo.sh

clean:
	$(Q)rm -rf $(BUILD)
