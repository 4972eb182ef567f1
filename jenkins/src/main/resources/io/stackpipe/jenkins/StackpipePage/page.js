// The /stackpipe page's behaviour, loaded as an adjunct (no inline script or handler: it runs under
// Content-Security-Policy script-src 'self'). It reads the markup's data-* contract, which the engine's
// StatusHtml.fragment shares: .sp-status roots, input[data-filter] over tbody.sp-stack[data-owner][data-stack]
// [data-services], button.sp-expand[aria-controls], time[datetime], and form[data-confirm] for destroys.
(function () {
  function units(s) {
    var u = [[86400, "d"], [3600, "h"], [60, "m"], [1, "s"]], o = "";
    if (s >= 86400) s -= s % 3600; else if (s >= 3600) s -= s % 60;
    for (var i = 0; i < u.length; i++) {
      if (s >= u[i][0]) { o += Math.floor(s / u[i][0]) + u[i][1]; s %= u[i][0]; }
    }
    return o || "0s";
  }

  function relative(iso) {
    var d = Math.round((Date.now() - Date.parse(iso)) / 1000);
    if (Math.abs(d) < 1) return "now";
    return d < 0 ? "in " + units(-d) : units(d) + " ago";
  }

  function contains(value, part) {
    return !part || (value || "").toLowerCase().indexOf(part) >= 0;
  }

  function init(root) {
    function times() {
      root.querySelectorAll("time[datetime]").forEach(function (t) {
        t.textContent = relative(t.getAttribute("datetime"));
      });
    }

    var inputs = root.querySelectorAll("input[data-filter]");
    function filter() {
      var f = {};
      inputs.forEach(function (i) { f[i.getAttribute("data-filter")] = i.value.trim().toLowerCase(); });
      var stacks = root.querySelectorAll("tbody.sp-stack"), shown = 0;
      stacks.forEach(function (tb) {
        var ok = contains(tb.getAttribute("data-owner"), f.owner) && contains(tb.getAttribute("data-stack"), f.stack)
          && (!f.service || (tb.getAttribute("data-services") || "").split(" ").some(function (s) {
            return contains(s, f.service);
          }));
        tb.hidden = !ok;
        if (ok) shown++;
      });
      root.querySelectorAll("#sp-candidates-table tbody tr").forEach(function (r) {
        r.hidden = !contains(r.getAttribute("data-service"), f.service);
      });
      var count = root.querySelector("#sp-count");
      if (count) count.textContent = shown + " of " + stacks.length + " stacks shown";
    }
    inputs.forEach(function (i) { i.addEventListener("input", filter); });
    root.querySelectorAll("form.sp-filters").forEach(function (form) {
      // Without a server behind the form (the engine's own page), filtering stays in the page.
      if (form.getAttribute("data-server-filter") !== "true") {
        form.addEventListener("submit", function (e) { e.preventDefault(); });
      }
    });

    root.querySelectorAll("button.sp-expand").forEach(function (b) {
      b.addEventListener("click", function () {
        var open = b.getAttribute("aria-expanded") !== "true";
        b.setAttribute("aria-expanded", String(open));
        b.textContent = open ? "▾" : "▸";
        document.getElementById(b.getAttribute("aria-controls")).hidden = !open;
      });
    });

    root.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (e) {
        e.preventDefault();
        var name = form.getAttribute("data-stack"), type = form.getAttribute("data-stack-type");
        // submit() fires no submit event again (and works while this one is still being dispatched).
        var go = function () {
          form.querySelector("input[name=confirmed]").value = "true";
          form.submit();
        };
        if (type === "production") {
          var title = "Destroy production stack " + name + "?";
          var message = "This deletes its namespace and everything in it. Type the stack's name to confirm.";
          var typed = function (value) {
            // A wrong name still goes to the server, which refuses it with the engine's one line.
            if (!value) return;
            form.querySelector("input[name=confirm]").value = value;
            go();
          };
          if (window.dialog && window.dialog.prompt) {
            window.dialog.prompt(title, { message: message, type: "destructive" }).then(typed, function () {});
          } else {
            typed(window.prompt(title + " " + message, ""));
          }
          return;
        }
        var question = "Destroy " + (type || "") + " stack " + name + "?";
        var detail = type === "persistent" ? "A persistent stack is never reaped: it is gone for good."
          : "Its namespace and everything in it are deleted.";
        if (window.dialog && window.dialog.confirm) {
          window.dialog.confirm(question, { message: detail, type: "destructive" }).then(go, function () {});
        } else if (window.confirm(question + " " + detail)) {
          go();
        }
      });
    });

    filter();
    times();
    setInterval(times, 30000);
  }

  function start() {
    document.querySelectorAll(".sp-status").forEach(init);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
