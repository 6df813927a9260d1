#!/bin/sh
# Fetches the files fer4j takes from the npm package @vladmandic/face-api 1.7.15
# (MIT licence): the TinyFaceDetector weights, the licence and the six demo photos.
#
#   sh tools/face-api/fetch.sh [TARGET]      (TARGET defaults to target/face-api)
#
# The tarball comes from the npm registry through `npm pack` and is checked against
# the sha512 integrity recorded below before anything is extracted. Running it again
# when TARGET already holds the files from this very tarball does nothing.
set -eu

PKG='@vladmandic/face-api'
VERSION='1.7.15'
# dist.integrity of @vladmandic/face-api@1.7.15 as published on the npm registry
INTEGRITY='sha512-WDMmK3CfNLo8jylWqMoQgf4nIst3M0fzx1dnac96wv/dvMTN4DxC/Pq1DGtduDk1lktCamQ3MIDXFnvrdHTXDw=='
FILES='model/tiny_face_detector_model-weights_manifest.json
model/tiny_face_detector_model.bin
LICENSE
demo/sample1.jpg
demo/sample2.jpg
demo/sample3.jpg
demo/sample4.jpg
demo/sample5.jpg
demo/sample6.jpg'

TARGET=${1:-target/face-api}
STAMP="$TARGET/.face-api-integrity"

die() {
    echo "fetch.sh: error: $*" >&2
    exit 1
}

command -v npm >/dev/null 2>&1 || die "npm not found on PATH (Node.js 18 or later is needed)"
command -v node >/dev/null 2>&1 || die "node not found on PATH (Node.js 18 or later is needed)"
command -v tar >/dev/null 2>&1 || die "tar not found on PATH"

all_present() {
    for f in $FILES; do
        [ -s "$TARGET/$f" ] || return 1
    done
    return 0
}

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$INTEGRITY" ] && all_present; then
    echo "fetch.sh: $TARGET already holds $PKG@$VERSION; nothing to do"
    exit 0
fi

TMP=$(mktemp -d 2>/dev/null || mktemp -d -t face-api) || die "cannot create a temporary folder"
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "fetch.sh: npm pack $PKG@$VERSION"
(cd "$TMP" && npm pack --silent --ignore-scripts "$PKG@$VERSION" >"$TMP/pack.out" 2>"$TMP/pack.err") \
    || { cat "$TMP/pack.err" >&2; die "npm pack $PKG@$VERSION failed (is the npm registry reachable?)"; }
TGZ="$TMP/$(tail -n 1 "$TMP/pack.out")"
[ -f "$TGZ" ] || die "npm pack did not leave the expected tarball (got: $(cat "$TMP/pack.out"))"

ACTUAL=$(node -e '
const fs = require("fs");
const crypto = require("crypto");
process.stdout.write("sha512-" + crypto.createHash("sha512").update(fs.readFileSync(process.argv[1])).digest("base64"));
' "$TGZ") || die "cannot hash $TGZ"
if [ "$ACTUAL" != "$INTEGRITY" ]; then
    die "integrity mismatch for $PKG@$VERSION
  expected $INTEGRITY
  got      $ACTUAL"
fi
echo "fetch.sh: integrity ok ($INTEGRITY)"

mkdir -p "$TMP/x"
MEMBERS=''
for f in $FILES; do
    MEMBERS="$MEMBERS package/$f"
done
# shellcheck disable=SC2086  # the member names hold no blanks
tar -xzf "$TGZ" -C "$TMP/x" $MEMBERS || die "cannot extract the expected files from $TGZ"

mkdir -p "$TARGET" || die "cannot create $TARGET"
rm -f "$STAMP"
for f in $FILES; do
    [ -s "$TMP/x/package/$f" ] || die "$f missing or empty in the tarball"
    mkdir -p "$TARGET/$(dirname "$f")"
    cp "$TMP/x/package/$f" "$TARGET/$f.part" && mv -f "$TARGET/$f.part" "$TARGET/$f" \
        || die "cannot write $TARGET/$f"
done
printf '%s\n' "$INTEGRITY" >"$STAMP"
echo "fetch.sh: wrote $(echo "$FILES" | wc -l | tr -d ' ') files of $PKG@$VERSION to $TARGET"
