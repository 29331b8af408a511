// The dev workspace page: who you are, what you click, and a poll of /_dev/state every 2 s.
(function () {
  "use strict";

  var panel = document.getElementById("panel");
  var who = document.getElementById("who");
  var statusLine = document.getElementById("status");
  var commandForm = document.getElementById("command-form");
  var commandText = document.getElementById("command-text");
  var panelUrl = document.body.dataset.panelUrl;
  var conv = document.body.dataset.initialConv || localStorage.getItem("freigabe.conv") || "C0LEGAL";
  var version = null;
  var busy = false;

  var savedUser = localStorage.getItem("freigabe.user");
  if (savedUser && who.querySelector('option[value="' + savedUser + '"]')) {
    who.value = savedUser;
  }

  function say(text, isError) {
    statusLine.textContent = text;
    statusLine.classList.toggle("status-error", Boolean(isError));
  }

  function post(path, body) {
    return fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body)
    }).then(function (response) { return response.json(); });
  }

  function report(what, answer) {
    if (answer.error && answer.status === undefined) {
      say(what + ": " + answer.error, true);
    } else if (answer.status === null && answer.delivered !== false) {
      say(what + ": the app could not be reached (" + (answer.error || "no answer") + ")", true);
    } else if (answer.errors && Object.keys(answer.errors).length > 0) {
      say(what + ": not accepted, see the form", true);
    } else if (answer.status && answer.status !== 200) {
      say(what + ": the app answered HTTP " + answer.status, true);
    } else {
      say(what + ": delivered" + (answer.status ? " (HTTP " + answer.status + ")" : ""), false);
    }
  }

  // Text inputs give a string; checkboxes and multi selects a list of the chosen values,
  // as Slack's selected_options.
  function modalValues() {
    var values = {};
    panel.querySelectorAll("#modal-form [name]").forEach(function (field) {
      if (field.type === "checkbox") {
        values[field.name] = values[field.name] || [];
        if (field.checked) { values[field.name].push(field.value); }
      } else if (field.multiple) {
        values[field.name] = Array.prototype.filter.call(field.options, function (option) {
          return option.selected;
        }).map(function (option) { return option.value; });
      } else {
        values[field.name] = field.value;
      }
    });
    return values;
  }

  function restore(field, typed) {
    if (field.type === "checkbox") {
      field.checked = typed.indexOf(field.value) >= 0;
    } else if (field.multiple) {
      Array.prototype.forEach.call(field.options, function (option) {
        option.selected = typed.indexOf(option.value) >= 0;
      });
    } else {
      field.value = typed;
    }
  }

  function render() {
    var form = panel.querySelector("#modal-form");
    var before = form ? form.dataset.viewId + "/" + form.dataset.viewHash : null;
    var typed = modalValues();
    var query = new URLSearchParams({ user: who.value, conv: conv });
    return fetch(panelUrl + "?" + query.toString())
      .then(function (response) { return response.text(); })
      .then(function (html) {
        // The fragment comes from Jinja templates that escape every piece of Slack text.
        panel.innerHTML = html;
        var after = panel.querySelector("#modal-form");
        if (after && before === after.dataset.viewId + "/" + after.dataset.viewHash) {
          after.querySelectorAll("[name]").forEach(function (field) {
            if (Object.prototype.hasOwnProperty.call(typed, field.name)) {
              restore(field, typed[field.name]);
            }
          });
        }
      });
  }

  function poll() {
    if (busy) { return; }
    fetch("/_dev/state?only=version")
      .then(function (response) { return response.json(); })
      .then(function (state) {
        if (state.version !== version) {
          version = state.version;
          return render();
        }
        return null;
      })
      .catch(function () { say("The workspace is not answering.", true); });
  }

  function act(what, promise) {
    busy = true;
    say(what + "…", false);
    return promise
      .then(function (answer) { report(what, answer); })
      .catch(function (err) { say(what + " failed: " + err, true); })
      .then(function () { busy = false; return render(); });
  }

  function openHome() {
    return act("App Home opened", post("/_dev/home", { user: who.value }));
  }

  function choose(next) {
    conv = next;
    localStorage.setItem("freigabe.conv", conv);
    if (conv === "home") { openHome(); } else { render(); }
  }

  panel.addEventListener("click", function (event) {
    var target = event.target.closest("[data-conv], [data-action-id], [data-close-view]");
    if (!target) { return; }
    event.preventDefault();
    if (target.dataset.conv) {
      choose(target.dataset.conv);
    } else if (target.dataset.closeView) {
      act("Modal closed", post("/_dev/close_view", { user: who.value, view_id: target.dataset.closeView }));
    } else {
      if (target.dataset.confirm && !window.confirm(target.dataset.confirm)) { return; }
      var click = { user: who.value, action_id: target.dataset.actionId };
      if (target.dataset.viewId) {
        click.view_id = target.dataset.viewId;
      } else {
        click.channel = target.dataset.channel;
        click.ts = target.dataset.ts;
      }
      act("Clicked " + target.textContent.trim(), post("/_dev/click", click));
    }
  });

  panel.addEventListener("submit", function (event) {
    if (event.target.id !== "modal-form") { return; }
    event.preventDefault();
    var values = {};
    Object.entries(modalValues()).forEach(function (entry) {
      var parts = entry[0].split("::");
      values[parts[0]] = values[parts[0]] || {};
      values[parts[0]][parts[1]] = entry[1];
    });
    act("Modal submitted", post("/_dev/submit_view", {
      user: who.value, view_id: event.target.dataset.viewId, values: values
    }));
  });

  commandForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var body = { user: who.value, command: "/freigabe", text: commandText.value };
    if (conv !== "home") { body.channel = conv; }
    act("/freigabe " + commandText.value, post("/_dev/command", body)).then(function () {
      commandText.value = "";
    });
  });

  who.addEventListener("change", function () {
    localStorage.setItem("freigabe.user", who.value);
    if (conv === "home") { openHome(); } else { render(); }
  });

  if (conv === "home") { openHome(); } else { render(); }
  window.setInterval(poll, 2000);
})();
