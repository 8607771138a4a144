// zeropark: behaviour every page shares, kept out of the HTML so the Content-Security-Policy
// can allow scripts from this server only (no inline handlers):
// - `data-autosubmit` on a form control submits its form when the value changes;
// - `data-filter-rows="SELECTOR"` on a text input hides the rows whose text lacks the input.
(function () {
  'use strict';
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
