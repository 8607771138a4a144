// Upload with progress (XMLHttpRequest reports upload progress; fetch does not).
(function () {
  'use strict';
  const form = document.getElementById('upload-form');
  if (!form) return;
  const kind = document.getElementById('upload-kind');
  const file = document.getElementById('upload-file');
  const zone = document.getElementById('dropzone');
  const zoneText = document.getElementById('dropzone-text');
  const bar = document.getElementById('upload-progress');
  const status = document.getElementById('upload-status');
  const zh = zp.lang() === 'zh';
  const setRow = document.getElementById('upload-set-row');
  const setName = document.getElementById('upload-set');
  const onKind = () => {
    document.getElementById('upload-columns').textContent = kind.selectedOptions[0].dataset.columns;
    setRow.hidden = kind.value !== 'factors';
  };
  kind.addEventListener('change', onKind);
  onKind();
  file.addEventListener('change', () => { if (file.files[0]) zoneText.textContent = file.files[0].name; });
  ['dragover', 'dragenter'].forEach(e => zone.addEventListener(e, ev => { ev.preventDefault(); zone.classList.add('over'); }));
  ['dragleave', 'drop'].forEach(e => zone.addEventListener(e, () => zone.classList.remove('over')));
  zone.addEventListener('drop', ev => {
    ev.preventDefault();
    if (ev.dataTransfer.files.length) { file.files = ev.dataTransfer.files; zoneText.textContent = file.files[0].name; }
  });
  form.addEventListener('submit', ev => {
    ev.preventDefault();
    if (!file.files[0]) return;
    const data = new FormData();
    data.append('file', file.files[0]);
    const xhr = new XMLHttpRequest();
    const query = kind.value === 'factors' ? '?set=' + encodeURIComponent(setName.value.trim()) : '';
    xhr.open('POST', '/api/v1/imports/' + encodeURIComponent(kind.value) + query);
    xhr.setRequestHeader('X-CSRF-Token', zp.csrf());
    xhr.setRequestHeader('Accept', 'application/json');
    bar.hidden = false;
    const fill = bar.firstElementChild;
    fill.style.width = '0';
    document.getElementById('upload-submit').disabled = true;
    status.textContent = zh ? '正在上传…' : 'Uploading…';
    xhr.upload.onprogress = e => {
      if (e.lengthComputable) fill.style.width = Math.round(90 * e.loaded / e.total) + '%';
      if (e.loaded === e.total) status.textContent = zh ? '正在校验与导入…' : 'Validating and importing…';
    };
    xhr.onload = () => {
      document.getElementById('upload-submit').disabled = false;
      fill.style.width = '100%';
      let body = {};
      try { body = JSON.parse(xhr.responseText); } catch (e) { /* not JSON */ }
      if (xhr.status !== 200) {
        status.innerHTML = '<span class="alert">' + zp.esc((body.error && body.error.message) || xhr.statusText) + '</span>';
        return;
      }
      status.textContent = '';
      show(body);
    };
    xhr.onerror = () => {
      document.getElementById('upload-submit').disabled = false;
      status.innerHTML = '<span class="alert">' + (zh ? '上传失败' : 'Upload failed') + '</span>';
    };
    xhr.send(data);
  });
  function show(r) {
    document.getElementById('upload-result').hidden = false;
    document.getElementById('result-file').textContent = r.file;
    ['read', 'accepted', 'quarantined', 'duplicates', 'restated'].forEach(k => {
      document.getElementById('count-' + k).textContent = zp.fmt(r[k]);
    });
    const table = document.getElementById('result-rejected');
    const tbody = table.querySelector('tbody');
    tbody.innerHTML = r.rejected.slice(0, 500).map(x =>
      `<tr><td class="num">${x.row}</td><td class="mono">${zp.esc(x.field)}</td><td class="bad">${zp.esc(x.reason)}</td><td class="mono">${zp.esc(x.raw)}</td></tr>`).join('');
    table.hidden = r.rejected.length === 0;
  }
})();
