// Progressive enhancement only: every page works without this file. The board polls its JSON endpoint and
// redraws when a sync has finished since it was drawn. Data is set with textContent, never parsed as HTML.
(function () {
  'use strict';
  var board = document.querySelector('[data-board-src]');
  if (!board) return;
  var src = board.getAttribute('data-board-src');
  var stamp = board.getAttribute('data-synced-at');
  function cell(c) {
    var td = document.createElement('td');
    if (c.href && /^https?:\/\//.test(c.href)) {
      var a = document.createElement('a');
      a.href = c.href;
      a.rel = 'noopener noreferrer';
      a.textContent = c.text;
      td.appendChild(a);
    } else td.textContent = c.text;
    return td;
  }
  function draw(data) {
    var body = board.querySelector('[data-board="rows"]');
    var rows = document.createDocumentFragment();
    data.rows.forEach(function (r) {
      var tr = document.createElement('tr');
      r.forEach(function (c) { tr.appendChild(cell(c)); });
      rows.appendChild(tr);
    });
    body.replaceChildren(rows);
    board.querySelector('[data-board="count"]').textContent = String(data.rows.length);
    board.querySelector('[data-board="lastSync"]').textContent = data.lastSync;
    var tiles = board.querySelectorAll('.tile .value');
    data.tiles.forEach(function (t, i) { if (tiles[i]) tiles[i].textContent = t.value; });
  }
  function poll() {
    fetch(src, { credentials: 'same-origin', headers: { accept: 'application/json' } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) return;
        if (String(data.lastSyncAt) !== stamp) draw(data);
        stamp = String(data.lastSyncAt);
      })
      .catch(function () { /* offline for a moment: the next poll tries again */ })
      .then(function () { setTimeout(poll, Number(board.getAttribute('data-poll-ms')) || 5000); });
  }
  poll();
})();
