// Factors page: import a new set, apply a recompute (platform admin).
(function () {
  'use strict';
  const apply = document.getElementById('recompute-apply');
  if (apply) apply.addEventListener('click', async () => {
    apply.disabled = true;
    try { await zp.api('/api/v1/recompute', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ dry_run: false }) }); location.reload(); }
    catch (e) { alert(e.message); apply.disabled = false; }
  });
  const form = document.getElementById('factor-import');
  if (form) form.addEventListener('submit', async ev => {
    ev.preventDefault();
    const status = document.getElementById('factor-import-status');
    const data = new FormData();
    data.append('file', form.elements.namedItem('file').files[0]);
    try {
      const r = await fetch('/api/v1/factor-sets/' + encodeURIComponent(form.elements.namedItem('name').value), { method: 'POST', body: data, headers: { 'X-CSRF-Token': zp.csrf() } });
      const body = await r.json();
      if (!r.ok) throw new Error(body.error ? body.error.message : r.statusText);
      location.reload();
    } catch (e) { status.innerHTML = '<span class="alert">' + zp.esc(e.message) + '</span>'; }
  });
})();
