/* Voucher entry in the admin: show the running debit and credit totals per fund while typing.
   The server repeats the check (funding.actions.check_lines); this only helps the bookkeeper. */
(function () {
  "use strict";
  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("#lines-group tr.form-row:not(.empty-form)"));
  }
  function value(row, name) {
    var el = row.querySelector("[name$='-" + name + "']");
    return el ? el.value : "";
  }
  function update(box) {
    var funds = {};
    rows().forEach(function (row) {
      var del = row.querySelector("input[name$='-DELETE']");
      if (del && del.checked) { return; }
      var amount = Math.round(parseFloat(value(row, "amount")) * 100);
      if (!amount) { return; }
      var fund = value(row, "fund") || "?";
      funds[fund] = funds[fund] || { debit: 0, credit: 0 };
      funds[fund][value(row, "side") === "credit" ? "credit" : "debit"] += amount;
    });
    var parts = [], balanced = true;
    Object.keys(funds).forEach(function (fund) {
      var f = funds[fund];
      if (f.debit !== f.credit) { balanced = false; }
      parts.push("#" + fund + ": " + (f.debit / 100).toFixed(2) + " / " + (f.credit / 100).toFixed(2));
    });
    box.textContent = (box.dataset.label || "") + " " + parts.join("  ·  ");
    box.className = balanced ? "funding-balance ok" : "funding-balance errornote";
  }
  document.addEventListener("DOMContentLoaded", function () {
    var group = document.getElementById("lines-group");
    if (!group) { return; }
    var box = document.createElement("p");
    box.dataset.label = document.documentElement.lang.indexOf("zh") === 0 ? "借 / 贷（按资金）：" : "Debit / credit per fund:";
    box.setAttribute("role", "status");
    group.parentNode.insertBefore(box, group.nextSibling);
    group.addEventListener("input", function () { update(box); });
    group.addEventListener("change", function () { update(box); });
    update(box);
  });
})();
