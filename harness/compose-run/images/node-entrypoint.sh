#!/bin/sh
# As the official node image's entrypoint behaves: no command, or one that starts with a
# flag (`-e …`), or that is no program on PATH (`script.js`), runs under node.
set -e
if [ "$#" -eq 0 ] || [ "${1#-}" != "$1" ] || ! command -v -- "$1" > /dev/null 2>&1; then
  set -- node "$@"
fi
exec "$@"
