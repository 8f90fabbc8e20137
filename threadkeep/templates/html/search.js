/* Client-side search over window.THREADKEEP_INDEX (assets/search-index.js): every word of
   the query must appear in a tweet's text, any version, removed tweets included. */
"use strict";
(function () {
  var rows = window.THREADKEEP_INDEX || [];

  function words(query) {
    return String(query).toLowerCase().split(/\s+/).filter(function (w) { return w.length > 0; });
  }

  function search(query) {
    var wanted = words(query);
    if (wanted.length === 0) { return []; }
    return rows.filter(function (row) {
      var text = (row.text + " " + (row.author || "")).toLowerCase();
      return wanted.every(function (w) { return text.indexOf(w) !== -1; });
    });
  }
  window.search = search;

  function show(query) {
    var list = document.getElementById("results");
    var count = document.getElementById("count");
    if (!list || !count) { return; }
    while (list.firstChild) { list.removeChild(list.firstChild); }
    var found = search(query);
    if (words(query).length === 0) {
      count.textContent = "Type a word to search every tweet, removed ones included.";
      return;
    }
    count.textContent = found.length + (found.length === 1 ? " tweet found" : " tweets found");
    found.slice(0, 500).forEach(function (row) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = row.doc;
      link.textContent = row.title + ", tweet " + row.number;
      item.appendChild(link);
      if (row.removed) {
        var flag = document.createElement("span");
        flag.className = "removed-flag";
        flag.textContent = " REMOVED";
        item.appendChild(flag);
      }
      var text = document.createElement("p");
      text.className = "text";
      text.textContent = row.text;
      item.appendChild(text);
      list.appendChild(item);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var input = document.getElementById("q");
    if (!input) { return; }
    var query = new URLSearchParams(window.location.search).get("q") || "";
    input.value = query;
    show(query);
    input.addEventListener("input", function () { show(input.value); });
  });
})();
