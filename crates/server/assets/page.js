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
