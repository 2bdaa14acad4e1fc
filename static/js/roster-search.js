/* The roster's search box: filters the rows as you type. Without JavaScript the same box
 * submits ?q= and the server filters. Matching ignores case and accents, as the server does
 * (services/collation.py: fold): each row carries its folded text in data-search.
 */
(function () {
  "use strict";
  var input = document.getElementById("roster-q");
  var rows = document.querySelectorAll("#roster [data-search]");
  var none = document.getElementById("roster-none");
  if (!input || !rows.length) { return; }
  function fold(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/ł/g, "l").replace(/đ/g, "d").replace(/ø/g, "o").replace(/ß/g, "ss").replace(/ı/g, "i");
  }
  function filter() {
    var words = fold(input.value).split(/\s+/).filter(Boolean);
    var shown = 0;
    rows.forEach(function (row) {
      var text = row.getAttribute("data-search") || "";
      var match = words.every(function (word) { return text.indexOf(word) !== -1; });
      row.classList.toggle("d-none", !match);
      if (match) { shown += 1; }
    });
    if (none) { none.classList.toggle("d-none", shown > 0); }
  }
  input.addEventListener("input", filter);
  filter();
})();
