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
    document.querySelectorAll('#upload-columns [data-kind]').forEach(p => { p.hidden = p.dataset.kind !== kind.value; });
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
  const preview = document.getElementById('upload-preview');
  // Every upload is previewed first (nothing stored): the counts, the restatements
  // old -> new with large swings highlighted, the rows that would be quarantined; the file
  // is sent again, to be imported, only on confirmation.
  form.addEventListener('submit', ev => {
    ev.preventDefault();
    if (!file.files[0]) return;
    document.getElementById('upload-result').hidden = true;
    preview.hidden = true;
    send(true);
  });
  document.getElementById('preview-confirm').addEventListener('click', () => {
    preview.hidden = true;
    send(false);
  });
  document.getElementById('preview-cancel').addEventListener('click', ev => {
    preview.hidden = true;
    status.textContent = ev.target.dataset.cancelled;
  });
  function send(dryRun) {
    const data = new FormData();
    data.append('file', file.files[0]);
    const xhr = new XMLHttpRequest();
    const params = new URLSearchParams();
    if (kind.value === 'factors') params.set('set', setName.value.trim());
    if (dryRun) params.set('dry_run', 'true');
    const query = params.toString() ? '?' + params : '';
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
      if (dryRun) showPreview(body); else show(body);
    };
    xhr.onerror = () => {
      document.getElementById('upload-submit').disabled = false;
      status.innerHTML = '<span class="alert">' + (zh ? '上传失败' : 'Upload failed') + '</span>';
    };
    xhr.send(data);
  }
  // A reason in the page's language: the server's pieces [is_code, text] (values from the
  // file and English no template wrote as code), else the English as given.
  const reasonHtml = x => x.reason_pieces
    ? x.reason_pieces.map(([code, text]) => code ? `<code>${zp.esc(text)}</code>` : zp.esc(text)).join('')
    : zp.esc(x.reason);
  function rejectedRows(table, rejected) {
    table.querySelector('tbody').innerHTML = rejected.slice(0, 500).map(x =>
      `<tr><td class="num">${x.row}</td><td class="mono">${zp.esc(x.field)}</td><td class="bad">${reasonHtml(x)}</td><td class="mono">${zp.esc(x.raw)}</td></tr>`).join('');
    table.hidden = rejected.length === 0;
  }
  function showPreview(p) {
    preview.hidden = false;
    document.getElementById('preview-file').textContent = p.file;
    const counts = {
      read: p.read, new: p.accepted - p.duplicates - p.restated, restated: p.restated,
      duplicates: p.duplicates, quarantined: p.quarantined,
    };
    Object.entries(counts).forEach(([k, v]) => { document.getElementById('preview-' + k).textContent = zp.fmt(v); });
    // Quantities that change by more than 30 % (or from zero) are marked; records compared
    // as text (enterprises, meters, limit levels) show the fields that change.
    const swing = c => c.numeric && (c.change_pct === null || Math.abs(Number(c.change_pct)) > 30);
    // A column shows when some change fills it: ledgers name site and carrier, other kinds
    // the record (meter, product, indicator, ...).
    const cols = {
      credit_code: c => `<td class="mono">${zp.esc(c.credit_code)}</td>`,
      site: c => `<td>${zp.esc(c.site)}</td>`,
      item: c => `<td>${zp.esc(c.item)}</td>`,
      period: c => `<td>${zp.esc(c.period)}</td>`,
      carrier: c => `<td>${zp.esc(zh ? c.carrier_name_zh : c.carrier)}</td>`,
    };
    const shown = Object.keys(cols).filter(k => p.changes.some(c => c[k]));
    document.querySelectorAll('#preview-changes thead th[data-col]').forEach(th => { th.hidden = !shown.includes(th.dataset.col); });
    // A record compared as text names its changed fields (`site: 一厂`): the field names
    // are the file's column names, shown as code.
    const value = (c, v) => c.numeric ? zp.esc(v) : v.split('; ').map(f => {
      const m = /^([a-z_0-9]+): ([\s\S]*)$/.exec(f);
      return m ? `<code>${zp.esc(m[1])}</code>: ${zp.esc(m[2])}` : zp.esc(f);
    }).join('; ');
    const pctText = c => c.change_pct === null ? '–' : (Number(c.change_pct) > 0 ? '+' : '') + zp.esc(String(c.change_pct)) + '%';
    document.querySelector('#preview-changes tbody').innerHTML = p.changes.map(c =>
      `<tr class="${swing(c) ? 'swing' : ''}">` + shown.map(k => cols[k](c)).join('') +
      `<td class="num">${value(c, c.old)}</td><td class="num">${value(c, c.new)}</td>` +
      `<td class="num">${pctText(c)}</td></tr>`).join('');
    document.getElementById('preview-changes-wrap').hidden = p.changes.length === 0;
    rejectedRows(document.getElementById('preview-rejected'), p.rejected);
  }
  function show(r) {
    document.getElementById('upload-result').hidden = false;
    document.getElementById('result-file').textContent = r.file;
    ['read', 'accepted', 'quarantined', 'duplicates', 'restated'].forEach(k => {
      document.getElementById('count-' + k).textContent = zp.fmt(r[k]);
    });
    rejectedRows(document.getElementById('result-rejected'), r.rejected);
  }
})();

// Reverting an import from the list (its uploader or an administrator).
(function () {
  'use strict';
  document.querySelectorAll('#batches button.revert').forEach(b => b.addEventListener('click', async () => {
    if (!window.confirm(b.dataset.confirm)) return;
    b.disabled = true;
    const r = await fetch('/api/v1/imports/revert', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Accept': 'application/json', 'X-CSRF-Token': zp.csrf() },
      body: JSON.stringify({ id: Number(b.dataset.id) }),
    });
    const body = await r.json().catch(() => ({}));
    const cell = b.parentElement;
    if (r.ok) {
      cell.innerHTML = `<span class="good">${zp.esc(b.dataset.done)}</span>`;
      cell.dataset.withdrawn = body.withdrawn;
      cell.dataset.restored = body.restored;
    } else {
      b.disabled = false;
      cell.insertAdjacentHTML('beforeend', `<span class="alert">${zp.esc((body.error && body.error.message) || r.statusText)}</span>`);
    }
  }));
})();
