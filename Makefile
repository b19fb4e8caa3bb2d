# The README's commands. Each target does everything it needs: deps → configure → build → run.
BUILD      ?= build
BUILD_TYPE ?= Release
QV_WERROR  ?= OFF
JOBS       ?= $(shell nproc)
SAMPLE     ?= assets/sample.safetensors

.PHONY: deps configure build run test bench fuzz clean

deps:
	@bash .ci/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD) -G "$(shell command -v ninja >/dev/null 2>&1 && echo Ninja || echo 'Unix Makefiles')" \
	  -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DQV_WERROR=$(QV_WERROR) \
	  $(shell command -v ccache >/dev/null 2>&1 && echo -DCMAKE_CXX_COMPILER_LAUNCHER=ccache) >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

run: build
	$(BUILD)/bin/quantviz $(if $(FILE),$(FILE),$(SAMPLE))

test: build
	@ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

bench: build
	@mkdir -p $(BUILD)/bench
	$(BUILD)/bin/quantviz-bench --out $(BUILD)/bench/results.json

clean:
	rm -rf $(BUILD)
