// Reference run of the TinyFaceDetector of @vladmandic/face-api for fer4j's detector tests.
//
//   node tools/face-api/reference.mjs [FACE_API_DIR] [--out FILE] [--backend wasm|cpu] [--runs N]
//                                     [--no-cross-check]
//
// FACE_API_DIR is the folder fetch.sh filled (default target/face-api, relative to the
// current folder). The result goes to
// models/src/test/resources/org/fer4j/models/faces/face-api-reference.json unless --out says
// otherwise. The wasm backend is tried first (its .wasm files are read from node_modules,
// never from a CDN); if it cannot start, the pure-JS cpu backend is used. The JSON records
// which one ran. With --backend only that backend is tried. Unless --no-cross-check, when the
// wasm backend ran the detections are repeated once on the cpu backend and the largest
// difference between the two is recorded (backendCrossCheck).
//
// Images are decoded with jpeg-js into an int32 [h, w, 3] RGB tensor. EXIF orientation is
// NOT applied (face-api sees the stored pixel grid); the JSON records each file's EXIF
// Orientation tag so a reader that honours EXIF can map the boxes.

import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');
const defaultOut = path.join(repoRoot, 'models', 'src', 'test', 'resources', 'org', 'fer4j',
  'models', 'faces', 'face-api-reference.json');

const SAMPLES = ['sample1.jpg', 'sample2.jpg', 'sample3.jpg', 'sample4.jpg', 'sample5.jpg', 'sample6.jpg'];
// faces scoring in (scoreThreshold - NEAR_MARGIN, scoreThreshold] are listed as nearMisses
const NEAR_MARGIN = 0.05;
const CONFIGS = [
  { name: 'inputSize416', inputSize: 416, scoreThreshold: 0.5 },
  { name: 'inputSize608', inputSize: 608, scoreThreshold: 0.3 },
];

function usage(message) {
  if (message) console.error(`reference.mjs: ${message}`);
  console.error('usage: node tools/face-api/reference.mjs [FACE_API_DIR] [--out FILE] [--backend wasm|cpu] [--runs N] [--no-cross-check]');
  process.exit(2);
}

function parseArgs(argv) {
  const args = { dir: 'target/face-api', out: defaultOut, backend: null, runs: 5, crossCheck: true };
  let positional = 0;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--out') args.out = argv[++i] ?? usage('--out needs a file');
    else if (a === '--backend') args.backend = argv[++i] ?? usage('--backend needs wasm or cpu');
    else if (a === '--runs') args.runs = Number(argv[++i]);
    else if (a === '--no-cross-check') args.crossCheck = false;
    else if (a === '-h' || a === '--help') usage();
    else if (a.startsWith('-')) usage(`unknown option ${a}`);
    else if (positional++ === 0) args.dir = a;
    else usage(`unexpected argument ${a}`);
  }
  if (args.backend !== null && args.backend !== 'wasm' && args.backend !== 'cpu') usage(`unknown backend ${args.backend}`);
  if (!Number.isInteger(args.runs) || args.runs < 1) usage('--runs needs a positive integer');
  return args;
}

// EXIF Orientation (tag 0x0112 in IFD0 of the APP1 "Exif" segment), or null when absent.
function exifOrientation(buf) {
  if (buf.length < 4 || buf[0] !== 0xff || buf[1] !== 0xd8) throw new Error('not a JPEG (no SOI marker)');
  let p = 2;
  while (p + 4 <= buf.length) {
    if (buf[p] !== 0xff) return null;
    const marker = buf[p + 1];
    if (marker === 0xff) { p++; continue; }
    if (marker === 0xd9 || marker === 0xda) return null; // EOI or start of scan: no more headers
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) { p += 2; continue; }
    const len = buf.readUInt16BE(p + 2);
    const seg = p + 4;
    if (marker === 0xe1 && len >= 8 && buf.toString('latin1', seg, seg + 6) === 'Exif\0\0') {
      const tiff = seg + 6;
      const order = buf.toString('latin1', tiff, tiff + 2);
      if (order !== 'II' && order !== 'MM') return null;
      const le = order === 'II';
      const u16 = (o) => (le ? buf.readUInt16LE(o) : buf.readUInt16BE(o));
      const u32 = (o) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
      const ifd0 = tiff + u32(tiff + 4);
      const count = u16(ifd0);
      for (let i = 0; i < count; i++) {
        const entry = ifd0 + 2 + 12 * i;
        if (u16(entry) === 0x0112) return u16(entry + 8);
      }
      return null;
    }
    p += 2 + len;
  }
  return null;
}

