#!/usr/bin/env bash
# Creates the virtualenv with a Python >= 3.12, or replaces one made with an older Python.
set -euo pipefail
venv=${1:-.venv}
here=$(cd "$(dirname "$0")" && pwd)
if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c \
    "import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)" 2>/dev/null; then
  exit 0
fi
python=$("$here/find-python.sh")
echo "Creating $venv with $python"
rm -rf "$venv"
"$python" -m venv "$venv"
