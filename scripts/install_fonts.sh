#!/usr/bin/env sh
# Debian's Noto Sans CJK, used to draw the rich menu's Japanese labels. Installed once; quiet when present.
FONT=/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc
[ -f "$FONT" ] && exit 0
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "installing fonts-noto-cjk (rich menu labels)"
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk >/dev/null && exit 0
fi
echo "warning: $FONT is missing; install Debian's fonts-noto-cjk to redraw the rich menu images" >&2
exit 0