async function startBackend(tf, wanted) {
  const attempts = wanted ? [wanted] : ['wasm', 'cpu'];
  const notes = [];
  for (const name of attempts) {
    try {
      if (name === 'wasm') {
        const wasm = require('@tensorflow/tfjs-backend-wasm');
        const wasmDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
        wasm.setWasmPaths(wasmDir + path.sep);
      }
      const ok = await tf.setBackend(name);
      await tf.ready();
      if (ok && tf.getBackend() === name) return { name, notes };
      notes.push(`${name}: setBackend returned false`);
    } catch (e) {
      notes.push(`${name}: ${e && e.message ? e.message : e}`);
    }
    console.error(`reference.mjs: backend ${name} unavailable: ${notes[notes.length - 1]}`);
  }
  throw new Error(`no backend could start (${notes.join('; ')})`);
}

function cpuModel() {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('model name'));
    if (line) return line.split(':').slice(1).join(':').trim();
  } catch { /* not Linux */ }
  return os.cpus()[0]?.model ?? 'unknown';
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const dir = path.resolve(args.dir);
  const modelDir = path.join(dir, 'model');

  const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js');
  const { tf } = faceapi;
  const jpeg = require('jpeg-js');

  const backend = await startBackend(tf, args.backend);
  const wasmFlags = backend.name === 'wasm'
    ? { WASM_HAS_SIMD_SUPPORT: tf.env().getAsync ? await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT') : null,
      WASM_HAS_MULTITHREAD_SUPPORT: tf.env().getAsync ? await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT') : null }
    : undefined;
  const backendUsed = tf.getBackend();
  console.error(`reference.mjs: face-api ${faceapi.version}, tfjs ${tf.version_core}, backend ${tf.getBackend()}`);

  let manifestText;
  try {
    manifestText = readFileSync(path.join(modelDir, 'tiny_face_detector_model-weights_manifest.json'));
  } catch (e) {
    throw new Error(`cannot read the TinyFaceDetector manifest in ${modelDir} (run tools/face-api/fetch.sh first): ${e.message}`);
  }
  await faceapi.nets.tinyFaceDetector.loadFromDisk(modelDir);
  if (!faceapi.nets.tinyFaceDetector.isLoaded) throw new Error('TinyFaceDetector did not load');

  const images = SAMPLES.map((file) => {
    const bytes = readFileSync(path.join(dir, 'demo', file));
    const decoded = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false, maxMemoryUsageInMB: 1024 });
    const { width, height, data } = decoded;
    if (data.length !== width * height * 3) throw new Error(`${file}: unexpected decoded size ${data.length}`);
    const orientation = exifOrientation(bytes);
    return {
      file, width, height, data, orientation,
      fileSha256: createHash('sha256').update(bytes).digest('hex'),
      rgbSha256: createHash('sha256').update(data).digest('hex'),
    };
  });

  const run = async (runs) => {
    const results = {};
    const timings = {};
    for (const cfg of CONFIGS) {
      const options = new faceapi.TinyFaceDetectorOptions({ inputSize: cfg.inputSize, scoreThreshold: cfg.scoreThreshold });
      const perImage = [];
      const perImageTiming = [];
      for (const img of images) {
        const tensor = tf.tensor3d(Int32Array.from(img.data), [img.height, img.width, 3], 'int32');
        const detections = await faceapi.detectAllFaces(tensor, options); // warm-up and the recorded result
        const times = [];
        for (let r = 0; r < runs; r++) {
          const t0 = performance.now();
          const again = await faceapi.detectAllFaces(tensor, options);
          times.push(performance.now() - t0);
          if (again.length !== detections.length) throw new Error(`${img.file}: detections differ between runs`);
        }
        const faces = detections
          .map((d) => ({ x: d.box.x, y: d.box.y, width: d.box.width, height: d.box.height, score: d.score }))
          .sort((a, b) => b.score - a.score);
        // Faces just under the threshold: greedy NMS keeps every face above it unchanged, so
        // these are the detections a slightly different implementation might add.
        const lower = new faceapi.TinyFaceDetectorOptions({ inputSize: cfg.inputSize, scoreThreshold: cfg.scoreThreshold - NEAR_MARGIN });
        const nearMisses = (await faceapi.detectAllFaces(tensor, lower))
          .filter((d) => d.score <= cfg.scoreThreshold)
          .map((d) => ({ x: d.box.x, y: d.box.y, width: d.box.width, height: d.box.height, score: d.score }))
          .sort((a, b) => b.score - a.score);
        tensor.dispose();
        perImage.push({
          file: img.file,
          width: img.width,
          height: img.height,
          exifOrientation: img.orientation,
          faces,
          nearMisses,
        });
        if (runs > 0) perImageTiming.push({ file: img.file, medianMs: median(times), runsMs: times });
        console.error(`reference.mjs: ${tf.getBackend()} ${cfg.name} ${img.file} ${img.width}x${img.height}: ${faces.length} face(s)`
          + (runs > 0 ? `, median ${median(times).toFixed(1)} ms` : ''));
      }
      results[cfg.name] = {
        options: { inputSize: cfg.inputSize, scoreThreshold: cfg.scoreThreshold },
        images: perImage,
      };
      timings[cfg.name] = perImageTiming;
    }
    return { results, timings };
  };

  const { results, timings } = await run(args.runs);

  // Same detections on the pure-JS cpu backend (one run each, untimed), to show how far two
  // tfjs backends drift apart on identical input: a floor for the Java test's tolerances.
  let crossCheck;
  if (args.crossCheck && tf.getBackend() !== 'cpu') {
    const primary = tf.getBackend();
    await tf.setBackend('cpu');
    await tf.ready();
    await faceapi.nets.tinyFaceDetector.loadFromDisk(modelDir);
    const cpu = (await run(0)).results;
    let maxBoxDiffPx = 0;
    let maxScoreDiff = 0;
    let sameFaceCounts = true;
    for (const name of Object.keys(results)) {
      results[name].images.forEach((im, i) => {
        const other = cpu[name].images[i].faces;
        if (other.length !== im.faces.length) { sameFaceCounts = false; return; }
        im.faces.forEach((f, n) => {
          for (const k of ['x', 'y', 'width', 'height']) maxBoxDiffPx = Math.max(maxBoxDiffPx, Math.abs(f[k] - other[n][k]));
          maxScoreDiff = Math.max(maxScoreDiff, Math.abs(f.score - other[n].score));
        });
      });
    }
    crossCheck = {
      note: `The same detections run on the cpu backend, compared face by face (score order) with the ${primary} results above.`,
      backend: 'cpu', sameFaceCounts, maxBoxDiffPx, maxScoreDiff, results: cpu,
    };
    console.error(`reference.mjs: cpu vs ${primary}: same counts ${sameFaceCounts}, max box diff ${maxBoxDiffPx} px, max score diff ${maxScoreDiff}`);
    await tf.setBackend(primary);
  }

  const out = {
    description: 'Output of @vladmandic/face-api TinyFaceDetector (faceapi.detectAllFaces with TinyFaceDetectorOptions) '
      + 'on the package demo photos, written by tools/face-api/reference.mjs. Boxes are detection.box in pixels of the '
      + 'image as stored (EXIF orientation not applied), faces sorted by score descending. nearMisses: '
      + 'faces a run with scoreThreshold lowered by 0.05 adds (score <= scoreThreshold); they are not part of the result.',
    faceApiVersion: faceapi.version,
    tfjsVersion: tf.version_core,
    backend: backendUsed,
    backendNotes: backend.notes,
    ...(wasmFlags ? { wasmFlags } : {}),
    jpegDecoder: `jpeg-js ${require('jpeg-js/package.json').version} (RGB, EXIF orientation not applied)`,
    inputTensor: 'int32 [height, width, 3] RGB tensor passed straight to detectAllFaces',
    preprocessing: [
      'cast to float32; pad to a square with zeros at the bottom (height < width) or right (width < height) only, none when already square',
      'tf.image.resizeBilinear(square, [inputSize, inputSize], alignCorners=false, halfPixelCenters=false), skipped when the square side already equals inputSize',
      'subtract mean RGB [117.001, 114.697, 97.404], then divide by 255',
    ],
    weights: 'model/tiny_face_detector_model-weights_manifest.json + .bin, uint8-quantized, dequantized by tfjs as q * scale + min',
    samples: images.map((img) => ({
      file: img.file,
      width: img.width,
      height: img.height,
      exifOrientation: img.orientation,
      fileSha256: img.fileSha256,
      decodedRgbSha256: img.rgbSha256,
    })),
    results,
    ...(crossCheck ? { backendCrossCheck: crossCheck } : {}),
    timingInfo: {
      note: 'Timing information only, not reference values: wall-clock time of one faceapi.detectAllFaces call '
        + `(median of ${args.runs} runs after one warm-up run, per image), on a shared machine.`,
      cpuModel: cpuModel(),
      logicalCpus: os.cpus().length,
      node: process.version,
      backend: backendUsed,
      runs: args.runs,
      perConfig: timings,
    },
  };
  mkdirSync(path.dirname(path.resolve(args.out)), { recursive: true });
  writeFileSync(args.out, JSON.stringify(out, null, 2) + '\n');
  console.error(`reference.mjs: wrote ${args.out}`);
}

main().catch((e) => {
  console.error(`reference.mjs: error: ${e && e.stack ? e.stack : e}`);
  process.exit(1);
});
