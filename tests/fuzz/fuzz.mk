# SPDX-License-Identifier: GPL-2.0
# libFuzzer harnesses (tests/fuzz/fuzz_*.c), included by the top Makefile.
#
#   make fuzz [FUZZ_SECONDS=N] [FUZZ=dict,pdns,...]
#       builds build/fuzz/fuzz_<harness> with clang -fsanitize=fuzzer and ASan,
#       UBSan (with float-cast-overflow) and LSan over objects of its own in
#       build/fuzz/obj (instrumented for coverage), and runs each harness for
#       N seconds (default 20) on its seeds; a crash, a leak, a sanitizer
#       report, a broken counter identity or a timeout fails it, leaving the
#       input in build/fuzz/crashes/<harness>/. Copy it to
#       tests/fuzz/regressions/<harness>/ once fixed: the normal suite replays
#       every file there. The last lines say how many inputs each harness ran.
#
#   make check (and SANITIZE=1 check)
#       builds every harness with driver.c's main instead of libFuzzer, as
#       $(BUILD)/tests/fuzz/fuzz_<harness>, and runs test_fuzz_regressions:
#       each harness over its regression inputs and hand-made seeds.
#
# pcap and replay load the real XDP program: root only, as the BPF tests.

SHARED ?= ../shared
FUZZ_SECONDS ?= 20
FUZZ_CORE := dict subscribers signatures csv pdns certs
FUZZ_KERN := pcap replay
FUZZ_ALL  := $(FUZZ_CORE) $(FUZZ_KERN)
comma := ,
FUZZ_RUN := $(if $(FUZZ),$(subst $(comma), ,$(FUZZ)),$(FUZZ_ALL))

# Longest input each harness is given: larger than its seeds, small enough
# for thousands of runs a second.
FUZZ_MAX_LEN_dict        := 32768
FUZZ_MAX_LEN_subscribers := 4096
FUZZ_MAX_LEN_signatures  := 8192
FUZZ_MAX_LEN_csv         := 4096
FUZZ_MAX_LEN_pdns        := 8192
FUZZ_MAX_LEN_certs       := 8192
FUZZ_MAX_LEN_pcap        := 16384
FUZZ_MAX_LEN_replay      := 16384

.PHONY: fuzz fuzz-build fuzz-seeds

# ---- the harnesses with a plain main, for the suite ----

FUZZ_REPLAYERS := $(addprefix $(BUILD)/tests/fuzz/fuzz_,$(FUZZ_ALL))

$(BUILD)/tests/fuzz/kern.o: | $(SKEL)

$(addprefix $(BUILD)/tests/fuzz/fuzz_,$(FUZZ_CORE)): $(BUILD)/tests/fuzz/fuzz_%: \
		$(BUILD)/tests/fuzz/fuzz_%.o $(BUILD)/tests/fuzz/driver.o $(BUILD)/tests/fuzz/common.o \
		$(CORE_LIB)
	$(call msg,LINK,$@)
	$(Q)$(LINK) $^ -o $@ $(CORE_LDLIBS)

$(addprefix $(BUILD)/tests/fuzz/fuzz_,$(FUZZ_KERN)): $(BUILD)/tests/fuzz/fuzz_%: \
		$(BUILD)/tests/fuzz/fuzz_%.o $(BUILD)/tests/fuzz/driver.o $(BUILD)/tests/fuzz/common.o \
		$(BUILD)/tests/fuzz/kern.o $(KERN_LIB) $(CORE_LIB)
	$(call msg,LINK,$@)
	$(Q)$(LINK) $^ -o $@ $(KERN_LDLIBS) $(CORE_LDLIBS)

$(BUILD)/tests/fuzz/pcap2frames: $(BUILD)/tests/fuzz/pcap2frames.o
	$(call msg,LINK,$@)
	$(Q)$(LINK) $^ -o $@ $(call pkg_libs,libpcap,-lpcap)

$(BUILD)/tests/test_fuzz_regressions: tests/fuzz/test_regressions.sh $(FUZZ_REPLAYERS)
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(@D) && cp $< $@ && chmod +x $@

check: $(BUILD)/tests/test_fuzz_regressions

# ---- the libFuzzer builds ----

FUZZ_DIR   := build/fuzz
FUZZ_SAN   := address,undefined,float-cast-overflow
FUZZ_FLAGS := -O1 -g -fno-omit-frame-pointer -fno-sanitize-recover=all
FUZZ_CC     = $(CLANG) $(HS_CPPFLAGS) -Itests/lib -std=gnu11 -Wall -Wextra -Wno-unused-parameter \
              -MMD -MP $(FUZZ_FLAGS)
fuzz_objs   = $(patsubst %.c,$(FUZZ_DIR)/obj/%.o,$(1))
FUZZ_CORE_OBJS := $(call fuzz_objs,$(CORE_SRCS))
FUZZ_KERN_OBJS := $(call fuzz_objs,$(KERN_SRCS))

