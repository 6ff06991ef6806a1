/* whopconf report.html behaviour (inlined by the renderer; the page works
 * without it: the table and every <details> are plain HTML).
 * - filters by status and by family (checkboxes) and quick buttons;
 * - the URL fragment sets the filters and opens requirements with their
 *   evidence: #status=fail,warn&family=transport&expand=WC-US-001[&scroll=no] (used by
 *   the browser test, handy in links);
 * - reads the embedded report data (script#wc-data) to label the filters.
 * Never fetches anything (the page's Content-Security-Policy forbids it). */
(function () {
  'use strict';
  var data = null;
  try {
    data = JSON.parse(document.getElementById('wc-data').textContent);
  } catch (e) {
    data = null;
  }
  var root = document.getElementById('report');
  var filters = document.getElementById('filters');
  if (!root || !filters) return;
  var rows = Array.prototype.slice.call(document.querySelectorAll('tr.req'));

  function boxes(name) {
    return Array.prototype.slice.call(filters.querySelectorAll('input[name="' + name + '"]'));
  }
  function selected(name) {
    var set = {};
    boxes(name).forEach(function (box) {
      if (box.checked) set[box.value] = true;
    });
    return set;
  }
  function apply() {
    var statuses = selected('status');
    var families = selected('family');
    var shown = 0;
    rows.forEach(function (row) {
      var visible = statuses[row.getAttribute('data-status')] === true &&
                    families[row.getAttribute('data-family')] === true;
      row.hidden = !visible;
      if (visible) shown += 1;
    });
    var label = document.getElementById('shown');
    label.textContent = 'Showing ' + shown + ' of ' + rows.length;
    label.setAttribute('data-shown', String(shown));
  }
  function setAll(name, value) {
    boxes(name).forEach(function (box) { box.checked = value; });
  }
  function openAll(value) {
    rows.forEach(function (row) {
      if (row.hidden) return;
      var d = row.querySelector('details.req');
      if (d) d.open = value;
    });
  }
  /* URL fragment: #status=fail,warn&family=transport&expand=WC-US-001 (any
   * subset; a bare #expand=ID works too). Lets a link, or a headless
   * browser test, open the page in a given state. */
  function fromHash() {
    var params = {};
    window.location.hash.replace(/^#/, '').split('&').forEach(function (pair) {
      var eq = pair.indexOf('=');
      if (eq > 0) params[pair.slice(0, eq)] = decodeURIComponent(pair.slice(eq + 1));
    });
    ['status', 'family'].forEach(function (name) {
      if (params[name] === undefined) return;
      var wanted = params[name].split(',');
      boxes(name).forEach(function (box) { box.checked = wanted.indexOf(box.value) !== -1; });
    });
    apply();
    if (!params.expand) return;
    var first = null;
    params.expand.split(',').forEach(function (id) {
      var d = document.getElementById('d-' + id.trim());
      if (!d) return;
      var row = d.closest('tr');
      if (row) row.hidden = false;
      d.open = true;
      Array.prototype.forEach.call(d.querySelectorAll('details'), function (x) { x.open = true; });
      d.setAttribute('data-expanded-by', 'hash');
      if (!first) first = d;
    });
    if (first && params.scroll !== 'no') first.scrollIntoView({block: 'start'});
  }

  /* Label each family filter with its requirement count from the data. */
  if (data && Array.isArray(data.requirements)) {
    var perFamily = {};
    data.requirements.forEach(function (r) {
      perFamily[r.family] = (perFamily[r.family] || 0) + 1;
    });
    boxes('family').forEach(function (box) {
      var n = perFamily[box.value] || 0;
      var count = box.parentNode.querySelector('.n');
      if (count) count.textContent = ' (' + n + ')';
    });
    root.setAttribute('data-js-requirements', String(data.requirements.length));
  }

  filters.hidden = false;
  filters.addEventListener('change', apply);
  filters.addEventListener('click', function (event) {
    var action = event.target.getAttribute('data-action');
    if (!action) return;
    if (action === 'failures') {
      setAll('family', true);
      boxes('status').forEach(function (box) {
        box.checked = box.value === 'fail' || box.value === 'warn';
      });
    } else if (action === 'all') {
      setAll('status', true);
      setAll('family', true);
    } else if (action === 'expand') {
      openAll(true);
      return;
    } else if (action === 'collapse') {
      openAll(false);
      return;
    }
    apply();
  });
  window.addEventListener('hashchange', fromHash);
  fromHash();
  root.setAttribute('data-js', 'ready');
})();
