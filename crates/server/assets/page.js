// zeropark: behaviour every page shares, kept out of the HTML so the Content-Security-Policy
// can allow scripts from this server only (no inline handlers):
// - `data-autosubmit` on a form control submits its form when the value changes;
// - `data-filter-rows="SELECTOR"` on a text input hides the rows whose text lacks the input;
// - one navigation menu open at a time, closed by a click elsewhere or Escape.
(function () {
  'use strict';
  const menus = Array.from(document.querySelectorAll('.mainnav details.navgroup'));
  menus.forEach(function (m) {
    m.addEventListener('toggle', function () {
      if (m.open) menus.forEach(function (o) { if (o !== m) o.open = false; });
    });
  });
  document.addEventListener('click', function (ev) {
    menus.forEach(function (m) { if (!m.contains(ev.target)) m.open = false; });
  });
  document.addEventListener('keydown', function (ev) {
    if (ev.key === 'Escape') menus.forEach(function (m) { m.open = false; });
  });
  document.addEventListener('change', function (ev) {
    const el = ev.target;
    if (el && el.hasAttribute && el.hasAttribute('data-autosubmit') && el.form) el.form.submit();
  });
  document.addEventListener('input', function (ev) {
    const el = ev.target;
    const sel = el && el.getAttribute && el.getAttribute('data-filter-rows');
    if (!sel) return;
    const q = el.value.toLowerCase();
    document.querySelectorAll(sel).forEach(function (r) {
      r.style.display = r.textContent.toLowerCase().indexOf(q) < 0 ? 'none' : '';
    });
  });
})();

// Export of every data table as shown (visible rows, cell text): CSV in the browser (UTF-8
// with BOM, so Excel reads the Chinese), Excel through POST /api/v1/exports/xlsx (plain
// numbers become numbers). Tables filled later by a page script are exported as they are
// when the button is pressed.
(function () {
  'use strict';
  const t = document.body.dataset;
  const clean = s => s.replace(/\s+/g, ' ').trim();
  function shown(table) {
    const head = table.tHead ? Array.from(table.tHead.rows[0].cells).map(c => clean(c.textContent)) : [];
    const rows = Array.from(table.tBodies).flatMap(b => Array.from(b.rows))
      .filter(r => r.style.display !== 'none' && !r.hidden)
      .map(r => Array.from(r.cells).map(c => clean(c.textContent)));
    return { head, rows: rows.filter(r => r.length === head.length) };
  }
  function title(table) {
    const card = table.closest('.card, article, section');
    const h = card && card.querySelector('h2, h3');
    const h1 = document.querySelector('h1');
    return [h1 && clean(h1.textContent), h && clean(h.textContent)].filter(Boolean).join(' - ') || 'table';
  }
  function save(blob, name) {
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = name;
    document.body.appendChild(a);
    a.click();
    setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  }
  function csv(table) {
    const { head, rows } = shown(table);
    const quote = v => (/[",\n\r]/.test(v) ? '"' + v.replace(/"/g, '""') + '"' : v);
    const text = [head].concat(rows).map(r => r.map(quote).join(',')).join('\r\n') + '\r\n';
    save(new Blob(['\uFEFF' + text], { type: 'text/csv;charset=utf-8' }), title(table) + '.csv');
  }
  async function xlsx(table, button) {
    const { head, rows } = shown(table);
    const meta = document.querySelector('meta[name=csrf-token]');
    const r = await fetch('/api/v1/exports/xlsx', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': meta ? meta.content : '' },
      body: JSON.stringify({ title: title(table).slice(0, 100), columns: head, rows, lang: t.lang }),
    });
    if (!r.ok) { button.insertAdjacentText('afterend', ' ' + t.tExportFailed); return; }
    save(await r.blob(), title(table) + '.xlsx');
  }
  document.querySelectorAll('table.data').forEach(function (table) {
    if (!table.tHead) return;
    const bar = document.createElement('p');
    bar.className = 'table-exports';
    const mk = (label, kind, fn) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'link-button';
      b.dataset.export = kind;
      b.textContent = label;
      b.addEventListener('click', () => fn(table, b));
      bar.appendChild(b);
    };
    mk(t.tExportCsv, 'csv', csv);
    mk(t.tExportXlsx, 'xlsx', xlsx);
    const wrap = table.closest('.table-wrap') || table;
    wrap.insertAdjacentElement('afterend', bar);
  });
})();