# The code under test is instrumented for coverage; only the harness links
# libFuzzer's main.
$(FUZZ_DIR)/obj/%.o: %.c
	$(call msg,CC-FUZZ,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(FUZZ_CC) -fsanitize=fuzzer-no-link,$(FUZZ_SAN) -c $< -o $@

$(FUZZ_KERN_OBJS) $(FUZZ_DIR)/obj/tests/fuzz/kern.o: | $(SKEL)

$(addprefix $(FUZZ_DIR)/fuzz_,$(FUZZ_CORE)): $(FUZZ_DIR)/fuzz_%: \
		$(FUZZ_DIR)/obj/tests/fuzz/fuzz_%.o $(FUZZ_DIR)/obj/tests/fuzz/common.o $(FUZZ_CORE_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CLANG) -fsanitize=fuzzer,$(FUZZ_SAN) $^ -o $@ $(CORE_LDLIBS)

$(addprefix $(FUZZ_DIR)/fuzz_,$(FUZZ_KERN)): $(FUZZ_DIR)/fuzz_%: \
		$(FUZZ_DIR)/obj/tests/fuzz/fuzz_%.o $(FUZZ_DIR)/obj/tests/fuzz/common.o \
		$(FUZZ_DIR)/obj/tests/fuzz/kern.o $(FUZZ_KERN_OBJS) $(FUZZ_CORE_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CLANG) -fsanitize=fuzzer,$(FUZZ_SAN) $^ -o $@ $(KERN_LDLIBS) $(CORE_LDLIBS)

fuzz-build: $(addprefix $(FUZZ_DIR)/fuzz_,$(FUZZ_RUN))

-include $(shell find $(FUZZ_DIR)/obj -name '*.d' 2>/dev/null)

# ---- seeds: the test data, taken where it lies, into build/fuzz/seeds ----

# $(call seed,HARNESS,FILES...): copies the files that exist, named apart.
seed = mkdir -p $(FUZZ_DIR)/seeds/$(1) && for f in $(2); do \
	[ -f "$$f" ] && cp "$$f" "$(FUZZ_DIR)/seeds/$(1)/$$(echo "$$f" | tr / _)"; done; true

fuzz-seeds: $(BUILD)/tests/fuzz/pcap2frames
	$(Q)rm -rf $(FUZZ_DIR)/seeds
	$(Q)$(call seed,dict,tests/unit/data/dict/*.json signatures/sample-dictionary.json \
		$(SHARED)/fixtures/small/dictionary.json $(SHARED)/fixtures/real/dictionary.json)
	$(Q)$(call seed,subscribers,signatures/sample-subscribers.txt tests/bpf/data/subscribers.txt \
		$(SHARED)/fixtures/small/subscribers.txt $(SHARED)/fixtures/real/subscribers.txt)
	$(Q)$(call seed,signatures,tests/fuzz/corpus/signatures/*)
	$(Q)$(call seed,pdns,tests/fuzz/corpus/pdns/*)
	$(Q)$(call seed,certs,tests/fuzz/corpus/certs/*)
	$(Q)$(call seed,csv,tests/fuzz/corpus/csv/*)
	$(Q)for f in $(SHARED)/data/iot_wild/*.csv; do [ -f "$$f" ] || continue; \
		case $$(basename "$$f") in alexa_enabled.csv) b='\000';; samsung_IoT.csv) b='\001';; \
		*) b='\002';; esac; out=$(FUZZ_DIR)/seeds/csv/$$(basename "$$f"); \
		printf "$$b" >"$$out"; head -c 3000 "$$f" >>"$$out"; done
	$(Q)[ ! -f $(SHARED)/data/intl_iot/tshark_all.hosts ] || \
		head -c 6000 $(SHARED)/data/intl_iot/tshark_all.hosts >$(FUZZ_DIR)/seeds/pdns/tshark_all.hosts
	$(Q)mkdir -p $(FUZZ_DIR)/seeds/pcap $(FUZZ_DIR)/seeds/replay
	$(Q)for f in $(SHARED)/fixtures/real/*.pcap; do \
		[ -f "$$f" ] && [ $$(stat -c %s "$$f") -le $(FUZZ_MAX_LEN_pcap) ] && \
		cp "$$f" $(FUZZ_DIR)/seeds/pcap/; done; true
	$(Q)for f in $(SHARED)/fixtures/real/*.pcap $(SHARED)/fixtures/small/export-*.pcap; do \
		[ -f "$$f" ] && $(BUILD)/tests/fuzz/pcap2frames "$$f" \
		$(FUZZ_DIR)/seeds/replay/$$(basename "$$f" .pcap) 2>/dev/null; done; true

# ---- running them ----

# Each harness for FUZZ_SECONDS on its working corpus (kept between runs in
# build/fuzz/corpus), its seeds and its regression inputs. Target output is
# closed (-close_fd_mask=3): a harness of bad input prints a line per input.
fuzz: fuzz-build fuzz-seeds
	$(Q)$(foreach h,$(FUZZ_ALL),max_len_$(h)=$(FUZZ_MAX_LEN_$(h))) failed=; \
	for h in $(FUZZ_RUN); do \
		eval max_len=\$$max_len_$$h; log=$(FUZZ_DIR)/$$h.log; \
		mkdir -p $(FUZZ_DIR)/corpus/$$h $(FUZZ_DIR)/crashes/$$h; \
		SHARED=$(SHARED) $(FUZZ_DIR)/fuzz_$$h -max_total_time=$(FUZZ_SECONDS) \
			-max_len=$$max_len -timeout=25 -close_fd_mask=3 -print_final_stats=1 \
			-artifact_prefix=$(FUZZ_DIR)/crashes/$$h/ \
			$(FUZZ_DIR)/corpus/$$h $(FUZZ_DIR)/seeds/$$h \
			$$(ls -d tests/fuzz/regressions/$$h 2>/dev/null) >$$log 2>&1 && st=ok || \
			{ st="FAILED (see $$log)"; failed="$$failed $$h"; }; \
		printf '  %-8s %-12s %s runs in %s s, corpus %s: %s\n' FUZZ $$h \
			"$$(sed -n 's/^stat::number_of_executed_units: *//p' $$log)" $(FUZZ_SECONDS) \
			"$$(ls $(FUZZ_DIR)/corpus/$$h | wc -l)" "$$st"; \
	done; \
	if [ -n "$$failed" ]; then echo "fuzz: failed:$$failed" >&2; exit 1; fi
