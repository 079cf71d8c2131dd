# Sourced by scripts/demo and scripts/test: make .venv from uv.lock and fetch the web assets.
# Needs only python3 (3.11 or newer) and network access to PyPI and the npm registry.

set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
UV_VERSION="0.13.9"
export UV_PYTHON_DOWNLOADS=never UV_PROJECT_ENVIRONMENT="$ROOT/.venv"

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "Please install with root rights: $*" >&2; return 1; fi
}

apt_install() {
  command -v apt-get >/dev/null || { echo "Install these packages first: $*" >&2; return 1; }
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# The interpreter's own path, not a launcher's (pyenv's shims): uv compares it with the one the
# environment was made with, and on a different path it made the environment again on every run.
find_python() {
  for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      "$candidate" -c 'import sys; print(sys.executable)'; return 0
    fi
  done
  echo "datameent needs Python 3.11 or newer (python3)." >&2; return 1
}

PYTHON="$(find_python)"

find_uv() {
  if command -v uv >/dev/null; then command -v uv; return 0; fi
  local tools="$ROOT/.cache/uv-$UV_VERSION"
  if [ ! -x "$tools/bin/uv" ]; then
    "$PYTHON" -m venv "$tools" 2>/dev/null || { apt_install python3-venv && "$PYTHON" -m venv "$tools"; }
    "$tools/bin/python" -m pip install -q --disable-pip-version-check "uv==$UV_VERSION"
  fi
  echo "$tools/bin/uv"
}

# LightGBM (the effect model's boosted trees) needs the OpenMP runtime.
if command -v ldconfig >/dev/null && ! ldconfig -p | grep 'libgomp\.so\.1' >/dev/null; then
  echo "Installing the OpenMP runtime for LightGBM..."
  apt_install libgomp1
fi

UV="$(find_uv)"
# The packages are compiled to bytecode once, when they are installed, not by every process
# that starts: where PYTHONDONTWRITEBYTECODE is set (as in many containers and CI machines)
# Python never saves what it compiles, and each start of `datameent` compiled SQLAlchemy,
# FastAPI, Polars and the rest again from source: half of the demo's start-up
# (docs/benchmarks.md). uv compiles all of site-packages whenever asked (about 30 s), so it is
# asked only when the environment is new or uv.lock changed; our own source takes 0.1 s.
compiled="$ROOT/.venv/.compiled-for-lock"
if [ -f "$compiled" ] && [ ! "$ROOT/uv.lock" -nt "$compiled" ]; then
  "$UV" sync --frozen --quiet --python "$PYTHON"
else
  echo "Installing the Python packages and compiling them (once; about a minute)..."
  "$UV" sync --frozen --quiet --compile-bytecode --python "$PYTHON"
  touch "$compiled"
fi
"$ROOT/.venv/bin/python" -m compileall -q "$ROOT/src"
"$ROOT/.venv/bin/python" "$ROOT/scripts/fetch_assets.py"
