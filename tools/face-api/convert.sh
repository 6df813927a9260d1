#!/bin/sh
# Converts face-api's TinyFaceDetector weights (npm @vladmandic/face-api 1.7.15, MIT) into the
# bundled fer4j model file, reproducibly:
#   sh tools/face-api/convert.sh
# 1. fetch.sh fetches and checks the package (npm pack + recorded sha512) into target/face-api;
# 2. `fer4j import` maps its 19 named tensors onto fer4j's TinyFaceDetector architecture,
#    checking every shape, and writes the .fer4j resource that FaceDetector.pretrained() loads.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
work="$root/target/face-api"
out="$root/models/src/main/resources/org/fer4j/models/faces/tiny-face-detector.fer4j"
sh "$root/tools/face-api/fetch.sh" "$work"
"$root/fer4j" import --arch tiny-face-detector --out "$out" \
  "$work/model/tiny_face_detector_model-weights_manifest.json"
cmp -s "$work/LICENSE" "$root/models/src/main/resources/org/fer4j/models/faces/LICENSE-face-api.txt" || {
  echo "convert.sh: the package's LICENSE differs from models/.../LICENSE-face-api.txt; review and update it" >&2
  exit 1
}
echo "convert.sh: wrote $out"
