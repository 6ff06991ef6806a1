# whopconf: `make run` and `make test` are all a fresh Debian 12 machine needs.
BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
CTEST_JOBS ?= 2
REPORT_DIR ?= reports
FUZZ_SECONDS ?= 60
PREFIX     ?= /usr/local

.PHONY: all deps build build-asan run install test test-release test-asan bench fuzz fuzz-smoke fuzz-coverage clean

all: build

deps:
	@bash scripts/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DWHOPCONF_WERROR=ON >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

build-asan: deps
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DWHOPCONF_WERROR=ON -DWHOPCONF_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS)

# Runs the conformance suite against the embedded reference server.
run: build
	./$(BUILD)/whopconf run --report-dir $(REPORT_DIR)

# bin/whopconf, share/man/man1/whopconf.1 and the bash completion under
# $(PREFIX); DESTDIR=... stages them elsewhere (packaging).
install: build
	DESTDIR=$(DESTDIR) cmake --install $(BUILD) --prefix $(PREFIX)

CTEST_RELEASE = cd $(BUILD) && ctest --output-on-failure -j $(CTEST_JOBS)
CTEST_ASAN = cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j $(CTEST_JOBS)

test-release: build
	$(CTEST_RELEASE)

test-asan: build-asan
	$(CTEST_ASAN)

# Every test, in the release build and in the ASan+UBSan build; both builds
# run even when the first has failures, so one CI run shows everything.
test: build build-asan
	@rc=0; \
	echo "== release build: ctest"; ( $(CTEST_RELEASE) ) || rc=1; \
	echo "== ASan+UBSan build: ctest"; ( $(CTEST_ASAN) ) || rc=1; \
	if [ $$rc -ne 0 ]; then echo "make test: FAILED (see above)"; else echo "make test: all tests passed in both builds"; fi; \
	exit $$rc

bench: build
	@cmake --build $(BUILD) --target bench >/dev/null 2>&1 || true
	@bash bench/run.sh $(BUILD)

fuzz: deps
	@bash fuzz/run.sh $(FUZZ_SECONDS)

fuzz-smoke: deps
	@bash fuzz/smoke.sh build-fuzz-smoke

fuzz-coverage: deps
	@bash fuzz/coverage.sh

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) build-fuzz build-cov
