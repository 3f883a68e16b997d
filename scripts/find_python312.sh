#!/usr/bin/env sh
# Prints the path of a Python 3.12 interpreter (the Lambda runtime's version), or fails saying how to get one.
for candidate in python3.12 python3; do
  if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 12))' 2>/dev/null; then
    command -v "$candidate"; exit 0
  fi
done
if command -v pyenv >/dev/null 2>&1; then
  for version in $(pyenv versions --bare 2>/dev/null | grep -E '^3\.12(\.[0-9]+)?$' | sort -t. -k3 -n -r); do
    path="$(pyenv root)/versions/$version/bin/python3.12"
    [ -x "$path" ] && { echo "$path"; exit 0; }
  done
fi
echo "civicline needs Python 3.12 (the Lambda runtime). Install it (e.g. 'pyenv install 3.12') and retry." >&2
exit 1
