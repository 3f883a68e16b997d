#!/usr/bin/env sh
# Debian's Noto fonts the rich menu images are drawn with, one per script (staff/richmenu/fonts.py):
# fonts-noto-cjk (日本語, 中文, 한국어), fonts-noto-core (Latin with Vietnamese, Devanagari, Myanmar).
# Installed once; quiet when present.
missing=""
[ -f /usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc ] || missing="$missing fonts-noto-cjk"
[ -f /usr/share/fonts/truetype/noto/NotoSansMyanmar-Bold.ttf ] || missing="$missing fonts-noto-core"
[ -z "$missing" ] && exit 0
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "installing$missing (rich menu labels)"
  # shellcheck disable=SC2086 # one word per package
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null && exit 0
fi
echo "warning: missing$missing; install them (Debian) to redraw the rich menu images" >&2
exit 0
