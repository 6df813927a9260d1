// fer4j live: the webcam (or a dropped photo) -> POST /api/v1/predict -> boxes, labels and bars.
// One frame in flight at a time, so the page never sends faster than the server answers.
'use strict';
(() => {
  const $ = (id) => document.getElementById(id);
  const video = $('video'), photo = $('photo'), overlay = $('overlay'), stage = $('stage');
  const statusLine = $('status');
  const MAX_WIDTH = 640;
  const grab = document.createElement('canvas');
  let classes = [];
  let mode = 'idle';           // 'starting', 'camera', 'photo' or 'idle'
  let token = sessionStorage.getItem('fer4j-token') || '';
  let fps = 0, lastAnswer = 0;

  const hash = new URLSearchParams(location.hash.slice(1));
  if (hash.get('token')) {
    token = hash.get('token');
    sessionStorage.setItem('fer4j-token', token);
    history.replaceState(null, '', location.pathname);
  }

  function setStatus(text, error) {
    statusLine.textContent = text;
    statusLine.classList.toggle('error', !!error);
  }

  function headers(extra) {
    const h = Object.assign({}, extra || {});
    if (token) h['Authorization'] = 'Bearer ' + token;
    return h;
  }

  function askToken(message) {
    setStatus(message, true);
    $('token-form').hidden = false;
    $('token').focus();
  }

  $('token-form').addEventListener('submit', (e) => {
    e.preventDefault();
    token = $('token').value.trim();
    sessionStorage.setItem('fer4j-token', token);
    $('token-form').hidden = true;
    init();
  });

  function buildBars(names) {
    const bars = $('bars');
    bars.replaceChildren();
    for (const name of names) {
      const row = document.createElement('div');
      row.className = 'bar c-' + name;
      row.dataset.class = name;
      const label = document.createElement('span');
      label.className = 'name';
      label.textContent = name;
      const track = document.createElement('span');
      track.className = 'track';
      const fill = document.createElement('span');
      fill.className = 'fill';
      fill.style.display = 'block';
      track.append(fill);
      const value = document.createElement('span');
      value.className = 'value';
      value.textContent = '–';
      row.append(label, track, value);
      bars.append(row);
    }
  }

  function showBars(probabilities) {
    for (const row of $('bars').children) {
      const p = probabilities ? probabilities[row.dataset.class] || 0 : 0;
      row.querySelector('.fill').style.width = (100 * p).toFixed(1) + '%';
      row.querySelector('.value').textContent = probabilities ? Math.round(100 * p) + '%' : '–';
    }
  }

  // Boxes are in pixels of the image sent; `shown` is the element displaying it.
  function render(result, sentWidth, shown) {
    const scale = shown.clientWidth / sentWidth;
    const faces = result.faces || [];
    overlay.replaceChildren();
    for (const f of faces) {
      const box = document.createElement('div');
      box.className = 'face-box c-' + f.emotion;
      box.style.left = (f.box.x * scale) + 'px';
      box.style.top = (f.box.y * scale) + 'px';
      box.style.width = (f.box.width * scale) + 'px';
      box.style.height = (f.box.height * scale) + 'px';
      const label = document.createElement('span');
      label.className = 'face-label';
      label.textContent = f.emotion + ' ' + Math.round(100 * f.confidence) + '%';
      box.append(label);
      overlay.append(box);
    }
    $('faces').textContent = faces.length;
    $('emotion').textContent = faces.length ? faces[0].emotion : 'no face';
    $('emotion').className = faces.length ? 'c-' + faces[0].emotion : '';
    showBars(faces.length ? faces[0].probabilities : null);
  }

  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

  // POST one image; returns the JSON answer, or null after handling an error (and waiting if told to).
  async function predict(blob, type) {
    let response;
    try {
      response = await fetch('api/v1/predict', { method: 'POST', headers: headers({ 'Content-Type': type }), body: blob });
    } catch (e) {
      setStatus('The server cannot be reached; retrying…', true);
      await sleep(1000);
      return null;
    }
    let body = {};
    try { body = await response.json(); } catch (e) { /* not JSON */ }
    if (response.ok) return body;
    if (response.status === 401) {
      askToken(body.error || 'a token is needed');
      mode = 'idle';
      return null;
    }
    const retry = Number(response.headers.get('Retry-After'));
    setStatus((body.error || ('HTTP ' + response.status)) + (retry ? ' (retrying in ' + retry + ' s)' : ''), true);
    await sleep(retry ? retry * 1000 : 1000);
    return null;
  }

  function frame() {
    const w = Math.min(MAX_WIDTH, video.videoWidth);
    const h = Math.round(video.videoHeight * w / video.videoWidth);
    grab.width = w;
    grab.height = h;
    grab.getContext('2d').drawImage(video, 0, 0, w, h);
    return new Promise((resolve) => grab.toBlob((b) => resolve({ blob: b, width: w }), 'image/jpeg', 0.85));
  }

  async function cameraLoop() {
    while (mode === 'camera') {
      if (video.readyState < 2 || !video.videoWidth) {
        await sleep(50);
        continue;
      }
      const { blob, width } = await frame();
      const t0 = performance.now();
      const result = await predict(blob, 'image/jpeg');
      const now = performance.now();
      if (result && mode === 'camera') {
        $('latency').textContent = Math.round(now - t0);
        if (lastAnswer) {
          const instant = 1000 / (now - lastAnswer);
          fps = fps ? 0.9 * fps + 0.1 * instant : instant;
          $('fps').textContent = fps.toFixed(1);
        }
        lastAnswer = now;
        render(result, width, video);
        setStatus('Live: ' + result.model + ', ' + (result.faces.length === 1 ? '1 face' : result.faces.length + ' faces'));
      }
    }
  }

  async function startCamera() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      setStatus('No camera access in this browser (it needs https or localhost); drop a photo instead.', true);
      return;
    }
    mode = 'starting';
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 640 }, height: { ideal: 480 } }, audio: false });
      if (mode !== 'starting') {  // a photo was chosen meanwhile
        stream.getTracks().forEach((t) => t.stop());
        return;
      }
      video.srcObject = stream;
      photo.hidden = true;
      video.hidden = false;
      mode = 'camera';
      lastAnswer = 0;
      fps = 0;
      setStatus('Camera on; waiting for the first answer…');
      cameraLoop();
    } catch (e) {
      if (mode === 'starting') mode = 'idle';
      setStatus('No camera (' + e.name + '); drop a photo or choose one instead.', true);
    }
  }

  function stopCamera() {
    mode = 'idle';
    const stream = video.srcObject;
    if (stream) stream.getTracks().forEach((t) => t.stop());
    video.srcObject = null;
  }

  async function analysePhoto(file) {
    stopCamera();
    mode = 'photo';
    video.hidden = true;
    photo.hidden = false;
    overlay.replaceChildren();
    const url = URL.createObjectURL(file);
    photo.src = url;
    await photo.decode().catch(() => {});
    setStatus('Analysing ' + file.name + '…');
    const t0 = performance.now();
    const result = await predict(file, file.type || 'application/octet-stream');
    if (result) {
      $('latency').textContent = Math.round(performance.now() - t0);
      $('fps').textContent = '–';
      render(result, photo.naturalWidth || result.image.width, photo);
      setStatus(file.name + ': ' + result.faces.length + (result.faces.length === 1 ? ' face' : ' faces'));
    }
  }

  $('camera-button').addEventListener('click', () => { if (mode !== 'camera' && mode !== 'starting') startCamera(); });
  $('file').addEventListener('change', (e) => { if (e.target.files[0]) analysePhoto(e.target.files[0]); });
  stage.addEventListener('dragover', (e) => { e.preventDefault(); stage.classList.add('dragging'); });
  stage.addEventListener('dragleave', () => stage.classList.remove('dragging'));
  stage.addEventListener('drop', (e) => {
    e.preventDefault();
    stage.classList.remove('dragging');
    const file = e.dataTransfer.files[0];
    if (file) analysePhoto(file);
  });
  window.addEventListener('resize', () => overlay.replaceChildren());

  async function init() {
    let response;
    try {
      response = await fetch('api/v1/models', { headers: headers() });
    } catch (e) {
      setStatus('The server cannot be reached.', true);
      return;
    }
    if (response.status === 401) {
      askToken('This server needs a token.');
      return;
    }
    const body = await response.json();
    classes = body.models[0].classes;
    buildBars(classes);
    setStatus('Model ' + body.models[0].name + ' ready.');
    startCamera();
  }

  init();
})();
