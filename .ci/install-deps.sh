#!/usr/bin/env bash
# Installs the Debian packages quantviz needs, only those missing; quiet and idempotent.
# Uses sudo only when not root. The list is the single source of truth for dependencies.
set -euo pipefail
# ocl-icd-opencl-dev: libdnnl-dev only Recommends it, but Debian's dnnl-config.cmake calls
# find_package(OpenCL REQUIRED) (its GPU runtime is OCL), so configure fails on a fresh machine without it.
pkgs=(
  build-essential cmake ninja-build pkg-config ccache
  libimgui-dev libstb-dev libglfw3-dev libgl-dev libeigen3-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  nlohmann-json3-dev libcli11-dev libzip-dev
  libonnx-dev libprotobuf-dev protobuf-compiler
  libdnnl-dev ocl-icd-opencl-dev libgemmlowp-dev
  clang libclang-rt-14-dev
  xvfb xauth xdotool imagemagick fonts-dejavu-core
)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "quantviz: installing missing Debian packages: ${missing[*]}"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
