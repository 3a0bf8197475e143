# Thin wrapper around CMake. `make run` and `make test` install missing Debian packages first.
BUILD ?= build
CMAKE_FLAGS ?=
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

# What building and running needs (`make run`), and what the tests add (`make test`): a
# newcomer who only wants the tool does not get PostgreSQL, zsh or tmux.
BUILD_PACKAGES := cmake g++ make pkgconf libcli11-dev libfmt-dev doctest-dev scdoc gzip
TEST_PACKAGES := util-linux bsdextrautils xxd python3 hyperfine bash-completion zsh tmux mandoc \
	groff-base postgresql-15 jq file dpkg-dev binutils man-db strace universal-ctags prometheus lsof psmisc util-linux-extra \
	python3-prometheus-client
DEB_PACKAGES ?= $(BUILD_PACKAGES)
# `make fuzz` (tests/fuzz/README.md): Debian 12's clang and its libFuzzer/sanitizer runtimes.
FUZZ_PACKAGES := clang libclang-rt-14-dev
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60

.PHONY: all deps test-deps configure build run test sanitize fuzz bench clean install

all: build

test-deps:
	@$(MAKE) --no-print-directory deps DEB_PACKAGES="$(BUILD_PACKAGES) $(TEST_PACKAGES)"

deps:
	@missing=""; for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing missing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

configure: deps
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS)

build: configure
	cmake --build $(BUILD) -j $(JOBS)

run: build
	./$(BUILD)/cmd/shmkit ls

test: test-deps build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# The same suite under AddressSanitizer and UndefinedBehaviorSanitizer.
sanitize:
	$(MAKE) test BUILD=build-asan CMAKE_FLAGS="-DSHMKIT_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug $(CMAKE_FLAGS)"

# Every libFuzzer target for FUZZ_SECONDS each, under ASan and UBSan, in a separate clang build
# of only what the targets reach. `make test` runs the same targets once over their corpora.
fuzz:
	@$(MAKE) --no-print-directory deps DEB_PACKAGES="$(BUILD_PACKAGES) $(FUZZ_PACKAGES)"
	cmake -S . -B $(FUZZ_BUILD) -DSHMKIT_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++ \
	  -DCMAKE_BUILD_TYPE=None $(CMAKE_FLAGS)
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzz_targets
	bash tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

bench: test-deps build
	for b in tests/bench/*.sh; do SHMKIT=$$PWD/$(BUILD)/cmd/shmkit bash $$b || exit 1; done

install: build
	cmake --install $(BUILD)

clean:
	rm -rf build build-asan build-ci build-fuzz
