#!/bin/sh
# Prints the path of a Python 3.12 or newer: first one on the PATH, else one that pyenv holds.
# Exits 1 with a plain message when there is none.
ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; }

for candidate in python3.14 python3.13 python3.12 python3; do
  path=$(command -v "$candidate" 2>/dev/null) || continue
  if ok "$path"; then
    "$path" -c 'import sys; print(sys.executable)'
    exit 0
  fi
done

if command -v pyenv >/dev/null 2>&1; then
  root=$(pyenv root)
  for version in $(pyenv versions --bare 2>/dev/null | grep -E '^3\.(1[2-9]|[2-9][0-9])(\.[0-9]+)?$' | sort -t. -k1,1n -k2,2nr -k3,3nr); do
    path="$root/versions/$version/bin/python3"
    if [ -x "$path" ] && ok "$path"; then
      echo "$path"
      exit 0
    fi
  done
fi

echo "SDR Ops needs Python 3.12 or newer (Django 6). None was found on the PATH or in pyenv." >&2
echo "Install one (for example 'pyenv install 3.13' or your system's python3.13 package) and run make again." >&2
exit 1
