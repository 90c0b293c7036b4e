#!/usr/bin/env bash
# Prints the path of a Python >= 3.12 interpreter, or explains why there is none.
# Looks at $PYTHON, then python3.13/python3.12/python3 on PATH, then pyenv and /usr/local.
set -u
want_major=3
want_minor=12

ok() {
  "$1" -c "import sys; sys.exit(0 if sys.version_info >= ($want_major, $want_minor) else 1)" \
    >/dev/null 2>&1
}

candidates=()
[ -n "${PYTHON:-}" ] && candidates+=("$PYTHON")
for name in python3.14 python3.13 python3.12 python3; do
  path=$(command -v "$name" 2>/dev/null) && candidates+=("$path")
done
pyenv_dirs=$(ls -d "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.1[2-9]* 2>/dev/null | sort -rV)
for dir in $pyenv_dirs /usr/local /usr; do
  for exe in "$dir"/bin/python3 "$dir"/python3.1[2-9]; do
    [ -x "$exe" ] && candidates+=("$exe")
  done
done

for exe in "${candidates[@]}"; do
  # pyenv shims fail when the version is not selected; ok() filters those out too.
  if ok "$exe"; then
    "$exe" -c "import sys; print(sys.executable)"
    exit 0
  fi
done

echo "Takoss needs Python >= $want_major.$want_minor (Django 6 requires it), and none was found." >&2
echo "Tried: ${candidates[*]:-nothing on PATH}" >&2
echo "Install Python 3.12 or newer, or point PYTHON=/path/to/python3.12 at one." >&2
exit 1
