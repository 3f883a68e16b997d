#!/usr/bin/env sh
# Debian's Graphviz, which draws the privacy report's data-flow diagram. Installed once; quiet when present.
command -v dot >/dev/null 2>&1 && exit 0
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "installing graphviz (privacy report diagram)"
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null && exit 0
fi
echo "warning: Graphviz's dot is missing; install Debian's graphviz to draw the privacy report's diagram" >&2
exit 0
